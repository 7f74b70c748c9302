import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

/** A service's defaults (each entry of the stack file's `services`). */
export const SERVICE_DEFAULTS = {
    /** The port Node.js frameworks listen on by default. */
    port: 3000,
    /** The health endpoint the checklists name. */
    healthPath: "/health",
    /** Private unless it says otherwise: only a public service gets a route from the load balancer. */
    public: false,
    /** Two replicas: a rolling update or a lost node never leaves the service with none. */
    replicas: 2,
    /** The HPA's ceiling: room for a tenfold surge, a bound on the bill. */
    maxReplicas: 10,
    /** A quarter core requested (the limit is one core): a Node.js process idles well below it. */
    cpu: "250m",
    /** Requested and limit: a Node.js heap with room for its buffers. */
    memory: "512Mi",
    /** An API behind the load balancer; a worker says so. */
    kind: "service",
    scaler: {
        /** Ten waiting jobs per replica before another starts. */
        listLength: 10,
    },
} as const;

export interface ServiceArgs {
    /** The namespace (created by the caller, with its default-deny policy). */
    namespace: string;
    /** Image pinned to a tag or digest. */
    image: pulumi.Input<string>;
    /** The port the process listens on. */
    port: number;
    /** Readiness and liveness endpoint. */
    healthPath: string;
    /** Replicas to keep at least (the HPA's minimum). */
    replicas?: number;
    /** The HPA's maximum. */
    maxReplicas?: number;
    /** Requested; the limit is one core. */
    cpu?: string;
    /** Requested and limit. */
    memory?: string;
    /** Settings that are not secret: they go to the service's ConfigMap (NODE_ENV=production is always set). */
    env?: Record<string, pulumi.Input<string>>;
    /** Secret settings by name: they go to the service's Secret, stay Pulumi secrets, and reach the container one by one. */
    secretEnv?: Record<string, pulumi.Input<string>>;
    /** Where the load balancer's traffic comes from; the service admits it on its port. Absent: no ingress. */
    loadBalancerCidrs?: pulumi.Input<string[]>;
    /** The ALB target group to register the pods in (through a TargetGroupBinding). */
    targetGroupArn?: pulumi.Input<string>;
    /** The VPC's range: the service reaches the database proxy and the cache there. */
    vpcCidr: pulumi.Input<string>;
    /** Resources the rollout waits for, e.g. the release's migration Job. */
    rolloutAfter?: pulumi.Input<pulumi.Resource>[];
    /** The namespace whose Prometheus scrapes the service's /metrics; absent: nothing scrapes it. */
    prometheusNamespace?: string;
    /** "worker": a queue consumer with no Service, target group or route. Default "service". */
    kind?: "service" | "worker";
    /** A worker's probe: a command, or a TCP port. Default: TCP on `port`. (A service probes `healthPath`.) */
    probe?: { exec: string[] } | { port: number };
    /** A worker that scales on a Redis list through KEDA instead of on CPU. */
    queueScaler?: QueueScaler;
    /** Where the service sends its traces (OTLP): it may reach the collector's pods there, and nothing else in that namespace. */
    tracingCollector?: TracingCollector;
}

/** A Redis list a KEDA ScaledObject watches; KEDA reads the cache's auth token from a Secret of its own. */
export interface QueueScaler {
    listName: string;
    /** Waiting jobs per replica. */
    listLength: number;
    /** host:port of the cache's primary endpoint (TLS). */
    address: pulumi.Input<string>;
    authToken: pulumi.Input<string>;
}

/** The OpenTelemetry Collector's pods: their namespace, pod labels and OTLP ports. */
export interface TracingCollector {
    namespace: string;
    podLabels: Record<string, string>;
    ports: number[];
}

/** The pod label that marks a worker: policies then expect no Service for it. */
export const WORKER_LABEL = { "platform.checklist/kind": "worker" };

/** Egress to the cluster's DNS, which every pod under the default deny needs. */
export const DNS_EGRESS = {
    to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }],
    ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
    ],
};

/**
 * Declares a workload a platform service: the policy pack's rules about this platform's Node.js API
 * conventions (required settings, NODE_ENV, RELEASE, graceful shutdown, sizing) judge only workloads with it.
 */
