import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { keyPolicy } from "./secrets";
import { Tags, tagsNamed } from "./tags";

/** The alarms' defaults: the checklists' numbers (the stack file's `alerts.thresholds`, `observability.uptime`). */
export const MONITORING_DEFAULTS = {
    thresholds: {
        /** Sustained CPU above 70 % leaves too little headroom for a spike. */
        cpuPercent: 70,
        /** Above 80 % memory Redis starts evicting and the pods near their limit. */
        memoryPercent: 80,
        /** Below 256 MiB freeable memory PostgreSQL starts swapping. */
        freeableMemoryMiB: 256,
        /** 10 GiB left is a day or two of growth to act in before storage runs out. */
        freeStorageGiB: 10,
        /** Near the proxy's share of a db.r6g.large's max_connections. */
        databaseConnections: 400,
        /** 50 ms reads or writes: storage is the bottleneck. */
        databaseLatencySeconds: 0.05,
        /** Far above the services' pools: a connection leak. */
        cacheConnections: 5000,
        /** 1 % of requests failing is the checklists' error budget. */
        errorRatePercent: 1,
        /** The checklists' response-time objective at the 95th percentile. */
        latencyP95Seconds: 2,
        /** An attack, or a rule blocking real users, either way a person should look. */
        wafBlockedRequests: 1000,
    },
    uptime: {
        /** Route 53's standard interval (the fast one costs more). */
        requestIntervalSeconds: 30,
        /** Three failures in a row: one lost probe does not page anyone. */
        failureThreshold: 3,
    },
    /** A year of application logs: audits and incidents look back that far. */
    logRetentionDays: 365,
    /** The uptime topic's KMS key: Pulumi refuses to delete it. */
    protect: true,
} as const satisfies { thresholds: Required<AlarmThresholds>; uptime: Partial<UptimeCheck> } & Partial<Omit<MonitoringArgs, "uptime">>;

/** Alarm thresholds, as the stack file's `alerts.thresholds`. Defaults: MONITORING_DEFAULTS.thresholds. */
export interface AlarmThresholds {
    /** CPU of the database and the cache engine, %. */
    cpuPercent?: number;
    /** Redis memory in use, %. */
    memoryPercent?: number;
    /** Database freeable memory floor, MiB. */
    freeableMemoryMiB?: number;
    /** Database free storage floor, GiB. */
    freeStorageGiB?: number;
    /** Database connections ceiling. */
    databaseConnections?: number;
    /** Database read/write latency ceiling, seconds. */
    databaseLatencySeconds?: number;
    /** Redis client connections ceiling. */
    cacheConnections?: number;
    /** Share of requests answered 5xx by the targets, %. */
    errorRatePercent?: number;
    /** p95 target response time, seconds. */
    latencyP95Seconds?: number;
    /** Requests the WAF blocks in 5 minutes before it alarms (an attack, or a rule blocking real users). */
    wafBlockedRequests?: number;
}

export interface MonitoringArgs {
    /** Who is told when an alarm fires or recovers. */
    alertEmails: string[];
    /** HTTPS endpoints (an on-call tool's integration URL) the topics deliver to as well. Default none. */
    alertWebhooks?: pulumi.Input<string>[];
    /** Encrypts the alert topic and the application log group. */
    kmsKeyArn: pulumi.Input<string>;
    dbInstanceIdentifier: pulumi.Input<string>;
    dbProxyName: pulumi.Input<string>;
    cacheReplicationGroupId: pulumi.Input<string>;
    /** Whether the cache has replicas (a replication lag alarm then). */
    cacheHasReplicas: boolean;
    loadBalancerArnSuffix: pulumi.Input<string>;
    /** Target group ARN suffixes by service, for the unhealthy-host alarms. */
    targetGroupArnSuffixes: Record<string, pulumi.Input<string>>;
    /** The name of the regional web ACL in front of the load balancer (its metrics' WebACL dimension); absent: no WAF alarm. */
    webAclName?: pulumi.Input<string>;
    /** The AWS Backup vault whose failed backup and copy jobs alarm; absent: no backup alarms. */
    backupVaultName?: pulumi.Input<string>;
    /** Where the runbook is: each alarm's description links `<runbookBaseUrl>#<alarm id>`. Absent: no links. */
    runbookBaseUrl?: string;
    thresholds?: AlarmThresholds;
    /** Retention of the application log group. */
    logRetentionDays?: pulumi.Input<number>;
    /** The public endpoint Route 53 checks from around the world; absent: no uptime check. */
    uptime?: UptimeCheck;
    /** Protect the uptime topic's KMS key from deletion. */
    protect?: boolean;
    tags?: Tags;
}

