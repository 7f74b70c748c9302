import { PolicyResource } from "@pulumi/policy";
import {
    Container,
    containersOf,
    imageParts,
    isSelected,
    metadataOf,
    podLabelsOf,
    podSpecOf,
    PreviewUnknowns,
    refersTo,
    SCALABLE,
    SELECTOR_SCHEMA,
    SERVING,
    Spec,
    valueAt,
    WORKLOADS,
} from "../lib/kubernetes";
import { configHint } from "../lib/components";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { K8S } from "../lib/types";
import { listOf, numberOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

/** A resource rule that checks each container of a workload, reporting one message per failing container. */
function perContainer<C>(check: (container: Container, pod: Spec, config: C) => string | undefined, containers: "all" | "main" = "all") {
    return ({ type, props }: { type: string; props: Spec }, config: C, report: (message: string) => void) => {
        const pod = podSpecOf(type, props);
        const list = containersOf(pod).filter((c) => containers === "all" || !c.init);
        if (list.length === 0) {
            report("the pod template has no containers to check");
        }
        for (const container of list) {
            const problem = check(container, pod ?? {}, config);
            if (problem) {
                report(`${container.label}: ${problem}`);
            }
        }
    };
}

const securityContext = (spec: Spec) => objectOf(spec.securityContext) ?? {};

export const k8sRunAsNonRoot: ResourceRule = {
    name: "k8s-run-as-non-root",
    description: "Containers run as a non-root user.",
    severity: "high",
    checklist: ["APP-01"],
    references: [
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    ],
    equivalents: ["CKV_K8S_23", "AVD-KSV-0012", "AVD-KSV-0105"],
    remediation: "Set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or each container.",
    resourceTypes: WORKLOADS,
    validate: perContainer((container, pod) => {
        const own = securityContext(container.spec);
        const podContext = securityContext(pod);
        const nonRoot = own.runAsNonRoot ?? podContext.runAsNonRoot;
        const user = numberOf(own.runAsUser ?? podContext.runAsUser);
        if (user === 0) {
            return "runAsUser is 0 (root)";
        }
        return nonRoot === true || (user !== undefined && user > 0) ? undefined : `runAsNonRoot is ${show(nonRoot)}; set it to true`;
    }),
};

export const k8sNoPrivilegeEscalation: ResourceRule = {
    name: "k8s-no-privilege-escalation",
    description: "Containers cannot gain privileges (no privileged mode, no added capabilities, no privilege escalation).",
    severity: "high",
    checklist: ["APP-01"],
    references: [
        "https://kubernetes.io/docs/concepts/security/pod-security-standards/",
        "https://kubernetes.io/docs/tasks/configure-pod-container/security-context/",
    ],
    equivalents: ["CKV_K8S_16", "CKV_K8S_20", "CKV_K8S_25", "AVD-KSV-0001", "AVD-KSV-0017", "AVD-KSV-0022"],
    remediation:
        "Set securityContext.allowPrivilegeEscalation: false and privileged: false; drop all capabilities and add none but NET_BIND_SERVICE " +
        "(securityContext.capabilities.add).",
    resourceTypes: WORKLOADS,
    validate: perContainer((container) => {
        const context = securityContext(container.spec);
        if (context.privileged === true) {
            return "privileged is true";
        }
        // The restricted Pod Security Standard allows adding NET_BIND_SERVICE only.
        const added = (listOf(objectOf(context.capabilities)?.add) ?? []).filter((c) => String(c).replace(/^CAP_/, "") !== "NET_BIND_SERVICE");
        if (added.length > 0) {
            return `securityContext.capabilities.add is ${show(added)}; add no capability but NET_BIND_SERVICE`;
        }
        return context.allowPrivilegeEscalation === false
            ? undefined
            : `allowPrivilegeEscalation is ${show(context.allowPrivilegeEscalation)} (Kubernetes defaults to true); set it to false`;
    }),
};

const HOST_NAMESPACES = ["hostNetwork", "hostPID", "hostIPC"];

export const k8sNoHostAccess: ResourceRule = {
    name: "k8s-no-host-access",
    description: "Pods share nothing of their node: no host network, PID or IPC namespace, no hostPath volume.",
    severity: "high",
    checklist: ["APP-01"],
    references: ["https://kubernetes.io/docs/concepts/security/pod-security-standards/", "https://kubernetes.io/docs/concepts/storage/volumes/"],
    equivalents: ["CKV_K8S_17", "CKV_K8S_18", "CKV_K8S_19", "AVD-KSV-0008", "AVD-KSV-0009", "AVD-KSV-0010", "AVD-KSV-0023"],
    remediation:
        "Remove hostNetwork, hostPID and hostIPC from the pod spec (or set them to false) and replace hostPath volumes with emptyDir, " +
        "a ConfigMap or a PersistentVolumeClaim.",
    resourceTypes: WORKLOADS,
    validate({ type, props }, _config, report) {
        const pod = podSpecOf(type, props) ?? {};
        const shared = HOST_NAMESPACES.filter((key) => pod[key] === true).map((key) => `${key} is true`);
        const hostPaths = (listOf(pod.volumes) ?? [])
            .map(objectOf)
            .filter((v) => objectOf(v?.hostPath))
            .map((v) => `volume ${v!.name ?? "(unnamed)"} mounts hostPath ${show(objectOf(v!.hostPath)!.path)}`);
        const problems = [...shared, ...hostPaths];
        if (problems.length > 0) {
            report(`${problems.join("; ")}: the pod reaches into its node, where a compromise spreads to every pod on it`);
        }
    },
};

export const k8sReadOnlyRootFilesystem: ResourceRule = {
    name: "k8s-read-only-root-filesystem",
    description: "Containers run on a read-only root filesystem.",
    severity: "medium",
    checklist: ["APP-01"],
    references: ["https://kubernetes.io/docs/tasks/configure-pod-container/security-context/"],
    equivalents: ["CKV_K8S_22", "AVD-KSV-0014"],
    remediation: "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the process writes (e.g. /tmp).",
    resourceTypes: WORKLOADS,
    validate: perContainer((container) => {
        const value = securityContext(container.spec).readOnlyRootFilesystem;
        return value === true ? undefined : `readOnlyRootFilesystem is ${show(value)}; set it to true`;
    }),
};

export const k8sResourceLimits: ResourceRule<{ requireCpuLimit: boolean }> = {
    name: "k8s-resource-limits",
    description: "Containers request CPU and memory and are limited in memory (and CPU).",
    severity: "medium",
    checklist: ["APP-02"],
    references: ["https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/"],
    equivalents: ["CKV_K8S_10", "CKV_K8S_11", "CKV_K8S_12", "CKV_K8S_13", "AVD-KSV-0011", "AVD-KSV-0015", "AVD-KSV-0016", "AVD-KSV-0018"],
    remediation: "Set resources.requests.cpu, requests.memory, limits.memory (and limits.cpu) on every container.",
    resourceTypes: WORKLOADS,
    config: { requireCpuLimit: { type: "boolean", default: true, description: "Require limits.cpu too." } },
    validate: perContainer<{ requireCpuLimit: boolean }>((container, _pod, { requireCpuLimit }) => {
        const resources = objectOf(container.spec.resources) ?? {};
        const requests = objectOf(resources.requests) ?? {};
        const limits = objectOf(resources.limits) ?? {};
        const missing = [
            requests.cpu === undefined && "requests.cpu",
            requests.memory === undefined && "requests.memory",
            limits.memory === undefined && "limits.memory",
            requireCpuLimit && limits.cpu === undefined && "limits.cpu",
        ].filter(Boolean);
        return missing.length > 0 ? `no ${missing.join(", ")}` : undefined;
    }),
};

export const k8sHealthProbes: ResourceRule = {
    name: "k8s-health-probes",
    description: "Serving containers have readiness and liveness probes.",
    severity: "high",
    checklist: ["APP-03"],
    references: [
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/",
        "https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/",
    ],
    equivalents: ["CKV_K8S_8", "CKV_K8S_9"],
    remediation: "Add readinessProbe and livenessProbe (httpGet on the health endpoint) to every serving container.",
    resourceTypes: SERVING,
    validate: perContainer((container) => {
        const missing = ["readinessProbe", "livenessProbe"].filter((probe) => !objectOf(container.spec[probe]));
        return missing.length > 0 ? `no ${missing.join(" or ")}` : undefined;
    }, "main"),
};

export const k8sImagePinned: ResourceRule = {
    name: "k8s-image-pinned",
    description: "Container images are pinned to a version tag or a digest, never latest.",
    severity: "high",
    checklist: ["APP-04"],
    references: ["https://kubernetes.io/docs/concepts/containers/images/"],
    equivalents: ["CKV_K8S_14", "AVD-KSV-0013"],
    remediation: "Reference images as registry/name:1.2.3 or registry/name@sha256:<digest>.",
    resourceTypes: WORKLOADS,
    validate: perContainer((container) => {
        const image = container.spec.image;
        if (typeof image !== "string" || image === "") {
            return `image is ${show(image)}`;
        }
        if (/@sha256:[a-f0-9]{64}$/.test(image)) {
            return undefined;
        }
        const tag = /:([\w][\w.-]{0,127})$/.exec(image.slice(image.lastIndexOf("/") + 1))?.[1];
        if (tag === undefined) {
            return `image ${image} has no tag, so it means latest; pin a version or digest`;
        }
        return tag === "latest" ? `image ${image} uses the tag latest; pin a version or digest` : undefined;
    }),
};

export const helmChartPinned: ResourceRule = {
    name: "helm-chart-pinned",
    description: "Helm charts are installed at an exact version, so an upgrade is a reviewed change.",
    severity: "medium",
    checklist: ["APP-04"],
    references: ["https://helm.sh/docs/helm/helm_install/", "https://www.pulumi.com/registry/packages/kubernetes/api-docs/helm/v3/release/"],
    remediation: "Set version to an exact chart version like 82.6.0: no range, no empty value (which means the newest).",
    resourceTypes: [K8S.helmRelease, K8S.helmChart],
    validate({ props }, _config, report) {
        const version = props.version;
        if (typeof version !== "string" || version === "") {
            report(`chart ${show(props.chart)} has no version, so each install takes the newest; pin an exact version`);
        } else if (!/^v?\d+\.\d+\.\d+(-[\w.]+)?$/.test(version)) {
            report(`chart ${show(props.chart)} version ${version} is a range; pin an exact version`);
        }
    },
};

/** The autoscalers of every API version, which all name their workload in spec.scaleTargetRef. */
/** HorizontalPodAutoscalers, and KEDA ScaledObjects (KEDA creates the HPA itself, outside the plan). */
const AUTOSCALERS = [K8S.hpa, K8S.hpaV1, K8S.kedaScaledObject];

/** Whether an autoscaler scales `workload`: same kind (a ScaledObject's defaults to Deployment), and its name or an output of it. */
function scales(hpa: PolicyResource, workload: PolicyResource): boolean {
    const target = objectOf(objectOf(hpa.props.spec)?.scaleTargetRef);
    const kind = target?.kind ?? (hpa.type === K8S.kedaScaledObject ? "Deployment" : undefined);
    return kind === workload.type.split(":").pop() && refersTo(hpa, workload, target?.name);
}

/** The fewest replicas an autoscaler keeps: an HPA's minReplicas (1 when absent), a ScaledObject's minReplicaCount (0 when absent). */
const MIN_REPLICAS_KEY = (autoscaler: PolicyResource) => (autoscaler.type === K8S.kedaScaledObject ? "minReplicaCount" : "minReplicas");

export const k8sMinReplicas: StackRule<{ minimum: number }> = {
    name: "k8s-min-replicas",
    appliesTo: [...SCALABLE, ...AUTOSCALERS],
    description:
        "Deployments and StatefulSets run at least the minimum number of replicas: spec.replicas, or the minReplicas of the autoscaler that scales them.",
    severity: "high",
    checklist: ["APP-05"],
    references: [
        "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/",
        "https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/",
    ],
    remediation:
        "Set spec.replicas to the minimum or more; when a HorizontalPodAutoscaler scales the workload, set its spec.minReplicas (1 when absent) instead.",
    config: { minimum: { type: "integer", minimum: 1, default: 2, description: "Fewest replicas." } },
    validate(stack, { minimum }, report) {
        const judge = (resource: PolicyResource, key: "replicas" | "minReplicas" | "minReplicaCount") => {
            const raw = objectOf(resource.props.spec)?.[key];
            const absent = key === "minReplicaCount" ? 0 : 1;
            const replicas = raw === undefined || raw === null ? absent : numberOf(raw);
            const hint = configHint(resource.urn, "platform:services[].replicas");
            if (replicas === undefined) {
                report(`${resource.name}: spec.${key} is ${show(raw)}, not a number`, resource);
            } else if (replicas < minimum) {
                report(
                    `${resource.name}: spec.${key} is ${raw === undefined || raw === null ? `not set (${absent})` : replicas}; at least ${minimum} are required${hint}`,
                    resource,
                );
            }
        };
        const autoscalers = stack.ofType(...AUTOSCALERS);
        // An autoscaler owns its workload's replica count: its minReplicas is what the workload may shrink to.
        stack
            .ofType(...SCALABLE)
            .filter((w) => !autoscalers.some((hpa) => scales(hpa, w)))
            .forEach((w) => judge(w, "replicas"));
        autoscalers.forEach((autoscaler) => judge(autoscaler, MIN_REPLICAS_KEY(autoscaler)));
    },
};

/** Reports each scalable workload that no resource of `kind` covers. */
function requireCompanion(
    stack: StackView,
    kinds: string[],
    covers: (companion: PolicyResource, workload: PolicyResource) => boolean,
    report: (message: string, resource?: PolicyResource) => void,
    what: string,
) {
    for (const workload of stack.ofType(...SCALABLE)) {
        if (!stack.ofType(...kinds).some((companion) => covers(companion, workload))) {
            report(`${workload.name} has no ${what}`, workload);
        }
    }
}

export const k8sHpaPresent: StackRule = {
    name: "k8s-hpa-present",
    appliesTo: SCALABLE,
    description: "Every Deployment and StatefulSet scales horizontally with a HorizontalPodAutoscaler.",
    severity: "medium",
    checklist: ["APP-05"],
    references: ["https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/"],
    remediation: "Add an autoscaling/v2 HorizontalPodAutoscaler (or a KEDA ScaledObject) whose scaleTargetRef names the workload.",
    validate(stack, _config, report) {
        requireCompanion(stack, AUTOSCALERS, scales, report, "HorizontalPodAutoscaler");
    },
};

const selects = (selector: Record<string, any> | undefined, labels: Record<string, string>) => {
    const match = objectOf(selector?.matchLabels);
    return !!match && Object.keys(match).length > 0 && Object.entries(match).every(([k, v]) => labels[k] === v);
};

/** Why a disruption budget allows evicting every pod (minAvailable 0, maxUnavailable 100%), or undefined when it keeps some. */
function noBudget(spec: Spec): string | undefined {
    const percent = (value: unknown) => (typeof value === "string" && /^\d+%$/.test(value) ? Number(value.slice(0, -1)) : undefined);
    const { minAvailable, maxUnavailable } = spec;
    if (minAvailable !== undefined && minAvailable !== null) {
        return minAvailable === 0 || percent(minAvailable) === 0 ? `minAvailable ${show(minAvailable)}` : undefined;
    }
    return percent(maxUnavailable) !== undefined && percent(maxUnavailable)! >= 100 ? `maxUnavailable ${show(maxUnavailable)}` : undefined;
}

export const k8sPdbPresent: StackRule = {
    name: "k8s-pdb-present",
    appliesTo: SCALABLE,
    description: "Every Deployment and StatefulSet has a PodDisruptionBudget selecting its pods.",
    severity: "medium",
    checklist: ["APP-06"],
    references: ["https://kubernetes.io/docs/concepts/workloads/pods/disruptions/", "https://kubernetes.io/docs/tasks/run-application/configure-pdb/"],
    remediation:
        "Add a policy/v1 PodDisruptionBudget whose selector matches the pod labels, with minAvailable of at least 1 or maxUnavailable " +
        "below 100% (minAvailable 0 or maxUnavailable 100% allow evicting every pod at once).",
    validate(stack, _config, report) {
        const selecting = (pdb: PolicyResource, workload: PolicyResource) =>
            metadataOf(pdb).namespace === metadataOf(workload).namespace &&
            selects(objectOf(objectOf(pdb.props.spec)?.selector), podLabelsOf(workload.type, workload.props));
        requireCompanion(stack, [K8S.pdb], selecting, report, "PodDisruptionBudget selecting its pods");
        for (const workload of stack.ofType(...SCALABLE)) {
            const budgets = stack.ofType(K8S.pdb).filter((pdb) => selecting(pdb, workload));
            const empty = budgets.map((pdb) => ({ pdb, problem: noBudget(objectOf(pdb.props.spec) ?? {}) }));
            if (budgets.length > 0 && empty.every((b) => b.problem)) {
                report(
                    `${workload.name}'s PodDisruptionBudget ${empty.map((b) => `${b.pdb.name} (${b.problem})`).join(", ")} lets a drain evict every pod at once; ` +
                        "keep at least one available",
                    workload,
                );
            }
        }
    },
};

const selectsEverything = (selector: unknown) => {
    const s = objectOf(selector);
    return !!s && Object.keys(objectOf(s.matchLabels) ?? {}).length === 0 && (listOf(s.matchExpressions) ?? []).length === 0;
};

/** A peer that is anyone: `{}`, every pod of every namespace, or the whole internet without exceptions. */
function isAnyone(peer: unknown): boolean {
    const p = objectOf(peer);
    if (!p || Object.keys(p).length === 0) {
        return true;
    }
    const block = objectOf(p.ipBlock);
    if (block) {
        return ["0.0.0.0/0", "::/0"].includes(block.cidr) && (listOf(block.except) ?? []).length === 0;
    }
    return selectsEverything(p.namespaceSelector) && (p.podSelector === undefined || selectsEverything(p.podSelector));
}

/** The directions ("ingress", "egress") in which a NetworkPolicy admits anyone on any port. */
function allowsAll(spec: Spec): string[] {
    const types = listOf(spec.policyTypes) ?? ["Ingress", ...(spec.egress !== undefined ? ["Egress"] : [])];
    return (
        [
            ["Ingress", "ingress", "from"],
            ["Egress", "egress", "to"],
        ] as const
    )
        .filter(
            ([policyType, key, peersKey]) =>
                types.includes(policyType) &&
                (listOf(spec[key]) ?? []).map(objectOf).some((rule) => {
                    const peers = listOf(rule?.[peersKey]) ?? [];
                    return (listOf(rule?.ports) ?? []).length === 0 && (peers.length === 0 || peers.some(isAnyone));
                }),
        )
        .map(([, key]) => key);
}

export const k8sDefaultDenyNetworkPolicy: StackRule = {
    name: "k8s-default-deny-network-policy",
    appliesTo: [...WORKLOADS, K8S.namespace, K8S.helmRelease],
    description: "Every namespace the stack creates or deploys into has a default-deny NetworkPolicy for ingress and egress, which no allow-all policy undoes.",
    severity: "high",
    checklist: ["APP-07"],
    references: ["https://kubernetes.io/docs/concepts/services-networking/network-policies/"],
    remediation:
        "Add a NetworkPolicy with podSelector {} and policyTypes [Ingress, Egress] and no rules, then allow what each service needs: give every " +
        "ingress/egress rule ports or from/to peers narrower than anyone ({} or namespaceSelector {}).",
    validate(stack, _config, report) {
        const namespaces = new Map<string, PolicyResource>();
        const add = (namespace: unknown, example: PolicyResource) => {
            if (typeof namespace === "string" && namespace !== "") {
                namespaces.set(namespace, namespaces.get(namespace) ?? example);
            }
        };
        stack.ofType(...WORKLOADS).forEach((workload) => add(metadataOf(workload).namespace, workload));
        // A namespace the stack creates, and one a Helm release installs into, holds pods too (a chart's are not in the plan).
        stack.ofType(K8S.namespace).forEach((ns) => add(peek(objectOf(peek(ns.props, "metadata")), "name"), ns));
        stack.ofType(K8S.helmRelease).forEach((release) => add(peek(release.props, "namespace"), release));
        for (const [namespace, example] of namespaces) {
            const denyAll = stack.ofType(K8S.networkPolicy).some((policy) => {
                const spec = objectOf(policy.props.spec) ?? {};
                const types = listOf(spec.policyTypes) ?? [];
                const selectsAll =
                    Object.keys(objectOf(objectOf(spec.podSelector)?.matchLabels) ?? {}).length === 0 &&
                    (listOf(objectOf(spec.podSelector)?.matchExpressions) ?? []).length === 0;
                return (
                    metadataOf(policy).namespace === namespace &&
                    selectsAll &&
                    types.includes("Ingress") &&
                    types.includes("Egress") &&
                    (listOf(spec.ingress) ?? []).length === 0 &&
                    (listOf(spec.egress) ?? []).length === 0
                );
            });
            if (!denyAll) {
                report(`namespace ${namespace} (e.g. ${example.name}) has no default-deny NetworkPolicy for ingress and egress`, example);
                continue;
            }
            const undoing = stack
                .ofType(K8S.networkPolicy)
                .filter((policy) => metadataOf(policy).namespace === namespace)
                .flatMap((policy) => allowsAll(objectOf(policy.props.spec) ?? {}).map((direction) => `${policy.name} allows all ${direction}`));
            if (undoing.length > 0) {
                report(`namespace ${namespace}: ${undoing.join(", ")} (a rule with no ports whose peers are anyone), which undoes the default deny`, example);
            }
        }
    },
};

interface Setting {
    source: string;
    /** The literal value, read only when needed: a Secret's values are never read, and a value may be unknown in a preview. */
    literal(): unknown;
}

/**
 * The settings a container gets: literal env values, env from refs, and the keys of envFrom ConfigMaps
 * and Secrets. `unknown` lists the sources whose data a preview cannot see yet (a Secret built from outputs).
 */
function settingsOf(stack: StackView, workload: PolicyResource, container: Container): { settings: Map<string, Setting>; unknown: PolicyResource[] } {
    const settings = new Map<string, Setting>();
    const unknown: PolicyResource[] = [];
    const { namespace } = metadataOf(workload);
    const sameNamespace = (kind: string, name: unknown) => stack.ofType(kind).find((r) => metadataOf(r).namespace === namespace && metadataOf(r).name === name);
    for (const from of (listOf(container.spec.envFrom) ?? []).map(objectOf)) {
        const configMap = objectOf(from?.configMapRef);
        const secret = objectOf(from?.secretRef);
        const prefix = typeof from?.prefix === "string" ? from.prefix : "";
        const source = configMap ? sameNamespace(K8S.configMap, configMap.name) : secret ? sameNamespace(K8S.secret, secret.name) : undefined;
        for (const field of ["data", "stringData"]) {
            const value = peek(source?.props, field);
            if (value === UNKNOWN) {
                unknown.push(source!);
                continue;
            }
            const data = objectOf(value);
            for (const key of Object.keys(data ?? {})) {
                settings.set(prefix + key, { source: source!.name, literal: () => (configMap ? data![key] : undefined) });
            }
        }
    }
    for (const env of (listOf(container.spec.env) ?? []).map(objectOf)) {
        if (typeof env?.name === "string") {
            settings.set(env.name, { source: "value" in env ? "env" : "env valueFrom", literal: () => env.value });
        }
    }
    return { settings, unknown };
}

/** Visits the main containers of the serving workloads that declare themselves platform services. */
function forEachServingContainer(stack: StackView, selector: Record<string, string>, visit: (workload: PolicyResource, container: Container) => void) {
    for (const workload of stack.ofType(...SERVING).filter((w) => isSelected(w.type, w.props, selector))) {
        for (const container of containersOf(podSpecOf(workload.type, workload.props)).filter((c) => !c.init)) {
            visit(workload, container);
        }
    }
}

export const k8sNodeEnvProduction: StackRule<ServiceConfig> = {
    name: "k8s-node-env-production",
    appliesTo: SERVING,
    description: "Platform services (Node.js APIs, labelled platform.checklist/profile: node-api) run with NODE_ENV=production.",
    severity: "medium",
    checklist: ["ENV-01"],
    references: [
        "https://nodejs.org/en/learn/getting-started/nodejs-the-difference-between-development-and-production",
        "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
    ],
    remediation: "Set NODE_ENV=production in the service's ConfigMap (envFrom) or env.",
    config: { serviceSelector: SELECTOR_SCHEMA },
    validate(stack, { serviceSelector }, report) {
        forEachServingContainer(stack, serviceSelector, (workload, container) => {
            const setting = settingsOf(stack, workload, container).settings.get("NODE_ENV");
            const value = setting?.literal();
            if (value !== "production") {
                const given = setting === undefined ? "not set" : value === undefined ? `from ${setting.source} (not visible)` : show(value);
                report(`${workload.name} ${container.label}: NODE_ENV is ${given}; set it to "production"`, workload);
            }
        });
    },
};

export const REQUIRED_ENV = ["NODE_ENV", "DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ENCRYPTION_KEY"];

export const k8sRequiredEnv: StackRule<ServiceConfig & { requiredNames: string[] }> = {
    name: "k8s-required-env",
    appliesTo: SERVING,
    description:
        "Every platform service's container (labelled platform.checklist/profile: node-api) gets the required settings (database, cache, secrets, NODE_ENV).",
    severity: "high",
    checklist: ["ENV-02"],
    references: [
        "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
        "https://kubernetes.io/docs/tasks/configure-pod-container/configure-pod-configmap/",
    ],
    remediation: "Provide each required name through env, or the service's ConfigMap or Secret (envFrom).",
    config: {
        requiredNames: { type: "array", items: { type: "string" }, default: REQUIRED_ENV, description: "Settings every platform service's container needs." },
        serviceSelector: SELECTOR_SCHEMA,
    },
    validate(stack, { requiredNames, serviceSelector }, report) {
        forEachServingContainer(stack, serviceSelector, (workload, container) => {
            const { settings, unknown } = settingsOf(stack, workload, container);
            const missing = requiredNames.filter((name) => !settings.has(name));
            if (missing.length > 0 && unknown.length > 0) {
                // A source this preview cannot see may hold them: reading it reports that the rule cannot decide yet.
                void unknown[0].props.stringData;
                void unknown[0].props.data;
            }
            if (missing.length > 0) {
                report(`${workload.name} ${container.label} does not get ${missing.join(", ")}`, workload);
            }
        });
    },
};

/** Provisioners whose `encrypted` parameter encrypts the EBS volume: the EBS CSI driver, and the in-tree plugin it replaced. */
const EBS_PROVISIONERS = ["ebs.csi.aws.com", "kubernetes.io/aws-ebs"];

/** A persistent volume a resource asks the cluster for. */
interface VolumeRequest {
    owner: PolicyResource;
    /** Where its storage class is named, e.g. `spec.storageClassName`. */
    where: string;
    /** The settings that hold its `storageClassName`. */
    settings: unknown;
}

const isChart = (release: PolicyResource, chart: string) => new RegExp(`(^|/)${chart}$`).test(String(peek(release.props, "chart")));

/** A chart's volumeClaimTemplate-style storage (Prometheus, Alertmanager): a claim template, or a generic ephemeral volume. */
function operatorStorage(owner: PolicyResource, storage: unknown, path: string): VolumeRequest[] {
    return [["volumeClaimTemplate"], ["ephemeral", "volumeClaimTemplate"]]
        .filter((template) => objectOf(valueAt(storage, ...template)))
        .map((template) => ({ owner, where: `values ${path}.${template.join(".")}.spec.storageClassName`, settings: valueAt(storage, ...template, "spec") }));
}

/** Grafana's volume: only when persistence is enabled (the chart's default is off) and no existing claim is reused. */
function grafanaStorage(owner: PolicyResource, persistence: unknown, path: string): VolumeRequest[] {
    const enabled = valueAt(persistence, "enabled") === true && typeof valueAt(persistence, "existingClaim") !== "string";
    return enabled ? [{ owner, where: `values ${path}.storageClassName`, settings: persistence }] : [];
}

/** The volumes a resource requests: a claim, a StatefulSet's claim templates, or the storage a chart's values ask for. */
function volumeRequestsOf(resource: PolicyResource): VolumeRequest[] {
    const { props } = resource;
    if (resource.type === K8S.persistentVolumeClaim) {
        return [{ owner: resource, where: "spec.storageClassName", settings: props.spec }];
    }
    if (resource.type === K8S.statefulSet) {
        return (listOf(valueAt(props.spec, "volumeClaimTemplates")) ?? []).map((template, i) => {
            const name = valueAt(template, "metadata", "name");
            return {
                owner: resource,
                where: `volumeClaimTemplates[${typeof name === "string" ? name : i}].spec.storageClassName`,
                settings: valueAt(template, "spec"),
            };
        });
    }
    const values = props.values;
    if (isChart(resource, "kube-prometheus-stack")) {
        return [
            ...operatorStorage(resource, valueAt(values, "prometheus", "prometheusSpec", "storageSpec"), "prometheus.prometheusSpec.storageSpec"),
            ...operatorStorage(resource, valueAt(values, "alertmanager", "alertmanagerSpec", "storage"), "alertmanager.alertmanagerSpec.storage"),
            ...(valueAt(values, "grafana", "enabled") === false
                ? []
                : grafanaStorage(resource, valueAt(values, "grafana", "persistence"), "grafana.persistence")),
        ];
    }
    // Bitnami's grafana chart names its settings differently (persistence.storageClass, on by default): not judged here.
    const bitnami = /bitnami/i.test(`${String(peek(props, "chart"))} ${String(valueAt(props.repositoryOpts, "repo"))}`);
    return isChart(resource, "grafana") && !bitnami ? grafanaStorage(resource, valueAt(values, "persistence"), "persistence") : [];
}

/** Why a StorageClass of the stack does not encrypt, or undefined when it does. */
function storageClassProblem(storageClass: PolicyResource): string | undefined {
    const provisioner = storageClass.props.provisioner;
    if (!EBS_PROVISIONERS.includes(provisioner)) {
        return `its provisioner ${show(provisioner)} is not the EBS CSI driver, whose encryption the plan can read (list the class in encryptedStorageClasses if it encrypts)`;
    }
    const encrypted = valueAt(storageClass.props.parameters, "encrypted");
    return encrypted === "true" ? undefined : `its parameters.encrypted is ${show(encrypted)}; set it to "true"`;
}

export const persistentVolumesEncrypted: StackRule<{ encryptedStorageClasses: string[] }> = {
    name: "persistent-volumes-encrypted",
    appliesTo: [K8S.persistentVolumeClaim, K8S.statefulSet, K8S.helmRelease, K8S.helmChart],
    description: "Every persistent volume the stack requests comes from a storage class that encrypts it.",
    severity: "high",
    checklist: ["APP-10"],
    references: [
        "https://kubernetes.io/docs/concepts/storage/storage-classes/",
        "https://docs.aws.amazon.com/eks/latest/userguide/ebs-csi.html",
        "https://github.com/kubernetes-sigs/aws-ebs-csi-driver/blob/master/docs/parameters.md",
    ],
    remediation:
        "Set storageClassName (PersistentVolumeClaims, volumeClaimTemplates, the charts' storage values) to a StorageClass with provisioner " +
        'ebs.csi.aws.com and parameters.encrypted "true", or to a class listed in encryptedStorageClasses.',
    config: {
        encryptedStorageClasses: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Storage classes created outside the stack that are known to encrypt their volumes.",
        },
    },
    validate(stack, { encryptedStorageClasses }, report) {
        const unknowns = new PreviewUnknowns();
        const classes = stack.ofType(K8S.storageClass);
        const requests: VolumeRequest[] = [];
        unknowns.each(stack.ofType(K8S.persistentVolumeClaim, K8S.statefulSet, K8S.helmRelease, K8S.helmChart), (resource) =>
            requests.push(...volumeRequestsOf(resource)),
        );
        unknowns.each(requests, ({ owner, where, settings }) => {
            const name = peek(objectOf(settings), "storageClassName");
            const subject = `${owner.name} ${where}`;
            // A class the stack creates is often named through its output, which a preview may not know yet.
            const throughOutput = Object.values(owner.propertyDependencies)
                .flat()
                .filter((r) => r.type === K8S.storageClass);
            const outputEncrypts = throughOutput.length > 0 && throughOutput.every((c) => storageClassProblem(c) === undefined);
            if (name === UNKNOWN) {
                if (!outputEncrypts) {
                    // Reading it reports that the rule cannot decide yet.
                    void objectOf(settings)!.storageClassName;
                }
                return;
            }
            if (name === undefined || name === null) {
                report(
                    `${subject} is not set: the cluster's default storage class provisions the volume, and the plan cannot tell that it encrypts; name an encrypted class`,
                    owner,
                );
                return;
            }
            if (typeof name !== "string" || name === "") {
                report(`${subject} is ${show(name)}: no class the plan can judge provisions the volume; name an encrypted class`, owner);
                return;
            }
            if (encryptedStorageClasses.includes(name)) {
                return;
            }
            const named = classes.find((c) => valueAt(c.props.metadata, "name") === name);
            if (named) {
                const problem = storageClassProblem(named);
                if (problem) {
                    report(`${subject} is "${name}", a StorageClass of the stack that does not encrypt: ${problem}`, owner);
                }
                return;
            }
            // A class the stack creates without a name of its own (the provider names it) is known by its output alone.
            if (outputEncrypts) {
                return;
            }
            report(
                `${subject} is "${name}", a class the stack does not create and encryptedStorageClasses does not list, so the plan cannot tell that it encrypts`,
                owner,
            );
        });
        unknowns.settle();
    },
};