export const PLATFORM_SERVICE_LABEL = { "platform.checklist/profile": "node-api" } as const;

/** Ports in the VPC a service reaches: PostgreSQL (through the proxy) and Redis. */
const DATA_PORTS = [5432, 6379];
const USER_ID = 10001;
/** The named port the process serves its API, health and /metrics on. */
const PORT_NAME = "http";

/** How the container is probed: a service on its health endpoint; a worker by its command or on a TCP port. */
function probeHandler(args: ServiceArgs) {
    if (args.kind !== "worker") {
        return { httpGet: { path: args.healthPath, port: PORT_NAME } };
    }
    if (args.probe && "exec" in args.probe) {
        return { exec: { command: args.probe.exec } };
    }
    return { tcpSocket: { port: args.probe?.port ?? args.port } };
}

/** The hardened container and pod settings every workload of the platform runs with. */
export function restrictedPod(args: { labels: Record<string, string> }) {
    return {
        podSecurityContext: {
            runAsNonRoot: true,
            runAsUser: USER_ID,
            runAsGroup: USER_ID,
            fsGroup: USER_ID,
            seccompProfile: { type: "RuntimeDefault" },
        },
        containerSecurityContext: {
            runAsNonRoot: true,
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: true,
            capabilities: { drop: ["ALL"] },
        },
        // The root filesystem is read-only: /tmp is the one place to write.
        volumes: [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }],
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
        labels: args.labels,
    };
}

/**
 * One application service on Kubernetes: ServiceAccount, ConfigMap and Secret for its settings, a
 * hardened Deployment (non-root, read-only root, no privilege escalation, requests and limits,
 * probes, zero-downtime rolling updates, spread over zones), a Service, an HPA, a PodDisruptionBudget,
 * the NetworkPolicies it needs on top of the namespace's default deny, and a TargetGroupBinding
 * that registers its pods in the load balancer's target group.
 */
export class Service extends pulumi.ComponentResource {
    public readonly deploymentName: string;
    /** The Kubernetes Service; a worker has none. */
    public readonly serviceName: string | undefined;
    /** The labels of the Service and its pods. */
    public readonly labels: Record<string, string>;
    /** The name of the Service port the process serves on, /metrics included. */
    public readonly portName = PORT_NAME;

