import { AWS, K8S } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

/** The settings components/service.ts puts in a service's ConfigMap. */
const serviceEnv = { CORS_ORIGINS: "https://api.acme-example.com,https://app.acme-example.com", NODE_ENV: "production", PORT: "3000", RELEASE: "1.4.2" };

const workload = (env: object[], labels: Record<string, string> = {}) => ({
    metadata: { name: "api", namespace: "platform", labels },
    spec: { template: { metadata: { labels }, spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", env }] } } },
});

const endpoints = {
    ...serviceEnv,
    PAYMENTS_API_URL: "https://api.stripe.com/v1",
    SENTRY_ENDPOINT: "https://o123.ingest.sentry.io/api/42/envelope/",
    METRICS_URL: "http://prometheus-operated.monitoring.svc:9090",
    DOCS: "see https://docs.acme-example.com/runbook",
};

/** The labels components/service.ts gives a service: the profile label declares it a platform service. */
const platform = { "app.kubernetes.io/part-of": "platform", "platform.checklist/profile": "node-api" };

const deployment = (name: string, podLabels: Record<string, string>, spec: Record<string, any> = {}): TestResource => ({
    type: K8S.deployment,
    name: `${name}-deployment`,
    props: {
        metadata: { name, namespace: "platform", labels: { "app.kubernetes.io/name": name, ...platform } },
        spec: {
            replicas: 2,
            selector: { matchLabels: podLabels },
            template: {
                metadata: { labels: podLabels },
                spec: {
                    containers: [
                        {
                            name,
                            image: `ghcr.io/acme/${name}:1.4.2`,
                            resources: { requests: { cpu: "500m", memory: "1Gi" }, limits: { cpu: "1", memory: "1Gi" } },
                        },
                    ],
                },
            },
            ...spec,
        },
    },
});

const apiLabels = { "app.kubernetes.io/name": "api", ...platform };

const workerLabels = { "app.kubernetes.io/name": "worker", "platform.checklist/kind": "worker", ...platform };

const service = (name: string, selector: Record<string, string>, spec: Record<string, any> = {}, namespace = "platform"): TestResource => ({
    type: K8S.service,
    name: `${name}-service`,
    props: {
        metadata: { name, namespace, labels: selector },
        spec: { type: "ClusterIP", selector, ports: [{ name: "http", port: 3000, targetPort: "http" }], ...spec },
    },
});

/** The API behind the load balancer, a worker without a port, and a third-party workload that is none of the rule's business. */
const services: TestResource[] = [
    deployment("api", apiLabels),
    service("api", apiLabels),
    deployment("worker", workerLabels),
    {
        type: K8S.deployment,
        name: "metrics-exporter",
        props: {
            metadata: { name: "metrics-exporter", namespace: "monitoring" },
            spec: { template: { metadata: { labels: { app: "exporter" } }, spec: { containers: [{ name: "exporter", image: "exporter:1.0.0" }] } } },
        },
    },
    { type: AWS.targetGroups[0], name: "api-tg", props: { port: 3000, protocol: "HTTP", targetType: "ip" } },
    {
        type: K8S.targetGroupBinding,
        name: "api-target-group-binding",
        props: {
            apiVersion: "elbv2.k8s.aws/v1beta1",
            kind: "TargetGroupBinding",
            metadata: { name: "api", namespace: "platform" },
            spec: { serviceRef: { name: "api", port: 3000 }, targetGroupARN: "arn:aws:elasticloadbalancing:tg", targetType: "ip" },
        },
        deps: { spec: ["api-service", "api-tg"] },
    },
];

const withoutWorkerLabel = changed(services, "worker-deployment", { props: deployment("worker", { "app.kubernetes.io/name": "worker", ...platform }).props });

/** The binding with a literal serviceRef, as another program might write it. */
const rebound = (name: string) =>
    changed(services, "api-target-group-binding", {
        props: { ...services[5].props, spec: { serviceRef: { name, port: 3000 }, targetGroupARN: "arn:aws:elasticloadbalancing:tg", targetType: "ip" } },
        deps: { spec: ["api-tg"] },
    });

/** Databases of each kind, and services whose limits reach the production minimum at their most replicas. */
const sized: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres", instanceClass: "db.r6g.large" } },
    {
        type: AWS.rdsCluster,
        name: "aurora",
        props: { engine: "aurora-postgresql", clusterIdentifier: "aurora", serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 8 } },
    },
    {
        type: AWS.rdsClusterInstance,
        name: "aurora-1",
        props: { engine: "aurora-postgresql", instanceClass: "db.serverless", clusterIdentifier: "aurora" },
        deps: { clusterIdentifier: ["aurora"] },
    },
    { type: AWS.rdsClusterInstance, name: "aurora-reader", props: { engine: "aurora-postgresql", instanceClass: "db.r7g.large", clusterIdentifier: "aurora" } },
    { type: AWS.rdsCluster, name: "multi-az", props: { engine: "postgres", dbClusterInstanceClass: "db.m6gd.large" } },
    deployment("api", apiLabels),
    {
        type: K8S.hpa,
        name: "api-hpa",
        props: {
            metadata: { name: "api", namespace: "platform" },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 2, maxReplicas: 12 },
        },
    },
    // 4 replicas of 500m and 1Gi without limits: exactly 2 cores and 4 GiB.
    deployment("worker", workerLabels, {
        replicas: 4,
        template: {
            metadata: { labels: workerLabels },
            spec: {
                containers: [
                    {
                        name: "worker",
                        image: "ghcr.io/acme/worker:1.4.2",
                        resources: { requests: { cpu: "500m", memory: "1024Mi" } },
                    },
                ],
            },
        },
    }),
    services[3],
];

