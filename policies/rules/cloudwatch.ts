import { PolicyResource } from "@pulumi/policy";
import { actionTopics, alarmsOn, isSubscribed, metricsOf, notifies, watchedMetrics } from "../lib/alarms";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { PreviewUnknowns, valueAt } from "../lib/kubernetes";
import { AWS, AWS_DATA } from "../lib/types";
import { listOf, numberOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

export const cloudwatchLogRetention: ResourceRule<{ minimumDays: number }> = {
    name: "cloudwatch-log-retention",
    description: "Log groups keep logs for a set period, long enough to investigate.",
    severity: "medium",
    checklist: ["OBS-01"],
    references: ["https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/Working-with-log-groups-and-streams.html"],
    equivalents: ["CKV_AWS_66", "CKV_AWS_338"],
    remediation: "Set retentionInDays to a CloudWatch retention period of at least the minimum.",
    resourceTypes: [AWS.logGroup],
    config: { minimumDays: { type: "integer", minimum: 1, default: 30, description: "Shortest retention allowed." } },
    validate({ props }, { minimumDays }, report) {
        const raw = props.retentionInDays;
        const days = raw === undefined || raw === null ? 0 : numberOf(raw);
        if (days === undefined) {
            report(`retentionInDays is ${show(raw)}, not a number`);
        } else if (days === 0) {
            report(`retentionInDays is not set, so logs are kept forever at growing cost; set ${minimumDays} days or more`);
        } else if (days < minimumDays) {
            report(`retentionInDays is ${days}; at least ${minimumDays} days are required`);
        }
    },
};

function requireAlarms(
    stack: StackView,
    resource: PolicyResource,
    dimension: string,
    value: unknown,
    required: string[],
    report: (message: string, resource?: PolicyResource) => void,
) {
    const watched = new Set(alarmsOn(stack, resource, dimension, value).flatMap(metricsOf));
    const missing = required.filter((metric) => !watched.has(metric));
    if (missing.length > 0) {
        report(`${resource.name} has no alarm on ${missing.join(", ")}`, resource);
    }
}

export const alarmsCoverDataStores: StackRule<{
    databaseMetrics: string[];
    cacheMetrics: string[];
    memorydbMetrics: string[];
    serverlessCacheMetrics: string[];
}> = {
    name: "alarms-cover-data-stores",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.memorydbCluster, AWS_DATA.serverlessCache],
    description: "Every database and cache has alarms on its key health metrics.",
    severity: "high",
    checklist: ["OBS-02"],
    references: [
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Best_Practice_Recommended_Alarms_AWS_Services.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/monitoring-cloudwatch.html",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheMetrics.WhichShouldIMonitor.html",
    ],
    remediation:
        "Add CloudWatch metric alarms (with actions) for each required metric of each RDS instance or Aurora cluster, ElastiCache group, " +
        "cluster or serverless cache, and MemoryDB cluster, with its identifier as the dimension.",
    config: {
        databaseMetrics: {
            type: "array",
            items: { type: "string" },
            default: ["CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections"],
            description: "AWS/RDS metrics each instance needs an alarm on (an Aurora cluster: all but FreeStorageSpace, which Aurora does not have).",
        },
        cacheMetrics: {
            type: "array",
            items: { type: "string" },
            default: ["EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"],
            description: "AWS/ElastiCache metrics each replication group or cluster needs an alarm on.",
        },
        memorydbMetrics: {
            type: "array",
            items: { type: "string" },
            default: ["EngineCPUUtilization", "DatabaseMemoryUsagePercentage"],
            description: "AWS/MemoryDB metrics each cluster needs an alarm on.",
        },
        serverlessCacheMetrics: {
            type: "array",
            items: { type: "string" },
            default: ["ElastiCacheProcessingUnits", "BytesUsedForCache"],
            description: "AWS/ElastiCache metrics each serverless cache needs an alarm on.",
        },
    },
    validate(stack, { databaseMetrics, cacheMetrics, memorydbMetrics, serverlessCacheMetrics }, report) {
        for (const instance of stack.ofType(AWS.rdsInstance)) {
            requireAlarms(stack, instance, "DBInstanceIdentifier", instance.props.identifier, databaseMetrics, report);
        }
        // Aurora's storage grows by itself: it publishes no FreeStorageSpace.
        for (const cluster of stack.ofType(AWS.rdsCluster)) {
            requireAlarms(
                stack,
                cluster,
                "DBClusterIdentifier",
                peek(cluster.props, "clusterIdentifier"),
                databaseMetrics.filter((m) => m !== "FreeStorageSpace"),
                report,
            );
        }
        for (const group of stack.ofType(AWS.replicationGroup)) {
            requireAlarms(stack, group, "ReplicationGroupId", group.props.replicationGroupId, cacheMetrics, report);
        }
        // Members of a replication group are judged through the group; memcached publishes none of Redis's engine metrics.
        const standaloneRedis = (c: PolicyResource) => peek(c.props, "replicationGroupId") === undefined && peek(c.props, "engine") !== "memcached";
        for (const cluster of stack.ofType(AWS.cacheCluster).filter(standaloneRedis)) {
            requireAlarms(stack, cluster, "CacheClusterId", peek(cluster.props, "clusterId"), cacheMetrics, report);
        }
        for (const cluster of stack.ofType(AWS_DATA.memorydbCluster)) {
            requireAlarms(stack, cluster, "ClusterName", peek(cluster.props, "name"), memorydbMetrics, report);
        }
        for (const cache of stack.ofType(AWS_DATA.serverlessCache)) {
            requireAlarms(stack, cache, "clusterId", peek(cache.props, "name"), serverlessCacheMetrics, report);
        }
    },
};