export interface UptimeCheck {
    /** Host name served over HTTPS, e.g. api.example.com. */
    fqdn: pulumi.Input<string>;
    /** Path that answers 2xx/3xx when the service is up, e.g. /health. */
    path: pulumi.Input<string>;
    /** Seconds between checks: 10 or 30. */
    requestIntervalSeconds?: pulumi.Input<number>;
    /** Failed checks in a row before the endpoint counts as down. */
    failureThreshold?: pulumi.Input<number>;
}

/** Route 53 publishes health check metrics only in us-east-1, so the uptime alarm and its topic live there. */
const ROUTE53_METRICS_REGION = "us-east-1";

/** A dashboard widget: the given metrics of one namespace, for one set of dimensions. */
interface WidgetSpec {
    title: string;
    namespace: string;
    dimensions: Record<string, pulumi.Input<string>>;
    metrics: string[];
    stat?: string;
    period?: number;
    /** Default: the stack's region. */
    region?: string;
}

interface AlarmSpec {
    id: string;
    description: pulumi.Input<string>;
    namespace?: string;
    metricName?: string;
    dimensions?: Record<string, pulumi.Input<string>>;
    statistic?: string;
    extendedStatistic?: string;
    metricQueries?: pulumi.Input<aws.types.input.cloudwatch.MetricAlarmMetricQuery[]>;
    comparisonOperator: "GreaterThanThreshold" | "LessThanThreshold";
    threshold: number;
    period?: number;
    evaluationPeriods?: number;
    treatMissingData?: "breaching" | "notBreaching";
}

/**
 * CloudWatch alarms on the database, its proxy, the cache and the load balancer, each notifying a
 * KMS-encrypted SNS topic (with the alert emails subscribed) when it fires and when it recovers;
 * an alarm on the requests the WAF blocks; a dashboard of every alarm's state and metrics; the
 * application log group; and an uptime check of the public endpoint whose alarm notifies a second
 * topic in us-east-1, where Route 53 publishes its metrics.
 */
export class Monitoring extends pulumi.ComponentResource {
    public readonly topicArn: pulumi.Output<string>;
    public readonly alarmNames: pulumi.Output<string>[];
    public readonly applicationLogGroup: pulumi.Output<string>;
    /** The application log group's ARN, for the agents that write to it. */
    public readonly applicationLogGroupArn: pulumi.Output<string>;
    public readonly healthCheckId: pulumi.Output<string> | undefined;