const mainContainers = (workload: PolicyResource) => containersOf(podSpecOf(workload.type, workload.props)).filter((c) => !c.init);

type ServiceConfig = { serviceSelector: Record<string, string> };

/** How long a preStop hook waits: a sleep action's seconds, or the `sleep N` of an exec command; undefined when it cannot tell. */
function preStopSeconds(preStop: Spec): number | undefined {
    const sleep = numberOf(valueAt(preStop, "sleep", "seconds"));
    if (sleep !== undefined) {
        return sleep;
    }
    const command = (listOf(valueAt(preStop, "exec", "command")) ?? []).filter((part) => typeof part === "string").join(" ");
    const seconds = /\bsleep\s+(\d+)\b/.exec(command)?.[1];
    return seconds === undefined ? undefined : Number(seconds);
}

const PRE_STOP_HANDLERS = ["sleep", "exec", "httpGet"];
const DEFAULT_GRACE_SECONDS = 30;

export const gracefulShutdown: ResourceRule<ServiceConfig & { minimumGraceSeconds: number }> = {
    name: "graceful-shutdown",
    description: "Platform services drain before they stop: every container has a preStop hook, and the grace period outlasts it.",
    severity: "medium",
    checklist: ["APPF-06"],
    references: [
        "https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/",
        "https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/",
    ],
    remediation:
        "Give each container lifecycle.preStop (a sleep of a few seconds, or exec) so the load balancer stops sending first, and set the pod's " +
        "terminationGracePeriodSeconds to at least the minimum and longer than the preStop sleep.",
    resourceTypes: SERVING,
    config: {
        serviceSelector: SELECTOR_SCHEMA,
        minimumGraceSeconds: { type: "integer", minimum: 1, default: DEFAULT_GRACE_SECONDS, description: "Shortest terminationGracePeriodSeconds." },
    },
    validate({ type, props }, { serviceSelector, minimumGraceSeconds }, report) {
        if (!isSelected(type, props, serviceSelector)) {
            return;
        }
        const pod = podSpecOf(type, props) ?? {};
        const raw = pod.terminationGracePeriodSeconds;
        const grace = raw === undefined || raw === null ? DEFAULT_GRACE_SECONDS : numberOf(raw);
        const graceShown = raw === undefined || raw === null ? `not set (${DEFAULT_GRACE_SECONDS})` : show(raw);
        if (grace === undefined) {
            report(`terminationGracePeriodSeconds is ${graceShown}, not a number`);
        } else if (grace < minimumGraceSeconds) {
            report(`terminationGracePeriodSeconds is ${graceShown}; at least ${minimumGraceSeconds} are required to finish the requests in flight`);
        }
        const containers = containersOf(pod).filter((c) => !c.init);
        if (containers.length === 0) {
            report("the pod template has no containers to check");
        }
        for (const container of containers) {
            const preStop = objectOf(valueAt(container.spec.lifecycle, "preStop"));
            if (!preStop || !PRE_STOP_HANDLERS.some((handler) => objectOf(preStop[handler]))) {
                report(
                    `${container.label}: lifecycle.preStop is not set, so the process gets SIGTERM while the load balancer still sends it requests; ` +
                        "add a preStop sleep (or exec)",
                );
                continue;
            }
            const wait = preStopSeconds(preStop);
            if (grace !== undefined && wait !== undefined && wait >= grace) {
                report(
                    `${container.label}: the preStop hook waits ${wait} s, which terminationGracePeriodSeconds ${graceShown} does not outlast: ` +
                        "the process is killed before it drains; make the grace period longer than the sleep",
                );
            }
        }
    },
};