export const alarmsCoverLoadBalancer: StackRule<{ applicationMetrics: string[]; networkMetrics: string[] }> = {
    name: "alarms-cover-load-balancer",
    appliesTo: AWS.loadBalancers,
    description: "Every load balancer has alarms on its error rate and latency (an NLB: on unhealthy targets and resets).",
    severity: "high",
    checklist: ["OBS-03"],
    references: [
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-cloudwatch-metrics.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-cloudwatch-metrics.html",
    ],
    remediation:
        "Add alarms on the 5xx rate (metric math over HTTPCode_Target_5XX_Count / RequestCount) and p95 TargetResponseTime; " +
        "for a network load balancer on UnHealthyHostCount and TCP_Target_Reset_Count.",
    config: {
        applicationMetrics: {
            type: "array",
            items: { type: "string" },
            default: ["HTTPCode_Target_5XX_Count", "TargetResponseTime"],
            description: "AWS/ApplicationELB metrics each application load balancer needs an alarm on.",
        },
        networkMetrics: {
            type: "array",
            items: { type: "string" },
            default: ["UnHealthyHostCount", "TCP_Target_Reset_Count"],
            description: "AWS/NetworkELB metrics each network load balancer needs an alarm on.",
        },
    },
    validate(stack, config, report) {
        for (const lb of stack.ofType(...AWS.loadBalancers)) {
            const kind = peek(lb.props, "loadBalancerType") ?? "application";
            const metrics = kind === "network" ? config.networkMetrics : kind === "application" ? config.applicationMetrics : [];
            requireAlarms(stack, lb, "LoadBalancer", lb.props.arnSuffix, metrics, report);
        }
    },
};

export const alarmActionsConfigured: ResourceRule<{ requireOkActions: boolean }> = {
    name: "alarm-actions-configured",
    description: "Every alarm notifies someone when it fires (and when it recovers).",
    severity: "high",
    checklist: ["OBS-04"],
    references: [
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html",
    ],
    equivalents: ["CKV_AWS_319"],
    remediation: "Set alarmActions (and okActions) to the alert SNS topic; keep actionsEnabled true.",
    resourceTypes: [AWS.metricAlarm, AWS.compositeAlarm],
    config: { requireOkActions: { type: "boolean", default: true, description: "Require okActions too." } },
    validate({ props }, { requireOkActions }, report) {
        if (props.actionsEnabled === false) {
            report("actionsEnabled is false, so the alarm notifies nobody");
            return;
        }
        if ((listOf(props.alarmActions) ?? []).length === 0) {
            report("alarmActions is empty, so the alarm notifies nobody");
        }
        if (requireOkActions && (listOf(props.okActions) ?? []).length === 0) {
            report("okActions is empty, so nobody hears that the alarm recovered");
        }
    },
};

