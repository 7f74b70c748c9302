import { AWS, AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";
import { LB, publicEndpoint } from "../fixtures";

const alarm = (name: string, target: string, metric: string, dimension: Record<string, string>): TestResource => ({
    type: AWS.metricAlarm,
    name,
    deps: { dimensions: [target] },
    props: { metricName: metric, namespace: "AWS/X", dimensions: dimension, alarmActions: ["arn:sns"], okActions: ["arn:sns"] },
});

const monitored: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres", identifier: "db" } },
    ...["CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections"].map((m) => alarm(`db-${m}`, "db", m, { DBInstanceIdentifier: "db" })),
    { type: AWS.replicationGroup, name: "cache", props: { replicationGroupId: "cache" } },
    ...["EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"].map((m) => alarm(`cache-${m}`, "cache", m, { ReplicationGroupId: "cache" })),
    { type: LB, name: "alb", props: { arnSuffix: "app/alb/123" } },
    {
        type: AWS.metricAlarm,
        name: "alb-5xx-rate",
        deps: { metricQueries: ["alb"] },
        props: {
            alarmActions: ["arn:sns"],
            metricQueries: [
                { id: "errors", metric: { metricName: "HTTPCode_Target_5XX_Count", dimensions: { LoadBalancer: "app/alb/123" } } },
                { id: "requests", metric: { metricName: "RequestCount", dimensions: { LoadBalancer: "app/alb/123" } } },
                { id: "rate", expression: "100 * errors / requests" },
            ],
        },
    },
    // Matched by its dimension value alone, as a hand-written alarm would be.
    {
        type: AWS.metricAlarm,
        name: "alb-p95",
        props: { metricName: "TargetResponseTime", extendedStatistic: "p95", dimensions: { LoadBalancer: "app/alb/123" } },
    },
];

const SNS = "arn:aws:sns:eu-west-1:123456789012:platform-alerts";

const watch = (name: string, namespace: string, metricName: string, dimensions: Record<string, string>): TestResource => ({
    type: AWS.metricAlarm,
    name,
    props: {
        namespace,
        metricName,
        dimensions,
        statistic: "Average",
        period: 60,
        evaluationPeriods: 5,
        threshold: 1,
        comparisonOperator: "GreaterThanThreshold",
        alarmActions: [SNS],
        okActions: [SNS],
    },
});

/** A dashboard body as components write it: metric rows, with CloudWatch's "." shorthand for the previous row's values. */
const platformDashboard = (albRows: unknown[][]) =>
    JSON.stringify({
        widgets: [
            {
                type: "metric",
                x: 0,
                y: 0,
                width: 24,
                height: 6,
                properties: {
                    title: "Database",
                    region: "eu-west-1",
                    metrics: [
                        ["AWS/RDS", "CPUUtilization", "DBInstanceIdentifier", "db"],
                        [".", "DatabaseConnections", ".", "."],
                    ],
                },
            },
            { type: "metric", x: 0, y: 6, width: 24, height: 6, properties: { title: "Load balancer", region: "eu-west-1", metrics: albRows } },
            {
                type: "metric",
                x: 0,
                y: 12,
                width: 24,
                height: 6,
                properties: {
                    title: "Evictions",
                    region: "eu-west-1",
                    metrics: [[{ expression: "SEARCH('{AWS/ElastiCache,CacheClusterId} MetricName=\"Evictions\"', 'Sum', 300)", id: "e1" }]],
                },
            },
        ],
    });

const ALB_ROWS = [
    ["AWS/ApplicationELB", "RequestCount", "LoadBalancer", "app/alb/1"],
    [".", "HTTPCode_Target_5XX_Count", ".", "."],
];