    constructor(name: string, args: ServiceArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:app:Service", name, {}, opts);
        const parent = { parent: this };
        const worker = args.kind === "worker";
        const labels = { "app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "platform", ...(worker ? WORKER_LABEL : {}) };
        // Not in the selectors (immutable on a Deployment): only on the objects and the pods.
        // A worker serves no API: the Node.js API conventions (graceful shutdown behind the load balancer, the API's settings) are not its.
        const declared = worker ? labels : { ...labels, ...PLATFORM_SERVICE_LABEL };
        const metadata = (suffix = "") => ({ name: `${name}${suffix}`, namespace: args.namespace, labels: declared });
        const replicas = args.replicas ?? SERVICE_DEFAULTS.replicas;
        const pod = restrictedPod({ labels });

        const account = new k8s.core.v1.ServiceAccount(
            `${name}-account`,
            {
                metadata: metadata(),
                automountServiceAccountToken: false,
            },
            parent,
        );
        const configMap = new k8s.core.v1.ConfigMap(
            `${name}-env`,
            {
                metadata: metadata("-env"),
                data: { ...args.env, PORT: String(args.port), NODE_ENV: "production" },
            },
            parent,
        );
        const secret = new k8s.core.v1.Secret(
            `${name}-secrets`,
            {
                metadata: metadata("-secrets"),
                type: "Opaque",
                stringData: Object.fromEntries(Object.entries(args.secretEnv ?? {}).map(([key, value]) => [key, pulumi.secret(value)])),
            },
            parent,
        );

        const probe = (initialDelaySeconds: number) => ({
            ...probeHandler(args),
            initialDelaySeconds,
            periodSeconds: 10,
            timeoutSeconds: 3,
            failureThreshold: 3,
        });
        const deployment = new k8s.apps.v1.Deployment(
            `${name}-deployment`,
            {
                metadata: metadata(),
                spec: {
                    replicas,
                    revisionHistoryLimit: 10,
                    selector: { matchLabels: labels },
                    // A new pod must be ready before an old one goes: no loss of capacity during a rollout.
                    strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
                    template: {
                        metadata: { labels: declared },
                        spec: {
                            serviceAccountName: account.metadata.name,
                            automountServiceAccountToken: false,
                            securityContext: pod.podSecurityContext,
                            terminationGracePeriodSeconds: 30,
                            topologySpreadConstraints: [
                                {
                                    maxSkew: 1,
                                    topologyKey: "topology.kubernetes.io/zone",
                                    whenUnsatisfiable: "ScheduleAnyway",
                                    labelSelector: { matchLabels: labels },
                                },
                            ],
                            containers: [
                                {
                                    name,
                                    image: args.image,
                                    ports: worker && args.probe && "exec" in args.probe ? [] : [{ name: PORT_NAME, containerPort: args.port, protocol: "TCP" }],
                                    envFrom: [{ configMapRef: { name: configMap.metadata.name } }],
                                    // Each secret by name: the Deployment shows which secrets the service gets (known even in a
                                    // preview, where the Secret's values are not), and a missing key stops the pod instead of going unnoticed.
                                    env: Object.keys(args.secretEnv ?? {}).map((key) => ({
                                        name: key,
                                        valueFrom: { secretKeyRef: { name: secret.metadata.name, key } },
                                    })),
                                    resources: {
                                        requests: { cpu: args.cpu ?? SERVICE_DEFAULTS.cpu, memory: args.memory ?? SERVICE_DEFAULTS.memory },
                                        limits: { cpu: "1", memory: args.memory ?? SERVICE_DEFAULTS.memory },
                                    },
                                    securityContext: pod.containerSecurityContext,
                                    readinessProbe: probe(5),
                                    livenessProbe: probe(20),
                                    // Let the load balancer stop sending before the process gets SIGTERM (a worker gets it at once, and finishes its job).
                                    lifecycle: worker ? undefined : { preStop: { sleep: { seconds: 5 } } },
                                    volumeMounts: pod.volumeMounts,
                                },
                            ],
                            volumes: pod.volumes,
                        },
                    },
                },
            },
            { parent: this, dependsOn: args.rolloutAfter },
        );

        const service = worker
            ? undefined
            : new k8s.core.v1.Service(
                  `${name}-service`,
                  {
                      metadata: metadata(),
                      spec: { type: "ClusterIP", selector: labels, ports: [{ name: PORT_NAME, port: args.port, targetPort: PORT_NAME, protocol: "TCP" }] },
                  },
                  parent,
              );

        const scaleTargetRef = { apiVersion: "apps/v1", kind: "Deployment", name: deployment.metadata.name };
        if (worker && args.queueScaler) {
            this.scaleOnQueue(name, args.queueScaler, metadata, scaleTargetRef, replicas, args.maxReplicas ?? SERVICE_DEFAULTS.maxReplicas);
        } else {
            // A worker's load is CPU: memory follows its batch size, not its queue.
            const memory = { type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } };
            new k8s.autoscaling.v2.HorizontalPodAutoscaler(
                `${name}-hpa`,
                {
                    metadata: metadata(),
                    spec: {
                        scaleTargetRef,
                        minReplicas: replicas,
                        maxReplicas: args.maxReplicas ?? SERVICE_DEFAULTS.maxReplicas,
                        metrics: [
                            { type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } },
                            ...(worker ? [] : [memory]),
                        ],
                    },
                },
                parent,
            );
        }
        new k8s.policy.v1.PodDisruptionBudget(
            `${name}-pdb`,
            {
                metadata: metadata(),
                spec: { maxUnavailable: 1, selector: { matchLabels: labels } },
            },
            parent,
        );

        this.createNetworkPolicies(name, args, labels, metadata);

        if (args.targetGroupArn && service) {
            new k8s.apiextensions.CustomResource(
                `${name}-target-group-binding`,
                {
                    apiVersion: "elbv2.k8s.aws/v1beta1",
                    kind: "TargetGroupBinding",
                    metadata: metadata(),
                    spec: {
                        serviceRef: { name: service.metadata.name, port: args.port },
                        targetGroupARN: args.targetGroupArn,
                        targetType: "ip",
                    },
                },
                parent,
            );
        }