export const alarmTopicsSubscribed: StackRule = {
    name: "alarm-topics-subscribed",
    appliesTo: [AWS.metricAlarm, AWS.compositeAlarm],
    description: "Every SNS topic of the stack that alarms notify has a subscription, so someone receives the alarms.",
    severity: "high",
    checklist: ["OBS-04"],
    references: [
        "https://docs.aws.amazon.com/sns/latest/dg/sns-create-subscribe-endpoint-to-topic.html",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Notify_Users_Alarm_Changes.html",
    ],
    remediation: "Add an aws.sns.TopicSubscription (email, https or a chat/paging integration) whose topic is the alarm topic.",
    validate(stack, _config, report) {
        const unknowns = new PreviewUnknowns();
        const silent = new Map<string, { topic: PolicyResource; alarms: string[] }>();
        unknowns.each(stack.ofType(AWS.metricAlarm, AWS.compositeAlarm), (alarm) => {
            for (const topic of actionTopics(stack, alarm).filter((t) => !isSubscribed(stack, t))) {
                silent.set(topic.urn, { topic, alarms: [...(silent.get(topic.urn)?.alarms ?? []), alarm.name] });
            }
        });
        for (const { topic, alarms } of silent.values()) {
            report(
                `topic ${topic.name}, which ${alarms.length === 1 ? "alarm" : "alarms"} ${alarms.join(", ")} notify, has no subscription: nobody receives them`,
                topic,
            );
        }
        unknowns.settle();
    },
};

/**
 * The metric names a dashboard body shows: those of its widgets' metric rows (with CloudWatch's "."
 * and "..." shorthands for the previous row's values) and the words of their math and search
 * expressions. Undefined when the body is not dashboard JSON.
 */
function dashboardMetrics(body: unknown): { names: Set<string>; expressions: string[] } | undefined {
    let parsed: unknown = body;
    if (typeof body === "string") {
        try {
            parsed = JSON.parse(body);
        } catch {
            return undefined;
        }
    }
    const widgets = listOf(valueAt(parsed, "widgets"));
    if (!widgets) {
        return undefined;
    }
    const names = new Set<string>();
    const expressions: string[] = [];
    for (const widget of widgets) {
        let previous: string | undefined;
        for (const row of listOf(valueAt(widget, "properties", "metrics")) ?? []) {
            const cells = listOf(row) ?? [];
            const name = cells[0] === "..." || cells[1] === "." ? previous : cells[1];
            if (typeof name === "string" && name !== "..." && name !== ".") {
                names.add(name);
                previous = name;
            }
            cells
                .map((cell) => valueAt(cell, "expression"))
                .filter((e): e is string => typeof e === "string")
                .forEach((e) => expressions.push(e));
        }
    }
    return { names, expressions };
}

function alarmedMetrics(alarm: PolicyResource): string[] {
    const own = peek(alarm.props, "metricName");
    const queries = listOf(peek(alarm.props, "metricQueries")) ?? [];
    const fromQueries = queries.map((query) => valueAt(query, "metric", "metricName"));
    return [...new Set([own, ...fromQueries].filter((m): m is string => typeof m === "string" && m !== ""))];
}

export const dashboardsCoverAlarms: StackRule = {
    name: "dashboards-cover-alarms",
    appliesTo: [AWS.metricAlarm],
    description:
        "Every alarm is on a CloudWatch dashboard (its metrics in a metric widget, or the alarm in an alarm widget), so whoever is paged sees it in context.",
    severity: "medium",
    checklist: ["OBS-09"],
    references: ["https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Dashboards.html"],
    remediation: "Add an aws.cloudwatch.Dashboard whose dashboardBody has a metric widget (or an alarm widget) for every alarmed metric.",
    validate(stack, _config, report) {
        const alarms = stack.ofType(AWS.metricAlarm);
        if (alarms.length === 0) {
            return;
        }
        const dashboards = stack.ofType(AWS.dashboard);
        if (dashboards.length === 0) {
            report(
                `the stack has ${alarms.length} CloudWatch alarm${alarms.length === 1 ? "" : "s"} but no CloudWatch dashboard; add one that shows their metrics`,
            );
            return;
        }
        const unknowns = new PreviewUnknowns();
        const unknownBodies = dashboards.filter((d) => peek(d.props, "dashboardBody") === UNKNOWN);
        const bodies = dashboards.filter((d) => !unknownBodies.includes(d)).map((d) => peek(d.props, "dashboardBody"));
        const shown: NonNullable<ReturnType<typeof dashboardMetrics>>[] = [];
        unknowns.each(bodies, (body) => {
            const metrics = dashboardMetrics(body);
            if (metrics) {
                shown.push(metrics);
            }
        });
        const texts = bodies.map((b) => (typeof b === "string" ? b : ""));
        const isShown = (metric: string) =>
            shown.some(
                ({ names, expressions }) => names.has(metric) || expressions.some((e) => new RegExp(`\\b${metric.replace(/[^\w]/g, "\\$&")}\\b`).test(e)),
            );
        let undecided = false;
        unknowns.each(alarms, (alarm) => {
            const name = peek(alarm.props, "name");
            // An alarm widget shows the alarm itself: by its ARN (an output of the alarm) or by its name.
            const inAlarmWidget =
                dashboards.some((d) => stack.referencedBy(d, "dashboardBody").some((r) => r.urn === alarm.urn)) ||
                (typeof name === "string" && texts.some((t) => t.includes(`:alarm:${name}`)));
            const missing = inAlarmWidget ? [] : alarmedMetrics(alarm).filter((metric) => !isShown(metric));
            if (missing.length === 0) {
                return;
            }
            if (unknownBodies.length > 0) {
                undecided = true;
                return;
            }
            report(
                `${alarm.name} watches ${missing.join(", ")}, which no dashboard shows; add ${missing.length === 1 ? "it" : "them"} to a dashboard's dashboardBody`,
                alarm,
            );
        });
        if (undecided) {
            // A dashboard this preview cannot read yet may show them: reading its body reports that the rule cannot decide.
            void unknownBodies[0].props.dashboardBody;
        }
        unknowns.settle();
    },
};

