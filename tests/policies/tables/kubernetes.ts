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
    spec: {
        ...(replicas === null ? {} : { replicas }),
        selector: { matchLabels: { app: "api" } },
        template: { metadata: { labels: { app: "api" } }, spec: { containers: [{ ...container, ...changes }] } },
    },
});
const cronJob = (changes: Record<string, any>) => ({
    metadata: { name: "cleanup", namespace: "app" },
    spec: { jobTemplate: { spec: { template: { spec: { containers: [{ ...container, ...changes }] } } } } },
});

/** As components/service.ts labels a service: the profile label declares it a platform service. */
const PROFILE = { "platform.checklist/profile": "node-api" };
const PLATFORM_LABELS = { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "platform", ...PROFILE };
/** A platform service as components/service.ts registers it; `grace` null leaves terminationGracePeriodSeconds out. */
const platformService = (changes: Record<string, any> = {}, grace: number | null = 30) => ({
    metadata: { name: "api", namespace: "app", labels: PLATFORM_LABELS },
    spec: {
        replicas: 3,
        selector: { matchLabels: PLATFORM_LABELS },
        template: {
            metadata: { labels: PLATFORM_LABELS },
            spec: {
                ...(grace === null ? {} : { terminationGracePeriodSeconds: grace }),
                containers: [
                    Object.fromEntries(
                        Object.entries({ ...container, lifecycle: { preStop: { sleep: { seconds: 5 } } }, ...changes }).filter(
                            ([, value]) => value !== undefined,
                        ),
                    ),
                ],
            },
        },
    },
});

