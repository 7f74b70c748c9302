import { PolicyResource } from "@pulumi/policy";
import { GIB_PER_ACU, RDS_INSTANCE_CLASSES, SERVERLESS_INSTANCE_CLASS } from "../lib/instance-classes";
import {
    containersOf,
    isSelected,
    metadataOf,
    podLabelsOf,
    podSpecOf,
    PreviewUnknowns,
    refersTo,
    SCALABLE,
    SELECTOR_SCHEMA,
    Spec,
    WORKLOADS,
} from "../lib/kubernetes";
import { configHint } from "../lib/components";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, K8S } from "../lib/types";
import { listOf, numberOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

interface Setting {
    /** Where the value is set, e.g. `data.CORS_ORIGINS` or `container api env CORS_ORIGINS`. */
    where: string;
    key: string;
    value: unknown;
    /** Reads the value through the resource's properties again: for an unknown one, that makes @pulumi/policy report it. */
    reread: () => unknown;
}

/** The literal settings of a ConfigMap (its data) or of a workload (its containers' env values). */
function settingsOf(type: string, props: Spec): Setting[] {
    if (type === K8S.configMap) {
        const data = peek(props, "data");
        if (data === UNKNOWN) {
            return [{ where: "data", key: "", value: UNKNOWN, reread: () => props.data }];
        }
        const entries = objectOf(data) ?? {};
        return Object.keys(entries).map((key) => ({ where: `data.${key}`, key, value: peek(entries, key), reread: () => props.data[key] }));
    }
    return containersOf(podSpecOf(type, props)).flatMap((container) =>
        (listOf(container.spec.env) ?? [])
            .map(objectOf)
            .filter((env): env is Spec => typeof env?.name === "string" && "value" in env)
            .map((env) => ({ where: `${container.label} env ${env.name}`, key: env.name, value: peek(env, "value"), reread: () => env.value })),
    );
}

/**
 * Judges each literal setting `judge` cares about, reporting the findings of the resource in one
 * message; a setting a preview cannot know yet is reported afterwards as undecidable.
 */
function judgeSettings(
    type: string,
    props: Spec,
    relevant: (setting: Setting) => boolean,
    judge: (value: string) => string[],
    report: (message: string) => void,
) {
    const settings = settingsOf(type, props).filter(relevant);
    const findings = settings.filter((s) => typeof s.value === "string").flatMap((s) => judge(s.value as string).map((f) => `${s.where}: ${f}`));
    if (findings.length > 0) {
        report(findings.join("; "));
    }
    settings.find((s) => s.value === UNKNOWN)?.reread();
}

function ipv4(host: string): number[] | undefined {
    const parts = host.split(".");
    return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255) ? parts.map(Number) : undefined;
}

/** Loopback, unspecified, private, link-local and carrier-grade NAT addresses, and localhost names. */
function localOrPrivate(host: string): boolean {
    if (host === "localhost" || host.endsWith(".localhost")) {
        return true;
    }
    const v4 = ipv4(host);
    if (v4) {
        const [a, b] = v4;
        return (
            a === 0 ||
            a === 10 ||
            a === 127 ||
            (a === 172 && b >= 16 && b <= 31) ||
            (a === 192 && b === 168) ||
            (a === 169 && b === 254) ||
            (a === 100 && b >= 64 && b <= 127)
        );
    }
    const v6 = host.replace(/^\[|\]$/g, "");
    return v6.includes(":") && (v6 === "::" || v6 === "::1" || /^f[cd]/.test(v6) || /^fe[89ab]/.test(v6));
}