const dashboarded: TestResource[] = [
    watch("db-cpu", "AWS/RDS", "CPUUtilization", { DBInstanceIdentifier: "db" }),
    watch("cache-evictions", "AWS/ElastiCache", "Evictions", { CacheClusterId: "cache-001" }),
    {
        type: AWS.metricAlarm,
        name: "alb-5xx-rate",
        props: {
            comparisonOperator: "GreaterThanThreshold",
            threshold: 1,
            evaluationPeriods: 5,
            alarmActions: [SNS],
            metricQueries: [
                {
                    id: "errors",
                    metric: {
                        namespace: "AWS/ApplicationELB",
                        metricName: "HTTPCode_Target_5XX_Count",
                        dimensions: { LoadBalancer: "app/alb/1" },
                        period: 60,
                        stat: "Sum",
                    },
                },
                {
                    id: "requests",
                    metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: { LoadBalancer: "app/alb/1" }, period: 60, stat: "Sum" },
                },
                { id: "rate", expression: "100 * errors / requests", returnData: true },
            ],
        },
    },
    watch("uptime", "AWS/Route53", "HealthCheckStatus", { HealthCheckId: "hc-1" }),
    { type: AWS.dashboard, name: "platform", props: { dashboardName: "platform", dashboardBody: platformDashboard(ALB_ROWS) } },
    // An alarm widget: its body holds the alarm's ARN, an output of the alarm.
    {
        type: AWS.dashboard,
        name: "uptime-board",
        deps: { dashboardBody: ["uptime"] },
        props: {
            dashboardName: "uptime",
            dashboardBody: JSON.stringify({
                widgets: [
                    {
                        type: "alarm",
                        x: 0,
                        y: 0,
                        width: 24,
                        height: 3,
                        properties: { title: "Uptime", alarms: ["arn:aws:cloudwatch:us-east-1:123456789012:alarm:uptime-9c1e2f3"] },
                    },
                ],
            }),
        },
    },
];

const WEB_ACL_NAME = "edge-waf-3f2a1b7";

const blockedAlarm = (name: string, props: Record<string, unknown>, deps?: Record<string, string[]>): TestResource => ({
    type: AWS.metricAlarm,
    name,
    deps,
    props: { comparisonOperator: "GreaterThanThreshold", threshold: 1000, evaluationPeriods: 1, alarmActions: [SNS], okActions: [SNS], ...props },
});

const wafAlarmed: TestResource[] = [
    {
        type: AWS.webAcl,
        name: "edge-waf",
        props: {
            name: WEB_ACL_NAME,
            scope: "REGIONAL",
            defaultAction: { allow: {} },
            visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "edge-waf" },
        },
    },
    // Its WebACL dimension is the ACL's name, an output of the ACL.
    blockedAlarm(
        "edge-waf-blocked",
        {
            namespace: "AWS/WAFV2",
            metricName: "BlockedRequests",
            statistic: "Sum",
            period: 300,
            dimensions: { WebACL: WEB_ACL_NAME, Region: "eu-west-1", Rule: "ALL" },
        },
        { dimensions: ["edge-waf"] },
    ),
    // A hand-written CloudFront ACL whose alarm writes its name out, in a metric-math query.
    {
        type: AWS.webAcl,
        name: "cdn-waf",
        props: {
            name: "cdn-waf",
            scope: "CLOUDFRONT",
            defaultAction: { allow: {} },
            visibilityConfig: { cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true, metricName: "cdn" },
        },
    },
    blockedAlarm("cdn-waf-blocked", {
        metricQueries: [
            {
                id: "blocked",
                returnData: true,
                metric: { namespace: "AWS/WAFV2", metricName: "BlockedRequests", dimensions: { WebACL: "cdn-waf", Rule: "ALL" }, period: 300, stat: "Sum" },
            },
        ],
    }),
];

