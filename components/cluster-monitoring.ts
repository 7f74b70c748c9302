import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_EGRESS } from "./service";
import { Tags, tagsNamed } from "./tags";
import { HELM_RELEASE_DEFAULTS } from "./helm";
import { AlarmThresholds, MONITORING_DEFAULTS } from "./monitoring";

/** A service Prometheus scrapes: its name and the labels of its Kubernetes Service. */
export interface ScrapedService {
    name: string;
    labels: Record<string, string>;
    /** Name of the Service port that serves /metrics. */
    port: string;
}

/** Prometheus and Alertmanager, as the stack file's `observability.prometheus`. */
export interface PrometheusSettings {
    /** Exact kube-prometheus-stack chart version. */
    chartVersion?: string;
    /** Days Prometheus keeps samples. */
    retentionDays?: number;
    /** Size of each Prometheus volume, GiB. */
    storageGi?: number;
    /** Prometheus (and Alertmanager) replicas. */
    replicas?: number;
}

/** The cluster monitoring's defaults (the stack file's `observability` section). */
export const CLUSTER_MONITORING_DEFAULTS = {
    /** Prometheus, Alertmanager and Grafana in a namespace of their own, apart from the services'. */
    namespace: "monitoring",
    /** The only namespace that admits privileged pods, so nothing else lands there. */
    agentsNamespace: "monitoring-agents",
    prometheus: {
        /** An exact, reviewed chart version: an upgrade is a change someone reads. */
        chartVersion: "82.6.0",
        /** Two weeks of samples: enough to compare this week with last; long-term trends live in CloudWatch. */
        retentionDays: 15,
        /** Room for two weeks of a few hundred pods' series. */
        storageGi: 50,
        /** One replica; production raises it for an Alertmanager that survives a node. */
        replicas: 1,
    },
    /** Dashboards and users only. */
    grafanaStorageGi: 10,
    /** An exact, reviewed chart version. */
    fluentBitChartVersion: "0.56.0",
} as const satisfies Partial<ClusterMonitoringArgs>;

export interface ClusterMonitoringArgs {
    /** The namespace Prometheus, Alertmanager and Grafana run in (created here, Pod Security baseline). */
    namespace: string;
    /** The namespace of the node-level agents, node-exporter and Fluent Bit (created here): the only privileged one. */
    agentsNamespace: string;
    /** The VPC's range: the nodes (kubelet, node-exporter on the host network) and the cluster's API endpoints are there. */
    vpcCidr: pulumi.Input<string>;
    /** The namespace of the services it watches. */
    serviceNamespace: string;
    services: ScrapedService[];
    /** The Grafana admin password (a secret); it reaches Grafana through a Kubernetes Secret, never Helm values. */
    grafanaAdminPassword: pulumi.Input<string>;
    /** Prometheus (and Alertmanager), as the stack file's `observability.prometheus`. */
    prometheus?: PrometheusSettings;
    /** Size of Grafana's volume, GiB. */
    grafanaStorageGi?: number;
    /** The StorageClass created for those volumes: gp3 on the EBS CSI driver, always encrypted. */
    storage?: VolumeStorage;
    /** Exact fluent-bit chart version. */
    fluentBitChartVersion?: string;
    /** The CloudWatch log group Fluent Bit ships the services' container logs to, and its ARN. */
    logGroupName: pulumi.Input<string>;
    logGroupArn: pulumi.Input<string>;
    /** Alertmanager publishes to this SNS topic, encrypted with this key. */
    alertTopicArn: pulumi.Input<string>;
    alertTopicKmsKeyArn: pulumi.Input<string>;
    /** The AWS region of the log group and the topic. */
    region: string;
    /** The EKS cluster: Fluent Bit and Alertmanager get their AWS permissions through Pod Identity on it. Absent: the nodes' role must grant them. */
    clusterName?: pulumi.Input<string>;
    /** Where the runbook is: each alert's `runbook_url` annotation is `<runbookBaseUrl>#<alert name in kebab case>`. Absent: none. */
    runbookBaseUrl?: string;
    /** SLO thresholds of the alerts (the stack file's `alerts.thresholds`); those of the services' errors, latency, CPU and memory apply. */
    thresholds?: AlarmThresholds;
    /** The tracing backend Grafana queries: its namespace and query URL. Absent: no tracing. */
    tracing?: { namespace: string; queryUrl: string; queryPort: number };
    tags?: Tags;
}