const resource: ResourceCase[] = [
    {
        policy: "k8s-run-as-non-root",
        type: K8S.deployment,
        compliant: deployment(),
        violating: [
            { change: deployment({ securityContext: {} }), message: /container api: runAsNonRoot is not set; set it to true/ },
            { change: deployment({ securityContext: { runAsUser: 0 } }), message: /container api: runAsUser is 0 \(root\)/ },
        ],
    },
    {
        policy: "k8s-run-as-non-root",
        type: K8S.cronJob,
        compliant: cronJob({}),
        violating: [{ change: cronJob({ securityContext: { runAsNonRoot: false } }), message: /container api: runAsNonRoot is false/ }],
    },
    {
        policy: "k8s-run-as-non-root",
        type: K8S.pod,
        compliant: { spec: { securityContext: { runAsNonRoot: true }, containers: [{ name: "p", image: "x:1" }] } },
        violating: [{ change: { spec: { containers: [{ name: "p", image: "x:1" }] } }, message: /container p: runAsNonRoot is not set/ }],
    },
    {
        policy: "k8s-no-privilege-escalation",
        type: K8S.deployment,
        compliant: deployment(),
        violating: [
            { change: deployment({ securityContext: { runAsNonRoot: true } }), message: /allowPrivilegeEscalation is not set \(Kubernetes defaults to true\)/ },
            { change: deployment({ securityContext: { allowPrivilegeEscalation: false, privileged: true } }), message: /privileged is true/ },
            {
                label: "an added SYS_ADMIN capability",
                change: deployment({
                    securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE", "SYS_ADMIN"] } },
                }),
                message: /container api: securityContext\.capabilities\.add is \["SYS_ADMIN"\]; add no capability but NET_BIND_SERVICE/,
            },
        ],
    },
    {
        // A DaemonSet as a log shipper's manifest registers it: the node's network, PIDs and log directory.
        policy: "k8s-no-host-access",
        type: K8S.daemonSet,
        compliant: {
            metadata: { name: "agent", namespace: "logging" },
            spec: {
                selector: { matchLabels: { app: "agent" } },
                template: {
                    metadata: { labels: { app: "agent" } },
                    spec: { containers: [container], volumes: [{ name: "tmp", emptyDir: {} }] },
                },
            },
        },
        violating: [
            {
                label: "hostNetwork and hostPID",
                change: { spec: { template: { spec: { hostNetwork: true, hostPID: true, containers: [container] } } } },
                message: /^hostNetwork is true; hostPID is true: the pod reaches into its node/m,
            },
            {
                label: "a hostPath volume",
                change: { spec: { template: { spec: { containers: [container], volumes: [{ name: "varlog", hostPath: { path: "/var/log", type: "" } }] } } } },
                message: /volume varlog mounts hostPath "\/var\/log"/,
            },
        ],
    },
    {
        policy: "k8s-no-host-access",
        type: K8S.pod,
        compliant: { spec: { containers: [container] } },
        violating: [{ change: { spec: { hostIPC: true, containers: [container] } }, message: /hostIPC is true/ }],
    },
    {
        policy: "k8s-read-only-root-filesystem",
        type: K8S.statefulSet,
        compliant: deployment(),
        violating: [{ change: deployment({ securityContext: { readOnlyRootFilesystem: false } }), message: /readOnlyRootFilesystem is false/ }],
    },
    {
        policy: "k8s-resource-limits",
        type: K8S.deployment,
        compliant: deployment(),
        violating: [
            { change: deployment({ resources: { requests: { cpu: "1" } } }), message: /container api: no requests\.memory, limits\.memory, limits\.cpu/ },
            { change: deployment({ resources: undefined }), message: /no requests\.cpu, requests\.memory, limits\.memory, limits\.cpu/ },
        ],
    },
    {
        policy: "k8s-health-probes",
        type: K8S.deployment,
        compliant: deployment(),
        violating: [{ change: deployment({ livenessProbe: undefined }), message: /container api: no livenessProbe/ }],
    },
    {
        policy: "k8s-image-pinned",
        type: K8S.job,
        compliant: { spec: { template: { spec: { containers: [{ name: "m", image: `ghcr.io/acme/api@sha256:${"a".repeat(64)}` }] } } } },
        violating: [
            { change: { spec: { template: { spec: { containers: [{ name: "m", image: "ghcr.io/acme/api:latest" }] } } } }, message: /uses the tag latest/ },
            {
                change: { spec: { template: { spec: { containers: [{ name: "m", image: "localhost:5000/api" }] } } } },
                message: /localhost:5000\/api has no tag/,
            },
        ],
    },
    {
        policy: "helm-chart-pinned",
        type: K8S.helmRelease,
        compliant: { chart: "kube-prometheus-stack", version: "82.6.0" },
        violating: [
            { change: { version: undefined }, message: /chart "kube-prometheus-stack" has no version, so each install takes the newest/ },
            { change: { version: "^82.0.0" }, message: /version \^82\.0\.0 is a range/ },
            { change: { version: "82.x" }, message: /version 82\.x is a range/ },
        ],
    },
    {
        policy: "graceful-shutdown",
        type: K8S.deployment,
        compliant: platformService(),
        violating: [
            {
                label: "a container without preStop",
                change: platformService({ lifecycle: undefined }),
                message: /container api: lifecycle\.preStop is not set, so the process gets SIGTERM while the load balancer still sends it requests/,
            },
            { label: "a 10 s grace period", change: platformService({}, 10), message: /terminationGracePeriodSeconds is 10; at least 30 are required/ },
            {
                label: "a 30 s preStop sleep in the default 30 s grace period",
                change: platformService({ lifecycle: { preStop: { sleep: { seconds: 30 } } } }, null),
                message: /container api: the preStop hook waits 30 s, which terminationGracePeriodSeconds not set \(30\) does not outlast/,
            },
            {
                label: "an exec sleep 40 in a 35 s grace period",
                change: platformService({ lifecycle: { preStop: { exec: { command: ["/bin/sh", "-c", "sleep 40"] } } } }, 35),
                message: /container api: the preStop hook waits 40 s, which terminationGracePeriodSeconds 35 does not outlast/,
            },
        ],
    },
    {
        // Only platform services are held to it: the same workload without the label passes.
        policy: "graceful-shutdown",
        type: K8S.statefulSet,
        compliant: deployment(),
        violating: [
            {
                label: "the platform label, with an httpGet preStop and a 20 s grace period",
                change: platformService({ lifecycle: { preStop: { httpGet: { path: "/drain", port: 3000 } } } }, 20),
                message: /terminationGracePeriodSeconds is 20; at least 30/,
            },
        ],
    },
    {
        // nginx exposed as the chart registers it: an NLB from the AWS Load Balancer Controller, internet-facing on purpose.
        policy: "k8s-load-balancer-service-restricted",
        type: K8S.service,
        compliant: {
            metadata: {
                name: "nginx",
                namespace: "web",
                annotations: {
                    "service.beta.kubernetes.io/aws-load-balancer-type": "external",
                    "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing",
                },
            },
            spec: { type: "LoadBalancer", selector: { app: "nginx" }, ports: [{ port: 443, targetPort: 8443 }], loadBalancerSourceRanges: ["203.0.113.0/24"] },
        },
        violating: [
            {
                label: "no loadBalancerSourceRanges",
                change: { spec: { type: "LoadBalancer", selector: { app: "nginx" }, ports: [{ port: 443, targetPort: 8443 }] } },
                message: /spec\.type is LoadBalancer, internet-facing, and spec\.loadBalancerSourceRanges is not set/,
            },
            {
                label: "the in-tree controller, open to 0.0.0.0/0",
                change: {
                    metadata: { name: "mongo", namespace: "db" },
                    spec: { type: "LoadBalancer", ports: [{ port: 27017 }], loadBalancerSourceRanges: ["0.0.0.0/0"] },
                },
                message: /loadBalancerSourceRanges is \["0\.0\.0\.0\/0"\]/,
            },
        ],
    },
    {
        // Internal load balancers and ClusterIP Services are not the internet's.
        policy: "k8s-load-balancer-service-restricted",
        type: K8S.service,
        compliant: {
            metadata: { name: "jenkins-agent", annotations: { "service.beta.kubernetes.io/aws-load-balancer-internal": "true" } },
            spec: { type: "LoadBalancer", ports: [{ port: 50000 }] },
        },
        violating: [{ change: { metadata: { name: "jenkins-agent" } }, message: /spec\.loadBalancerSourceRanges is not set/ }],
    },
    {
        policy: "k8s-ingress-tls",
        type: K8S.ingress,
        compliant: {
            metadata: { name: "web", namespace: "web", annotations: { "cert-manager.io/cluster-issuer": "letsencrypt" } },
            spec: {
                ingressClassName: "nginx",
                tls: [{ hosts: ["shop.acme-example.com"], secretName: "shop-tls" }],
                rules: [
                    {
                        host: "shop.acme-example.com",
                        http: { paths: [{ path: "/", pathType: "Prefix", backend: { service: { name: "web", port: { number: 80 } } } }] },
                    },
                ],
            },
        },
        violating: [
            {
                label: "no spec.tls",
                change: { metadata: { name: "web", namespace: "web" }, spec: { ingressClassName: "nginx", rules: [{ host: "shop.acme-example.com" }] } },
                message: /spec\.tls is not set: the Ingress serves plain HTTP/,
            },
        ],
    },
    {
        policy: "k8s-ingress-tls",
        type: K8S.ingress,
        compliant: {
            metadata: {
                name: "api",
                annotations: {
                    "alb.ingress.kubernetes.io/scheme": "internet-facing",
                    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTP": 80}, {"HTTPS": 443}]',
                    "alb.ingress.kubernetes.io/ssl-redirect": "443",
                },
            },
            spec: { ingressClassName: "alb", rules: [{ host: "api.acme-example.com" }] },
        },
        violating: [
            {
                label: "an ALB ingress on HTTP only",
                change: { metadata: { name: "api", annotations: { "alb.ingress.kubernetes.io/scheme": "internet-facing" } } },
                message: /spec\.tls is not set and the ALB annotations name no HTTPS listener/,
            },
        ],
    },
];

