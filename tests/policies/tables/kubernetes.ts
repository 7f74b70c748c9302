import { K8S } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const container = {
    name: "api",
    image: "ghcr.io/acme/api:1.4.2",
    securityContext: { runAsNonRoot: true, runAsUser: 10001, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
    readinessProbe: { httpGet: { path: "/health", port: 3000 } },
    livenessProbe: { httpGet: { path: "/health", port: 3000 } },
    envFrom: [{ configMapRef: { name: "api-env" } }, { secretRef: { name: "api-secrets" } }],
};
const deployment = (changes: Record<string, any> = {}, replicas: number | null = 3) => ({
    metadata: { name: "api", namespace: "app" },
    spec: { ...(replicas === null ? {} : { replicas }), selector: { matchLabels: { app: "api" } },
        template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ ...container, ...changes }] } } },
});
const cronJob = (changes: Record<string, any>) => ({
    metadata: { name: "cleanup", namespace: "app" },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ ...container, ...changes }] } } } } },
});

const resource: ResourceCase[] = [
    {
        policy: "k8s-run-as-non-root", type: K8S.deployment, compliant: deployment(),
        violating: [
            { change: deployment({ securityContext: {} }), message: /container api: runAsNonRoot is not set; set it to true/ },
            { change: deployment({ securityContext: { runAsUser: 0 } }), message: /container api: runAsUser is 0 \(root\)/ },
        ],
    },
    {
        policy: "k8s-run-as-non-root", type: K8S.cronJob, compliant: cronJob({}),
        violating: [{ change: cronJob({ securityContext: { runAsNonRoot: false } }), message: /container api: runAsNonRoot is false/ }],
    },
    {
        policy: "k8s-run-as-non-root", type: K8S.pod, compliant: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: "p", image: "x:1" }] } },
        violating: [{ change: { spec: { containers: [{ name: "p", image: "x:1" }] } }, message: /container p: runAsNonRoot is not set/ }],
    },
    {
        policy: "k8s-no-privilege-escalation", type: K8S.deployment, compliant: deployment(),
        violating: [
            { change: deployment({ securityContext: { runAsNonRoot: true } }), message: /allowPrivilegeEscalation is not set \(Kubernetes defaults to true\)/ },
            { change: deployment({ securityContext: { allowPrivilegeEscalation: false, privileged: true } }), message: /privileged is true/ },
        ],
    },
    {
        policy: "k8s-read-only-root-filesystem", type: K8S.statefulSet, compliant: deployment(),
        violating: [{ change: deployment({ securityContext: { readOnlyRootFilesystem: false } }), message: /readOnlyRootFilesystem is false/ }],
    },
    {
        policy: "k8s-resource-limits", type: K8S.deployment, compliant: deployment(),
        violating: [
            { change: deployment({ resources: { requests: { cpu: "1" } } }), message: /container api: no requests\.memory, limits\.memory, limits\.cpu/ },
            { change: deployment({ resources: undefined }), message: /no requests\.cpu, requests\.memory, limits\.memory, limits\.cpu/ },
        ],
    },
    {
        policy: "k8s-health-probes", type: K8S.deployment, compliant: deployment(),
        violating: [{ change: deployment({ livenessProbe: undefined }), message: /container api: no livenessProbe/ }],
    },
    {
        policy: "k8s-image-pinned", type: K8S.job, compliant: { spec: { template: { spec: { containers: [{ name: "m", image: `ghcr.io/acme/api@sha256:${"a".repeat(64)}` }] } } } },
        violating: [
            { change: { spec: { template: { spec: { containers: [{ name: "m", image: "ghcr.io/acme/api:latest" }] } } } }, message: /uses the tag latest/ },
            { change: { spec: { template: { spec: { containers: [{ name: "m", image: "localhost:5000/api" }] } } } }, message: /localhost:5000\/api has no tag/ },
        ],
    },
    {
        policy: "helm-chart-pinned", type: K8S.helmRelease, compliant: { chart: "kube-prometheus-stack", version: "82.6.0" },
        violating: [
            { change: { version: undefined }, message: /chart "kube-prometheus-stack" has no version, so each install takes the newest/ },
            { change: { version: "^82.0.0" }, message: /version \^82\.0\.0 is a range/ },
            { change: { version: "82.x" }, message: /version 82\.x is a range/ },
        ],
    },
    {
        policy: "k8s-min-replicas", type: K8S.deployment, compliant: deployment(),
        violating: [
            { change: deployment({}, 1), message: /spec\.replicas is 1; at least 2/ },
            { change: deployment({}, null), message: /spec\.replicas is not set \(1\); at least 2/ },
        ],
    },
];