export interface VolumeStorage {
    /** The class's name (StorageClasses are cluster-wide). Default `<namespace>-encrypted-gp3`. */
    className?: string;
    /**
     * The KMS key the volumes are encrypted with. Default: the account's aws/ebs key. The EBS CSI driver's
     * IAM role (outside this program) must be allowed to use any other key, or no volume is provisioned.
     */
    kmsKeyArn?: pulumi.Input<string>;
    /** What becomes of a volume when its claim is deleted. Default "Retain": the metrics history outlives an uninstall. */
    reclaimPolicy?: "Retain" | "Delete";
}

const PROMETHEUS_RELEASE = "kube-prometheus-stack";
const FLUENT_BIT_RELEASE = "fluent-bit";
/** The label the stack's Prometheus selects rules and ServiceMonitors by (the chart labels its own the same way). */
const PROMETHEUS_SELECTOR = { release: PROMETHEUS_RELEASE };
/** The label Grafana's dashboard sidecar loads ConfigMaps by. */
const DASHBOARD_LABEL = { grafana_dashboard: "1" };
const ALERTMANAGER_ACCOUNT = "alertmanager";
const FLUENT_BIT_ACCOUNT = "fluent-bit";
const GRAFANA_ADMIN_SECRET = "grafana-admin";
const GRAFANA_PORT = 3000;
const NODE_EXPORTER_PORT = 9100;
const KUBELET_PORT = 10250;
const FLUENT_BIT_METRICS_PORT = 2020;
/** The port the operator's admission webhook (rule validation) listens on. */
const OPERATOR_WEBHOOK_PORT = 10250;
/** Where pods reach the cluster's API: its endpoints are in the VPC (EKS private endpoint access). */
const API_PORTS = [443, 6443];

/** Pod Security Admission labels: the level enforced, and the stricter one warned and audited against. */
function podSecurity(enforce: string, report: string): Record<string, string> {
    return {
        "pod-security.kubernetes.io/enforce": enforce,
        "pod-security.kubernetes.io/warn": report,
        "pod-security.kubernetes.io/audit": report,
    };
}

function namespaceNamed(name: string) {
    return { matchLabels: { "kubernetes.io/metadata.name": name } };
}

type PolicyFactory = (suffix: string, spec: k8s.types.input.networking.v1.NetworkPolicySpec) => k8s.networking.v1.NetworkPolicy;

/** NetworkPolicies in `namespace`, named `<suffix>`, created after the namespace. */
function networkPolicyIn(parent: pulumi.Resource, name: string, namespace: string, ns: k8s.core.v1.Namespace): PolicyFactory {
    return (suffix, spec) =>
        new k8s.networking.v1.NetworkPolicy(
            `${name}-${suffix}`,
            {
                metadata: { name: suffix, namespace },
                spec,
            },
            { parent, dependsOn: [ns] },
        );
}

/** What every namespace of the stack starts from: deny all, then DNS and the cluster's API for every pod. */
function defaultFence(policy: PolicyFactory, vpcCidr: pulumi.Input<string>): k8s.networking.v1.NetworkPolicy[] {
    return [
        policy("default-deny", { podSelector: {}, policyTypes: ["Ingress", "Egress"] }),
        policy("allow-dns-and-api", {
            podSelector: {},
            policyTypes: ["Egress"],
            egress: [DNS_EGRESS, { to: [{ ipBlock: { cidr: vpcCidr } }], ports: API_PORTS.map((port) => ({ protocol: "TCP", port })) }],
        }),
    ];
}