    constructor(name: string, args: MonitoringArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:observability:Monitoring", name, {}, opts);
        const parent = { parent: this };
        const t = { ...MONITORING_DEFAULTS.thresholds, ...args.thresholds };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const region = aws.getRegionOutput({}, parent).region;

        const topic = this.alertTopic(`${name}-alerts`, args, identity, parent);

        const db = { DBInstanceIdentifier: args.dbInstanceIdentifier };
        const primary = { CacheClusterId: pulumi.interpolate`${args.cacheReplicationGroupId}-001` };
        const replica = { CacheClusterId: pulumi.interpolate`${args.cacheReplicationGroupId}-002` };
        const lb = { LoadBalancer: args.loadBalancerArnSuffix };
        const proxy = { ProxyName: args.dbProxyName };
        // The web ACL's own metrics: all its rules together, in its region.
        const waf = args.webAclName === undefined ? undefined : { WebACL: args.webAclName, Region: region, Rule: "ALL" };
        const backup = args.backupVaultName === undefined ? undefined : { BackupVaultName: args.backupVaultName };
        const specs: AlarmSpec[] = [
            {
                id: "db-cpu",
                description: `Database CPU above ${t.cpuPercent} %`,
                namespace: "AWS/RDS",
                metricName: "CPUUtilization",
                dimensions: db,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.cpuPercent,
            },
            {
                id: "db-freeable-memory",
                description: `Database freeable memory under ${t.freeableMemoryMiB} MiB`,
                namespace: "AWS/RDS",
                metricName: "FreeableMemory",
                dimensions: db,
                comparisonOperator: "LessThanThreshold",
                threshold: t.freeableMemoryMiB * 2 ** 20,
            },
            {
                id: "db-free-storage",
                description: `Database free storage under ${t.freeStorageGiB} GiB`,
                namespace: "AWS/RDS",
                metricName: "FreeStorageSpace",
                dimensions: db,
                comparisonOperator: "LessThanThreshold",
                threshold: t.freeStorageGiB * 2 ** 30,
            },
            {
                id: "db-connections",
                description: `More than ${t.databaseConnections} database connections`,
                namespace: "AWS/RDS",
                metricName: "DatabaseConnections",
                dimensions: db,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.databaseConnections,
            },
            ...["ReadLatency", "WriteLatency"].map((metricName): AlarmSpec => ({
                id: `db-${metricName.replace("Latency", "").toLowerCase()}-latency`,
                description: `Database ${metricName} above ${t.databaseLatencySeconds} s`,
                namespace: "AWS/RDS",
                metricName,
                dimensions: db,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.databaseLatencySeconds,
            })),
            {
                id: "db-proxy-client-errors",
                description: "Clients fail to connect to the RDS Proxy (authentication or TLS)",
                namespace: "AWS/RDS",
                metricName: "ClientConnectionsSetupFailedAuth",
                dimensions: proxy,
                statistic: "Sum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                period: 300,
                evaluationPeriods: 1,
            },
            {
                id: "cache-engine-cpu",
                description: `Redis engine CPU above ${t.cpuPercent} %`,
                namespace: "AWS/ElastiCache",
                metricName: "EngineCPUUtilization",
                dimensions: primary,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.cpuPercent,
            },
            {
                id: "cache-memory",
                description: `Redis memory use above ${t.memoryPercent} %`,
                namespace: "AWS/ElastiCache",
                metricName: "DatabaseMemoryUsagePercentage",
                dimensions: primary,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.memoryPercent,
            },
            {
                id: "cache-evictions",
                description: "Redis evicts keys: it is out of memory",
                namespace: "AWS/ElastiCache",
                metricName: "Evictions",
                dimensions: primary,
                statistic: "Sum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
                period: 300,
                evaluationPeriods: 1,
            },
            {
                id: "cache-connections",
                description: `More than ${t.cacheConnections} Redis connections`,
                namespace: "AWS/ElastiCache",
                metricName: "CurrConnections",
                dimensions: primary,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.cacheConnections,
            },
            ...(args.cacheHasReplicas
                ? [
                      {
                          id: "cache-replication-lag",
                          description: "Redis replica more than 1 s behind",
                          namespace: "AWS/ElastiCache",
                          metricName: "ReplicationLag",
                          dimensions: replica,
                          comparisonOperator: "GreaterThanThreshold" as const,
                          threshold: 1,
                      },
                  ]
                : []),
            {
                id: "alb-5xx-rate",
                description: `More than ${t.errorRatePercent} % of requests answered 5xx by the services`,
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.errorRatePercent,
                metricQueries: [
                    {
                        id: "errors",
                        metric: { namespace: "AWS/ApplicationELB", metricName: "HTTPCode_Target_5XX_Count", dimensions: lb, period: 60, stat: "Sum" },
                    },
                    { id: "requests", metric: { namespace: "AWS/ApplicationELB", metricName: "RequestCount", dimensions: lb, period: 60, stat: "Sum" } },
                    { id: "rate", expression: "IF(requests > 0, 100 * errors / requests, 0)", label: "5xx rate (%)", returnData: true },
                ],
            },
            {
                id: "alb-p95-latency",
                description: `p95 response time above ${t.latencyP95Seconds} s`,
                namespace: "AWS/ApplicationELB",
                metricName: "TargetResponseTime",
                dimensions: lb,
                extendedStatistic: "p95",
                comparisonOperator: "GreaterThanThreshold",
                threshold: t.latencyP95Seconds,
            },
            ...Object.entries(args.targetGroupArnSuffixes).map(([service, suffix]): AlarmSpec => ({
                id: `alb-${service}-unhealthy`,
                description: `Unhealthy ${service} targets`,
                namespace: "AWS/ApplicationELB",
                metricName: "UnHealthyHostCount",
                dimensions: { ...lb, TargetGroup: suffix },
                statistic: "Maximum",
                comparisonOperator: "GreaterThanThreshold",
                threshold: 0,
            })),
            ...(waf
                ? [
                      {
                          id: "waf-blocked-requests",
                          description:
                              `The WAF blocked more than ${t.wafBlockedRequests} requests in 5 minutes: ` +
                              "an attack, or a rule blocking real users (see its sampled requests)",
                          namespace: "AWS/WAFV2",
                          metricName: "BlockedRequests",
                          dimensions: waf,
                          statistic: "Sum",
                          comparisonOperator: "GreaterThanThreshold" as const,
                          threshold: t.wafBlockedRequests,
                          period: 300,
                          evaluationPeriods: 1,
                      },
                  ]
                : []),
            // A backup job that fails leaves the recovery point objective unmet until someone looks.
            ...(backup
                ? ["NumberOfBackupJobsFailed", "NumberOfCopyJobsFailed"].map((metricName): AlarmSpec => ({
                      id: `backup-${metricName === "NumberOfBackupJobsFailed" ? "jobs" : "copy-jobs"}-failed`,
                      description: `An AWS Backup ${metricName === "NumberOfBackupJobsFailed" ? "backup" : "copy"} job of the vault failed`,
                      namespace: "AWS/Backup",
                      metricName,
                      dimensions: backup,
                      statistic: "Sum",
                      comparisonOperator: "GreaterThanThreshold",
                      threshold: 0,
                      period: 3600,
                      evaluationPeriods: 1,
                  }))
                : []),
        ];
        const alarms = specs.map((spec) => this.alarm(`${name}-${spec.id}`, spec, topic.arn, args, parent));
        const uptime = args.uptime ? this.uptimeCheck(name, args, args.uptime, identity) : undefined;

        // Every alarmed metric has its widget, beside the metrics that explain it (requests next to errors, healthy next to unhealthy targets).
        const widgets: WidgetSpec[] = [
            {
                title: "Database",
                namespace: "AWS/RDS",
                dimensions: db,
                metrics: ["CPUUtilization", "FreeableMemory", "DatabaseConnections", "FreeStorageSpace", "ReadLatency", "WriteLatency"],
            },
            {
                title: "Database proxy",
                namespace: "AWS/RDS",
                dimensions: proxy,
                metrics: ["ClientConnections", "ClientConnectionsSetupFailedAuth"],
                stat: "Sum",
            },
            {
                title: "Cache",
                namespace: "AWS/ElastiCache",
                dimensions: primary,
                metrics: ["EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions", "CurrConnections"],
            },
            ...(args.cacheHasReplicas ? [{ title: "Cache replica", namespace: "AWS/ElastiCache", dimensions: replica, metrics: ["ReplicationLag"] }] : []),
            {
                title: "Load balancer",
                namespace: "AWS/ApplicationELB",
                dimensions: lb,
                metrics: ["RequestCount", "HTTPCode_Target_5XX_Count", "TargetResponseTime"],
            },
            ...Object.entries(args.targetGroupArnSuffixes).map(([service, suffix]): WidgetSpec => ({
                title: `${service} targets`,
                namespace: "AWS/ApplicationELB",
                dimensions: { ...lb, TargetGroup: suffix },
                metrics: ["HealthyHostCount", "UnHealthyHostCount"],
                stat: "Maximum",
            })),
            ...(waf
                ? [{ title: "WAF", namespace: "AWS/WAFV2", dimensions: waf, metrics: ["AllowedRequests", "BlockedRequests"], stat: "Sum", period: 300 }]
                : []),
            ...(backup
                ? [
                      {
                          title: "Backup jobs",
                          namespace: "AWS/Backup",
                          dimensions: backup,
                          metrics: ["NumberOfBackupJobsCompleted", "NumberOfBackupJobsFailed", "NumberOfCopyJobsFailed"],
                          stat: "Sum",
                          period: 3600,
                      },
                  ]
                : []),
            ...(uptime
                ? [
                      {
                          title: "Uptime",
                          namespace: "AWS/Route53",
                          dimensions: { HealthCheckId: uptime.healthCheckId },
                          metrics: ["HealthCheckStatus"],
                          stat: "Minimum",
                          region: ROUTE53_METRICS_REGION,
                      },
                  ]
                : []),
        ];
        // On top, the state of every alarm (one status widget per region): what fires now, then the metrics' history.
        const alarmStates = pulumi.all([pulumi.all(alarms.map((a) => a.arn)), uptime ? uptime.alarm.arn : undefined]);
        new aws.cloudwatch.Dashboard(
            `${name}-dashboard`,
            {
                dashboardName: name,
                dashboardBody: pulumi.all([pulumi.output(widgets), region, alarmStates]).apply(([resolved, stackRegion, [alarmArns, uptimeArn]]) =>
                    JSON.stringify({
                        widgets: [
                            {
                                type: "alarm",
                                x: 0,
                                y: 0,
                                width: uptimeArn ? 16 : 24,
                                height: 4,
                                properties: { title: "Alarms", region: stackRegion, alarms: alarmArns, sortBy: "stateUpdatedTimestamp" },
                            },
                            ...(uptimeArn
                                ? [
                                      {
                                          type: "alarm",
                                          x: 16,
                                          y: 0,
                                          width: 8,
                                          height: 4,
                                          properties: { title: "Uptime alarm", region: ROUTE53_METRICS_REGION, alarms: [uptimeArn] },
                                      },
                                  ]
                                : []),
                            ...resolved.map((widget, i) => ({
                                type: "metric",
                                x: 0,
                                y: 4 + i * 6,
                                width: 24,
                                height: 6,
                                properties: {
                                    title: widget.title,
                                    region: widget.region ?? stackRegion,
                                    view: "timeSeries",
                                    stat: widget.stat ?? "Average",
                                    period: widget.period ?? 60,
                                    metrics: widget.metrics.map((metric) => [widget.namespace, metric, ...Object.entries(widget.dimensions).flat()]),
                                },
                            })),
                        ],
                    }),
                ),
            },
            parent,
        );

        const appLogs = new aws.cloudwatch.LogGroup(
            `${name}-application`,
            {
                name: `/platform/${name}/application`,
                retentionInDays: args.logRetentionDays ?? MONITORING_DEFAULTS.logRetentionDays,
                kmsKeyId: args.kmsKeyArn,
                tags: tagsNamed(args.tags, `${name}-application`),
            },
            parent,
        );

        this.topicArn = topic.arn;
        this.alarmNames = [...alarms, ...(uptime ? [uptime.alarm] : [])].map((a) => a.name);
        this.healthCheckId = uptime?.healthCheckId;
        this.applicationLogGroup = appLogs.name;
        this.applicationLogGroupArn = appLogs.arn;
        this.registerOutputs({ topicArn: this.topicArn, applicationLogGroup: this.applicationLogGroup, healthCheckId: this.healthCheckId });
    }

