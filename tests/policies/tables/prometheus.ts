import { AWS, K8S } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase } from "../cases";
import { TestResource } from "../helpers";

/** SLO alerts as components/cluster-monitoring.ts writes them: the 5xx share in percent, and p95 latency in seconds; names are free. */
const ERROR_RATE =
    '100 * sum by (namespace, service) (rate(http_requests_total{namespace="platform", code=~"5.."}[5m])) / ' +
    'sum by (namespace, service) (rate(http_requests_total{namespace="platform"}[5m]))';

const LATENCY_P95 = 'histogram_quantile(0.95, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{namespace="platform"}[5m])))';

const sloAlerts = (errorExpr = `${ERROR_RATE} > 1`, latencyExpr = `${LATENCY_P95} > 2`) => [
    { alert: "ApiErrors", expr: errorExpr, for: "5m", labels: { severity: "critical" } },
    { alert: "ApiSlow", expr: latencyExpr, for: "10m", labels: { severity: "critical" } },
];

const serving: TestResource[] = [
    { type: K8S.deployment, name: "api", props: { metadata: { name: "api" } } },
    {
        type: K8S.helmRelease,
        name: "prometheus",
        props: {
            name: "kps",
            chart: "kube-prometheus-stack",
            version: "82.6.0",
            values: { prometheus: { prometheusSpec: { ruleSelector: { matchLabels: { team: "platform" } } } } },
        },
    },
    { type: K8S.prometheusRule, name: "slo", props: { metadata: { labels: { team: "platform" } }, spec: { groups: [{ name: "slo", rules: sloAlerts() }] } } },
];

const ALERTMANAGER_CONFIG = {
    route: { receiver: "oncall", group_by: ["alertname", "namespace"], routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] },
    receivers: [
        { name: "null" },
        { name: "oncall", sns_configs: [{ topic_arn: "arn:aws:sns:eu-west-1:123456789012:alerts", sigv4: { region: "eu-west-1" } }] },
    ],
};

/** kube-prometheus-stack with the Alertmanager values given, next to the services' SLO alerts. */
const alerting = (alertmanager: Record<string, unknown> = { config: ALERTMANAGER_CONFIG }): TestResource[] => [
    {
        type: K8S.helmRelease,
        name: "kps",
        props: {
            name: "kps",
            chart: "kube-prometheus-stack",
            version: "82.6.0",
            namespace: "monitoring",
            values: { alertmanager: Object.fromEntries(Object.entries(alertmanager).filter(([, v]) => v !== undefined)) },
        },
    },
    { type: K8S.prometheusRule, name: "slo", props: { metadata: { labels: { release: "kps" } }, spec: { groups: [{ name: "slo", rules: sloAlerts() }] } } },
];

const kubePrometheusStack = (values: Record<string, unknown>) => ({
    name: "kube-prometheus-stack",
    chart: "kube-prometheus-stack",
    version: "82.6.0",
    namespace: "monitoring",
    repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
    // EKS runs etcd and the scheduler out of sight: switching their rules off is not this policy's business.
    values: {
        "prometheus-node-exporter": { namespaceOverride: "monitoring-agents" },
        defaultRules: { rules: { etcd: false, kubeScheduler: false } },
        ...values,
    },
});

const RUNBOOK = "https://runbooks.acme-example.com/platform";

const scraped: TestResource[] = [
    {
        type: K8S.service,
        name: "api-service",
        props: {
            metadata: {
                name: "api",
                namespace: "platform",
                labels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "platform", "platform.checklist/profile": "node-api" },
            },
            spec: { type: "ClusterIP" },
        },
    },
    { type: K8S.service, name: "redis-exporter", props: { metadata: { name: "redis-exporter", namespace: "tools" } } },
    {
        type: K8S.serviceMonitor,
        name: "api-monitor",
        props: {
            metadata: { name: "api", namespace: "monitoring", labels: { release: "kps" } },
            spec: {
                namespaceSelector: { matchNames: ["platform"] },
                selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
                endpoints: [{ port: "http", path: "/metrics" }],
            },
        },
    },
];

const linked: TestResource[] = [
    {
        type: AWS.metricAlarm,
        name: "db-cpu",
        props: {
            alarmDescription: `Database CPU above 70 %. Runbook: ${RUNBOOK}#db-cpu`,
            namespace: "AWS/RDS",
            metricName: "CPUUtilization",
            alarmActions: ["arn:sns"],
        },
    },
    {
        type: K8S.prometheusRule,
        name: "slo",
        props: {
            spec: {
                groups: [
                    {
                        name: "slo",
                        rules: [
                            { alert: "ServiceHighErrorRate", expr: "…", annotations: { summary: "…", runbook_url: `${RUNBOOK}#service-high-error-rate` } },
                            { record: "job:http_requests:rate5m", expr: "…" },
                        ],
                    },
                ],
            },
        },
    },
];