/**
 * The services' request rate, 5xx percentage and p95 latency, grouped `by` the given labels, from
 * what each service must export: a request counter with the status code and a request duration
 * histogram in seconds (prom-client's and most HTTP middlewares' names).
 */
function serviceQueries(namespace: string, by: string) {
    const ns = `namespace="${namespace}"`;
    const requestRate = (selector: string) => `sum by (${by}) (rate(http_requests_total{${selector}}[5m]))`;
    return {
        requestRate: requestRate(ns),
        errorPercent: `100 * ${requestRate(`${ns}, code=~"5.."`)} / ${requestRate(ns)}`,
        latencyP95: `histogram_quantile(0.95, sum by (${by}, le) (rate(http_request_duration_seconds_bucket{${ns}}[5m])))`,
    };
}

/**
 * Monitoring inside the cluster: kube-prometheus-stack (Prometheus with retention and persistent
 * volumes, Alertmanager publishing to the alert topic, Grafana with its admin password from a
 * Secret), their volumes on an encrypted gp3 StorageClass made for them, a ServiceMonitor per
 * service, the services' SLO alerts as a PrometheusRule, a Grafana dashboard as a labelled
 * ConfigMap, and Fluent Bit shipping the services' container logs to CloudWatch Logs.
 */
export class ClusterMonitoring extends pulumi.ComponentResource {
    public readonly namespace: string;
    /** Names of the alerts the PrometheusRule defines. */
    public readonly alertNames: string[];
    /** The encrypted gp3 StorageClass the component's volumes come from; other stateful parts use it too. */
    public readonly storageClassName: pulumi.Output<string>;