/** Why `image` does not run `release`, or undefined when it does (a digest alone cannot tell, and is accepted). */
function releaseImageProblem(image: unknown, release: string, whose: string): string | undefined {
    if (typeof image !== "string" || image === "") {
        return `image is ${show(image)}`;
    }
    const { tag, digest } = imageParts(image);
    if (tag === undefined) {
        return digest ? undefined : `image ${image} has no tag; tag it with ${whose} ${release}`;
    }
    return tag === release ? undefined : `image ${image} is tagged ${tag}, not ${whose} ${release}`;
}

export const releaseConsistent: StackRule<ServiceConfig> = {
    name: "release-consistent",
    appliesTo: [...SERVING, K8S.job],
    description: "The platform's services and its migration Job roll out one release: one RELEASE, and images tagged with it.",
    severity: "high",
    checklist: ["PROC-03"],
    references: ["https://kubernetes.io/docs/concepts/containers/images/", "https://kubernetes.io/docs/concepts/workloads/controllers/deployment/"],
    remediation:
        "Set RELEASE in each platform service's ConfigMap (envFrom) to the release being rolled out, tag every service image and the " +
        "migration Job's image with it (or pin digests), and roll all services out together.",
    config: { serviceSelector: SELECTOR_SCHEMA },
    validate(stack, { serviceSelector }, report) {
        const unknowns = new PreviewUnknowns();
        const isPlatform = (resource: PolicyResource) => isSelected(resource.type, resource.props, serviceSelector);
        /** Each RELEASE value and the services that carry it. */
        const releases = new Map<string, Set<string>>();
        unknowns.each(stack.ofType(...SERVING), (workload) => {
            if (!isPlatform(workload)) {
                return;
            }
            for (const container of mainContainers(workload)) {
                const { settings, unknown } = settingsOf(stack, workload, container);
                const setting = settings.get("RELEASE");
                if (setting === undefined && unknown.length > 0) {
                    // A source this preview cannot see may hold it: reading it reports that the rule cannot decide yet.
                    void unknown[0].props.data;
                    void unknown[0].props.stringData;
                }
                const subject = `${workload.name} ${container.label}`;
                const release = setting?.literal();
                if (setting === undefined) {
                    report(`${subject} gets no RELEASE (its ConfigMap through envFrom, or env); set it to the release the service runs`, workload);
                } else if (typeof release !== "string" || release === "") {
                    report(
                        `${subject} gets RELEASE from ${setting.source} as ${show(release)}, which the plan cannot compare; put the release in its ConfigMap`,
                        workload,
                    );
                } else {
                    releases.set(release, (releases.get(release) ?? new Set()).add(workload.name));
                    const problem = releaseImageProblem(container.spec.image, release, "its RELEASE");
                    if (problem) {
                        report(`${subject}: ${problem}`, workload);
                    }
                }
            }
        });
        if (releases.size > 1) {
            const carried = [...releases].map(([release, services]) => `${[...services].join(", ")} ${JSON.stringify(release)}`).join("; ");
            report(`platform services carry different RELEASE values (${carried}); roll out one release`);
        }
        const [common] = releases.size === 1 ? [...releases.keys()] : [];
        if (common !== undefined) {
            unknowns.each(stack.ofType(K8S.job), (job) => {
                if (!isPlatform(job)) {
                    return;
                }
                for (const container of mainContainers(job)) {
                    const problem = releaseImageProblem(container.spec.image, common, "the services' release");
                    if (problem) {
                        report(`migration Job ${job.name} ${container.label}: ${problem}`, job);
                    }
                }
            });
        }
        unknowns.settle();
    },
};