    /** A KMS-encrypted topic that only this account's alarms and budgets publish to, with the alert emails and webhooks subscribed. */
    private alertTopic(
        name: string,
        args: MonitoringArgs,
        identity: pulumi.Output<aws.GetCallerIdentityResult>,
        opts: pulumi.CustomResourceOptions,
        kmsKeyArn: pulumi.Input<string> = args.kmsKeyArn,
    ): aws.sns.Topic {
        const topic = new aws.sns.Topic(name, { kmsMasterKeyId: kmsKeyArn, tags: tagsNamed(args.tags, name) }, opts);
        new aws.sns.TopicPolicy(
            name,
            {
                arn: topic.arn,
                policy: pulumi.all([topic.arn, identity.accountId]).apply(([arn, account]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "AlarmsAndBudgetsOfThisAccountPublish",
                                Effect: "Allow",
                                Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
                                Action: "sns:Publish",
                                Resource: arn,
                                Condition: { StringEquals: { "aws:SourceAccount": account } },
                            },
                        ],
                    }),
                ),
            },
            opts,
        );
        args.alertEmails.forEach(
            (email, i) => new aws.sns.TopicSubscription(`${name}-email-${i + 1}`, { topic: topic.arn, protocol: "email", endpoint: email }, opts),
        );
        (args.alertWebhooks ?? []).forEach(
            (url, i) => new aws.sns.TopicSubscription(`${name}-https-${i + 1}`, { topic: topic.arn, protocol: "https", endpoint: pulumi.secret(url) }, opts),
        );
        return topic;
    }

    private alarm(name: string, spec: AlarmSpec, topicArn: pulumi.Input<string>, args: MonitoringArgs, opts: pulumi.CustomResourceOptions) {
        const tags = args.tags;
        return new aws.cloudwatch.MetricAlarm(
            name,
            {
                // The notification carries the description: the runbook link lands where the on-call reads.
                alarmDescription: args.runbookBaseUrl ? pulumi.interpolate`${spec.description}. Runbook: ${args.runbookBaseUrl}#${spec.id}` : spec.description,
                namespace: spec.namespace,
                metricName: spec.metricName,
                dimensions: spec.dimensions,
                statistic: spec.metricQueries || spec.extendedStatistic ? undefined : (spec.statistic ?? "Average"),
                extendedStatistic: spec.extendedStatistic,
                metricQueries: spec.metricQueries,
                period: spec.metricQueries ? undefined : (spec.period ?? 60),
                evaluationPeriods: spec.evaluationPeriods ?? 5,
                datapointsToAlarm: Math.min(spec.evaluationPeriods ?? 5, 3),
                comparisonOperator: spec.comparisonOperator,
                threshold: spec.threshold,
                treatMissingData: spec.treatMissingData ?? "notBreaching",
                actionsEnabled: true,
                alarmActions: [topicArn],
                okActions: [topicArn],
                tags: tagsNamed(tags, name),
            },
            opts,
        );
    }

    /**
     * A Route 53 HTTPS health check of the public endpoint and an alarm when it fails. Route 53's
     * metrics exist only in us-east-1, and an alarm notifies topics of its own region: the alarm, a
     * second alert topic and the key that encrypts it are created there.
     */
    private uptimeCheck(name: string, args: MonitoringArgs, uptime: UptimeCheck, identity: pulumi.Output<aws.GetCallerIdentityResult>) {
        const healthCheck = new aws.route53.HealthCheck(
            `${name}-uptime`,
            {
                type: "HTTPS",
                fqdn: uptime.fqdn,
                port: 443,
                resourcePath: uptime.path,
                enableSni: true,
                requestInterval: uptime.requestIntervalSeconds ?? MONITORING_DEFAULTS.uptime.requestIntervalSeconds,
                failureThreshold: uptime.failureThreshold ?? MONITORING_DEFAULTS.uptime.failureThreshold,
                measureLatency: true,
                tags: tagsNamed(args.tags, `${name}-uptime`),
            },
            { parent: this },
        );

        const provider = new aws.Provider(`${name}-${ROUTE53_METRICS_REGION}`, { region: ROUTE53_METRICS_REGION }, { parent: this });
        const inMetricsRegion = { parent: this, provider };
        const key = new aws.kms.Key(
            `${name}-uptime-alerts`,
            {
                description: `Encrypts the uptime alert topic of ${name}`,
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: 30,
                policy: keyPolicy(inMetricsRegion),
                tags: tagsNamed(args.tags, `${name}-uptime-alerts`),
            },
            { ...inMetricsRegion, protect: args.protect ?? MONITORING_DEFAULTS.protect },
        );
        const topic = this.alertTopic(`${name}-uptime-alerts`, args, identity, inMetricsRegion, key.arn);
        const alarm = this.alarm(
            `${name}-uptime`,
            {
                id: "uptime",
                description: pulumi.interpolate`https://${uptime.fqdn}${uptime.path} fails its Route 53 health check`,
                namespace: "AWS/Route53",
                metricName: "HealthCheckStatus",
                dimensions: { HealthCheckId: healthCheck.id },
                statistic: "Minimum",
                comparisonOperator: "LessThanThreshold",
                threshold: 1,
                evaluationPeriods: 2,
                // No data means the check itself is gone: that is down too.
                treatMissingData: "breaching",
            },
            topic.arn,
            args,
            inMetricsRegion,
        );
        return { healthCheckId: healthCheck.id, alarm };
    }
}
