import { AWS, AWS_DATA, AWS_EDGE, K8S } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const alarm = (name: string, target: string, metric: string, dimension: Record<string, string>): TestResource => ({
    type: AWS.metricAlarm, name, deps: { dimensions: [target] },
    props: { metricName: metric, namespace: "AWS/X", dimensions: dimension, alarmActions: ["arn:sns"], okActions: ["arn:sns"] },
});
const LB = AWS.loadBalancers[0];
const monitored: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres", identifier: "db" } },
    ...["CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections"].map((m) => alarm(`db-${m}`, "db", m, { DBInstanceIdentifier: "db" })),
    { type: AWS.replicationGroup, name: "cache", props: { replicationGroupId: "cache" } },
    ...["EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"].map((m) => alarm(`cache-${m}`, "cache", m, { ReplicationGroupId: "cache" })),
    { type: LB, name: "alb", props: { arnSuffix: "app/alb/123" } },
    {
        type: AWS.metricAlarm, name: "alb-5xx-rate", deps: { metricQueries: ["alb"] },
        props: { alarmActions: ["arn:sns"], metricQueries: [
            { id: "errors", metric: { metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: "app/alb/123" } } },
            { id: "requests", metric: { metricName: "RequestCount", dimensions: { LoadBalancer: "app/alb/123" } } },
            { id: "rate", expression: "100 * errors / requests" },
        ] },
    },
    // Matched by its dimension value alone, as a hand-written alarm would be.
    { type: AWS.metricAlarm, name: "alb-p95", props: { metricName: "TargetResponseTime", extendedStatistic: "p95", dimensions: { LoadBalancer: "app/alb/123" } } },
];

/** SLO alerts as components/cluster-monitoring.ts writes them: the 5xx share in percent, and p95 latency in seconds; names are free. */
const ERROR_RATE = '100 * sum by (namespace, service) (rate(http_requests_total{namespace="platform", code=~"5.."}[5m])) / ' +
    'sum by (namespace, service) (rate(http_requests_total{namespace="platform"}[5m]))';
const LATENCY_P95 = 'histogram_quantile(0.95, sum by (namespace, service, le) (rate(http_request_duration_seconds_bucket{namespace="platform"}[5m])))';
const sloAlerts = (errorExpr = `${ERROR_RATE} > 1`, latencyExpr = `${LATENCY_P95} > 2`) => [
    { alert: "ApiErrors", expr: errorExpr, for: "5m", labels: { severity: "critical" } },
    { alert: "ApiSlow", expr: latencyExpr, for: "10m", labels: { severity: "critical" } },
];
const serving: TestResource[] = [
    { type: K8S.deployment, name: "api", props: { metadata: { name: "api" } } },
    { type: K8S.helmRelease, name: "prometheus", props: { name: "kps", chart: "kube-prometheus-stack", version: "82.6.0",
        values: { prometheus: { prometheusSpec: { ruleSelector: { matchLabels: { team: "platform" } } } } } } },
    { type: K8S.prometheusRule, name: "slo", props: { metadata: { labels: { team: "platform" } }, spec: { groups: [{ name: "slo", rules: sloAlerts() }] } } },
];