/** A URL's host in lower case, without user info or port (an IPv6 host keeps its brackets). */
function hostOf(url: string): string {
    const authority = url.replace(/^[a-z][a-z0-9+.-]*:\/\//i, "").split(/[/?#]/)[0];
    const hostAndPort = authority.slice(authority.lastIndexOf("@") + 1).toLowerCase();
    return hostAndPort.startsWith("[") ? hostAndPort.slice(0, hostAndPort.indexOf("]") + 1) : hostAndPort.split(":")[0];
}

const CORS_KEYS = ["CORS_ORIGINS", "CORS_ORIGIN", "ALLOWED_ORIGINS"];

export const corsOriginsRestricted: ResourceRule<{ corsKeys: string[]; allowedDomains: string[] }> = {
    name: "cors-origins-restricted",
    description: "The CORS allow-list names the service's own https:// origins: no wildcard, no local or private address.",
    severity: "high",
    checklist: ["WEB-02"],
    references: ["https://developer.mozilla.org/en-US/docs/Web/HTTP/CORS", "https://kubernetes.io/docs/concepts/configuration/configmap/"],
    remediation:
        "Set the CORS setting (CORS_ORIGINS in the service's ConfigMap) to the https:// origins of the front ends, separated by commas, " +
        'under the domains in allowedDomains; never "*", http://, localhost or a private address.',
    resourceTypes: [K8S.configMap, ...WORKLOADS],
    config: {
        corsKeys: { type: "array", items: { type: "string" }, default: CORS_KEYS, description: "Settings that hold the CORS allow-list." },
        allowedDomains: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: "Domains whose hosts (the domain and its subdomains) may be origins; empty: any public https:// host.",
        },
    },
    validate({ type, props }, { corsKeys, allowedDomains }, report) {
        const domains = allowedDomains.map((d) => d.toLowerCase().replace(/^\.|\.$/g, ""));
        judgeSettings(
            type,
            props,
            (s) => s.key === "" || corsKeys.includes(s.key),
            (value) =>
                value
                    .split(/[\s,]+/)
                    .filter(Boolean)
                    .flatMap((origin) => {
                        if (origin.includes("*")) {
                            return [`${origin} is a wildcard, which admits origins nobody reviewed`];
                        }
                        if (!/^https:\/\//i.test(origin)) {
                            return [`${origin} is not an https:// origin`];
                        }
                        const host = hostOf(origin);
                        if (localOrPrivate(host)) {
                            return [`${origin} is a local or private address`];
                        }
                        if (domains.length > 0 && !domains.some((d) => host === d || host.endsWith(`.${d}`))) {
                            return [`${origin} is not under ${domains.join(", ")} (allowedDomains)`];
                        }
                        return [];
                    }),
            report,
        );
    },
};