    constructor(name: string, args: ClusterMonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:ClusterMonitoring", name, {}, opts);
        const parent = { parent: this };
        const namespace = args.namespace;
        const replicas = args.prometheus?.replicas ?? CLUSTER_MONITORING_DEFAULTS.prometheus.replicas;

        // Prometheus, Alertmanager and Grafana need nothing of the host: baseline enforced, restricted reported.
        // Only node-exporter (host network and PIDs) and Fluent Bit (host log files) run privileged, in a namespace of their own.
        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: { name: namespace, labels: podSecurity("baseline", "restricted") },
            },
            parent,
        );
        const agentsNs = new k8s.core.v1.Namespace(
            `${name}-agents-namespace`,
            {
                metadata: { name: args.agentsNamespace, labels: podSecurity("privileged", "baseline") },
            },
            parent,
        );
        const fences = [...this.fenceMonitoring(name, args, ns), ...this.fenceAgents(name, args, agentsNs)];
        const inNamespace = { parent: this, dependsOn: [ns, ...fences] };
        const metadata = (resourceName: string, labels: Record<string, string> = {}) => ({ name: resourceName, namespace, labels });

        const grafanaAdmin = new k8s.core.v1.Secret(
            `${name}-grafana-admin`,
            {
                metadata: metadata(GRAFANA_ADMIN_SECRET),
                type: "Opaque",
                stringData: { "admin-user": "admin", "admin-password": pulumi.secret(args.grafanaAdminPassword) },
            },
            inNamespace,
        );

        const alertmanagerRole = this.podIdentity(`${name}-alertmanager`, args, namespace, ALERTMANAGER_ACCOUNT, [
            { Effect: "Allow", Action: "sns:Publish", Resource: args.alertTopicArn },
            { Effect: "Allow", Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: args.alertTopicKmsKeyArn },
        ]);
        const storageClass = this.encryptedStorageClass(`${name}-encrypted-gp3`, namespace, args.storage);
        const prometheus = new k8s.helm.v3.Release(
            `${name}-prometheus`,
            {
                name: PROMETHEUS_RELEASE,
                chart: "kube-prometheus-stack",
                version: args.prometheus?.chartVersion ?? CLUSTER_MONITORING_DEFAULTS.prometheus.chartVersion,
                repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
                namespace,
                ...HELM_RELEASE_DEFAULTS,
                timeout: 900,
                values: prometheusValues(args, replicas, storageClass.metadata.name),
            },
            { ...inNamespace, dependsOn: [ns, ...fences, grafanaAdmin, ...alertmanagerRole] },
        );
        const afterPrometheus = { parent: this, dependsOn: [prometheus] };

        for (const service of args.services) {
            new k8s.apiextensions.CustomResource(
                `${name}-${service.name}-monitor`,
                {
                    apiVersion: "monitoring.coreos.com/v1",
                    kind: "ServiceMonitor",
                    metadata: metadata(service.name, PROMETHEUS_SELECTOR),
                    spec: {
                        namespaceSelector: { matchNames: [args.serviceNamespace] },
                        selector: { matchLabels: service.labels },
                        endpoints: [{ port: service.port, path: "/metrics", interval: "30s", scrapeTimeout: "10s" }],
                    },
                },
                afterPrometheus,
            );
        }

        const groups = sloRuleGroups(args);
        this.alertNames = groups.flatMap((group) => group.rules.map((rule) => rule.alert));
        new k8s.apiextensions.CustomResource(
            `${name}-slo-rules`,
            {
                apiVersion: "monitoring.coreos.com/v1",
                kind: "PrometheusRule",
                metadata: metadata("service-slos", PROMETHEUS_SELECTOR),
                spec: { groups },
            },
            afterPrometheus,
        );

        new k8s.core.v1.ConfigMap(
            `${name}-dashboard`,
            {
                metadata: metadata("platform-services-dashboard", DASHBOARD_LABEL),
                data: { "platform-services.json": JSON.stringify(servicesDashboard(args.serviceNamespace)) },
            },
            afterPrometheus,
        );

        const fluentBitRole = this.podIdentity(`${name}-fluent-bit`, args, args.agentsNamespace, FLUENT_BIT_ACCOUNT, [
            {
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                Resource: [args.logGroupArn, pulumi.interpolate`${args.logGroupArn}:*`],
            },
        ]);
        new k8s.helm.v3.Release(
            `${name}-fluent-bit`,
            {
                name: FLUENT_BIT_RELEASE,
                chart: "fluent-bit",
                version: args.fluentBitChartVersion ?? CLUSTER_MONITORING_DEFAULTS.fluentBitChartVersion,
                repositoryOpts: { repo: "https://fluent.github.io/helm-charts" },
                namespace: args.agentsNamespace,
                ...HELM_RELEASE_DEFAULTS,
                timeout: 600,
                values: fluentBitValues(args),
            },
            { parent: this, dependsOn: [agentsNs, ...fences, ...fluentBitRole] },
        );

        this.namespace = namespace;
        this.storageClassName = storageClass.metadata.name;
        this.registerOutputs({ namespace: this.namespace, alertNames: this.alertNames, storageClassName: this.storageClassName });
    }

    /**
     * The class every volume of the component comes from: gp3 EBS volumes the CSI driver creates encrypted,
     * in the zone of the pod that first mounts them, and that can grow in place.
     */
    private encryptedStorageClass(name: string, namespace: string, storage: VolumeStorage = {}): k8s.storage.v1.StorageClass {
        return new k8s.storage.v1.StorageClass(
            name,
            {
                metadata: { name: storage.className ?? `${namespace}-encrypted-gp3` },
                provisioner: "ebs.csi.aws.com",
                parameters: {
                    type: "gp3",
                    encrypted: "true",
                    "csi.storage.k8s.io/fstype": "ext4",
                    ...(storage.kmsKeyArn === undefined ? {} : { kmsKeyId: storage.kmsKeyArn }),
                },
                reclaimPolicy: storage.reclaimPolicy ?? "Retain",
                volumeBindingMode: "WaitForFirstConsumer",
                allowVolumeExpansion: true,
            },
            { parent: this },
        );
    }

    /**
     * The monitoring namespace's NetworkPolicies: nothing in or out but what the stack needs. Its pods talk
     * to each other (Grafana to Prometheus, Prometheus to Alertmanager), to DNS and the cluster's API;
     * Prometheus scrapes the services, the agents and the nodes; Alertmanager publishes to SNS over HTTPS;
     * Grafana is reachable from inside the cluster; the API server calls the operator's admission webhook.
     */
    private fenceMonitoring(name: string, args: ClusterMonitoringArgs, ns: k8s.core.v1.Namespace): pulumi.Resource[] {
        const policy = networkPolicyIn(this, name, args.namespace, ns);
        const prometheus = { matchLabels: { "app.kubernetes.io/name": "prometheus" } };
        return [
            ...defaultFence(policy, args.vpcCidr),
            policy("within-namespace", {
                podSelector: {},
                policyTypes: ["Ingress", "Egress"],
                ingress: [{ from: [{ podSelector: {} }] }],
                egress: [{ to: [{ podSelector: {} }] }],
            }),
            policy("prometheus-scrapes", {
                podSelector: prometheus,
                policyTypes: ["Egress"],
                egress: [
                    { to: [{ namespaceSelector: namespaceNamed(args.serviceNamespace) }, { namespaceSelector: namespaceNamed(args.agentsNamespace) }] },
                    // kubelet/cAdvisor and node-exporter listen on the nodes' own addresses.
                    { to: [{ ipBlock: { cidr: args.vpcCidr } }], ports: [NODE_EXPORTER_PORT, KUBELET_PORT].map((port) => ({ protocol: "TCP", port })) },
                ],
            }),
            policy("alertmanager-to-sns", {
                podSelector: { matchLabels: { "app.kubernetes.io/name": "alertmanager" } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
            }),
            policy("grafana-from-cluster", {
                podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ namespaceSelector: {} }], ports: [{ protocol: "TCP", port: GRAFANA_PORT }] }],
            }),
            ...(args.tracing
                ? [
                      policy("grafana-to-traces", {
                          podSelector: { matchLabels: { "app.kubernetes.io/name": "grafana" } },
                          policyTypes: ["Egress"],
                          egress: [
                              {
                                  to: [{ namespaceSelector: namespaceNamed(args.tracing.namespace) }],
                                  ports: [{ protocol: "TCP", port: args.tracing.queryPort }],
                              },
                          ],
                      }),
                  ]
                : []),
            policy("operator-webhook", {
                podSelector: { matchLabels: { app: `${PROMETHEUS_RELEASE}-operator` } },
                policyTypes: ["Ingress"],
                ingress: [{ from: [{ ipBlock: { cidr: args.vpcCidr } }], ports: [{ protocol: "TCP", port: OPERATOR_WEBHOOK_PORT }] }],
            }),
        ];
    }

    /** The agents' namespace: Fluent Bit ships to CloudWatch Logs over HTTPS; Prometheus scrapes the agents. */
    private fenceAgents(name: string, args: ClusterMonitoringArgs, ns: k8s.core.v1.Namespace): pulumi.Resource[] {
        const policy = networkPolicyIn(this, `${name}-agents`, args.agentsNamespace, ns);
        return [
            ...defaultFence(policy, args.vpcCidr),
            policy("fluent-bit-to-cloudwatch", {
                podSelector: { matchLabels: { "app.kubernetes.io/name": FLUENT_BIT_RELEASE } },
                policyTypes: ["Egress"],
                egress: [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }],
            }),
            policy("from-prometheus", {
                podSelector: {},
                policyTypes: ["Ingress"],
                ingress: [
                    {
                        from: [{ namespaceSelector: namespaceNamed(args.namespace), podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } } }],
                        ports: [NODE_EXPORTER_PORT, FLUENT_BIT_METRICS_PORT].map((port) => ({ protocol: "TCP", port })),
                    },
                ],
            }),
        ];
    }

    /**
     * An IAM role only the given service account of `namespace` assumes, through EKS Pod Identity, with
     * just the statements given. Without a cluster name there is nothing to associate it with.
     */
    private podIdentity(name: string, args: ClusterMonitoringArgs, namespace: string, serviceAccount: string, statements: object[]): pulumi.Resource[] {
        if (args.clusterName === undefined) {
            return [];
        }
        const parent = { parent: this };
        const role = new aws.iam.Role(
            name,
            {
                description: `${serviceAccount} in ${namespace}, through EKS Pod Identity`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [
                        {
                            Effect: "Allow",
                            Principal: { Service: "pods.eks.amazonaws.com" },
                            Action: ["sts:AssumeRole", "sts:TagSession"],
                        },
                    ],
                }),
                tags: tagsNamed(args.tags, name),
            },
            parent,
        );
        const policy = new aws.iam.RolePolicy(
            name,
            {
                role: role.name,
                policy: pulumi.jsonStringify({ Version: "2012-10-17", Statement: statements }),
            },
            parent,
        );
        const association = new aws.eks.PodIdentityAssociation(
            name,
            {
                clusterName: args.clusterName,
                namespace,
                serviceAccount,
                roleArn: role.arn,
                tags: tagsNamed(args.tags, name),
            },
            { parent: this, dependsOn: [policy] },
        );
        return [association];
    }
}