const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:uptime-alerts";
const publicEndpoint: TestResource[] = [
    { type: LB, name: "alb", props: { internal: false, dnsName: "alb-123.eu-west-1.elb.amazonaws.com" } },
    { type: AWS.targetGroups[0], name: "api-tg", props: { port: 3000, protocol: "HTTP", healthCheck: { enabled: true, path: "/health" } } },
    { type: AWS.route53Record, name: "api-alias", deps: { aliases: ["alb"] }, props: { zoneId: "Z1", name: "api.acme.example", type: "A",
        aliases: [{ name: "alb-123.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }] } },
    { type: AWS.healthCheck, name: "uptime", props: { type: "HTTPS", fqdn: "api.acme.example", port: 443, resourcePath: "/health", failureThreshold: 3 } },
    { type: AWS_DATA.snsTopic, name: "uptime-alerts", props: { arn: TOPIC_ARN } },
    { type: AWS_EDGE.snsTopicSubscription, name: "uptime-email", deps: { topic: ["uptime-alerts"] }, props: { protocol: "email", endpoint: "ops@acme.example" } },
    { type: AWS.metricAlarm, name: "uptime-alarm", deps: { dimensions: ["uptime"], alarmActions: ["uptime-alerts"] },
        props: { namespace: "AWS/Route53", metricName: "HealthCheckStatus", alarmActions: [TOPIC_ARN] } },
];
/** A single EC2 instance reached by its Elastic IP, probed by address; the NAT gateway's address is no endpoint. */
const elasticIpEndpoint: TestResource[] = [
    { type: AWS_EDGE.eip, name: "web-ip", props: { domain: "vpc", instance: "i-0abc", publicIp: "198.51.100.7" } },
    { type: AWS_EDGE.eip, name: "nat-ip", props: { domain: "vpc", publicIp: "198.51.100.9" } },
    { type: AWS.healthCheck, name: "web-uptime", deps: { ipAddress: ["web-ip"] }, props: { type: "HTTP", ipAddress: "198.51.100.7", port: 80, resourcePath: "/" } },
    { type: AWS.metricAlarm, name: "web-uptime-alarm", deps: { dimensions: ["web-uptime"] },
        props: { namespace: "AWS/Route53", metricName: "HealthCheckStatus", alarmActions: ["arn:aws:sns:us-east-1:123456789012:oncall"] } },
];

const ALERTMANAGER_CONFIG = {
    route: { receiver: "oncall", group_by: ["alertname", "namespace"], routes: [{ receiver: "null", matchers: ['alertname = "Watchdog"'] }] },
    receivers: [{ name: "null" }, { name: "oncall", sns_configs: [{ topic_arn: "arn:aws:sns:eu-west-1:123456789012:alerts", sigv4: { region: "eu-west-1" } }] }],
};
/** kube-prometheus-stack with the Alertmanager values given, next to the services' SLO alerts. */
const alerting = (alertmanager: Record<string, unknown> = { config: ALERTMANAGER_CONFIG }): TestResource[] => [
    { type: K8S.helmRelease, name: "kps", props: { name: "kps", chart: "kube-prometheus-stack", version: "82.6.0", namespace: "monitoring",
        values: { alertmanager: Object.fromEntries(Object.entries(alertmanager).filter(([, v]) => v !== undefined)) } } },
    { type: K8S.prometheusRule, name: "slo", props: { metadata: { labels: { release: "kps" } }, spec: { groups: [{ name: "slo", rules: sloAlerts() }] } } },
];

const budget: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres", instanceClass: "db.t4g.medium" } },
    { type: AWS.budget, name: "monthly", props: { budgetType: "COST", notifications: [
        { notificationType: "FORECASTED", subscriberEmailAddresses: ["ops@acme.example"] }] } },
];
/** A Kubernetes-only stack (nginx and its Service), and one of IAM alone: neither is billed by AWS, so neither needs a budget. */
const unbilled: TestResource[] = [
    { type: K8S.deployment, name: "nginx", props: { metadata: { name: "nginx" }, spec: { replicas: 2, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27.2" }] } } } } },
    { type: "aws:iam/role:Role", name: "ci-role", props: { assumeRolePolicy: "{}" } },
];

const backups: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres" } },
    { type: AWS.backupPlan, name: "plan", props: { rules: [{ ruleName: "daily", schedule: "cron(0 3 * * ? *)" }] } },
    { type: AWS.backupSelection, name: "selection", props: { resources: ["arn:db"] }, deps: { resources: ["db"], planId: ["plan"] } },
    { type: AWS.buckets[0], name: "backups", props: { tags: { Purpose: "backups" } } },
    { type: AWS.bucketVersioning[0], name: "backups-versioning", props: { versioningConfiguration: { status: "Enabled" } }, deps: { bucket: ["backups"] } },
    { type: AWS.bucketEncryption[0], name: "backups-sse", deps: { bucket: ["backups"] },
        props: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }] } },
    { type: AWS.bucketPublicAccessBlock, name: "backups-pab", deps: { bucket: ["backups"] },
        props: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true } },
    { type: AWS.bucketLifecycle[0], name: "backups-lifecycle", deps: { bucket: ["backups"] }, props: { rules: [{ id: "tiering", status: "Enabled" }] } },
    { type: AWS.bucketPolicy, name: "backups-tls", deps: { bucket: ["backups"] }, props: { policy: JSON.stringify({ Statement: [
        { Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }] }) } },
];

const SNS = "arn:aws:sns:eu-west-1:123456789012:platform-alerts";
const watch = (name: string, namespace: string, metricName: string, dimensions: Record<string, string>): TestResource => ({
    type: AWS.metricAlarm, name, props: { namespace, metricName, dimensions, statistic: "Average", period: 60, evaluationPeriods: 5,
        threshold: 1, comparisonOperator: "GreaterThanThreshold", alarmActions: [SNS], okActions: [SNS] },
});
/** A dashboard body as components write it: metric rows, with CloudWatch's "." shorthand for the previous row's values. */
const platformDashboard = (albRows: unknown[][]) => JSON.stringify({ widgets: [
    { type: "metric", x: 0, y: 0, width: 24, height: 6, properties: { title: "Database", region: "eu-west-1", metrics: [
        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "db"], [".", "DatabaseConnections", ".", "."]] } },
    { type: "metric", x: 0, y: 6, width: 24, height: 6, properties: { title: "Load balancer", region: "eu-west-1", metrics: albRows } },
    { type: "metric", x: 0, y: 12, width: 24, height: 6, properties: { title: "Evictions", region: "eu-west-1", metrics: [
        [{ expression: "SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName=\"Evictions\"', 'Sum', 300)", id: "e1" }]] } },
] });
const ALB_ROWS = [["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb/1"], [".", "HTTPCode_Target_5XX_Count", ".", "."]];
const dashboarded: TestResource[] = [
    watch("db-cpu", "AWS/RDS", "CPUUtilization", { DBInstanceIdentifier: "db" }),
    watch("cache-evictions", "AWS/ElastiCache", "Evictions", { CacheClusterId: "cache-001" }),
    { type: AWS.metricAlarm, name: "alb-5xx-rate", props: { comparisonOperator: "GreaterThanThreshold", threshold: 1, evaluationPeriods: 5,
        alarmActions: [SNS], metricQueries: [
            { id: "errors", metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: "app/alb/1" }, period: 60, stat: "Sum" } },
            { id: "requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: { LoadBalancer: "app/alb/1" }, period: 60, stat: "Sum" } },
            { id: "rate", expression: "100 * errors / requests", returnData: true },
        ] } },
    watch("uptime", "AWS/Route53", "HealthCheckStatus", { HealthCheckId: "hc-1" }),
    { type: AWS.dashboard, name: "platform", props: { dashboardName: "platform", dashboardBody: platformDashboard(ALB_ROWS) } },
    // An alarm widget: its body holds the alarm's ARN, an output of the alarm.
    { type: AWS.dashboard, name: "uptime-board", deps: { dashboardBody: ["uptime"] }, props: { dashboardName: "uptime", dashboardBody: JSON.stringify({ widgets: [
        { type: "alarm", x: 0, y: 0, width: 24, height: 3, properties: { title: "Uptime", alarms: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:uptime-9c1e2f3"] } }] }) } },
];

const kubePrometheusStack = (values: Record<string, unknown>) => ({
    name: "kube-prometheus-stack", chart: "kube-prometheus-stack", version: "82.6.0", namespace: "monitoring",
    repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" },
    // EKS runs etcd and the scheduler out of sight: switching their rules off is not this policy's business.
    values: { "prometheus-node-exporter": { namespaceOverride: "monitoring-agents" }, defaultRules: { rules: { etcd: false, kubeScheduler: false } }, ...values },
});

const WEB_ACL_NAME = "edge-waf-3f2a1b7";
const blockedAlarm = (name: string, props: Record<string, unknown>, deps?: Record<string, string[]>): TestResource => ({
    type: AWS.metricAlarm, name, deps, props: { comparisonOperator: "GreaterThanThreshold", threshold: 1000, evaluationPeriods: 1,
        alarmActions: [SNS], okActions: [SNS], ...props },
});
const wafAlarmed: TestResource[] = [
    { type: AWS.webAcl, name: "edge-waf", props: { name: WEB_ACL_NAME, scope: "REGIONAL", defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "edge-waf" } } },
    // Its WebACL dimension is the ACL's name, an output of the ACL.
    blockedAlarm("edge-waf-blocked", { namespace: "AWS/WAFV2", metricName: "BlockedRequests", statistic: "Sum", period: 300,
        dimensions: { WebACL: WEB_ACL_NAME, Region: "eu-west-1", Rule: "ALL" } }, { dimensions: ["edge-waf"] }),
    // A hand-written CloudFront ACL whose alarm writes its name out, in a metric-math query.
    { type: AWS.webAcl, name: "cdn-waf", props: { name: "cdn-waf", scope: "CLOUDFRONT", defaultAction: { allow: {} },
        visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "cdn" } } },
    blockedAlarm("cdn-waf-blocked", { metricQueries: [{ id: "blocked", returnData: true,
        metric: { namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions: { WebACL: "cdn-waf", Rule: "ALL" }, period: 300, stat: "Sum" } }] }),
];

const observabilityResource: ResourceCase[] = [
    {
        policy: "cloudwatch-log-retention", type: AWS.logGroup, compliant: { retentionInDays: 365 }, config: { minimumDays: 90 },
        violating: [
            { change: { retentionInDays: undefined }, message: /retentionInDays is not set, so logs are kept forever/ },
            { change: { retentionInDays: 30 }, message: /retentionInDays is 30; at least 90 days/ },
        ],
    },
    {
        policy: "alarm-actions-configured", type: AWS.metricAlarm, compliant: { alarmActions: ["arn:sns"], okActions: ["arn:sns"] },
        violating: [
            { change: { alarmActions: [] }, message: /alarmActions is empty, so the alarm notifies nobody/ },
            { change: { okActions: undefined }, message: /okActions is empty/ },
            { change: { actionsEnabled: false }, message: /actionsEnabled is false/ },
        ],
    },
    {
        policy: "node-metrics-enabled", type: K8S.helmRelease, compliant: kubePrometheusStack({}),
        violating: [
            { change: kubePrometheusStack({ nodeExporter: { enabled: false } }),
                message: /values turn off nodeExporter\.enabled: node and cluster-state metrics, or their default alerts, go missing; remove that override/ },
            { change: kubePrometheusStack({ kubeStateMetrics: { enabled: false } }), message: /values turn off kubeStateMetrics\.enabled/ },
            { change: kubePrometheusStack({ "prometheus-node-exporter": { prometheus: { monitor: { enabled: false } } } }),
                message: /values turn off prometheus-node-exporter\.prometheus\.monitor\.enabled/ },
            { change: kubePrometheusStack({ "kube-state-metrics": { prometheus: { monitor: { enabled: false } } } }),
                message: /values turn off kube-state-metrics\.prometheus\.monitor\.enabled/ },
            { change: kubePrometheusStack({ defaultRules: { create: false } }), message: /values turn off defaultRules\.create/ },
            { change: kubePrometheusStack({ defaultRules: { rules: { node: false, kubernetesSystem: false } } }),
                message: /values turn off defaultRules\.rules\.node, defaultRules\.rules\.kubernetesSystem: .*remove those overrides/ },
        ],
    },
    {
        policy: "node-metrics-enabled", type: K8S.helmChart,
        compliant: { ...kubePrometheusStack({}), chart: "oci://ghcr.io/prometheus-community/charts/kube-prometheus-stack", repositoryOpts: undefined },
        violating: [{ change: { values: { nodeExporter: { enabled: false }, kubeStateMetrics: { enabled: false } } },
            message: /values turn off nodeExporter\.enabled, kubeStateMetrics\.enabled/ }],
    },
];

const RUNBOOK = "https://runbooks.acme-example.com/platform";
const scraped: TestResource[] = [
    { type: K8S.service, name: "api-service", props: { metadata: { name: "api", namespace: "platform",
        labels: { "app.kubernetes.io/name": "api", "app.kubernetes.io/part-of": "platform", "platform.checklist/profile": "node-api" } }, spec: { type: "ClusterIP" } } },
    { type: K8S.service, name: "redis-exporter", props: { metadata: { name: "redis-exporter", namespace: "tools" } } },
    { type: K8S.serviceMonitor, name: "api-monitor", props: { metadata: { name: "api", namespace: "monitoring", labels: { release: "kps" } },
        spec: { namespaceSelector: { matchNames: ["platform"] }, selector: { matchLabels: { "app.kubernetes.io/name": "api" } },
            endpoints: [{ port: "http", path: "/metrics" }] } } },
];
const linked: TestResource[] = [
    { type: AWS.metricAlarm, name: "db-cpu", props: { alarmDescription: `Database CPU above 70 %. Runbook: ${RUNBOOK}#db-cpu`,
        namespace: "AWS/RDS", metricName: "CPUUtilization", alarmActions: ["arn:sns"] } },
    { type: K8S.prometheusRule, name: "slo", props: { spec: { groups: [{ name: "slo", rules: [
        { alert: "ServiceHighErrorRate", expr: "…", annotations: { summary: "…", runbook_url: `${RUNBOOK}#service-high-error-rate` } },
        { record: "job:http_requests:rate5m", expr: "…" }] }] } } },
];

const observabilityStack: StackCase[] = [
    {
        // Only platform services need scraping; the exporter in "tools" is not one.
        policy: "services-scraped", compliant: scraped,
        violating: [
            { resources: changed(scraped, "api-monitor", { props: { spec: { namespaceSelector: { matchNames: ["default"] },
                selector: { matchLabels: { "app.kubernetes.io/name": "api" } } } } }),
                message: /Service api-service \(namespace platform\) is selected by no ServiceMonitor/ },
            { resources: changed(scraped, "api-monitor", { props: { spec: { namespaceSelector: { any: true },
                selector: { matchLabels: { "app.kubernetes.io/name": "web" } } } } }), message: /api-service .*no ServiceMonitor/ },
        ],
    },
    {
        policy: "alerts-link-runbooks", compliant: linked,
        violating: [
            { resources: changed(linked, "db-cpu", { props: { alarmDescription: "Database CPU above 70 %" } }),
                message: /alarm db-cpu: alarmDescription links no runbook/ },
            { resources: changed(linked, "slo", { props: { spec: { groups: [{ name: "slo", rules: [{ alert: "ServiceHighErrorRate", annotations: { summary: "…" } }] }] } } }),
                message: /PrometheusRule slo: alerts ServiceHighErrorRate have no runbook_url annotation/ },
        ],
    },
    {
        policy: "alarms-cover-data-stores", compliant: monitored,
        violating: [
            { resources: without(monitored, "db-FreeStorageSpace"), message: /db has no alarm on FreeStorageSpace/ },
            { resources: without(monitored, "cache-Evictions", "cache-EngineCPUUtilization"), message: /cache has no alarm on EngineCPUUtilization, Evictions/ },
            // Aurora has no FreeStorageSpace; every other database and cache kind is watched too.
            { resources: [...monitored, { type: AWS.rdsCluster, name: "claims", props: { engine: "aurora-postgresql", clusterIdentifier: "claims" } }],
                message: /^claims has no alarm on CPUUtilization, FreeableMemory, DatabaseConnections$/m },
            { resources: [...monitored, { type: AWS_DATA.memorydbCluster, name: "scores", props: { name: "scores", nodeType: "db.r7g.large" } }],
                message: /^scores has no alarm on EngineCPUUtilization, DatabaseMemoryUsagePercentage$/m },
            { resources: [...monitored, { type: AWS_DATA.serverlessCache, name: "sessions", props: { name: "sessions", engine: "valkey" } }],
                message: /^sessions has no alarm on ElastiCacheProcessingUnits, BytesUsedForCache$/m },
        ],
    },
    {
        policy: "alarms-cover-load-balancer", compliant: monitored,
        violating: [
            { resources: without(monitored, "alb-p95"), message: /alb has no alarm on TargetResponseTime/ },
            // A network load balancer has no HTTP metrics: its targets' health and resets stand in.
            { resources: [...monitored, { type: LB, name: "nlb", props: { loadBalancerType: "network", arnSuffix: "net/nlb/9" } }],
                message: /^nlb has no alarm on UnHealthyHostCount, TCP_Target_Reset_Count$/m },
        ],
    },
    {
        policy: "prometheus-slo-rules", compliant: serving,
        violating: [
            // Alerts named like SLO alerts that compute nothing of the kind.
            { resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: [
                { alert: "ServiceHighErrorRate", expr: "vector(0)" }, { alert: "ServiceHighLatencyP95", expr: `${LATENCY_P95} > 2` }] }] } } }),
                message: /^no PrometheusRule alert computes the 5xx error rate and compares it with a threshold$/m },
            { resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(undefined,
                'histogram_quantile(0.5, sum by (le) (rate(http_request_duration_seconds_bucket[5m]))) > 2') }] } } }),
                message: /^no PrometheusRule alert computes the p95 latency/m },
            { resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(`${ERROR_RATE} > 20`) }] } } }),
                message: /the 5xx error rate alert ApiErrors fires above 20%; at most 5% is allowed/ },
            // A ratio without the factor 100: 0.5 is 50 %.
            { resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(ERROR_RATE.replace("100 * ", "") + " > 0.5") }] } } }),
                message: /fires above 50%/ },
            { resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: sloAlerts(undefined, `${LATENCY_P95} > 30`) }] } } }),
                message: /the p95 latency alert ApiSlow fires above 30 s; at most 5 s/ },
            { resources: changed(serving, "slo", { props: { metadata: { labels: { release: "kps" } } } }),
                message: /slo alerts on the 5xx error rate \(ApiErrors\) but the stack's Prometheus does not select it: label it team=platform/ },
            // Without a ruleSelector, the chart selects its release's name.
            { resources: changed(serving, "prometheus", { props: { values: {} } }),
                message: /does not select it: label it release=kps/ },
        ],
    },
    {
        policy: "uptime-check", compliant: publicEndpoint,
        violating: [
            { resources: without(publicEndpoint, "uptime-alarm"), message: /uptime has no alarm on HealthCheckStatus/ },
            { resources: without(publicEndpoint, "uptime", "uptime-alarm"), message: /^no Route 53 health check probes the public endpoint alb/m },
            // A load balancer is internet-facing unless it says otherwise.
            { resources: without(changed(publicEndpoint, "alb", { props: { internal: undefined } }), "uptime", "uptime-alarm"),
                message: /no Route 53 health check/ },
            { resources: changed(publicEndpoint, "uptime", { props: { type: "HTTPS", fqdn: "status.other-vendor.example", resourcePath: "/health" } }),
                message: /no Route 53 health check probes the public endpoint alb \(.*api\.acme\.example.*\); uptime probes "status\.other-vendor\.example"/ },
            { resources: changed(publicEndpoint, "uptime", { props: { type: "HTTPS", fqdn: "api.acme.example", resourcePath: "/" } }),
                message: /uptime probes resourcePath "\/", not the health path \/health that the target group checks/ },
            { resources: without(publicEndpoint, "uptime-email"),
                message: /uptime's HealthCheckStatus alarm uptime-alarm notifies nobody \(no alarmActions, or only topics without a subscription\)/ },
        ],
    },
    {
        policy: "uptime-check", compliant: elasticIpEndpoint,
        violating: [{ resources: without(elasticIpEndpoint, "web-uptime", "web-uptime-alarm"),
            message: /no Route 53 health check probes the public endpoint web-ip \(198\.51\.100\.7\)/ }],
    },
    {
        policy: "alarm-topics-subscribed", compliant: publicEndpoint,
        violating: [{ resources: without(publicEndpoint, "uptime-email"),
            message: /^topic uptime-alerts, which alarm uptime-alarm notify, has no subscription: nobody receives them$/m }],
    },
    {
        policy: "alertmanager-routes-notify", compliant: alerting(),
        violating: [
            { resources: alerting({ config: undefined }),
                message: /kps: values alertmanager\.config is not set, and the chart's default routes every alert to the receiver "null"/ },
            // Only critical alerts page; the rest, and the chart's warnings, go to "null".
            { resources: alerting({ config: { ...ALERTMANAGER_CONFIG, route: { receiver: "null", routes: [
                { receiver: "oncall", matchers: ['severity = "critical"'] }] } } }),
                message: /kps: Alertmanager routes KubePodCrashLooping \(to "null"\) to a receiver without any \*_configs/ },
            { resources: alerting({ config: { ...ALERTMANAGER_CONFIG, route: { receiver: "oncall", routes: [
                { receiver: "null", match_re: { alertname: "Api.*" } }, { receiver: "null", matchers: ['alertname = "Watchdog"'] }] } } }),
                message: /routes ApiErrors \(to "null"\), ApiSlow \(to "null"\) to a receiver without/ },
        ],
    },
    {
        policy: "budget-alert", compliant: budget,
        violating: [
            { resources: without(budget, "monthly"), message: /no COST budget with a notification/ },
            { resources: changed(budget, "monthly", { props: { notifications: [{ notificationType: "ACTUAL" }] } }), message: /no COST budget/ },
        ],
    },
    {
        policy: "budget-alert", compliant: unbilled,
        violating: [{ resources: [...unbilled, { type: "aws:ec2/natGateway:NatGateway", name: "nat", props: { connectivityType: "public" } }],
            message: /no COST budget/ }],
    },
    {
        policy: "dashboards-cover-alarms", compliant: dashboarded,
        violating: [
            { resources: without(dashboarded, "platform", "uptime-board"), message: /the stack has 4 CloudWatch alarms but no CloudWatch dashboard/ },
            { resources: [...dashboarded, watch("db-free-storage", "AWS/RDS", "FreeStorageSpace", { DBInstanceIdentifier: "db" })],
                message: /db-free-storage watches FreeStorageSpace, which no dashboard shows; add it to a dashboard's dashboardBody/ },
            { resources: changed(dashboarded, "platform", { props: { dashboardBody: platformDashboard([ALB_ROWS[0]]) } }),
                message: /alb-5xx-rate watches HTTPCode_Target_5XX_Count, which no dashboard shows/ },
            { resources: changed(dashboarded, "uptime-board", { deps: {} }), message: /uptime watches HealthCheckStatus, which no dashboard shows/ },
        ],
    },
    {
        policy: "waf-blocked-requests-alarm", compliant: wafAlarmed,
        violating: [
            { resources: without(wafAlarmed, "edge-waf-blocked"),
                message: /edge-waf has no alarm on AWS\/WAFV2 BlockedRequests with its WebACL dimension \("edge-waf-3f2a1b7"\), so an attack or a rule blocking real users goes unnoticed/ },
            { resources: changed(wafAlarmed, "edge-waf-blocked", { props: { metricName: "AllowedRequests" } }), message: /edge-waf has no alarm on AWS\/WAFV2 BlockedRequests/ },
            { resources: changed(wafAlarmed, "cdn-waf-blocked", { props: { metricQueries: [{ id: "blocked", returnData: true,
                metric: { namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions: { WebACL: "other-acl", Rule: "ALL" }, period: 300, stat: "Sum" } }] } }),
                message: /cdn-waf has no alarm on AWS\/WAFV2 BlockedRequests with its WebACL dimension \("cdn-waf"\)/ },
            { resources: changed(wafAlarmed, "cdn-waf-blocked", { props: { alarmActions: [] } }),
                message: /cdn-waf's BlockedRequests alarm cdn-waf-blocked notifies nobody: set alarmActions/ },
            { resources: changed(wafAlarmed, "edge-waf-blocked", { props: { actionsEnabled: false } }), message: /edge-waf's BlockedRequests alarm edge-waf-blocked notifies nobody/ },
        ],
    },
];

export const observabilityCases: CaseTable = { area: "observability", resource: observabilityResource, stack: observabilityStack };

const recoveryResource: ResourceCase[] = [
    {
        policy: "stateful-resources-protected", type: AWS.rdsInstance, compliant: { engine: "postgres" }, protect: true,
        violating: [{ change: {}, protect: false, message: /the resource is not protected/ }],
    },
    {
        // An unprotected bucket that holds no backups (a static site) is not this rule's business; the backup bucket is.
        policy: "stateful-resources-protected", type: AWS.buckets[0], compliant: { bucket: "www-acme", tags: { Purpose: "static-site" } },
        violating: [{ change: { tags: { Purpose: "backups" }, forceDestroy: true },
            message: /the backup bucket \(tagged Purpose=backups\) is not protected: .*, and forceDestroy: true empties it first/ }],
    },
    {
        // Deleting a secret schedules it for 30 days unless recoveryWindowInDays says 0.
        policy: "stateful-resources-protected", type: AWS.secret, compliant: { name: "app/stripe-key", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" },
        violating: [{ change: { recoveryWindowInDays: 0 }, message: /recoveryWindowInDays is 0 and the secret is not protected/ }],
    },
    {
        // A Redis cluster of its own holds data; a memcached one, or a member of a replication group, is not judged.
        policy: "stateful-resources-protected", type: AWS.cacheCluster, compliant: { engine: "memcached", nodeType: "cache.t4g.small", numCacheNodes: 2 },
        violating: [{ change: { engine: "redis", numCacheNodes: 1 }, message: /the resource is not protected/ }],
    },
    {
        policy: "stateful-resources-protected", type: AWS_DATA.dynamodbTable, compliant: { hashKey: "id", billingMode: "PAY_PER_REQUEST" }, protect: true,
        violating: [{ change: {}, protect: false, message: /the resource is not protected/ }],
    },
    {
        policy: "required-tags", type: "aws:ec2/vpc:Vpc",
        compliant: { tags: { Project: "platform", Environment: "production", Owner: "team", CostCenter: "1", ManagedBy: "pulumi" } },
        violating: [
            { change: { tags: { Project: "platform" } }, message: /missing tags Environment, Owner, CostCenter, ManagedBy/ },
            { change: { tags: undefined }, message: /missing tags Project, Environment/ },
        ],
    },
    {
        // Not in the list of taggable types, but it has tags, so they are checked.
        policy: "required-tags", type: AWS.ingressRule,
        compliant: { tags: { Project: "platform", Environment: "production", Owner: "team", CostCenter: "1", ManagedBy: "pulumi" } },
        violating: [{ change: { tags: {} }, message: /missing tags Project/ }],
    },
];

const lockedVaults: TestResource[] = [
    { type: AWS.backupVault, name: "vault", props: { kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k" } },
    { type: AWS.backupVaultLock, name: "vault-lock", props: { minRetentionDays: 35, maxRetentionDays: 90, changeableForDays: 3 },
        deps: { backupVaultName: ["vault"] } },
    // Matched by the name a program wrote out, as a hand-written lock would be.
    { type: AWS.backupVault, name: "copy-vault", props: { name: "dr-vault" } },
    { type: AWS.backupVaultLock, name: "copy-vault-lock", props: { backupVaultName: "dr-vault", minRetentionDays: 35, changeableForDays: 3 } },
];

const migrationJob = (name: string, labels: Record<string, string>) => ({
    metadata: { name, namespace: "platform", labels,
        // The restore point, written on the Job: it makes the Job wait for the snapshot.
        annotations: { "platform.acme.example/restore-point": "platform-db-pre-1-4-2" } },
    spec: { backoffLimit: 1, template: { metadata: { labels }, spec: { restartPolicy: "Never",
        containers: [{ name: "migrate", image: "ghcr.io/acme/api:1.4.2", command: ["node", "dist/migrate.js"] }] } } },
});
const PLATFORM_JOB = { "app.kubernetes.io/name": "release-migrate", "app.kubernetes.io/part-of": "platform" };
const migrating: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { identifier: "platform-db", engine: "postgres", engineVersion: "17" } },
    { type: AWS.rdsSnapshot, name: "db-pre-1-4-2", props: { dbInstanceIdentifier: "platform-db", dbSnapshotIdentifier: "platform-db-pre-1-4-2" } },
    { type: K8S.job, name: "release-migrate", props: migrationJob("release-migrate-1-4-2", PLATFORM_JOB), deps: { metadata: ["db-pre-1-4-2"] } },
    // Not a migration: nothing to restore.
    { type: K8S.job, name: "cache-warmup", props: { metadata: { name: "cache-warmup", namespace: "platform" },
        spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "warm", image: "ghcr.io/acme/api:1.4.2" }] } } } } },
];
/** Aurora, with a hand-written Job known as a migration by its name. */
const migratingAurora: TestResource[] = [
    { type: AWS.rdsCluster, name: "orders", props: { clusterIdentifier: "orders", engine: "aurora-postgresql" } },
    { type: AWS.rdsClusterSnapshot, name: "orders-pre-2-0-0", deps: { dbClusterIdentifier: ["orders"] },
        props: { dbClusterIdentifier: "orders", dbClusterSnapshotIdentifier: "orders-pre-2-0-0" } },
    { type: K8S.job, name: "orders-schema-migration", props: migrationJob("orders-schema-migration", { app: "orders" }), deps: { metadata: ["orders-pre-2-0-0"] } },
];

