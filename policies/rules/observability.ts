import { PolicyResource } from "@pulumi/policy";
import { SERVING } from "../lib/kubernetes";
import { ResourceRule, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, K8S } from "../lib/types";
import { listOf, numberOf, objectOf, show } from "../lib/values";

export const cloudwatchLogRetention: ResourceRule<{ minimumDays: number }> = {
    name: "cloudwatch-log-retention",
    description: "Log groups keep logs for a set period, long enough to investigate.",
    severity: "medium",
    checklist: ["OBS-01"],
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

/** Metric names an alarm watches: its own metric, or those of its metric-math queries. */
function metricsOf(alarm: PolicyResource): string[] {
    const queries = (listOf(alarm.props.metricQueries) ?? []).map((q) => objectOf(objectOf(q)?.metric)?.metricName);
    return [alarm.props.metricName, ...queries].filter((m): m is string => typeof m === "string");
}

/** Dimension values of an alarm, its queries' included. */
function dimensionsOf(alarm: PolicyResource): Record<string, unknown>[] {
    const queries = (listOf(alarm.props.metricQueries) ?? []).map((q) => objectOf(objectOf(objectOf(q)?.metric)?.dimensions));
    return [objectOf(alarm.props.dimensions), ...queries].filter((d): d is Record<string, unknown> => !!d);
}

/** Alarms on a resource: those whose inputs come from it, or whose dimension names it. */
function alarmsOn(stack: StackView, resource: PolicyResource, dimension: string, value: unknown): PolicyResource[] {
    const referencing = new Set(stack.referencing(resource, [AWS.metricAlarm]).map((a) => a.urn));
    return stack.ofType(AWS.metricAlarm).filter((alarm) =>
        referencing.has(alarm.urn) || (value !== undefined && dimensionsOf(alarm).some((d) => d[dimension] === value)));
}

function requireAlarms(stack: StackView, resource: PolicyResource, dimension: string, value: unknown, required: string[],
    report: (message: string, resource?: PolicyResource) => void) {
    const watched = new Set(alarmsOn(stack, resource, dimension, value).flatMap(metricsOf));
    const missing = required.filter((metric) => !watched.has(metric));
    if (missing.length > 0) {
        report(`${resource.name} has no alarm on ${missing.join(", ")}`, resource);
    }
}

export const alarmsCoverDataStores: StackRule<{ databaseMetrics: string[]; cacheMetrics: string[] }> = {
    name: "alarms-cover-data-stores",
    appliesTo: [AWS.rdsInstance, AWS.replicationGroup],
    description: "Every database and cache has alarms on its key health metrics.",
    severity: "high",
    checklist: ["OBS-02"],
    remediation: "Add CloudWatch metric alarms (with actions) for each required metric of each RDS instance and ElastiCache group.",
    config: {
        databaseMetrics: { type: "array", items: { type: "string" }, default: ["CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections"],
            description: "AWS/RDS metrics each instance needs an alarm on." },
        cacheMetrics: { type: "array", items: { type: "string" }, default: ["EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"],
            description: "AWS/ElastiCache metrics each replication group needs an alarm on." },
    },
    validate(stack, { databaseMetrics, cacheMetrics }, report) {
        for (const instance of stack.ofType(AWS.rdsInstance)) {
            requireAlarms(stack, instance, "DBInstanceIdentifier", instance.props.identifier, databaseMetrics, report);
        }
        for (const group of stack.ofType(AWS.replicationGroup)) {
            requireAlarms(stack, group, "ReplicationGroupId", group.props.replicationGroupId, cacheMetrics, report);
        }
    },
};

export const alarmsCoverLoadBalancer: StackRule<{ metrics: string[] }> = {
    name: "alarms-cover-load-balancer",
    appliesTo: AWS.loadBalancers,
    description: "Every load balancer has alarms on its error rate and latency.",
    severity: "high",
    checklist: ["OBS-03"],
    remediation: "Add alarms on the 5xx rate (metric math over HTTPCode_Target_5XX_Count / RequestCount) and p95 TargetResponseTime.",
    config: {
        metrics: { type: "array", items: { type: "string" }, default: ["HTTPCode_Target_5XX_Count", "TargetResponseTime"],
            description: "AWS/ApplicationELB metrics each load balancer needs an alarm on." },
    },
    validate(stack, { metrics }, report) {
        for (const lb of stack.ofType(...AWS.loadBalancers)) {
            requireAlarms(stack, lb, "LoadBalancer", lb.props.arnSuffix, metrics, report);
        }
    },
};

export const alarmActionsConfigured: ResourceRule<{ requireOkActions: boolean }> = {
    name: "alarm-actions-configured",
    description: "Every alarm notifies someone when it fires (and when it recovers).",
    severity: "high",
    checklist: ["OBS-04"],
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

/**
 * The labels each kube-prometheus-stack of the stack selects rules by: its ruleSelector, else the
 * chart's own `release` label. Undefined when Prometheus runs outside the stack: any rule counts then.
 */
function ruleSelectors(stack: StackView): Record<string, unknown>[] | undefined {
    const releases = stack.ofType(K8S.helmRelease, K8S.helmChart).filter((r) => /(^|\/)kube-prometheus-stack$/.test(String(r.props.chart)));
    if (releases.length === 0) {
        return undefined;
    }
    return releases.map((release) => {
        const spec = objectOf(objectOf(objectOf(release.props.values)?.prometheus)?.prometheusSpec);
        const name = release.props.name;
        // An auto-named release's label is not known before it is installed: any rule counts then.
        return objectOf(objectOf(spec?.ruleSelector)?.matchLabels) ?? (typeof name === "string" ? { release: name } : {});
    });
}

function alertsOf(rule: PolicyResource): unknown[] {
    return (listOf(objectOf(rule.props.spec)?.groups) ?? []).flatMap((group) =>
        (listOf(objectOf(group)?.rules) ?? []).map((r) => objectOf(r)?.alert));
}

export const prometheusSloRules: StackRule<{ requiredAlerts: string[] }> = {
    name: "prometheus-slo-rules",
    appliesTo: SERVING,
    description: "Prometheus alerts on the services' SLOs (error rate, p95 latency).",
    severity: "medium",
    checklist: ["OBS-05"],
    remediation: "Add a PrometheusRule with the required alerts, labelled so the stack's Prometheus selects it (its ruleSelector).",
    config: {
        requiredAlerts: { type: "array", items: { type: "string" }, default: ["ServiceHighErrorRate", "ServiceHighLatencyP95"],
            description: "Alert names that must exist." },
    },
    validate(stack, { requiredAlerts }, report) {
        if (stack.ofType(...SERVING).length === 0) {
            return;
        }
        const selectors = ruleSelectors(stack);
        const isSelected = (rule: PolicyResource) => {
            const labels = objectOf(objectOf(rule.props.metadata)?.labels) ?? {};
            return selectors === undefined || selectors.some((selector) => Object.entries(selector).every(([key, value]) => labels[key] === value));
        };
        const rules = stack.ofType(K8S.prometheusRule);
        const unselected = rules.filter((rule) => !isSelected(rule));
        const selected = new Set(rules.filter((rule) => !unselected.includes(rule)).flatMap(alertsOf));
        const missing = requiredAlerts.filter((alert) => !selected.has(alert));
        for (const rule of unselected) {
            const unseen = alertsOf(rule).filter((alert) => missing.includes(alert as string));
            if (unseen.length > 0) {
                const wanted = selectors!.map((s) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(",")).join(" or ");
                report(`${rule.name} defines ${unseen.join(", ")} but the stack's Prometheus does not select it: label it ${wanted}`, rule);
            }
        }
        const undefinedAlerts = missing.filter((alert) => !rules.some((rule) => alertsOf(rule).includes(alert)));
        if (undefinedAlerts.length > 0) {
            report(`the stack runs services but no PrometheusRule defines ${undefinedAlerts.join(", ")}`);
        }
    },
};

export const uptimeCheck: StackRule = {
    name: "uptime-check",
    appliesTo: [...AWS.loadBalancers],
    description: "A public endpoint has an uptime check from outside that raises an alarm.",
    severity: "medium",
    checklist: ["OBS-12"],
    remediation: "Add a Route 53 health check of the public health URL and a CloudWatch alarm (in us-east-1) on its HealthCheckStatus.",
    validate(stack, _config, report) {
        if (!stack.ofType(...AWS.loadBalancers).some((lb) => lb.props.internal !== true)) {
            return;
        }
        const checks = stack.ofType(AWS.healthCheck);
        if (checks.length === 0) {
            report("the stack serves an internet-facing load balancer but no Route 53 health check watches its endpoint");
        }
        for (const check of checks) {
            requireAlarms(stack, check, "HealthCheckId", undefined, ["HealthCheckStatus"], report);
        }
    },
};

export const budgetAlert: StackRule = {
    name: "budget-alert",
    appliesTo: [],
    description: "The environment has a cost budget that alerts someone.",
    severity: "low",
    checklist: ["OBS-06"],
    remediation: "Add an AWS Budget (budgetType COST) with actual and forecast notifications to the alert emails or topic.",
    validate(stack, _config, report) {
        const alerting = stack.ofType(AWS.budget).filter((budget) =>
            budget.props.budgetType === "COST" &&
            (listOf(budget.props.notifications) ?? []).map(objectOf).some((n) =>
                (listOf(n?.subscriberEmailAddresses) ?? []).length > 0 || (listOf(n?.subscriberSnsTopicArns) ?? []).length > 0));
        if (alerting.length === 0) {
            report("no COST budget with a notification to someone");
        }
    },
};

export const observabilityRules = {
    resource: [cloudwatchLogRetention, alarmActionsConfigured] as ResourceRule<any>[],
    stack: [alarmsCoverDataStores, alarmsCoverLoadBalancer, prometheusSloRules, uptimeCheck, budgetAlert] as StackRule<any>[],
};
