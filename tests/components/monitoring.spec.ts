import * as assert from "assert/strict";
import { Monitoring, MonitoringArgs } from "../../components/monitoring";
import { Plan, planComponents, planStack } from "../helpers";

const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

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
            const topic = plan.one("aws:sns/topic:Topic");
            assert.deepEqual(topic.propertyDependencies.kmsMasterKeyId, [plan.one("aws:kms/key:Key").urn]);
            assert.deepEqual(plan.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => plan.input(s, "endpoint")),
                ["oncall@acme-example.com", "platform-team@acme-example.com"]);
            const alarms = plan.ofType(ALARM);
            assert.ok(alarms.length >= 15);
            for (const a of alarms) {
                assert.deepEqual(a.propertyDependencies.alarmActions, [topic.urn], a.name);
                assert.deepEqual(a.propertyDependencies.okActions, [topic.urn], a.name);
            }
            const policy = JSON.parse(plan.input(plan.one("aws:kms/key:Key"), "policy"));
            assert.ok(policy.Statement.some((s: any) => s.Principal.Service?.includes?.("cloudwatch.amazonaws.com")), "alarms may use the topic's key");
        });

        it("watches the database's CPU, memory, storage, connections and latency, and the proxy's client errors", () => {
            const instance = plan.one("aws:rds/instance:Instance");
            const metrics = ["db-cpu", "db-freeable-memory", "db-free-storage", "db-connections", "db-read-latency", "db-write-latency"].map((id) => {
                const a = alarm(plan, id);
                assert.deepEqual(a.propertyDependencies.dimensions, [instance.urn], id);
                return [plan.input(a, "metricName"), plan.input(a, "threshold")];
            });
            assert.deepEqual(metrics, [["CPUUtilization", 70], ["FreeableMemory", 256 * 2 ** 20], ["FreeStorageSpace", 10 * 2 ** 30],
                ["DatabaseConnections", 400], ["ReadLatency", 0.05], ["WriteLatency", 0.05]]);
            assert.deepEqual(alarm(plan, "db-proxy-client-errors").propertyDependencies.dimensions, [plan.one("aws:rds/proxy:Proxy").urn]);
        });

        it("watches the cache's engine CPU, memory, evictions, connections and replication lag", () => {
            const group = plan.one("aws:elasticache/replicationGroup:ReplicationGroup");
            for (const id of ["cache-engine-cpu", "cache-memory", "cache-evictions", "cache-connections", "cache-replication-lag"]) {
                assert.deepEqual(alarm(plan, id).propertyDependencies.dimensions, [group.urn], id);
            }
            assert.equal(plan.input(alarm(plan, "cache-memory"), "threshold"), 80);
        });

        it("alarms on a 5xx rate above 1 % of requests, a p95 above 2 s and unhealthy targets", () => {
            const rate = alarm(plan, "alb-5xx-rate");
            const queries = plan.input(rate, "metricQueries");
            assert.deepEqual(queries.map((q: any) => q.metric?.metricName ?? q.expression),
                ["HTTPCode_Target_5XX_Count", "RequestCount", "IF(requests > 0, 100 * errors / requests, 0)"]);
            assert.equal(plan.input(rate, "threshold"), 1);
            const p95 = alarm(plan, "alb-p95-latency");
            assert.equal(plan.input(p95, "extendedStatistic"), "p95");
            assert.equal(plan.input(p95, "threshold"), 2);
            assert.deepEqual(alarm(plan, "alb-api-unhealthy").propertyDependencies.dimensions.sort(),
                [plan.one("aws:lb/loadBalancer:LoadBalancer").urn, plan.one("aws:lb/targetGroup:TargetGroup").urn].sort());
        });

        it("has a dashboard, a retained and encrypted application log group, and sends budget alerts to the topic", () => {
            const dashboard = JSON.parse(plan.input(plan.one("aws:cloudwatch/dashboard:Dashboard"), "dashboardBody"));
            assert.deepEqual(dashboard.widgets.map((w: any) => w.properties.title), ["Database", "Cache", "Load balancer"]);
            const logs = plan.one("aws:cloudwatch/logGroup:LogGroup", "-monitoring-application");
            assert.equal(plan.input(logs, "retentionInDays"), 365);
            assert.ok(plan.input(logs, "kmsKeyId"));
            const budget = plan.one("aws:budgets/budget:Budget");
            assert.ok(budget.propertyDependencies.notifications.includes(plan.one("aws:sns/topic:Topic").urn));
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
});