function prometheusValues(args: ClusterMonitoringArgs, replicas: number, storageClassName: pulumi.Input<string>) {
    const retentionDays = args.prometheus?.retentionDays ?? CLUSTER_MONITORING_DEFAULTS.prometheus.retentionDays;
    const storageGi = args.prometheus?.storageGi ?? CLUSTER_MONITORING_DEFAULTS.prometheus.storageGi;
    const volume = (gi: number) => ({
        volumeClaimTemplate: { spec: { storageClassName, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: `${gi}Gi` } } } },
    });
    return {
        prometheus: {
            prometheusSpec: {
                replicas,
                retention: `${retentionDays}d`,
                // Keep a margin on the volume: a full disk stops ingestion, an early compaction does not.
                retentionSize: `${Math.floor(storageGi * 0.9)}GB`,
                storageSpec: volume(storageGi),
                ruleSelector: { matchLabels: PROMETHEUS_SELECTOR },
                ruleNamespaceSelector: {},
                serviceMonitorSelector: { matchLabels: PROMETHEUS_SELECTOR },
                serviceMonitorNamespaceSelector: {},
            },
        },
        alertmanager: {
            serviceAccount: { create: true, name: ALERTMANAGER_ACCOUNT },
            alertmanagerSpec: { replicas, retention: "120h", storage: volume(10) },
            config: {
                route: {
                    receiver: "alert-topic",
                    group_by: ["alertname", "namespace", "service"],
                    group_wait: "30s",
                    group_interval: "5m",
                    repeat_interval: "4h",
                    // The chart's always-firing heartbeat proves the pipeline works; it is not news for people.
                    routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }],
                },
                receivers: [
                    { name: "null" },
                    {
                        name: "alert-topic",
                        sns_configs: [
                            {
                                topic_arn: args.alertTopicArn,
                                sigv4: { region: args.region },
                                send_resolved: true,
                                // SNS refuses subjects over 100 characters, which the default (all group labels) can pass.
                                subject: "[{{ .Status | toUpper }}] {{ .GroupLabels.alertname }}",
                            },
                        ],
                    },
                ],
            },
        },
        // node-exporter needs the host's network and PIDs: it runs in the agents' namespace, not beside Prometheus.
        "prometheus-node-exporter": { namespaceOverride: args.agentsNamespace },
        grafana: {
            admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
            persistence: { enabled: true, size: `${args.grafanaStorageGi ?? CLUSTER_MONITORING_DEFAULTS.grafanaStorageGi}Gi`, storageClassName },
            // A ReadWriteOnce volume cannot follow a rolling update to another node: replace the pod instead.
            deploymentStrategy: { type: "Recreate" },
            sidecar: { dashboards: { enabled: true, label: Object.keys(DASHBOARD_LABEL)[0], labelValue: Object.values(DASHBOARD_LABEL)[0] } },
            // Traces next to the metrics: Grafana's Tempo data source.
            additionalDataSources: args.tracing
                ? [{ name: "Tempo", type: "tempo", uid: "tempo", access: "proxy", url: args.tracing.queryUrl, editable: false }]
                : [],
        },
    };
}

