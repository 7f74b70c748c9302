import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_EGRESS, TracingCollector } from "./service";
import { HELM_RELEASE_DEFAULTS } from "./helm";

/** Tracing's defaults (the stack file's `observability.tracing` section). */
export const TRACING_DEFAULTS = {
    /** A `tracing` section turns it on; `enabled: false` keeps the section while switching it off. */
    enabled: true,
    /** Its own namespace, denying by default what the tracing path does not need. */
    namespace: "tracing",
    /** Exact, reviewed chart versions: an upgrade is a change someone reads. */
    collectorChartVersion: "0.108.0",
    tempoChartVersion: "1.10.3",
    /** Two weeks of traces: enough to follow up a slow request reported days later. */
    retentionDays: 14,
    /** Room for two weeks of sampled traces. */
    storageGi: 50,
    /** Two collectors: a restart or a lost node does not drop the services' spans. */
    collectorReplicas: 2,
} as const satisfies Partial<TracingArgs> & { enabled: boolean };

/** The stack file's `observability.tracing` section, plus what the platform wires in. Defaults: TRACING_DEFAULTS. */
export interface TracingArgs {
    /** The namespace the collector and Tempo run in (created here, Pod Security restricted). */
    namespace: string;
    /** The namespace of the services that send traces: only its pods reach the collector. */
    serviceNamespace: string;
    /** The namespace of Grafana, which queries Tempo. */
    grafanaNamespace: string;
    /** Exact chart versions. */
    collectorChartVersion?: string;
    tempoChartVersion?: string;
    /** Days Tempo keeps traces. */
    retentionDays?: number;
    /** Size of Tempo's volume, GiB. */
    storageGi?: number;
    /** The encrypted StorageClass the volume comes from (ClusterMonitoring's). */
    storageClassName: pulumi.Input<string>;
    collectorReplicas?: number;
}

const COLLECTOR_RELEASE = "opentelemetry-collector";
const TEMPO_RELEASE = "tempo";
const OTLP_GRPC = 4317;
const OTLP_HTTP = 4318;
const TEMPO_QUERY_PORT = 3100;
/** The labels the charts give their pods (`<chart>.selectorLabels`). */
const COLLECTOR_POD = { "app.kubernetes.io/name": COLLECTOR_RELEASE, "app.kubernetes.io/instance": COLLECTOR_RELEASE };
const TEMPO_POD = { "app.kubernetes.io/name": TEMPO_RELEASE, "app.kubernetes.io/instance": TEMPO_RELEASE };

/** Where a tracing namespace's collector and Tempo answer: known before they exist, so services and Grafana can be set up first. */
export function tracingAddresses(namespace: string) {
    const host = (release: string) => `${release}.${namespace}.svc.cluster.local`;
    return {
        /** What a service sets as OTEL_EXPORTER_OTLP_ENDPOINT (OTLP over HTTP). */
        otlpEndpoint: `http://${host(COLLECTOR_RELEASE)}:${OTLP_HTTP}`,
        /** Where the collector exports to. */
        tempoOtlp: `${host(TEMPO_RELEASE)}:${OTLP_GRPC}`,
        /** Where Grafana queries traces. */
        queryUrl: `http://${host(TEMPO_RELEASE)}:${TEMPO_QUERY_PORT}`,
        queryPort: TEMPO_QUERY_PORT,
        /** The collector's pods, for the services' egress. */
        collector: { namespace, podLabels: COLLECTOR_POD, ports: [OTLP_GRPC, OTLP_HTTP] } as TracingCollector,
    };
}

/**
 * Distributed tracing: an OpenTelemetry Collector (its Helm chart, deployment mode) receives OTLP from
 * the services and exports to Tempo (single binary, Helm chart), which keeps the traces on an encrypted
 * volume for the retention period; Grafana queries Tempo. The namespace denies everything but that path.
 */
export class Tracing extends pulumi.ComponentResource {
    public readonly namespace: string;
    public readonly otlpEndpoint: string;