/** Hosts of sandboxes, test and staging environments, and this machine. */
export const NON_PRODUCTION_HOSTS = [
    "sandbox",
    "staging",
    "(^|[.-])(test|dev|qa|uat)[.-]",
    "\\.(test|example|invalid)$",
    "localhost",
    "^127\\.",
    "^0\\.0\\.0\\.0$",
    "ngrok",
];
const URL_PATTERN = /\b[a-z][a-z0-9+.-]*:\/\/[^\s,;'"<>]+/gi;

export const thirdPartyEndpointsProduction: ResourceRule<{ forbiddenHostPatterns: string[] }> = {
    name: "third-party-endpoints-production",
    description: "Settings point at production endpoints, never at a sandbox, staging, test or local host (disabled in staging, which uses sandboxes).",
    severity: "high",
    checklist: ["EXT-04"],
    references: [
        "https://kubernetes.io/docs/concepts/configuration/configmap/",
        "https://kubernetes.io/docs/tasks/inject-data-application/define-environment-variable-container/",
    ],
    remediation:
        "Set the URL (in the ConfigMap or the container's env) to the provider's production endpoint. Staging legitimately points at " +
        'sandboxes: its policy config sets this rule\'s enforcementLevel to "disabled".',
    resourceTypes: [K8S.configMap, ...WORKLOADS],
    config: {
        forbiddenHostPatterns: {
            type: "array",
            items: { type: "string" },
            default: NON_PRODUCTION_HOSTS,
            description: "Regular expressions (case-insensitive) of hosts production must not call.",
        },
    },
    validate({ type, props }, { forbiddenHostPatterns }, report) {
        const patterns: RegExp[] = [];
        for (const source of forbiddenHostPatterns) {
            try {
                patterns.push(new RegExp(source, "i"));
            } catch {
                report(`forbiddenHostPatterns entry ${show(source)} is not a regular expression; fix the policy config`);
            }
        }
        judgeSettings(
            type,
            props,
            () => true,
            (value) =>
                (value.match(URL_PATTERN) ?? []).flatMap((url) => {
                    const host = hostOf(url);
                    const match = patterns.find((p) => p.test(host));
                    return match ? [`${url} calls ${host} (matches /${match.source}/), not a production endpoint`] : [];
                }),
            report,
        );
    },
};

const WORKER_LABELS = { "platform.checklist/kind": "worker" };
const hasLabels = (labels: Record<string, unknown>, wanted: Record<string, string>) =>
    Object.keys(wanted).length > 0 && Object.entries(wanted).every(([key, value]) => labels[key] === value);

export const servicesComplete: StackRule<{ serviceSelector: Record<string, string>; workerLabels: Record<string, string> }> = {
    name: "services-complete",
    appliesTo: [...SCALABLE, K8S.targetGroupBinding],
    description: "Every platform service has a ClusterIP Service selecting its pods, and every TargetGroupBinding names an existing Service.",
    severity: "medium",
    checklist: ["APP-08"],
    references: [
        "https://kubernetes.io/docs/concepts/services-networking/service/",
        "https://kubernetes-sigs.github.io/aws-load-balancer-controller/latest/guide/targetgroupbinding/targetgroupbinding/",
    ],
    remediation:
        "Add a ClusterIP Service in the workload's namespace whose spec.selector matches its pod labels (a worker without a port " +
        "carries the label platform.checklist/kind: worker), and point each TargetGroupBinding's spec.serviceRef.name at that Service.",
    config: {
        serviceSelector: SELECTOR_SCHEMA,
        workerLabels: {
            type: "object",
            additionalProperties: { type: "string" },
            default: WORKER_LABELS,
            description: "Pod labels of workers, which serve no traffic and need no Service.",
        },
    },
    validate(stack, { serviceSelector, workerLabels }, report) {
        const unknowns = new PreviewUnknowns();
        const services = stack.ofType(K8S.service);
        unknowns.each(
            stack.ofType(...SCALABLE).filter((w) => isSelected(w.type, w.props, serviceSelector)),
            (workload) => {
                const labels = podLabelsOf(workload.type, workload.props);
                if (hasLabels(labels, workerLabels)) {
                    return;
                }
                const { namespace } = metadataOf(workload);
                const selecting = services.filter((s) => {
                    const selector = objectOf(objectOf(s.props.spec)?.selector) ?? {};
                    return metadataOf(s).namespace === namespace && Object.keys(selector).length > 0 && hasLabels(labels, selector);
                });
                const clusterIp = selecting.filter((s) => [undefined, null, "ClusterIP"].includes(objectOf(s.props.spec)?.type));
                if (clusterIp.length === 0) {
                    const others = selecting.map((s) => `${s.name} (${objectOf(s.props.spec)?.type})`).join(", ");
                    report(
                        `${workload.name} has no ClusterIP Service in namespace ${namespace} selecting its pods` +
                            (others ? `; only ${others} selects them` : ""),
                        workload,
                    );
                }
            },
        );
        unknowns.each(stack.ofType(K8S.targetGroupBinding), (binding) => {
            const { namespace } = metadataOf(binding);
            // A serviceRef that comes from a Service resource (service.metadata.name) names that Service.
            if (stack.referencedBy(binding, "spec").some((r) => r.type === K8S.service && metadataOf(r).namespace === namespace)) {
                return;
            }
            const name = objectOf(objectOf(binding.props.spec)?.serviceRef)?.name;
            if (!services.some((s) => metadataOf(s).namespace === namespace && metadataOf(s).name === name)) {
                report(`${binding.name}: spec.serviceRef.name ${show(name)} names no Service in namespace ${namespace}`, binding);
            }
        });
        unknowns.settle();
    },
};

/** CPU in cores from a Kubernetes quantity: 2, "2", "0.5", "250m". */
function cpuCores(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value;
    }
    const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)(m?)$/.exec(value) : null;
    return match ? Number(match[1]) / (match[2] ? 1000 : 1) : undefined;
}

const BYTES_PER_UNIT: Record<string, number> = {
    "": 1,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    P: 1e15,
    E: 1e18,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
    Ti: 2 ** 40,
    Pi: 2 ** 50,
    Ei: 2 ** 60,
};

/** Memory in GiB from a Kubernetes quantity: "512Mi", "1Gi", "1G", 1073741824. */
function memoryGiB(value: unknown): number | undefined {
    if (typeof value === "number") {
        return value / 2 ** 30;
    }
    const match = typeof value === "string" ? /^(\d+(?:\.\d+)?(?:e\d+)?)([KMGTPE]i|[kMGTPE])?$/.exec(value) : null;
    return match ? (Number(match[1]) * BYTES_PER_UNIT[match[2] ?? ""]) / 2 ** 30 : undefined;
}