        this.deploymentName = name;
        this.serviceName = service ? name : undefined;
        this.labels = declared;
        this.registerOutputs({ deploymentName: this.deploymentName, serviceName: this.serviceName });
    }

    /**
     * KEDA scales the worker between its replicas and its maximum on the length of its Redis list (KEDA makes the HPA);
     * it authenticates with the cache's token from a Secret only it reads, over TLS.
     */
    private scaleOnQueue(
        name: string,
        queue: QueueScaler,
        metadata: (suffix?: string) => k8s.types.input.meta.v1.ObjectMeta,
        scaleTargetRef: Record<string, pulumi.Input<string>>,
        minReplicas: number,
        maxReplicas: number,
    ) {
        const parent = { parent: this };
        const secret = new k8s.core.v1.Secret(
            `${name}-keda-redis`,
            {
                metadata: metadata("-keda-redis"),
                type: "Opaque",
                stringData: { password: pulumi.secret(queue.authToken) },
            },
            parent,
        );
        const auth = new k8s.apiextensions.CustomResource(
            `${name}-keda-redis`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "TriggerAuthentication",
                metadata: metadata("-keda-redis"),
                spec: { secretTargetRef: [{ parameter: "password", name: secret.metadata.name, key: "password" }] },
            },
            parent,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-scaler`,
            {
                apiVersion: "keda.sh/v1alpha1",
                kind: "ScaledObject",
                metadata: metadata(),
                spec: {
                    scaleTargetRef: { name: scaleTargetRef.name },
                    minReplicaCount: minReplicas,
                    maxReplicaCount: maxReplicas,
                    triggers: [
                        {
                            type: "redis",
                            metadata: { address: queue.address, listName: queue.listName, listLength: String(queue.listLength), enableTLS: "true" },
                            authenticationRef: { name: auth.metadata.name },
                        },
                    ],
                },
            },
            parent,
        );
    }

    private createNetworkPolicies(
        name: string,
        args: ServiceArgs,
        labels: Record<string, string>,
        metadata: (suffix?: string) => { name: string; namespace: string; labels: Record<string, string> },
    ) {
        const parent = { parent: this };
        const podSelector = { matchLabels: labels };
        if (args.loadBalancerCidrs && args.kind !== "worker") {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-allow-load-balancer`,
                {
                    metadata: metadata("-allow-load-balancer"),
                    spec: {
                        podSelector,
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: pulumi.output(args.loadBalancerCidrs).apply((cidrs) => cidrs.map((cidr) => ({ ipBlock: { cidr } }))),
                                ports: [{ protocol: "TCP", port: args.port }],
                            },
                        ],
                    },
                },
                parent,
            );
        }
        if (args.prometheusNamespace && args.kind !== "worker") {
            new k8s.networking.v1.NetworkPolicy(
                `${name}-allow-prometheus`,
                {
                    metadata: metadata("-allow-prometheus"),
                    spec: {
                        podSelector,
                        policyTypes: ["Ingress"],
                        ingress: [
                            {
                                from: [
                                    {
                                        namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.prometheusNamespace } },
                                        podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } },
                                    },
                                ],
                                ports: [{ protocol: "TCP", port: args.port }],
                            },
                        ],
                    },
                },
                parent,
            );
        }
        new k8s.networking.v1.NetworkPolicy(
            `${name}-allow-egress`,
            {
                metadata: metadata("-allow-egress"),
                spec: {
                    podSelector,
                    policyTypes: ["Egress"],
                    egress: [
                        DNS_EGRESS,
                        { to: [{ ipBlock: { cidr: args.vpcCidr } }], ports: DATA_PORTS.map((port) => ({ protocol: "TCP", port })) },
                        { to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] },
                        ...(args.tracingCollector
                            ? [
                                  {
                                      to: [
                                          {
                                              namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": args.tracingCollector.namespace } },
                                              podSelector: { matchLabels: args.tracingCollector.podLabels },
                                          },
                                      ],
                                      ports: args.tracingCollector.ports.map((port) => ({ protocol: "TCP", port })),
                                  },
                              ]
                            : []),
                    ],
                },
            },
            parent,
        );
    }
}