const ANNOTATION = "service.beta.kubernetes.io/aws-load-balancer-";
const OPEN_RANGES = ["0.0.0.0/0", "::/0"];

/**
 * Whether a LoadBalancer Service gets an internal load balancer: the in-tree controller's internal annotation, or the AWS Load
 * Balancer Controller's scheme (internal unless it says internet-facing, for the Services it manages).
 */
function internalLoadBalancer(spec: Spec, annotations: Record<string, unknown>): boolean {
    const scheme = annotations[`${ANNOTATION}scheme`];
    if (scheme !== undefined) {
        return scheme === "internal";
    }
    const managedByController = spec.loadBalancerClass === "service.k8s.aws/nlb" || ["external", "nlb-ip"].includes(String(annotations[`${ANNOTATION}type`]));
    const internal = annotations[`${ANNOTATION}internal`];
    return managedByController || (internal !== undefined && internal !== "false");
}

export const k8sLoadBalancerServiceRestricted: ResourceRule = {
    name: "k8s-load-balancer-service-restricted",
    description: "A Service of type LoadBalancer is internal or admits only known source ranges: it bypasses the edge's WAF and TLS policy.",
    severity: "high",
    checklist: ["EDGE-07"],
    references: [
        "https://kubernetes.io/docs/concepts/services-networking/service/",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/service/annotations/",
    ],
    remediation:
        "Set spec.loadBalancerSourceRanges to the ranges that need it, or annotate service.beta.kubernetes.io/aws-load-balancer-scheme: internal; " +
        "serve the public through the ALB (a ClusterIP Service with a TargetGroupBinding or an Ingress) instead.",
    resourceTypes: [K8S.service],
    validate({ props }, _config, report) {
        const spec = objectOf(props.spec) ?? {};
        if (spec.type !== "LoadBalancer" || internalLoadBalancer(spec, objectOf(objectOf(props.metadata)?.annotations) ?? {})) {
            return;
        }
        const ranges = listOf(spec.loadBalancerSourceRanges) ?? [];
        const open = ranges.filter((range) => OPEN_RANGES.includes(String(range)));
        if (ranges.length === 0 || open.length > 0) {
            const given = ranges.length === 0 ? "not set" : show(ranges);
            report(
                `spec.type is LoadBalancer, internet-facing, and spec.loadBalancerSourceRanges is ${given}: every port of the Service is open to the internet`,
            );
        }
    },
};