const resized = (name: string, change: Record<string, any>) => changed(sized, name, { props: change });

/** Staging's committed sizes: db.t4g.medium, and services of 512Mi (limit 1 core) scaling to 3 replicas. */
const staging: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres", instanceClass: "db.t4g.medium" } },
    deployment("api", apiLabels, {
        replicas: 1,
        template: {
            metadata: { labels: apiLabels },
            spec: {
                containers: [
                    {
                        name: "api",
                        image: "ghcr.io/acme/api:1.4.2",
                        resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                    },
                ],
            },
        },
    }),
    {
        type: K8S.hpa,
        name: "api-hpa",
        props: {
            metadata: { name: "api", namespace: "platform" },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 1, maxReplicas: 3 },
        },
    },
];

const resource: ResourceCase[] = [
    {
        policy: "cors-origins-restricted",
        type: K8S.configMap,
        compliant: { metadata: { name: "api-env", namespace: "platform" }, data: serviceEnv },
        violating: [
            { change: { data: { ...serviceEnv, CORS_ORIGINS: "*" } }, message: /^data\.CORS_ORIGINS: \* is a wildcard/m },
            {
                change: { data: { ...serviceEnv, CORS_ORIGINS: "https://app.acme-example.com, http://api.acme-example.com" } },
                message: /^data\.CORS_ORIGINS: http:\/\/api\.acme-example\.com is not an https:\/\/ origin$/m,
            },
            {
                change: { data: { ...serviceEnv, CORS_ORIGINS: "https://app.acme-example.com https://localhost:3000 https://10.20.4.12" } },
                message: /https:\/\/localhost:3000 is a local or private address; data\.CORS_ORIGINS: https:\/\/10\.20\.4\.12 is a local or private address/,
            },
            {
                change: { data: { ...serviceEnv, CORS_ORIGINS: "https://acme-example.com.evil.net" } },
                message: /https:\/\/acme-example\.com\.evil\.net is not under acme-example\.com \(allowedDomains\)/,
            },
            {
                change: { data: { NODE_ENV: "production", ALLOWED_ORIGINS: "https://*.acme-example.com" } },
                message: /^data\.ALLOWED_ORIGINS: https:\/\/\*\.acme-example\.com is a wildcard/m,
            },
        ],
        config: { allowedDomains: ["acme-example.com"] },
    },
    {
        policy: "cors-origins-restricted",
        type: K8S.deployment,
        compliant: workload([{ name: "CORS_ORIGIN", value: "https://app.acme-example.com" }]),
        violating: [
            {
                change: workload([{ name: "CORS_ORIGIN", value: "https://[::1]:8443" }]),
                message: /^container api env CORS_ORIGIN: https:\/\/\[::1\]:8443 is a local/m,
            },
        ],
    },
    {
        policy: "third-party-endpoints-production",
        type: K8S.configMap,
        compliant: { metadata: { name: "api-env", namespace: "platform" }, data: endpoints },
        violating: [
            {
                change: { data: { ...endpoints, PAYMENTS_API_URL: "https://api.sandbox.paypal.com/v2" } },
                message: /^data\.PAYMENTS_API_URL: https:\/\/api\.sandbox\.paypal\.com\/v2 calls api\.sandbox\.paypal\.com \(matches \/sandbox\/\)/m,
            },
            {
                change: { data: { ...endpoints, SEARCH_URL: "https://search.staging.partner.io" } },
                message: /calls search\.staging\.partner\.io \(matches \/staging\/\)/,
            },
            { change: { data: { ...endpoints, QUEUE_URL: "amqps://user@mq.dev.partner.io:5671/orders" } }, message: /calls mq\.dev\.partner\.io/ },
            {
                change: { data: { ...endpoints, STREAM: "wss://stream.test-env.io/v1, https://api.partner.io" } },
                message: /wss:\/\/stream\.test-env\.io\/v1 calls stream\.test-env\.io/,
            },
            {
                change: { data: { ...endpoints, ANALYTICS_DB: "postgres://reader@localhost:5432/events" } },
                message: /calls localhost \(matches \/localhost\/\)/,
            },
            { change: { data: { ...endpoints, CACHE: "redis://127.0.0.1:6379/0" } }, message: /calls 127\.0\.0\.1/ },
        ],
    },
    {
        policy: "third-party-endpoints-production",
        type: K8S.deployment,
        compliant: workload([{ name: "GEOCODER_URL", value: "https://maps.googleapis.com/maps/api/geocode/json" }]),
        violating: [
            {
                change: workload([{ name: "GEOCODER_URL", value: "https://sandbox.geocoder.example.net/v1" }]),
                message: /^container api env GEOCODER_URL: https:\/\/sandbox\.geocoder\.example\.net\/v1 calls sandbox\.geocoder\.example\.net/m,
            },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "services-complete",
        compliant: services,
        violating: [
            {
                resources: changed(services, "api-service", { props: service("api", { "app.kubernetes.io/name": "api-v2" }).props }),
                message: /^api-deployment has no ClusterIP Service in namespace platform selecting its pods$/m,
            },
            {
                resources: changed(services, "api-service", { props: service("api", apiLabels, { type: "LoadBalancer" }).props }),
                message: /api-deployment has no ClusterIP Service .*; only api-service \(LoadBalancer\) selects them/,
            },
            {
                resources: [...without(services, "api-service", "api-target-group-binding"), service("api", apiLabels, {}, "default")],
                message: /^api-deployment has no ClusterIP Service in namespace platform/m,
            },
            { resources: withoutWorkerLabel, message: /^worker-deployment has no ClusterIP Service in namespace platform selecting its pods$/m },
            { resources: rebound("api-svc"), message: /^api-target-group-binding: spec\.serviceRef\.name "api-svc" names no Service in namespace platform$/m },
            {
                resources: changed(rebound("api"), "api-target-group-binding", { props: { metadata: { name: "api", namespace: "ingress" } } }),
                message: /^api-target-group-binding: spec\.serviceRef\.name "api" names no Service in namespace ingress$/m,
            },
        ],
    },
    {
        policy: "compute-sizing",
        compliant: sized,
        violating: [
            {
                resources: resized("db", { engine: "postgres", instanceClass: "db.t4g.micro" }),
                message: /^db: instanceClass db\.t4g\.micro has 2 vCPUs and 1 GiB; at least 2 vCPUs and 4 GiB are required$/m,
            },
            {
                resources: resized("db", { engine: "postgres", instanceClass: "db.x99.huge" }),
                message: /^db: instanceClass "db\.x99\.huge" is not a known DB instance class .* so its size is unknown/m,
            },
            {
                resources: resized("aurora-reader", { engine: "aurora-postgresql", instanceClass: "db.x2g.medium", clusterIdentifier: "aurora" }),
                message: /^aurora-reader: instanceClass db\.x2g\.medium has 1 vCPU and 16 GiB/m,
            },
            {
                resources: resized("aurora", {
                    engine: "aurora-postgresql",
                    clusterIdentifier: "aurora",
                    serverlessv2ScalingConfiguration: { minCapacity: 0.5, maxCapacity: 1 },
                }),
                message: /^aurora-1: instanceClass is db\.serverless with at most 1 ACU \(about 2 GiB\); at least 4 GiB \(2 ACUs\) is required$/m,
            },
            {
                resources: resized("multi-az", { engine: "postgres", dbClusterInstanceClass: "db.c6gd.medium" }),
                message: /^multi-az: dbClusterInstanceClass db\.c6gd\.medium has 1 vCPU and 2 GiB/m,
            },
            {
                resources: changed(sized, "api-hpa", {
                    props: {
                        metadata: { name: "api", namespace: "platform" },
                        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 1, maxReplicas: 2 },
                    },
                }),
                message:
                    /^api-deployment: 2 replicas \(api-hpa maxReplicas\) of 1 core and 1 GiB reach 2 cores and 2 GiB; at least 2 cores and 4 GiB are required$/m,
            },
            {
                resources: changed(sized, "worker-deployment", { props: deployment("worker", workerLabels, { replicas: 3 }).props }),
                message: /^worker-deployment: 3 replicas \(spec\.replicas\) of 1 core and 1 GiB reach 3 cores and 3 GiB/m,
            },
            {
                resources: changed(sized, "worker-deployment", {
                    props: deployment("worker", workerLabels, {
                        replicas: 4,
                        template: { metadata: { labels: workerLabels }, spec: { containers: [{ name: "worker", image: "ghcr.io/acme/worker:1.4.2" }] } },
                    }).props,
                }),
                message: /^worker-deployment: the CPU and memory of container worker cannot be read/m,
            },
        ],
    },
    {
        policy: "compute-sizing",
        compliant: staging,
        config: { minServiceCpuCores: 0.5, minServiceMemoryGiB: 1 },
        violating: [
            {
                resources: changed(staging, "api-hpa", {
                    props: {
                        metadata: { name: "api", namespace: "platform" },
                        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 1, maxReplicas: 1 },
                    },
                }),
                message: /^api-deployment: 1 replica \(api-hpa maxReplicas\) of 1 core and 0\.5 GiB reach 1 core and 0\.5 GiB; at least 0\.5 cores and 1 GiB/m,
            },
        ],
    },
];

export const applicationCases: CaseTable = { area: "application", resource, stack };