function fluentBitValues(args: ClusterMonitoringArgs) {
    return {
        serviceAccount: { create: true, name: FLUENT_BIT_ACCOUNT },
        securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } },
        config: {
            inputs: [
                "[INPUT]",
                "    Name tail",
                `    Path /var/log/containers/*_${args.serviceNamespace}_*.log`,
                "    multiline.parser docker, cri",
                "    Tag kube.*",
                // Offsets on the host: after a restart it goes on where it stopped instead of skipping what was written meanwhile.
                "    DB /var/log/flb_kube.db",
                "    Mem_Buf_Limit 50MB",
                "    Skip_Long_Lines On",
                "",
            ].join("\n"),
            filters: ["[FILTER]", "    Name kubernetes", "    Match kube.*", "    Merge_Log On", "    Keep_Log Off", "    K8S-Logging.Exclude On", ""].join(
                "\n",
            ),
            // The group exists with its retention and key: Fluent Bit must not create one without them.
            outputs: pulumi.interpolate`[OUTPUT]
    Name cloudwatch_logs
    Match kube.*
    region ${args.region}
    log_group_name ${args.logGroupName}
    log_stream_prefix ${args.serviceNamespace}.
    auto_create_group Off
`,
        },
    };
}

interface AlertRule {
    alert: string;
    expr: string;
    for: string;
    labels: { severity: "critical" | "warning" };
    annotations: { summary: string; description: string; runbook_url?: string };
}