/** A workload with the platform-service label on it and its pods. */
const labelled = (props: Record<string, any>) => ({
    ...props,
    metadata: { ...props.metadata, labels: PROFILE },
    spec: { ...props.spec, template: { ...props.spec.template, metadata: { labels: { ...props.spec.template.metadata.labels, ...PROFILE } } } },
});
/** A KEDA ScaledObject of the api Deployment (its scaleTargetRef's kind defaults to Deployment). */
const kedaScaler = (spec: Record<string, unknown>): TestResource => ({
    type: K8S.kedaScaledObject,
    name: "api-scaler",
    props: {
        metadata: { namespace: "app" },
        spec: { scaleTargetRef: { name: "api" }, triggers: [{ type: "redis", metadata: { listName: "jobs" } }], ...spec },
    },
});

const app: TestResource[] = [
    { type: K8S.configMap, name: "api-env", props: { metadata: { name: "api-env", namespace: "app" }, data: { NODE_ENV: "production", REDIS_URL_TLS: "1" } } },
    {
        type: K8S.secret,
        name: "api-secrets",
        props: {
            metadata: { name: "api-secrets", namespace: "app" },
            stringData: { DATABASE_URL: "postgresql://…", REDIS_URL: "rediss://…", JWT_SECRET: "…", ENCRYPTION_KEY: "…" },
        },
    },
    { type: K8S.deployment, name: "api", props: labelled(deployment()) },
    {
        type: K8S.hpa,
        name: "api-hpa",
        props: {
            metadata: { namespace: "app" },
            spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "api" }, minReplicas: 3, maxReplicas: 10 },
        },
    },
    { type: K8S.pdb, name: "api-pdb", props: { metadata: { namespace: "app" }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: "api" } } } } },
    { type: K8S.networkPolicy, name: "deny", props: { metadata: { namespace: "app" }, spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] } } },
    // Allows on top of the deny: the load balancer's subnets to the service's port, and DNS.
    {
        type: K8S.networkPolicy,
        name: "allow-lb",
        props: {
            metadata: { namespace: "app" },
            spec: {
                podSelector: { matchLabels: { app: "api" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ ipBlock: { cidr: "10.0.0.0/20" } }], ports: [{ protocol: "TCP", port: 3000 }] }],
            },
        },
    },
    {
        type: K8S.networkPolicy,
        name: "allow-dns",
        props: {
            metadata: { namespace: "app" },
            spec: {
                podSelector: {},
                policyTypes: ["Egress"],
                egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }] }],
            },
        },
    },
    // Third-party workloads in the same stack, as their charts and manifests register them: not platform services, so the
    // platform's Node.js settings are not asked of them.
    {
        type: K8S.statefulSet,
        name: "mongo",
        props: {
            metadata: { name: "mongo", namespace: "app" },
            spec: {
                serviceName: "mongo",
                replicas: 3,
                selector: { matchLabels: { app: "mongo" } },
                template: {
                    metadata: { labels: { app: "mongo" } },
                    spec: { containers: [{ name: "mongo", image: "mongo:7.0.14", env: [{ name: "MONGO_INITDB_ROOT_USERNAME", value: "admin" }] }] },
                },
            },
        },
    },
    {
        type: K8S.hpa,
        name: "mongo-hpa",
        props: { metadata: { namespace: "app" }, spec: { scaleTargetRef: { kind: "StatefulSet", name: "mongo" }, minReplicas: 3, maxReplicas: 5 } },
    },
    { type: K8S.pdb, name: "mongo-pdb", props: { metadata: { namespace: "app" }, spec: { minAvailable: 2, selector: { matchLabels: { app: "mongo" } } } } },
];

