import { AWS, K8S } from "../../../policies/lib/types";
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

const serving: TestResource[] = [
    { type: K8S.deployment, name: "api", props: { metadata: { name: "api" } } },
    { type: K8S.helmRelease, name: "prometheus", props: { name: "kps", chart: "kube-prometheus-stack", version: "82.6.0",
        values: { prometheus: { prometheusSpec: { ruleSelector: { matchLabels: { team: "platform" } } } } } } },
    { type: K8S.prometheusRule, name: "slo", props: { metadata: { labels: { team: "platform" } }, spec: { groups: [{ name: "slo", rules: [
        { alert: "ServiceHighErrorRate", expr: "…" }, { alert: "ServiceHighLatencyP95", expr: "…" }] }] } } },
];

const publicEndpoint: TestResource[] = [
    { type: LB, name: "alb", props: { internal: false } },
    { type: AWS.healthCheck, name: "uptime", props: { type: "HTTPS", fqdn: "api.acme.example", resourcePath: "/health" } },
    { type: AWS.metricAlarm, name: "uptime-alarm", deps: { dimensions: ["uptime"] },
        props: { namespace: "AWS/Route53", metricName: "HealthCheckStatus", alarmActions: ["arn:sns"] } },
];

const budget: TestResource[] = [{ type: AWS.budget, name: "monthly", props: { budgetType: "COST", notifications: [
    { notificationType: "FORECASTED", subscriberEmailAddresses: ["ops@acme.example"] }] } }];

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
];

const observabilityStack: StackCase[] = [
    {
        policy: "alarms-cover-data-stores", compliant: monitored,
        violating: [
            { resources: without(monitored, "db-FreeStorageSpace"), message: /db has no alarm on FreeStorageSpace/ },
            { resources: without(monitored, "cache-Evictions", "cache-EngineCPUUtilization"), message: /cache has no alarm on EngineCPUUtilization, Evictions/ },
        ],
    },
    {
        policy: "alarms-cover-load-balancer", compliant: monitored,
        violating: [{ resources: without(monitored, "alb-p95"), message: /alb has no alarm on TargetResponseTime/ }],
    },
    {
        policy: "prometheus-slo-rules", compliant: serving,
        violating: [
            { resources: changed(serving, "slo", { props: { spec: { groups: [{ rules: [{ alert: "ServiceHighErrorRate" }] }] } } }),
                message: /no PrometheusRule defines ServiceHighLatencyP95/ },
            { resources: changed(serving, "slo", { props: { metadata: { labels: { release: "kps" } } } }),
                message: /slo defines ServiceHighErrorRate, ServiceHighLatencyP95 but the stack's Prometheus does not select it: label it team=platform/ },
            // Without a ruleSelector, the chart selects its release's name.
            { resources: changed(serving, "prometheus", { props: { values: {} } }),
                message: /does not select it: label it release=kps/ },
        ],
    },
    {
        policy: "uptime-check", compliant: publicEndpoint,
        violating: [
            { resources: without(publicEndpoint, "uptime-alarm"), message: /uptime has no alarm on HealthCheckStatus/ },
            { resources: without(publicEndpoint, "uptime", "uptime-alarm"), message: /internet-facing load balancer but no Route 53 health check/ },
            // A load balancer is internet-facing unless it says otherwise.
            { resources: without(changed(publicEndpoint, "alb", { props: { internal: undefined } }), "uptime", "uptime-alarm"),
                message: /no Route 53 health check/ },
        ],
    },
    {
        policy: "budget-alert", compliant: budget,
        violating: [
            { resources: [], message: /no COST budget with a notification/ },
            { resources: changed(budget, "monthly", { props: { notifications: [{ notificationType: "ACTUAL" }] } }), message: /no COST budget/ },
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

const recoveryStack: StackCase[] = [
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
            { resources: changed(backups, "backups", { props: { tags: { Purpose: "logs" } } }), message: /no S3 bucket is tagged Purpose=backups/ },
        ],
    },
];

export const recoveryCases: CaseTable = { area: "recovery and hygiene", resource: recoveryResource, stack: recoveryStack };