/** The services' SLO alerts; docs/runbook.md has the runbook line of each. */
function sloRuleGroups(args: Pick<ClusterMonitoringArgs, "serviceNamespace" | "thresholds" | "runbookBaseUrl">) {
    const ns = `namespace="${args.serviceNamespace}"`;
    const {
        errorRatePercent: errorRate,
        latencyP95Seconds: p95,
        cpuPercent: cpu,
        memoryPercent: memory,
    } = { ...MONITORING_DEFAULTS.thresholds, ...args.thresholds };
    const perService = serviceQueries(args.serviceNamespace, "namespace, service");
    const byContainer = "sum by (namespace, pod, container)";
    const rules: AlertRule[] = [
        {
            alert: "ServiceHighErrorRate",
            expr: `${perService.errorPercent} > ${errorRate}`,
            for: "5m",
            labels: { severity: "critical" },
            annotations: {
                summary: `{{ $labels.service }} answers more than ${errorRate} % of requests with 5xx`,
                description: "{{ $labels.service }}: {{ $value | humanize }} % of requests failed over 5 minutes.",
            },
        },
        {
            alert: "ServiceHighLatencyP95",
            expr: `${perService.latencyP95} > ${p95}`,
            for: "10m",
            labels: { severity: "critical" },
            annotations: {
                summary: `{{ $labels.service }} p95 latency above ${p95} s`,
                description: "{{ $labels.service }}: 95th percentile of request time is {{ $value | humanizeDuration }}.",
            },
        },
        {
            alert: "ServicePodRestarting",
            expr: `increase(kube_pod_container_status_restarts_total{${ns}}[15m]) > 2`,
            for: "0m",
            labels: { severity: "warning" },
            annotations: {
                summary: "{{ $labels.pod }} restarted more than twice in 15 minutes",
                description: "Container {{ $labels.container }} of {{ $labels.pod }} keeps restarting: crash, failed liveness probe or OOM kill.",
            },
        },
        {
            alert: "ServiceHpaAtMaxReplicas",
            expr: `kube_horizontalpodautoscaler_status_current_replicas{${ns}} >= kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: "{{ $labels.horizontalpodautoscaler }} has run at its maximum replicas for 15 minutes",
                description: "The service cannot scale further: raise maxReplicas or find what drives the load.",
            },
        },
        {
            alert: "ServiceCpuHigh",
            expr: `100 * ${byContainer} (rate(container_cpu_usage_seconds_total{${ns}, container!=""}[5m])) / ${byContainer} (kube_pod_container_resource_limits{${ns}, resource="cpu"}) > ${cpu}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: `{{ $labels.pod }} uses more than ${cpu} % of its CPU limit`,
                description: "{{ $labels.container }} of {{ $labels.pod }} runs at {{ $value | humanize }} % of its CPU limit.",
            },
        },
        {
            alert: "ServiceMemoryHigh",
            expr: `100 * ${byContainer} (container_memory_working_set_bytes{${ns}, container!=""}) / ${byContainer} (kube_pod_container_resource_limits{${ns}, resource="memory"}) > ${memory}`,
            for: "15m",
            labels: { severity: "warning" },
            annotations: {
                summary: `{{ $labels.pod }} uses more than ${memory} % of its memory limit`,
                description: "{{ $labels.container }} of {{ $labels.pod }} is at {{ $value | humanize }} % of its memory limit: next comes an OOM kill.",
            },
        },
    ];
    // Alertmanager's notifications carry runbook_url: the on-call lands on the alert's runbook section.
    const anchor = (alert: string) => alert.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase();
    const linked =
        args.runbookBaseUrl === undefined
            ? rules
            : rules.map((rule) => ({ ...rule, annotations: { ...rule.annotations, runbook_url: `${args.runbookBaseUrl}#${anchor(rule.alert)}` } }));
    return [{ name: "platform-service-slos", rules: linked }];
}