const app: TestResource[] = [
    { type: K8S.configMap, name: "api-env", props: { metadata: { name: "api-env", namespace: "app" }, data: { NODE_ENV: "production", REDIS_URL_TLS: "1" } } },
    { type: K8S.secret, name: "api-secrets", props: { metadata: { name: "api-secrets", namespace: "app" },
        stringData: { DATABASE_URL: "postgresql://…", REDIS_URL: "rediss://…", JWT_SECRET: "…", ENCRYPTION_KEY: "…" } } },
    { type: K8S.deployment, name: "api", props: deployment() },
    { type: K8S.hpa, name: "api-hpa", props: { metadata: { namespace: "app" }, spec: { scaleTargetRef: { kind: "Deployment", name: "api" } } } },
    { type: K8S.pdb, name: "api-pdb", props: { metadata: { namespace: "app" }, spec: { selector: { matchLabels: { app: "api" } } } } },
    { type: K8S.networkPolicy, name: "deny", props: { metadata: { namespace: "app" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } } },
];

const stack: StackCase[] = [
    {
        policy: "k8s-hpa-present", compliant: app,
        violating: [
            { resources: without(app, "api-hpa"), message: /api has no HorizontalPodAutoscaler/ },
            { resources: changed(app, "api-hpa", { props: { metadata: { namespace: "other" }, spec: { scaleTargetRef: { kind: "Deployment", name: "api" } } } }),
                message: /api has no HorizontalPodAutoscaler/ },
        ],
    },
    {
        policy: "k8s-pdb-present", compliant: app,
        violating: [{ resources: changed(app, "api-pdb", { props: { spec: { selector: { matchLabels: { app: "worker" } } } } }),
            message: /api has no PodDisruptionBudget selecting its pods/ }],
    },
    {
        policy: "k8s-default-deny-network-policy", compliant: app,
        violating: [
            { resources: without(app, "deny"), message: /namespace app \(e\.g\. api\) has no default-deny NetworkPolicy/ },
            { resources: changed(app, "deny", { props: { spec: { podSelector: {}, policyTypes: ["Ingress"] } } }), message: /namespace app/ },
            // A namespace the stack creates for a Helm chart's pods, which the plan does not show, needs its fence too.
            { resources: [...app, { type: K8S.namespace, name: "monitoring-ns", props: { metadata: { name: "monitoring" } } }],
                message: /namespace monitoring \(e\.g\. monitoring-ns\) has no default-deny NetworkPolicy/ },
            { resources: [...app, { type: K8S.helmRelease, name: "grafana", props: { chart: "grafana", version: "8.0.0", namespace: "dashboards" } }],
                message: /namespace dashboards \(e\.g\. grafana\)/ },
        ],
    },
    {
        policy: "k8s-node-env-production", compliant: app,
        violating: [{ resources: changed(app, "api-env", { props: { data: { NODE_ENV: "development" } } }),
            message: /api container api: NODE_ENV is "development"; set it to "production"/ }],
    },
    {
        policy: "k8s-required-env", compliant: app,
        violating: [{ resources: changed(app, "api-secrets", { props: { stringData: { DATABASE_URL: "x", JWT_SECRET: "y" } } }),
            message: /api container api does not get REDIS_URL, ENCRYPTION_KEY/ }],
    },
];

export const kubernetesCases: CaseTable = { area: "kubernetes", resource, stack };