const resource: ResourceCase[] = [
    {
        policy: "cloudwatch-log-retention",
        type: AWS.logGroup,
        compliant: { retentionInDays: 365 },
        config: { minimumDays: 90 },
        violating: [
            { change: { retentionInDays: undefined }, message: /retentionInDays is not set, so logs are kept forever/ },
            { change: { retentionInDays: 30 }, message: /retentionInDays is 30; at least 90 days/ },
        ],
    },
    {
        policy: "alarm-actions-configured",
        type: AWS.metricAlarm,
        compliant: { alarmActions: ["arn:sns"], okActions: ["arn:sns"] },
        violating: [
            { change: { alarmActions: [] }, message: /alarmActions is empty, so the alarm notifies nobody/ },
            { change: { okActions: undefined }, message: /okActions is empty/ },
            { change: { actionsEnabled: false }, message: /actionsEnabled is false/ },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "alarms-cover-data-stores",
        compliant: monitored,
        violating: [
            { resources: without(monitored, "db-FreeStorageSpace"), message: /db has no alarm on FreeStorageSpace/ },
            {
                resources: without(monitored, "cache-Evictions", "cache-EngineCPUUtilization"),
                message: /cache has no alarm on EngineCPUUtilization, Evictions/,
            },
            // Aurora has no FreeStorageSpace; every other database and cache kind is watched too.
            {
                resources: [...monitored, { type: AWS.rdsCluster, name: "claims", props: { engine: "aurora-postgresql", clusterIdentifier: "claims" } }],
                message: /^claims has no alarm on CPUUtilization, FreeableMemory, DatabaseConnections$/m,
            },
            {
                resources: [...monitored, { type: AWS_DATA.memorydbCluster, name: "scores", props: { name: "scores", nodeType: "db.r7g.large" } }],
                message: /^scores has no alarm on EngineCPUUtilization, DatabaseMemoryUsagePercentage$/m,
            },
            {
                resources: [...monitored, { type: AWS_DATA.serverlessCache, name: "sessions", props: { name: "sessions", engine: "valkey" } }],
                message: /^sessions has no alarm on ElastiCacheProcessingUnits, BytesUsedForCache$/m,
            },
        ],
    },
    {
        policy: "alarms-cover-load-balancer",
        compliant: monitored,
        violating: [
            { resources: without(monitored, "alb-p95"), message: /alb has no alarm on TargetResponseTime/ },
            // A network load balancer has no HTTP metrics: its targets' health and resets stand in.
            {
                resources: [...monitored, { type: LB, name: "nlb", props: { loadBalancerType: "network", arnSuffix: "net/nlb/9" } }],
                message: /^nlb has no alarm on UnHealthyHostCount, TCP_Target_Reset_Count$/m,
            },
        ],
    },
    {
        policy: "alarm-topics-subscribed",
        compliant: publicEndpoint,
        violating: [
            {
                resources: without(publicEndpoint, "uptime-email"),
                message: /^topic uptime-alerts, which alarm uptime-alarm notify, has no subscription: nobody receives them$/m,
            },
        ],
    },
    {
        policy: "dashboards-cover-alarms",
        compliant: dashboarded,
        violating: [
            { resources: without(dashboarded, "platform", "uptime-board"), message: /the stack has 4 CloudWatch alarms but no CloudWatch dashboard/ },
            {
                resources: [...dashboarded, watch("db-free-storage", "AWS/RDS", "FreeStorageSpace", { DBInstanceIdentifier: "db" })],
                message: /db-free-storage watches FreeStorageSpace, which no dashboard shows; add it to a dashboard's dashboardBody/,
            },
            {
                resources: changed(dashboarded, "platform", { props: { dashboardBody: platformDashboard([ALB_ROWS[0]]) } }),
                message: /alb-5xx-rate watches HTTPCode_Target_5XX_Count, which no dashboard shows/,
            },
            { resources: changed(dashboarded, "uptime-board", { deps: {} }), message: /uptime watches HealthCheckStatus, which no dashboard shows/ },
        ],
    },
    {
        policy: "waf-blocked-requests-alarm",
        compliant: wafAlarmed,
        violating: [
            {
                resources: without(wafAlarmed, "edge-waf-blocked"),
                message:
                    /edge-waf has no alarm on AWS\/WAFV2 BlockedRequests with its WebACL dimension \("edge-waf-3f2a1b7"\), so an attack or a rule blocking real users goes unnoticed/,
            },
            {
                resources: changed(wafAlarmed, "edge-waf-blocked", { props: { metricName: "AllowedRequests" } }),
                message: /edge-waf has no alarm on AWS\/WAFV2 BlockedRequests/,
            },
            {
                resources: changed(wafAlarmed, "cdn-waf-blocked", {
                    props: {
                        metricQueries: [
                            {
                                id: "blocked",
                                returnData: true,
                                metric: {
                                    namespace: "AWS/WAFV2",
                                    metricName: "BlockedRequests",
                                    dimensions: { WebACL: "other-acl", Rule: "ALL" },
                                    period: 300,
                                    stat: "Sum",
                                },
                            },
                        ],
                    },
                }),
                message: /cdn-waf has no alarm on AWS\/WAFV2 BlockedRequests with its WebACL dimension \("cdn-waf"\)/,
            },
            {
                resources: changed(wafAlarmed, "cdn-waf-blocked", { props: { alarmActions: [] } }),
                message: /cdn-waf's BlockedRequests alarm cdn-waf-blocked notifies nobody: set alarmActions/,
            },
            {
                resources: changed(wafAlarmed, "edge-waf-blocked", { props: { actionsEnabled: false } }),
                message: /edge-waf's BlockedRequests alarm edge-waf-blocked notifies nobody/,
            },
        ],
    },
];

export const cloudwatchCases: CaseTable = { area: "cloudwatch", resource, stack };