/** Request rate, error rate, p95 latency, restarts and replicas of the services. */
function servicesDashboard(serviceNamespace: string) {
    const ns = `namespace="${serviceNamespace}"`;
    const perService = serviceQueries(serviceNamespace, "service");
    const panels: [string, string, string][] = [
        ["Requests per second", perService.requestRate, "reqps"],
        ["5xx rate (%)", perService.errorPercent, "percent"],
        ["p95 latency", perService.latencyP95, "s"],
        ["Container restarts (15 min)", `sum by (pod) (increase(kube_pod_container_status_restarts_total{${ns}}[15m]))`, "short"],
        [
            "Replicas / maximum",
            `kube_horizontalpodautoscaler_status_current_replicas{${ns}} / kube_horizontalpodautoscaler_spec_max_replicas{${ns}}`,
            "percentunit",
        ],
    ];
    return {
        title: "Platform services",
        uid: "platform-services",
        schemaVersion: 39,
        time: { from: "now-6h", to: "now" },
        panels: panels.map(([title, expr, unit], i) => ({
            id: i + 1,
            type: "timeseries",
            title,
            gridPos: { x: (i % 2) * 12, y: Math.floor(i / 2) * 8, w: 12, h: 8 },
            datasource: { type: "prometheus", uid: "prometheus" },
            fieldConfig: { defaults: { unit }, overrides: [] },
            targets: [{ refId: "A", expr, datasource: { type: "prometheus", uid: "prometheus" } }],
        })),
    };
}