const INGRESS_CLASS = "kubernetes.io/ingress.class";

export const k8sIngressTls: ResourceRule = {
    name: "k8s-ingress-tls",
    description: "Every Ingress terminates TLS: spec.tls, or an ALB ingress listening on HTTPS.",
    severity: "high",
    checklist: ["EDGE-02"],
    references: [
        "https://kubernetes.io/docs/concepts/services-networking/ingress/",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/ingress/annotations/",
    ],
    remediation:
        "Add spec.tls with the hosts and the Secret holding their certificate (e.g. from cert-manager); for an ALB ingress set the annotations " +
        "alb.ingress.kubernetes.io/listen-ports '[{\"HTTPS\":443}]' and alb.ingress.kubernetes.io/certificate-arn.",
    resourceTypes: [K8S.ingress],
    validate({ props }, _config, report) {
        const spec = objectOf(props.spec) ?? {};
        if ((listOf(spec.tls) ?? []).length > 0) {
            return;
        }
        const annotations = objectOf(objectOf(props.metadata)?.annotations) ?? {};
        const alb = spec.ingressClassName === "alb" || annotations[INGRESS_CLASS] === "alb";
        const listensHttps =
            /"HTTPS"/.test(String(annotations["alb.ingress.kubernetes.io/listen-ports"] ?? "")) ||
            typeof annotations["alb.ingress.kubernetes.io/certificate-arn"] === "string";
        if (!(alb && listensHttps)) {
            report(`spec.tls is ${show(spec.tls)}${alb ? " and the ALB annotations name no HTTPS listener" : ""}: the Ingress serves plain HTTP`);
        }
    },
};

export const kubernetesRules: RuleFile = {
    title: "Kubernetes workloads",
    resource: [
        k8sRunAsNonRoot,
        k8sNoPrivilegeEscalation,
        k8sNoHostAccess,
        k8sReadOnlyRootFilesystem,
        k8sResourceLimits,
        k8sHealthProbes,
        k8sImagePinned,
        helmChartPinned,
        gracefulShutdown,
        k8sLoadBalancerServiceRestricted,
        k8sIngressTls,
    ] as ResourceRule<any>[],
    stack: [
        k8sMinReplicas,
        k8sHpaPresent,
        k8sPdbPresent,
        k8sDefaultDenyNetworkPolicy,
        k8sNodeEnvProduction,
        k8sRequiredEnv,
        persistentVolumesEncrypted,
        releaseConsistent,
    ] as StackRule<any>[],
};