const claim = (storageClassName: string | undefined) => ({
    metadata: { name: "uploads", namespace: "app" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "20Gi" } }, ...(storageClassName === undefined ? {} : { storageClassName }) },
});
const postgres = (storageClassName: string) => ({
    metadata: { name: "pg", namespace: "app" },
    spec: {
        serviceName: "pg",
        replicas: 1,
        selector: { matchLabels: { app: "pg" } },
        template: { metadata: { labels: { app: "pg" } }, spec: { containers: [{ name: "postgres", image: "postgres:17.2" }] } },
        volumeClaimTemplates: [
            { metadata: { name: "data" }, spec: { accessModes: ["ReadWriteOnce"], storageClassName, resources: { requests: { storage: "50Gi" } } } },
        ],
    },
});
/** kube-prometheus-stack values with the class of each volume; `undefined` leaves that volume's class out. */
const kubePrometheusStack = (classes: { prometheus?: string; alertmanager?: string; grafana?: string } = {}) => {
    const { prometheus, alertmanager, grafana } = { prometheus: "encrypted-gp3", alertmanager: "encrypted-gp3", grafana: "encrypted-gp3", ...classes };
    const template = (storageClassName: string | undefined, storage: string) => ({
        volumeClaimTemplate: {
            spec: {
                accessModes: ["ReadWriteOnce"],
                ...(storageClassName ? { storageClassName } : {}),
                resources: { requests: { storage } },
            },
        },
    });
    return {
        prometheus: { prometheusSpec: { retention: "30d", storageSpec: template(prometheus, "200Gi") } },
        alertmanager: { alertmanagerSpec: { storage: template(alertmanager, "10Gi") } },
        grafana: { persistence: { enabled: true, size: "10Gi", ...(grafana ? { storageClassName: grafana } : {}) } },
    };
};
const volumes: TestResource[] = [
    {
        type: K8S.storageClass,
        name: "encrypted-gp3",
        props: {
            metadata: { name: "encrypted-gp3" },
            provisioner: "ebs.csi.aws.com",
            parameters: { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
            reclaimPolicy: "Retain",
            volumeBindingMode: "WaitForFirstConsumer",
            allowVolumeExpansion: true,
        },
    },
    // Classes of the stack that no volume uses are not its business.
    { type: K8S.storageClass, name: "gp2", props: { metadata: { name: "gp2" }, provisioner: "kubernetes.io/aws-ebs", parameters: { type: "gp2" } } },
    {
        type: K8S.storageClass,
        name: "efs-sc",
        props: {
            metadata: { name: "efs-sc" },
            provisioner: "efs.csi.aws.com",
            parameters: { provisioningMode: "efs-ap", fileSystemId: "fs-0123456789abcdef0" },
        },
    },
    { type: K8S.persistentVolumeClaim, name: "uploads", props: claim("encrypted-gp3") },
    // A class made outside the stack that the policy config vouches for.
    { type: K8S.persistentVolumeClaim, name: "shared", props: { ...claim("efs-encrypted"), metadata: { name: "shared", namespace: "app" } } },
    { type: K8S.statefulSet, name: "pg", props: postgres("encrypted-gp3") },
    {
        type: K8S.helmRelease,
        name: "kps",
        props: {
            name: "kube-prometheus-stack",
            chart: "kube-prometheus-stack",
            version: "82.6.0",
            namespace: "monitoring",
            repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
            values: kubePrometheusStack(),
        },
    },
    {
        type: K8S.helmChart,
        name: "grafana",
        props: {
            chart: "grafana",
            version: "8.5.0",
            namespace: "dashboards",
            repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
            values: { persistence: { enabled: true, type: "pvc", size: "10Gi", storageClassName: "encrypted-gp3" } },
        },
    },
    // Without persistence Grafana asks for no volume.
    { type: K8S.helmRelease, name: "grafana-scratch", props: { chart: "grafana", version: "8.5.0", namespace: "scratch", values: {} } },
    // Bitnami's chart names its class persistence.storageClass: not read as the grafana chart's.
    {
        type: K8S.helmRelease,
        name: "grafana-bitnami",
        props: {
            chart: "oci://registry-1.docker.io/bitnamicharts/grafana",
            version: "11.3.0",
            namespace: "bitnami",
            values: { persistence: { enabled: true, storageClass: "encrypted-gp3" } },
        },
    },
];

const releaseConfig = (service: string, release: string) => ({
    metadata: {
        name: `${service}-env`,
        namespace: "platform",
        labels: { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "platform", ...PROFILE },
    },
    data: { NODE_ENV: "production", PORT: "3000", RELEASE: release },
});
const platformDeployment = (service: string, image: string) => {
    const labels = { "app.kubernetes.io/name": service, "app.kubernetes.io/part-of": "platform", ...PROFILE };
    return {
        metadata: { name: service, namespace: "platform", labels },
        spec: {
            replicas: 2,
            selector: { matchLabels: labels },
            template: {
                metadata: { labels },
                spec: {
                    containers: [{ name: service, image, envFrom: [{ configMapRef: { name: `${service}-env` } }] }],
                },
            },
        },
    };
};
const migrationJob = (image: string) => {
    const labels = { "app.kubernetes.io/name": "release-migrate", "app.kubernetes.io/part-of": "platform", ...PROFILE };
    return {
        metadata: { name: "release-migrate-1-4-2", namespace: "platform", labels },
        spec: {
            backoffLimit: 1,
            template: {
                metadata: { labels },
                spec: {
                    restartPolicy: "Never",
                    containers: [{ name: "migrate", image, command: ["node", "dist/migrate.js"], envFrom: [{ secretRef: { name: "release-migrator" } }] }],
                },
            },
        },
    };
};
const released: TestResource[] = [
    { type: K8S.configMap, name: "api-env", props: releaseConfig("api", "1.4.2") },
    { type: K8S.deployment, name: "api", props: platformDeployment("api", "ghcr.io/acme/api:1.4.2") },
    // Pinned by digest: only its RELEASE can be compared.
    { type: K8S.configMap, name: "worker-env", props: releaseConfig("worker", "1.4.2") },
    { type: K8S.deployment, name: "worker", props: platformDeployment("worker", `ghcr.io/acme/worker@sha256:${"b".repeat(64)}`) },
    { type: K8S.job, name: "api-migrate", props: migrationJob("ghcr.io/acme/api:1.4.2") },
    // Not a platform service: its own release cycle.
    {
        type: K8S.deployment,
        name: "redis-exporter",
        props: {
            metadata: { name: "redis-exporter", namespace: "platform" },
            spec: {
                template: {
                    spec: {
                        containers: [{ name: "exporter", image: "oliver006/redis_exporter:v1.62.0" }],
                    },
                },
            },
        },
    },
];

const stack: StackCase[] = [
    {
        policy: "k8s-min-replicas",
        compliant: app,
        violating: [
            // The autoscaler owns the replica count: spec.replicas 3 does not keep it from shrinking to 1.
            {
                resources: changed(app, "api-hpa", {
                    props: { metadata: { namespace: "app" }, spec: { scaleTargetRef: { kind: "Deployment", name: "api" }, minReplicas: 1, maxReplicas: 10 } },
                }),
                message: /^api-hpa: spec\.minReplicas is 1; at least 2 are required$/m,
            },
            {
                resources: changed(app, "mongo-hpa", {
                    props: { metadata: { namespace: "app" }, spec: { scaleTargetRef: { kind: "StatefulSet", name: "mongo" }, maxReplicas: 5 } },
                }),
                message: /^mongo-hpa: spec\.minReplicas is not set \(1\); at least 2 are required$/m,
            },
            {
                resources: [...without(app, "api-hpa", "api"), { type: K8S.deployment, name: "api", props: labelled(deployment({}, null)) }],
                message: /^api: spec\.replicas is not set \(1\); at least 2 are required$/m,
            },
            // KEDA scales to zero unless told otherwise.
            {
                resources: [...without(app, "api-hpa"), kedaScaler({ maxReplicaCount: 10 })],
                message: /^api-scaler: spec\.minReplicaCount is not set \(0\); at least 2 are required$/m,
            },
        ],
    },
    {
        // A KEDA ScaledObject scales the workload through the HPA KEDA makes for it.
        policy: "k8s-hpa-present",
        compliant: [...without(app, "api-hpa"), kedaScaler({ minReplicaCount: 2, maxReplicaCount: 10 })],
        violating: [
            {
                resources: [...without(app, "api-hpa"), kedaScaler({ scaleTargetRef: { name: "web" }, minReplicaCount: 2 })],
                message: /api has no HorizontalPodAutoscaler/,
            },
        ],
    },
    {
        policy: "k8s-hpa-present",
        compliant: app,
        violating: [
            { resources: without(app, "api-hpa"), message: /api has no HorizontalPodAutoscaler/ },
            {
                resources: changed(app, "api-hpa", {
                    props: { metadata: { namespace: "other" }, spec: { scaleTargetRef: { kind: "Deployment", name: "api" } } },
                }),
                message: /api has no HorizontalPodAutoscaler/,
            },
        ],
    },
    {
        policy: "k8s-pdb-present",
        compliant: app,
        violating: [
            {
                resources: changed(app, "api-pdb", { props: { spec: { selector: { matchLabels: { app: "worker" } } } } }),
                message: /api has no PodDisruptionBudget selecting its pods/,
            },
            {
                resources: changed(app, "api-pdb", { props: { spec: { maxUnavailable: "100%", selector: { matchLabels: { app: "api" } } } } }),
                message: /api's PodDisruptionBudget api-pdb \(maxUnavailable "100%"\) lets a drain evict every pod at once/,
            },
            {
                resources: changed(app, "mongo-pdb", { props: { spec: { minAvailable: 0, selector: { matchLabels: { app: "mongo" } } } } }),
                message: /mongo's PodDisruptionBudget mongo-pdb \(minAvailable 0\)/,
            },
        ],
    },
    {
        policy: "k8s-default-deny-network-policy",
        compliant: app,
        violating: [
            { resources: without(app, "deny"), message: /namespace app \(e\.g\. api\) has no default-deny NetworkPolicy/ },
            { resources: changed(app, "deny", { props: { spec: { podSelector: {}, policyTypes: ["Ingress"] } } }), message: /namespace app/ },
            // A namespace the stack creates for a Helm chart's pods, which the plan does not show, needs its fence too.
            {
                resources: [...app, { type: K8S.namespace, name: "monitoring-ns", props: { metadata: { name: "monitoring" } } }],
                message: /namespace monitoring \(e\.g\. monitoring-ns\) has no default-deny NetworkPolicy/,
            },
            {
                resources: [...app, { type: K8S.helmRelease, name: "grafana", props: { chart: "grafana", version: "8.0.0", namespace: "dashboards" } }],
                message: /namespace dashboards \(e\.g\. grafana\)/,
            },
            // An allow-all ingress policy next to the deny lets anyone in again.
            {
                resources: [
                    ...app,
                    {
                        type: K8S.networkPolicy,
                        name: "allow-all",
                        props: { metadata: { namespace: "app" }, spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{}] } },
                    },
                ],
                message: /namespace app: allow-all allows all ingress \(a rule with no ports whose peers are anyone\), which undoes the default deny/,
            },
            {
                resources: [
                    ...app,
                    {
                        type: K8S.networkPolicy,
                        name: "open-egress",
                        props: {
                            metadata: { namespace: "app" },
                            spec: {
                                podSelector: { matchLabels: { app: "api" } },
                                policyTypes: ["Egress"],
                                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }] }],
                            },
                        },
                    },
                ],
                message: /namespace app: open-egress allows all egress/,
            },
        ],
    },
    {
        policy: "k8s-node-env-production",
        compliant: app,
        violating: [
            {
                resources: changed(app, "api-env", { props: { data: { NODE_ENV: "development" } } }),
                message: /api container api: NODE_ENV is "development"; set it to "production"/,
            },
            // A third-party workload the policy config declares a platform service is held to it too.
            {
                resources: changed(app, "mongo", { props: labelled(app.find((r) => r.name === "mongo")!.props!) }),
                message: /mongo container mongo: NODE_ENV is not set/,
            },
        ],
    },
    {
        policy: "k8s-required-env",
        compliant: app,
        violating: [
            {
                resources: changed(app, "api-secrets", { props: { stringData: { DATABASE_URL: "x", JWT_SECRET: "y" } } }),
                message: /api container api does not get REDIS_URL, ENCRYPTION_KEY/,
            },
        ],
    },
    {
        policy: "persistent-volumes-encrypted",
        compliant: volumes,
        config: { encryptedStorageClasses: ["efs-encrypted"] },
        violating: [
            {
                resources: changed(volumes, "uploads", { props: claim(undefined) }),
                message:
                    /uploads spec\.storageClassName is not set: the cluster's default storage class provisions the volume, and the plan cannot tell that it encrypts/,
            },
            {
                resources: changed(volumes, "uploads", { props: claim("gp2") }),
                message:
                    /uploads spec\.storageClassName is "gp2", a StorageClass of the stack that does not encrypt: its parameters\.encrypted is not set; set it to "true"/,
            },
            {
                resources: changed(volumes, "uploads", { props: claim("efs-sc") }),
                message: /uploads spec\.storageClassName is "efs-sc", .*: its provisioner "efs\.csi\.aws\.com" is not the EBS CSI driver/,
            },
            {
                resources: changed(volumes, "pg", { props: postgres("standard") }),
                message:
                    /pg volumeClaimTemplates\[data\]\.spec\.storageClassName is "standard", a class the stack does not create and encryptedStorageClasses does not list/,
            },
            {
                resources: changed(volumes, "kps", { props: { values: kubePrometheusStack({ prometheus: undefined }) } }),
                message: /kps values prometheus\.prometheusSpec\.storageSpec\.volumeClaimTemplate\.spec\.storageClassName is not set/,
            },
            {
                resources: changed(volumes, "kps", { props: { values: kubePrometheusStack({ alertmanager: "gp2" }) } }),
                message:
                    /kps values alertmanager\.alertmanagerSpec\.storage\.volumeClaimTemplate\.spec\.storageClassName is "gp2", a StorageClass of the stack that does not encrypt/,
            },
            // A Helm v4 Chart from an OCI registry, whose Grafana keeps its volume on the cluster's default class.
            {
                resources: [
                    ...volumes,
                    {
                        type: K8S.helmChart,
                        name: "kps-v4",
                        props: {
                            chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack",
                            version: "82.6.0",
                            namespace: "monitoring",
                            values: kubePrometheusStack({ grafana: undefined }),
                        },
                    },
                ],
                message: /kps-v4 values grafana\.persistence\.storageClassName is not set/,
            },
            {
                resources: changed(volumes, "grafana", { props: { values: { persistence: { enabled: true, type: "pvc", size: "10Gi" } } } }),
                message: /grafana values persistence\.storageClassName is not set/,
            },
        ],
    },
    {
        policy: "release-consistent",
        compliant: released,
        violating: [
            {
                resources: changed(released, "api", { props: platformDeployment("api", "ghcr.io/acme/api:1.4.1") }),
                message: /api container api: image ghcr\.io\/acme\/api:1\.4\.1 is tagged 1\.4\.1, not its RELEASE 1\.4\.2/,
            },
            {
                resources: changed(released, "api", { props: platformDeployment("api", "ghcr.io/acme/api") }),
                message: /api container api: image ghcr\.io\/acme\/api has no tag; tag it with its RELEASE 1\.4\.2/,
            },
            {
                resources: changed(released, "worker-env", { props: releaseConfig("worker", "1.4.3") }),
                message: /platform services carry different RELEASE values \(api "1\.4\.2"; worker "1\.4\.3"\); roll out one release/,
            },
            {
                resources: changed(released, "api-env", { props: { data: { NODE_ENV: "production", PORT: "3000" } } }),
                message: /api container api gets no RELEASE \(its ConfigMap through envFrom, or env\)/,
            },
            {
                resources: changed(released, "api-migrate", { props: migrationJob("ghcr.io/acme/api:1.4.1") }),
                message: /migration Job api-migrate container migrate: image ghcr\.io\/acme\/api:1\.4\.1 is tagged 1\.4\.1, not the services' release 1\.4\.2/,
            },
        ],
    },
];

export const kubernetesCases: CaseTable = { area: "kubernetes", resource, stack };
