import * as assert from "assert/strict";
import { Monitoring, MonitoringArgs } from "../../components/monitoring";
import { AWS, AWS_DATA, AWS_EDGE, PULUMI } from "../../policies/lib/types";
import { isSecretValue, Plan, planComponents, planStack } from "../helpers";

const ALARM = AWS.metricAlarm;

const componentArgs: MonitoringArgs = {
    alertEmails: ["ops@example.com"],
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
    dbInstanceIdentifier: "db",
    dbProxyName: "db-proxy",
    cacheReplicationGroupId: "cache",
    cacheHasReplicas: false,
    loadBalancerArnSuffix: "app/alb/1",
    targetGroupArnSuffixes: { api: "targetgroup/api/1" },
};

const alarm = (plan: Plan, id: string) => plan.one(ALARM, `-monitoring-${id}`);

describe("Monitoring", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("notifies a KMS-encrypted topic, with the alert emails subscribed, when any alarm fires or recovers", () => {
            const topic = plan.one(AWS_DATA.snsTopic, "-monitoring-alerts");
            assert.deepEqual(topic.propertyDependencies.kmsMasterKeyId, [plan.one(AWS.kmsKey, "-secrets-key").urn]);
            assert.deepEqual(
                plan
                    .ofType(AWS_EDGE.snsTopicSubscription)
                    .filter((s) => s.name.includes("-monitoring-alerts-"))
                    .map((s) => plan.input(s, "endpoint")),
                ["oncall@acme-example.com", "platform-team@acme-example.com"],
            );
            const alarms = plan.ofType(ALARM).filter((a) => a !== alarm(plan, "uptime"));
            assert.ok(alarms.length >= 15);
            for (const a of alarms) {
                assert.deepEqual(a.propertyDependencies.alarmActions, [topic.urn], a.name);
                assert.deepEqual(a.propertyDependencies.okActions, [topic.urn], a.name);
            }
            const policy = JSON.parse(plan.input(plan.one(AWS.kmsKey, "-secrets-key"), "policy"));
            assert.ok(
                policy.Statement.some((s: any) => s.Principal.Service?.includes?.("cloudwatch.amazonaws.com")),
                "alarms may use the topic's key",
            );
        });

        it("watches the database's CPU, memory, storage, connections and latency, and the proxy's client errors", () => {
            const instance = plan.one(AWS.rdsInstance);
            const metrics = ["db-cpu", "db-freeable-memory", "db-free-storage", "db-connections", "db-read-latency", "db-write-latency"].map((id) => {
                const a = alarm(plan, id);
                assert.deepEqual(a.propertyDependencies.dimensions, [instance.urn], id);
                return [plan.input(a, "metricName"), plan.input(a, "threshold")];
            });
            assert.deepEqual(metrics, [
                ["CPUUtilization", 70],
                ["FreeableMemory", 256 * 2 ** 20],
                ["FreeStorageSpace", 10 * 2 ** 30],
                ["DatabaseConnections", 400],
                ["ReadLatency", 0.05],
                ["WriteLatency", 0.05],
            ]);
            assert.deepEqual(alarm(plan, "db-proxy-client-errors").propertyDependencies.dimensions, [plan.one(AWS.rdsProxy).urn]);
        });

        it("watches the cache's engine CPU, memory, evictions, connections and replication lag", () => {
            const group = plan.one(AWS.replicationGroup);
            for (const id of ["cache-engine-cpu", "cache-memory", "cache-evictions", "cache-connections", "cache-replication-lag"]) {
                assert.deepEqual(alarm(plan, id).propertyDependencies.dimensions, [group.urn], id);
            }
            assert.equal(plan.input(alarm(plan, "cache-memory"), "threshold"), 80);
        });

        it("alarms on a 5xx rate above 1 % of requests, a p95 above 2 s and unhealthy targets", () => {
            const rate = alarm(plan, "alb-5xx-rate");
            const queries = plan.input(rate, "metricQueries");
            assert.deepEqual(
                queries.map((q: any) => q.metric?.metricName ?? q.expression),
                ["HTTPCode_Target_5XX_Count", "RequestCount", "IF(requests > 0, 100 * errors / requests, 0)"],
            );
            assert.equal(plan.input(rate, "threshold"), 1);
            const p95 = alarm(plan, "alb-p95-latency");
            assert.equal(plan.input(p95, "extendedStatistic"), "p95");
            assert.equal(plan.input(p95, "threshold"), 2);
            assert.deepEqual(
                [...alarm(plan, "alb-api-unhealthy").propertyDependencies.dimensions].sort(),
                [plan.one(AWS.loadBalancers[0]).urn, plan.one(AWS.targetGroups[0]).urn].sort(),
            );
        });

        it("has a dashboard, a retained and encrypted application log group, and sends budget alerts to the topic", () => {
            const dashboard = JSON.parse(plan.input(plan.one(AWS.dashboard), "dashboardBody"));
            assert.deepEqual(
                dashboard.widgets.map((w: any) => w.properties.title),
                [
                    "Alarms",
                    "Uptime alarm",
                    "Database",
                    "Database proxy",
                    "Cache",
                    "Cache replica",
                    "Load balancer",
                    "api targets",
                    "WAF",
                    "Backup jobs",
                    "Uptime",
                ],
            );
            // The alarm widgets name every alarm by its ARN: the dashboard depends on each of them.
            const board = plan.one(AWS.dashboard);
            assert.deepEqual(
                plan
                    .ofType(ALARM)
                    .filter((a) => !board.propertyDependencies.dashboardBody.includes(a.urn))
                    .map((a) => a.name),
                [],
            );
            assert.equal(dashboard.widgets[0].properties.alarms.length, plan.ofType(ALARM).length - 1);
            const logs = plan.one(AWS.logGroup, "-monitoring-application");
            assert.equal(plan.input(logs, "retentionInDays"), 365);
            assert.ok(plan.input(logs, "kmsKeyId"));
            const budget = plan.one(AWS.budget);
            assert.ok(budget.propertyDependencies.notifications.includes(plan.one(AWS_DATA.snsTopic, "-monitoring-alerts").urn));
        });

        it("alarms when the WAF blocks more than 1000 requests in 5 minutes, on the web ACL's own metric", () => {
            const waf = alarm(plan, "waf-blocked-requests");
            assert.deepEqual(
                ["namespace", "metricName", "statistic", "period", "evaluationPeriods", "comparisonOperator", "threshold", "treatMissingData"].map((k) =>
                    plan.input(waf, k),
                ),
                ["AWS/WAFV2", "BlockedRequests", "Sum", 300, 1, "GreaterThanThreshold", 1000, "notBreaching"],
            );
            const { Region, Rule } = plan.input(waf, "dimensions");
            assert.deepEqual([Region, Rule], ["eu-west-1", "ALL"]);
            // The WebACL dimension is the ACL's name, which the provider generates.
            assert.deepEqual(waf.propertyDependencies.dimensions, [plan.one(AWS.webAcl).urn]);
            assert.deepEqual(waf.propertyDependencies.alarmActions, [plan.one(AWS_DATA.snsTopic, "-monitoring-alerts").urn]);
        });

        it("shows every metric an alarm watches on the dashboard, in the alarm's region", () => {
            const body = JSON.parse(plan.input(plan.one(AWS.dashboard), "dashboardBody"));
            const shown = body.widgets
                .filter((w: any) => w.type === "metric")
                .flatMap((w: any) => w.properties.metrics.map((row: string[]) => `${w.properties.region} ${row[0]} ${row[1]}`));
            for (const a of plan.ofType(ALARM)) {
                const region = a === alarm(plan, "uptime") ? "us-east-1" : "eu-west-1";
                const metrics = [
                    { namespace: plan.input(a, "namespace"), metricName: plan.input(a, "metricName") },
                    ...(plan.input(a, "metricQueries") ?? []).map((q: any) => q.metric).filter(Boolean),
                ].filter((m) => m.metricName);
                assert.ok(metrics.length > 0, a.name);
                for (const m of metrics) {
                    assert.ok(shown.includes(`${region} ${m.namespace} ${m.metricName}`), `${a.name}: ${m.metricName} is on no dashboard`);
                }
            }
        });

        it("checks https://<domain>/health from Route 53 and alarms through a topic in us-east-1, where its metrics are", () => {
            const check = plan.one(AWS.healthCheck);
            assert.deepEqual(
                ["type", "fqdn", "port", "resourcePath", "enableSni", "requestInterval", "failureThreshold"].map((k) => plan.input(check, k)),
                ["HTTPS", "api.acme-example.com", 443, "/health", true, 30, 3],
            );
            const uptime = alarm(plan, "uptime");
            assert.deepEqual(
                [
                    plan.input(uptime, "namespace"),
                    plan.input(uptime, "metricName"),
                    plan.input(uptime, "comparisonOperator"),
                    plan.input(uptime, "threshold"),
                    plan.input(uptime, "treatMissingData"),
                ],
                ["AWS/Route53", "HealthCheckStatus", "LessThanThreshold", 1, "breaching"],
            );
            assert.deepEqual(uptime.propertyDependencies.dimensions, [check.urn]);

            const provider = plan.one(PULUMI.awsProvider, "-us-east-1");
            assert.equal(plan.input(provider, "region"), "us-east-1");
            const topic = plan.one(AWS_DATA.snsTopic, "-uptime-alerts");
            const key = plan.one(AWS.kmsKey, "-uptime-alerts");
            for (const resource of [uptime, topic, key]) {
                assert.ok(resource.provider?.startsWith(provider.urn), `${resource.name} is not in us-east-1`);
            }
            assert.deepEqual(uptime.propertyDependencies.alarmActions, [topic.urn]);
            assert.deepEqual(uptime.propertyDependencies.okActions, [topic.urn]);
            assert.deepEqual(topic.propertyDependencies.kmsMasterKeyId, [key.urn]);
            assert.equal(plan.input(key, "enableKeyRotation"), true);
            assert.equal(key.protect, true);
            assert.deepEqual(
                plan
                    .ofType(AWS_EDGE.snsTopicSubscription)
                    .filter((s) => s.name.includes("-uptime-alerts-"))
                    .map((s) => plan.input(s, "endpoint")),
                ["oncall@acme-example.com", "platform-team@acme-example.com"],
            );
        });
    });

    it("staging has no replication lag alarm (no replica) and takes the thresholds its stack file sets", async () => {
        const plan = await planStack("staging", {
            "platform:alerts": JSON.stringify({ emails: ["platform-team@acme-example.com"], thresholds: { cpuPercent: 60, latencyP95Seconds: 1.5 } }),
        });
        assert.equal(plan.ofType(ALARM).filter((a) => a.name.endsWith("-cache-replication-lag")).length, 0);
        assert.equal(plan.input(alarm(plan, "db-cpu"), "threshold"), 60);
        assert.equal(plan.input(alarm(plan, "cache-engine-cpu"), "threshold"), 60);
        assert.equal(plan.input(alarm(plan, "alb-p95-latency"), "threshold"), 1.5);
    });

    it("defaults to the checklists' thresholds and takes others when asked", async () => {
        const defaults = await planComponents(() => new Monitoring("m", componentArgs));
        assert.equal(defaults.input(defaults.one(ALARM, "-alb-5xx-rate"), "threshold"), 1);
        assert.equal(defaults.input(defaults.one(ALARM, "-db-cpu"), "threshold"), 70);
        const custom = await planComponents(() => new Monitoring("m", { ...componentArgs, thresholds: { errorRatePercent: 5, cpuPercent: 85 } }));
        assert.equal(custom.input(custom.one(ALARM, "-alb-5xx-rate"), "threshold"), 5);
        assert.equal(custom.input(custom.one(ALARM, "-db-cpu"), "threshold"), 85);
    });

    it("alarms on the WAF only when given its web ACL, above 1000 blocked requests in 5 minutes unless told otherwise", async () => {
        const without = await planComponents(() => new Monitoring("m", componentArgs));
        assert.equal(without.ofType(ALARM).filter((a) => a.name.endsWith("-waf-blocked-requests")).length, 0);
        const defaults = await planComponents(() => new Monitoring("m", { ...componentArgs, webAclName: "edge-waf-1a2b3c4" }));
        const waf = defaults.one(ALARM, "-waf-blocked-requests");
        assert.equal(defaults.input(waf, "threshold"), 1000);
        assert.deepEqual(defaults.input(waf, "dimensions"), { WebACL: "edge-waf-1a2b3c4", Region: "eu-west-1", Rule: "ALL" });
        const custom = await planComponents(
            () => new Monitoring("m", { ...componentArgs, webAclName: "edge-waf-1a2b3c4", thresholds: { wafBlockedRequests: 250 } }),
        );
        assert.equal(custom.input(custom.one(ALARM, "-waf-blocked-requests"), "threshold"), 250);
        const titles = (plan: Plan) => JSON.parse(plan.input(plan.one(AWS.dashboard), "dashboardBody")).widgets.map((w: any) => w.properties.title);
        assert.ok(titles(defaults).includes("WAF"));
        assert.ok(!titles(without).includes("WAF"));
    });

    it("alarms on failed backup and copy jobs of the vault it is given, and of none by default", async () => {
        const without = await planComponents(() => new Monitoring("m", componentArgs));
        assert.equal(without.ofType(ALARM).filter((a) => a.name.includes("-backup-")).length, 0);
        const plan = await planComponents(() => new Monitoring("m", { ...componentArgs, backupVaultName: "platform-vault" }));
        for (const [id, metric] of [
            ["backup-jobs-failed", "NumberOfBackupJobsFailed"],
            ["backup-copy-jobs-failed", "NumberOfCopyJobsFailed"],
        ]) {
            const a = plan.one(ALARM, `-${id}`);
            assert.deepEqual(
                ["namespace", "metricName", "statistic", "threshold", "comparisonOperator"].map((k) => plan.input(a, k)),
                ["AWS/Backup", metric, "Sum", 0, "GreaterThanThreshold"],
            );
            assert.deepEqual(plan.input(a, "dimensions"), { BackupVaultName: "platform-vault" });
        }
    });

    it("links each alarm's runbook section in its description when given the runbook, and none by default", async () => {
        const without = await planComponents(() => new Monitoring("m", componentArgs));
        assert.equal(without.input(without.one(ALARM, "-db-cpu"), "alarmDescription"), "Database CPU above 70 %");
        const plan = await planComponents(() => new Monitoring("m", { ...componentArgs, runbookBaseUrl: "https://runbooks.example.com/platform" }));
        for (const a of plan.ofType(ALARM)) {
            const id = a.name.replace(/^m-/, "");
            assert.ok(plan.input(a, "alarmDescription").endsWith(`. Runbook: https://runbooks.example.com/platform#${id}`), a.name);
        }
    });

    it("has no uptime check unless given an endpoint, and checks the path and pace it is given", async () => {
        const without = await planComponents(() => new Monitoring("m", componentArgs));
        assert.deepEqual([without.ofType(AWS.healthCheck).length, without.ofType(PULUMI.awsProvider).length], [0, 0]);
        const custom = await planComponents(
            () =>
                new Monitoring("m", {
                    ...componentArgs,
                    protect: false,
                    uptime: { fqdn: "app.example.com", path: "/ready", requestIntervalSeconds: 10, failureThreshold: 2 },
                }),
        );
        const check = custom.one(AWS.healthCheck);
        assert.deepEqual(
            ["fqdn", "resourcePath", "requestInterval", "failureThreshold"].map((k) => custom.input(check, k)),
            ["app.example.com", "/ready", 10, 2],
        );
        assert.equal(custom.one(AWS.kmsKey, "-uptime-alerts").protect, false);
    });

    it("subscribes no webhook by default, and each one given to both topics over HTTPS, as a secret", async () => {
        const subscriptions = (plan: Plan) => plan.ofType(AWS_EDGE.snsTopicSubscription);
        const without = await planComponents(() => new Monitoring("m", componentArgs));
        assert.deepEqual(
            subscriptions(without).map((s) => without.input(s, "protocol")),
            ["email"],
        );
        const hook = "https://events.pagerduty.example/integration/k3y/enqueue";
        const plan = await planStack("staging", { "platform:alertWebhooks": JSON.stringify([hook]) });
        const https = subscriptions(plan).filter((s) => plan.input(s, "protocol") === "https");
        assert.deepEqual(
            https.map((s) => s.name),
            ["platform-staging-monitoring-alerts-https-1", "platform-staging-monitoring-uptime-alerts-https-1"],
        );
        for (const subscription of https) {
            assert.ok(isSecretValue(subscription.inputs.endpoint), `${subscription.name} endpoint is not secret`);
            assert.equal(plan.input(subscription, "endpoint"), hook);
        }
    });

    it("the stack's uptime path and pace come from platform:observability", async () => {
        const plan = await planStack("staging", { "platform:observability": JSON.stringify({ uptime: { path: "/livez", requestIntervalSeconds: 10 } }) });
        const check = plan.one(AWS.healthCheck);
        assert.deepEqual([plan.input(check, "resourcePath"), plan.input(check, "requestInterval")], ["/livez", 10]);
    });
});