    constructor(name: string, args: TracingArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Tracing", name, {}, opts);
        const parent = { parent: this };
        const namespace = args.namespace;
        const addresses = tracingAddresses(namespace);
        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            },
            parent,
        );
        const fences = this.fence(name, args, ns);
        const inNamespace = { parent: this, dependsOn: [ns, ...fences] };

        const tempo = new k8s.helm.v3.Release(
            `${name}-tempo`,
            {
                name: TEMPO_RELEASE,
                chart: "tempo",
                version: args.tempoChartVersion ?? TRACING_DEFAULTS.tempoChartVersion,
                repositoryOpts: { repo: "https://grafana.github.io/helm-charts" },
                namespace,
                ...HELM_RELEASE_DEFAULTS,
                timeout: 600,
                values: {
                    tempo: {
                        retention: `${(args.retentionDays ?? TRACING_DEFAULTS.retentionDays) * 24}h`,
                        receivers: { otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC}` } } } },
                        securityContext: restrictedContainer,
                    },
                    securityContext: { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } },
                    persistence: {
                        enabled: true,
                        size: `${args.storageGi ?? TRACING_DEFAULTS.storageGi}Gi`,
                        storageClassName: args.storageClassName,
                        accessModes: ["ReadWriteOnce"],
                    },
                },
            },
            inNamespace,
        );

        new k8s.helm.v3.Release(
            `${name}-collector`,
            {
                name: COLLECTOR_RELEASE,
                chart: "opentelemetry-collector",
                version: args.collectorChartVersion ?? TRACING_DEFAULTS.collectorChartVersion,
                repositoryOpts: { repo: "https://open-telemetry.github.io/opentelemetry-helm-charts" },
                namespace,
                ...HELM_RELEASE_DEFAULTS,
                timeout: 600,
                values: {
                    mode: "deployment",
                    image: { repository: "otel/opentelemetry-collector-k8s" },
                    replicaCount: args.collectorReplicas ?? TRACING_DEFAULTS.collectorReplicas,
                    securityContext: restrictedContainer,
                    podSecurityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: "RuntimeDefault" } },
                    // Only the OTLP receivers: the chart's Jaeger and Zipkin receivers would be ports nobody uses.
                    ports: {
                        "jaeger-compact": { enabled: false },
                        "jaeger-thrift": { enabled: false },
                        "jaeger-grpc": { enabled: false },
                        zipkin: { enabled: false },
                    },
                    config: {
                        receivers: {
                            otlp: { protocols: { grpc: { endpoint: `0.0.0.0:${OTLP_GRPC}` }, http: { endpoint: `0.0.0.0:${OTLP_HTTP}` } } },
                            jaeger: null,
                            zipkin: null,
                            prometheus: null,
                        },
                        processors: { batch: {}, memory_limiter: { check_interval: "1s", limit_percentage: 80, spike_limit_percentage: 25 } },
                        exporters: { "otlp/tempo": { endpoint: addresses.tempoOtlp, tls: { insecure: true } } },
                        service: {
                            pipelines: {
                                traces: { receivers: ["otlp"], processors: ["memory_limiter", "batch"], exporters: ["otlp/tempo"] },
                                metrics: null,
                                logs: null,
                            },
                        },
                    },
                },
            },
            { ...inNamespace, dependsOn: [ns, ...fences, tempo] },
        );

        this.namespace = namespace;
        this.otlpEndpoint = addresses.otlpEndpoint;
        this.registerOutputs({ namespace: this.namespace, otlpEndpoint: this.otlpEndpoint });
    }

    /**
     * Deny all, then: DNS for every pod; the services' pods to the collector's OTLP ports (nothing else of
     * theirs gets in); the collector to Tempo; Grafana to Tempo's query port.
     */
    private fence(name: string, args: TracingArgs, ns: k8s.core.v1.Namespace): pulumi.Resource[] {
        const policy = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) =>
            new k8s.networking.v1.NetworkPolicy(
                `${name}-${suffix}`,
                { metadata: { name: suffix, namespace: args.namespace }, spec },
                { parent: this, dependsOn: [ns] },
            );
        const namespaced = (namespace: string) => ({ matchLabels: { "kubernetes.io/metadata.name": namespace } });
        const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));
        return [
            policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
            policy("allow-dns", { podSelector: {}, policyTypes: ["Egress"], egress: [DNS_EGRESS] }),
            policy("services-to-collector", {
                podSelector: { matchLabels: COLLECTOR_POD },
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [
                            { namespaceSelector: namespaced(args.serviceNamespace), podSelector: { matchLabels: { "app.kubernetes.io/part-of": "platform" } } },
                        ],
                        ports: tcp(OTLP_GRPC, OTLP_HTTP),
                    },
                ],
            }),
            policy("collector-to-tempo", {
                podSelector: { matchLabels: COLLECTOR_POD },
                policyTypes: ["Egress"],
                egress: [{ to: [{ podSelector: { matchLabels: TEMPO_POD } }], ports: tcp(OTLP_GRPC) }],
            }),
            policy("tempo-from-collector-and-grafana", {
                podSelector: { matchLabels: TEMPO_POD },
                policyTypes: ["Ingress"],
                ingress: [
                    { from: [{ podSelector: { matchLabels: COLLECTOR_POD } }], ports: tcp(OTLP_GRPC) },
                    {
                        from: [{ namespaceSelector: namespaced(args.grafanaNamespace), podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } } }],
                        ports: tcp(TEMPO_QUERY_PORT),
                    },
                ],
            }),
        ];
    }
}

const restrictedContainer = {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ["ALL"] },
};