const backupAlarm = (name: string, metricName: string, extra: Record<string, unknown> = {}): TestResource => ({
    type: AWS.metricAlarm, name,
    props: { namespace: "AWS/Backup", metricName, dimensions: { BackupVaultName: "vault" }, statistic: "Sum", alarmActions: ["arn:sns"], ...extra },
});
const watchedBackups: TestResource[] = [
    { type: AWS.backupPlan, name: "plan", props: { rules: [{ ruleName: "daily", schedule: "cron(0 3 * * ? *)",
        copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-central-1:1:backup-vault:copy" }] }] } },
    backupAlarm("backup-failed", "NumberOfBackupJobsFailed"),
    backupAlarm("copy-failed", "NumberOfCopyJobsFailed"),
];

const recoveryStack: StackCase[] = [
    {
        policy: "backup-failure-alarm", compliant: watchedBackups,
        violating: [
            { resources: without(watchedBackups, "copy-failed"), message: /no alarm that notifies anyone watches AWS\/Backup NumberOfCopyJobsFailed/ },
            { resources: changed(watchedBackups, "backup-failed", { props: { alarmActions: [] } }),
                message: /watches AWS\/Backup NumberOfBackupJobsFailed: a failed job/ },
        ],
    },
    {
        policy: "backup-vault-locked", compliant: lockedVaults,
        violating: [
            { resources: without(lockedVaults, "copy-vault-lock"), message: /copy-vault has no Vault Lock: whoever holds the deploy role can delete every recovery point/ },
            { resources: changed(lockedVaults, "vault-lock", { props: { changeableForDays: undefined } }),
                message: /vault's Vault Lock is in governance mode \(no changeableForDays\)/ },
            { resources: changed(lockedVaults, "copy-vault-lock", { props: { minRetentionDays: undefined } }),
                message: /copy-vault's Vault Lock sets no minRetentionDays/ },
        ],
    },
    {
        policy: "backup-plan-covers-database", compliant: backups,
        violating: [
            { resources: without(backups, "selection"), message: /db is in no AWS Backup selection/ },
            { resources: changed(backups, "plan", { props: { rules: [] } }), message: /db is selected, but by no backup plan with a rule/ },
        ],
    },
    {
        policy: "backup-bucket-hardened", compliant: backups,
        violating: [
            { resources: without(backups, "backups-versioning", "backups-tls"), message: /backups: versioning is not enabled; no bucket policy denies requests without TLS/ },
            { resources: changed(backups, "backups-sse", { props: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } }),
                message: /default encryption is "AES256", not a KMS key/ },
            { resources: changed(backups, "backups-pab", { props: { restrictPublicBuckets: false } }), message: /public access is not fully blocked/ },
            { resources: changed(backups, "backups", { props: { tags: { Purpose: "logs" } } }),
                message: /the stack holds db, plan but no S3 bucket is tagged Purpose=backups/ },
        ],
    },
    {
        // A stack without any data store (a web tier, a CI server) has nothing to back up: no backup bucket is asked of it.
        policy: "backup-bucket-hardened", compliant: [{ type: AWS.buckets[1], name: "site", props: { bucket: "www-acme", tags: { Purpose: "static-site" } } }],
        violating: [{ resources: [{ type: AWS_DATA.dynamodbTable, name: "sessions", props: { hashKey: "id", billingMode: "PAY_PER_REQUEST" } }],
            message: /the stack holds sessions but no S3 bucket is tagged Purpose=backups/ }],
    },
    {
        policy: "pre-release-snapshot", compliant: migrating,
        violating: [
            { resources: without(changed(migrating, "release-migrate", { deps: {} }), "db-pre-1-4-2"),
                message: /release-migrate migrates the database, but the stack takes no RDS snapshot of db to restore if the migration goes wrong/ },
            { resources: changed(migrating, "release-migrate", { deps: {} }),
                message: /release-migrate does not depend on the snapshot db-pre-1-4-2, so it may migrate before the snapshot is taken/ },
            { resources: changed(migrating, "db-pre-1-4-2", { props: { dbInstanceIdentifier: "reporting-db" } }), message: /takes no RDS snapshot of db/ },
        ],
    },
    {
        policy: "pre-release-snapshot", compliant: migratingAurora,
        violating: [
            { resources: changed(migratingAurora, "orders-schema-migration", { deps: {} }),
                message: /orders-schema-migration does not depend on the snapshot orders-pre-2-0-0/ },
            { resources: changed(migratingAurora, "orders-pre-2-0-0", { deps: {}, props: { dbClusterIdentifier: "orders-staging" } }),
                message: /orders-schema-migration migrates the database, but the stack takes no RDS snapshot of orders/ },
        ],
    },
];

export const recoveryCases: CaseTable = { area: "recovery and hygiene", resource: recoveryResource, stack: recoveryStack };