const WAF_NAMESPACE = "AWS/WAFV2";
const BLOCKED_REQUESTS = "BlockedRequests";

export const wafBlockedRequestsAlarm: StackRule = {
    name: "waf-blocked-requests-alarm",
    appliesTo: [AWS.webAcl],
    description: "Every web ACL has an alarm on its blocked requests: a surge is an attack, or a rule blocking real users.",
    severity: "medium",
    checklist: ["OBS-07"],
    references: ["https://docs.aws.amazon.com/waf/latest/developerguide/waf-metrics.html"],
    remediation:
        "Add a CloudWatch metric alarm on AWS/WAFV2 BlockedRequests with dimensions WebACL (the web ACL's name), Rule ALL (and Region for a " +
        "regional ACL), and alarmActions to the alert topic.",
    validate(stack, _config, report) {
        const unknowns = new PreviewUnknowns();
        const alarms = stack.ofType(AWS.metricAlarm);
        unknowns.each(stack.ofType(AWS.webAcl), (acl) => {
            const names = [peek(acl.props, "name"), valueAt(peek(acl.props, "visibilityConfig"), "metricName")].filter(
                (n) => typeof n === "string" && n !== "",
            );
            const dependsOnAcl = (alarm: PolicyResource) =>
                [...stack.referencedBy(alarm, "dimensions"), ...stack.referencedBy(alarm, "metricQueries")].some((r) => r.urn === acl.urn);
            const watching: PolicyResource[] = [];
            // An alarm this preview cannot read yet stops only the judgement of this ACL, and only if no other alarm watches it.
            const unreadable = new PreviewUnknowns();
            unreadable.each(alarms, (alarm) => {
                const watches = watchedMetrics(alarm).some(
                    ({ namespace, metricName, dimensions }) =>
                        namespace === WAF_NAMESPACE &&
                        metricName === BLOCKED_REQUESTS &&
                        (names.includes(peek(objectOf(dimensions), "WebACL")) || dependsOnAcl(alarm)),
                );
                if (watches) {
                    watching.push(alarm);
                }
            });
            if (watching.length === 0) {
                unreadable.settle();
                report(
                    `${acl.name} has no alarm on ${WAF_NAMESPACE} ${BLOCKED_REQUESTS} with its WebACL dimension${names.length > 0 ? ` (${show(names[0])})` : ""}, ` +
                        "so an attack or a rule blocking real users goes unnoticed",
                    acl,
                );
            } else if (!watching.some((alarm) => notifies(alarm, stack))) {
                report(
                    `${acl.name}'s ${BLOCKED_REQUESTS} alarm ${watching.map((a) => a.name).join(", ")} notifies nobody: set alarmActions to a topic someone ` +
                        "subscribes to (and keep actionsEnabled true)",
                    acl,
                );
            }
        });
        unknowns.settle();
    },
};

export const cloudwatchRules: RuleFile = {
    title: "Amazon CloudWatch (logs, alarms, dashboards)",
    resource: [cloudwatchLogRetention, alarmActionsConfigured] as ResourceRule<any>[],
    stack: [alarmsCoverDataStores, alarmsCoverLoadBalancer, alarmTopicsSubscribed, dashboardsCoverAlarms, wafBlockedRequestsAlarm] as StackRule<any>[],
};