const round = (n: number) => Math.round(n * 100) / 100;
/** "1 core", "2.5 cores". */
const amount = (n: number, unit: string) => `${round(n)} ${unit}${round(n) === 1 ? "" : "s"}`;

interface SizingConfig {
    minDatabaseVcpus: number;
    minDatabaseMemoryGiB: number;
    minServiceCpuCores: number;
    minServiceMemoryGiB: number;
    serviceSelector: Record<string, string>;
}

/** The Aurora cluster a cluster instance belongs to. */
function clusterOf(stack: StackView, instance: PolicyResource): PolicyResource | undefined {
    const identifier = peek(instance.props, "clusterIdentifier");
    return (
        stack.referencedBy(instance, "clusterIdentifier").find((r) => r.type === AWS.rdsCluster) ??
        stack.ofType(AWS.rdsCluster).find((c) => typeof identifier === "string" && peek(c.props, "clusterIdentifier") === identifier)
    );
}

/** What a database's compute falls short of, or undefined when it is large enough (or not decidable in a preview). */
function databaseShortfall(stack: StackView, database: PolicyResource, config: SizingConfig): string | undefined {
    const { minDatabaseVcpus, minDatabaseMemoryGiB } = config;
    const key = database.type === AWS.rdsCluster ? "dbClusterInstanceClass" : "instanceClass";
    const instanceClass = peek(database.props, key);
    if (instanceClass === UNKNOWN || (database.type === AWS.rdsCluster && instanceClass === undefined)) {
        // An Aurora cluster's compute is its instances'.
        return undefined;
    }
    if (instanceClass === SERVERLESS_INSTANCE_CLASS) {
        const cluster = clusterOf(stack, database);
        const scaling = objectOf(peek(cluster?.props, "serverlessv2ScalingConfiguration"));
        const maxCapacity = numberOf(peek(scaling, "maxCapacity"));
        if (maxCapacity === undefined) {
            return `${key} is ${SERVERLESS_INSTANCE_CLASS}, but its cluster's serverlessv2ScalingConfiguration.maxCapacity cannot be read`;
        }
        const memory = maxCapacity * GIB_PER_ACU;
        return memory < minDatabaseMemoryGiB
            ? `${key} is ${SERVERLESS_INSTANCE_CLASS} with at most ${amount(maxCapacity, "ACU")} (about ${memory} GiB); at least ` +
                  `${minDatabaseMemoryGiB} GiB (${amount(Math.ceil(minDatabaseMemoryGiB / GIB_PER_ACU), "ACU")}) is required`
            : undefined;
    }
    const size = typeof instanceClass === "string" ? RDS_INSTANCE_CLASSES[instanceClass] : undefined;
    if (!size) {
        const given = instanceClass === undefined || instanceClass === null ? "is not set" : `${show(instanceClass)} is not a known DB instance class`;
        return (
            `${key} ${given} (policies/lib/instance-classes.ts), so its size is unknown; use one with at least ${amount(minDatabaseVcpus, "vCPU")} ` +
            `and ${minDatabaseMemoryGiB} GiB`
        );
    }
    if (size.vcpus < minDatabaseVcpus || size.memoryGiB < minDatabaseMemoryGiB) {
        return (
            `${key} ${String(instanceClass)} has ${amount(size.vcpus, "vCPU")} and ${size.memoryGiB} GiB; at least ${amount(minDatabaseVcpus, "vCPU")} and ` +
            `${minDatabaseMemoryGiB} GiB are required`
        );
    }
    return undefined;
}