const resource: ResourceCase[] = [
    {
        policy: "node-metrics-enabled",
        type: K8S.helmRelease,
        compliant: kubePrometheusStack({}),
        violating: [
            {
                change: kubePrometheusStack({ nodeExporter: { enabled: false } }),
                message: /values turn off nodeExporter\.enabled: node and cluster-state metrics, or their default alerts, go missing; remove that override/,
            },
            { change: kubePrometheusStack({ kubeStateMetrics: { enabled: false } }), message: /values turn off kubeStateMetrics\.enabled/ },
            {
                change: kubePrometheusStack({ "prometheus-node-exporter": { prometheus: { monitor: { enabled: false } } } }),
                message: /values turn off prometheus-node-exporter\.prometheus\.monitor\.enabled/,
            },
            {
                change: kubePrometheusStack({ "kube-state-metrics": { prometheus: { monitor: { enabled: false } } } }),
                message: /values turn off kube-state-metrics\.prometheus\.monitor\.enabled/,
            },
            { change: kubePrometheusStack({ defaultRules: { create: false } }), message: /values turn off defaultRules\.create/ },
            {
                change: kubePrometheusStack({ defaultRules: { rules: { node: false, kubernetesSystem: false } } }),
                message: /values turn off defaultRules\.rules\.node, defaultRules\.rules\.kubernetesSystem: .*remove those overrides/,
            },
        ],
    },
    {
        policy: "node-metrics-enabled",
        type: K8S.helmChart,
        compliant: { ...kubePrometheusStack({}), chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", repositoryOpts: undefined },
        violating: [
            {
                change: { values: { nodeExporter: { enabled: false }, kubeStateMetrics: { enabled: false } } },
                message: /values turn off nodeExporter\.enabled, kubeStateMetrics\.enabled/,
            },
        ],
    },
];

const stack: StackCase[] = [
    {
        // Only platform services need scraping; the exporter in "tools" is not one.
        policy: "services-scraped",
        compliant: scraped,
        violating: [
            {
                resources: changed(scraped, "api-monitor", {
                    props: { spec: { namespaceSelector: { matchNames: ["default"] }, selector: { matchLabels: { "app.kubernetes.io/name": "api" } } } },
                }),
                message: /Service api-service \(namespace platform\) is selected by no ServiceMonitor/,
            },
            {
                resources: changed(scraped, "api-monitor", {
                    props: { spec: { namespaceSelector: { any: true }, selector: { matchLabels: { "app.kubernetes.io/name": "web" } } } },
                }),
                message: /api-service .*no ServiceMonitor/,
            },
        ],
    },
    {
        policy: "alerts-link-runbooks",
        compliant: linked,
        violating: [
            {
                resources: changed(linked, "db-cpu", { props: { alarmDescription: "Database CPU above 70 %" } }),
                message: /alarm db-cpu: alarmDescription links no runbook/,
            },
            {
                resources: changed(linked, "slo", {
                    props: { spec: { groups: [{ name: "slo", rules: [{ alert: "ServiceHighErrorRate", annotations: { summary: "…" } }] }] } },
                }),
                message: /PrometheusRule slo: alerts ServiceHighErrorRate have no runbook_url annotation/,
            },
        ],
    },
    {
        policy: "prometheus-slo-rules",
        compliant: serving,
        violating: [
            // Alerts named like SLO alerts that compute nothing of the kind.
            {
                resources: changed(serving, "slo", {
                    props: {
                        spec: {
                            groups: [
                                {
                                    rules: [
                                        { alert: "ServiceHighErrorRate", expr: "vector(0)" },
                                        { alert: "ServiceHighLatencyP95", expr: `${LATENCY_P95} > 2` },
                                    ],
                                },
                            ],
                        },
                    },
                }),
                message: /^no PrometheusRule alert computes the 5xx error rate and compares it with a threshold$/m,
            },
            {
                resources: changed(serving, "slo", {
                    props: {
                        spec: {
                            groups: [
                                { rules: sloAlerts(undefined, "histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 2") },
                            ],
                        },
                    },
                }),
                message: /^no PrometheusRule alert computes the p95 latency/m,
            },
            {
                resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(`${ERROR_RATE} > 20`) }] } } }),
                message: /the 5xx error rate alert ApiErrors fires above 20%; at most 5% is allowed/,
            },
            // A ratio without the factor 100: 0.5 is 50 %.
            {
                resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(ERROR_RATE.replace("100 * ", "") + " > 0.5") }] } } }),
                message: /fires above 50%/,
            },
            {
                resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(undefined, `${LATENCY_P95} > 30`) }] } } }),
                message: /the p95 latency alert ApiSlow fires above 30 s; at most 5 s/,
            },
            {
                resources: changed(serving, "slo", { props: { metadata: { labels: { release: "kps" } } } }),
                message: /slo alerts on the 5xx error rate \(ApiErrors\) but the stack's Prometheus does not select it: label it team=platform/,
            },
            // Without a ruleSelector, the chart selects its release's name.
            { resources: changed(serving, "prometheus", { props: { values: {} } }), message: /does not select it: label it release=kps/ },
        ],
    },
    {
        policy: "alertmanager-routes-notify",
        compliant: alerting(),
        violating: [
            {
                resources: alerting({ config: undefined }),
                message: /kps: values alertmanager\.config is not set, and the chart's default routes every alert to the receiver "null"/,
            },
            // Only critical alerts page; the rest, and the chart's warnings, go to "null".
            {
                resources: alerting({
                    config: { ...ALERTMANAGER_CONFIG, route: { receiver: "null", routes: [{ receiver: "oncall", matchers: ['severity = "critical"'] }] } },
                }),
                message: /kps: Alertmanager routes KubePodCrashLooping \(to "null"\) to a receiver without any \*_configs/,
            },
            {
                resources: alerting({
                    config: {
                        ...ALERTMANAGER_CONFIG,
                        route: {
                            receiver: "oncall",
                            routes: [
                                { receiver: "null", match_re: { alertname: "Api.*" } },
                                { receiver: "null", matchers: ['alertname = "Watchdog"'] },
                            ],
                        },
                    },
                }),
                message: /routes ApiErrors \(to "null"\), ApiSlow \(to "null"\) to a receiver without/,
            },
        ],
    },
];

export const prometheusCases: CaseTable = { area: "prometheus", resource, stack };