/** What a service's capacity at its largest scale falls short of. */
function serviceShortfall(stack: StackView, workload: PolicyResource, config: SizingConfig): string | undefined {
    const { minServiceCpuCores, minServiceMemoryGiB } = config;
    const containers = containersOf(podSpecOf(workload.type, workload.props)).filter((c) => !c.init);
    // A limit bounds what a pod may use; without one, its request is what it is sure to get.
    const amounts = containers.map((c) => {
        const resources = objectOf(c.spec.resources);
        const limits = objectOf(resources?.limits) ?? {};
        const requests = objectOf(resources?.requests) ?? {};
        return { label: c.label, cpu: cpuCores(limits.cpu ?? requests.cpu), memory: memoryGiB(limits.memory ?? requests.memory) };
    });
    const unreadable = amounts.filter((a) => a.cpu === undefined || a.memory === undefined).map((a) => a.label);
    if (containers.length === 0 || unreadable.length > 0) {
        return `the CPU and memory of ${unreadable.join(", ") || "its pods"} cannot be read (set resources.limits), so its capacity is unknown`;
    }
    const kind = workload.type.split(":").pop();
    const hpa = stack.ofType(K8S.hpa).find((h) => {
        const target = objectOf(objectOf(h.props.spec)?.scaleTargetRef);
        return target?.kind === kind && refersTo(h, workload, target?.name);
    });
    const replicasRaw = hpa ? objectOf(hpa.props.spec)?.maxReplicas : (objectOf(workload.props.spec)?.replicas ?? 1);
    const replicas = numberOf(replicasRaw);
    if (replicas === undefined) {
        return `${hpa ? `${hpa.name} maxReplicas` : "spec.replicas"} is ${show(replicasRaw)}, not a number`;
    }
    const cpu = amounts.reduce((sum, a) => sum + a.cpu!, 0);
    const memory = amounts.reduce((sum, a) => sum + a.memory!, 0);
    if (cpu * replicas < minServiceCpuCores || memory * replicas < minServiceMemoryGiB) {
        return (
            `${amount(replicas, "replica")} (${hpa ? `${hpa.name} maxReplicas` : "spec.replicas"}) of ${amount(cpu, "core")} and ${round(memory)} GiB ` +
            `reach ${amount(cpu * replicas, "core")} and ${round(memory * replicas)} GiB; at least ${amount(minServiceCpuCores, "core")} and ` +
            `${minServiceMemoryGiB} GiB are required`
        );
    }
    return undefined;
}

export const computeSizing: StackRule<SizingConfig> = {
    name: "compute-sizing",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.rdsClusterInstance, ...SCALABLE],
    description: "Databases and platform services have enough CPU and memory: the DB instance class, and the services' limits at their largest scale.",
    severity: "medium",
    checklist: ["APP-09"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.DBInstanceClass.html",
        "https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/",
    ],
    remediation:
        "Choose a larger DB instanceClass or Aurora Serverless serverlessv2ScalingConfiguration.maxCapacity; give the service's containers more " +
        "resources.limits or its HorizontalPodAutoscaler a higher spec.maxReplicas.",
    config: {
        minDatabaseVcpus: { type: "number", minimum: 0, default: 2, description: "Fewest vCPUs of a database instance." },
        minDatabaseMemoryGiB: { type: "number", minimum: 0, default: 4, description: "Least memory of a database instance, GiB." },
        minServiceCpuCores: { type: "number", minimum: 0, default: 2, description: "Least CPU of a service at its most replicas, cores." },
        minServiceMemoryGiB: { type: "number", minimum: 0, default: 4, description: "Least memory of a service at its most replicas, GiB." },
        serviceSelector: SELECTOR_SCHEMA,
    },
    validate(stack, config, report) {
        const unknowns = new PreviewUnknowns();
        unknowns.each(stack.ofType(AWS.rdsInstance, AWS.rdsCluster, AWS.rdsClusterInstance), (database) => {
            const shortfall = databaseShortfall(stack, database, config);
            if (shortfall) {
                report(`${database.name}: ${shortfall}${configHint(database.urn, "platform:database.instanceClass")}`, database);
            }
        });
        unknowns.each(
            stack.ofType(...SCALABLE).filter((w) => isSelected(w.type, w.props, config.serviceSelector)),
            (workload) => {
                const shortfall = serviceShortfall(stack, workload, config);
                if (shortfall) {
                    report(`${workload.name}: ${shortfall}${configHint(workload.urn, "platform:services[].cpu, memory, maxReplicas")}`, workload);
                }
            },
        );
        unknowns.settle();
    },
};

export const applicationRules: RuleFile = {
    title: "Application settings and sizing",
    resource: [corsOriginsRestricted, thirdPartyEndpointsProduction] as ResourceRule<any>[],
    stack: [servicesComplete, computeSizing] as StackRule<any>[],
};
