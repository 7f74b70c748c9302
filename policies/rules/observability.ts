import { PolicyResource } from "@pulumi/policy";
import { isSelected, metadataOf, PreviewUnknowns, SELECTOR_SCHEMA, SERVING, valueAt } from "../lib/kubernetes";
import { ResourceRule, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, K8S } from "../lib/types";
import { listOf, numberOf, objectOf, peek, show, UNKNOWN } from "../lib/values";
import { notifies, watchedMetrics } from "../lib/alarms";

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
            cells.map((cell) => valueAt(cell, "expression")).filter((e): e is string => typeof e === "string").forEach((e) => expressions.push(e));
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
    description: "Every alarm is on a CloudWatch dashboard (its metrics in a metric widget, or the alarm in an alarm widget), so whoever is paged sees it in context.",
    severity: "medium",
    checklist: ["OBS-09"],
    remediation: "Add an aws.cloudwatch.Dashboard whose dashboardBody has a metric widget (or an alarm widget) for every alarmed metric.",
    validate(stack, _config, report) {
        const alarms = stack.ofType(AWS.metricAlarm);
        if (alarms.length === 0) {
            return;
        }
        const dashboards = stack.ofType(AWS.dashboard);
        if (dashboards.length === 0) {
            report(`the stack has ${alarms.length} CloudWatch alarm${alarms.length === 1 ? "" : "s"} but no CloudWatch dashboard; add one that shows their metrics`);
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
        const isShown = (metric: string) => shown.some(({ names, expressions }) =>
            names.has(metric) || expressions.some((e) => new RegExp(`\\b${metric.replace(/[^\w]/g, "\\$&")}\\b`).test(e)));
        let undecided = false;
        unknowns.each(alarms, (alarm) => {
            const name = peek(alarm.props, "name");
            // An alarm widget shows the alarm itself: by its ARN (an output of the alarm) or by its name.
            const inAlarmWidget = dashboards.some((d) => stack.referencedBy(d, "dashboardBody").some((r) => r.urn === alarm.urn)) ||
                (typeof name === "string" && texts.some((t) => t.includes(`:alarm:${name}`)));
            const missing = inAlarmWidget ? [] : alarmedMetrics(alarm).filter((metric) => !isShown(metric));
            if (missing.length === 0) {
                return;
            }
            if (unknownBodies.length > 0) {
                undecided = true;
                return;
            }
            report(`${alarm.name} watches ${missing.join(", ")}, which no dashboard shows; add ${missing.length === 1 ? "it" : "them"} to a dashboard's dashboardBody`, alarm);
        });
        if (undecided) {
            // A dashboard this preview cannot read yet may show them: reading its body reports that the rule cannot decide.
            void unknownBodies[0].props.dashboardBody;
        }
        unknowns.settle();
    },
};

const KUBE_PROMETHEUS_STACK = /(^|\/)kube-prometheus-stack$/;

export const nodeMetricsEnabled: ResourceRule<{ requiredRuleGroups: string[] }> = {
    name: "node-metrics-enabled",
    description: "kube-prometheus-stack keeps node and cluster-state metrics and their default alerts (node-exporter, kube-state-metrics, default rules).",
    severity: "medium",
    checklist: ["OBS-11"],
    remediation: "Remove the values that turn off nodeExporter.enabled, kubeStateMetrics.enabled, their ServiceMonitors, " +
        "defaultRules.create or the required defaultRules.rules groups (absent means the chart's default: on).",
    resourceTypes: [K8S.helmRelease, K8S.helmChart],
    config: {
        requiredRuleGroups: { type: "array", items: { type: "string" }, default: ["node", "kubernetesResources", "kubernetesSystem"],
            description: "defaultRules.rules groups that must stay on." },
    },
    validate({ props }, { requiredRuleGroups }, report) {
        if (!KUBE_PROMETHEUS_STACK.test(String(props.chart))) {
            return;
        }
        const values = props.values;
        const switches: [string, unknown][] = [
            ["nodeExporter.enabled", valueAt(values, "nodeExporter", "enabled")],
            ["kubeStateMetrics.enabled", valueAt(values, "kubeStateMetrics", "enabled")],
            // The exporters run, but without their ServiceMonitors nothing scrapes them.
            ["prometheus-node-exporter.prometheus.monitor.enabled", valueAt(values, "prometheus-node-exporter", "prometheus", "monitor", "enabled")],
            ["kube-state-metrics.prometheus.monitor.enabled", valueAt(values, "kube-state-metrics", "prometheus", "monitor", "enabled")],
            ["defaultRules.create", valueAt(values, "defaultRules", "create")],
            ...requiredRuleGroups.map((group): [string, unknown] => [`defaultRules.rules.${group}`, valueAt(values, "defaultRules", "rules", group)]),
        ];
        // Only false turns a switch off: Helm's templates take the string "false" as true.
        const off = switches.filter(([, value]) => value === false).map(([key]) => key);
        if (off.length > 0) {
            report(`values turn off ${off.join(", ")}: node and cluster-state metrics, or their default alerts, go missing; remove ${off.length === 1 ? "that override" : "those overrides"}`);
        }
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
    remediation: "Add a CloudWatch metric alarm on AWS/WAFV2 BlockedRequests with dimensions WebACL (the web ACL's name), Rule ALL (and Region for a " +
        "regional ACL), and alarmActions to the alert topic.",
    validate(stack, _config, report) {
        const unknowns = new PreviewUnknowns();
        const alarms = stack.ofType(AWS.metricAlarm);
        unknowns.each(stack.ofType(AWS.webAcl), (acl) => {
            const names = [peek(acl.props, "name"), valueAt(peek(acl.props, "visibilityConfig"), "metricName")].filter((n) => typeof n === "string" && n !== "");
            const dependsOnAcl = (alarm: PolicyResource) =>
                [...stack.referencedBy(alarm, "dimensions"), ...stack.referencedBy(alarm, "metricQueries")].some((r) => r.urn === acl.urn);
            const watching: PolicyResource[] = [];
            // An alarm this preview cannot read yet stops only the judgement of this ACL, and only if no other alarm watches it.
            const unreadable = new PreviewUnknowns();
            unreadable.each(alarms, (alarm) => {
                const watches = watchedMetrics(alarm).some(({ namespace, metricName, dimensions }) =>
                    namespace === WAF_NAMESPACE && metricName === BLOCKED_REQUESTS &&
                    (names.includes(peek(objectOf(dimensions), "WebACL")) || dependsOnAcl(alarm)));
                if (watches) {
                    watching.push(alarm);
                }
            });
            if (watching.length === 0) {
                unreadable.settle();
                report(`${acl.name} has no alarm on ${WAF_NAMESPACE} ${BLOCKED_REQUESTS} with its WebACL dimension${names.length > 0 ? ` (${show(names[0])})` : ""}, ` +
                    "so an attack or a rule blocking real users goes unnoticed", acl);
            } else if (!watching.some(notifies)) {
                report(`${acl.name}'s ${BLOCKED_REQUESTS} alarm ${watching.map((a) => a.name).join(", ")} notifies nobody: set alarmActions (and keep actionsEnabled true)`, acl);
            }
        });
        unknowns.settle();
    },
};

export const servicesScraped: StackRule<{ serviceSelector: Record<string, string> }> = {
    name: "services-scraped",
    appliesTo: [K8S.service],
    description: "Every platform service's metrics are scraped: a ServiceMonitor selects its Kubernetes Service.",
    severity: "medium",
    checklist: ["OBS-08"],
    remediation: "Add a monitoring.coreos.com/v1 ServiceMonitor whose selector.matchLabels the Service carries and whose namespaceSelector covers its namespace.",
    config: { serviceSelector: SELECTOR_SCHEMA },
    validate(stack, { serviceSelector }, report) {
        const monitors = stack.ofType(K8S.serviceMonitor);
        const unknowns = new PreviewUnknowns();
        unknowns.each(stack.ofType(K8S.service).filter((svc) => isSelected(svc.type, svc.props, serviceSelector)), (svc) => {
            const labels = objectOf(valueAt(svc.props, "metadata", "labels")) ?? {};
            const namespace = metadataOf(svc).namespace;
            const scraped = monitors.some((monitor) => {
                const spec = objectOf(peek(monitor.props, "spec")) ?? {};
                const wanted = Object.entries(objectOf(valueAt(spec, "selector", "matchLabels")) ?? {});
                const namespaces = objectOf(spec.namespaceSelector);
                const inNamespace = namespaces?.any === true || (listOf(namespaces?.matchNames) ?? [metadataOf(monitor).namespace]).includes(namespace);
                return wanted.length > 0 && inNamespace && wanted.every(([key, value]) => labels[key] === value);
            });
            if (!scraped) {
                report(`Service ${svc.name} (namespace ${namespace}) is selected by no ServiceMonitor, so nothing collects its metrics`, svc);
            }
        });
        unknowns.settle();
    },
};

const URL_IN_TEXT = /https:\/\/\S+/;

export const alertsLinkRunbooks: StackRule = {
    name: "alerts-link-runbooks",
    appliesTo: [AWS.metricAlarm, K8S.prometheusRule],
    description: "Every alarm and Prometheus alert links its runbook, so whoever is paged knows what to do.",
    severity: "low",
    checklist: ["DOC-04"],
    remediation: "Put the runbook's https:// address in each CloudWatch alarm's alarmDescription, and a runbook_url annotation on each Prometheus alert.",
    validate(stack, _config, report) {
        const unknowns = new PreviewUnknowns();
        unknowns.each(stack.ofType(AWS.metricAlarm), (alarm) => {
            const description = peek(alarm.props, "alarmDescription");
            if (description === UNKNOWN) {
                return;
            }
            if (typeof description !== "string" || !URL_IN_TEXT.test(description)) {
                report(`alarm ${alarm.name}: alarmDescription links no runbook (an https:// address)`, alarm);
            }
        });
        for (const rule of stack.ofType(K8S.prometheusRule)) {
            const unlinked = (listOf(objectOf(peek(rule.props, "spec"))?.groups) ?? [])
                .flatMap((group) => (listOf(objectOf(group)?.rules) ?? []).map(objectOf))
                .filter((alert) => typeof alert?.alert === "string" && !URL_IN_TEXT.test(String(objectOf(alert.annotations)?.runbook_url ?? "")))
                .map((alert) => alert!.alert);
            if (unlinked.length > 0) {
                report(`PrometheusRule ${rule.name}: alerts ${unlinked.join(", ")} have no runbook_url annotation`, rule);
            }
        }
        unknowns.settle();
    },
};

export const observabilityRules = {
    resource: [cloudwatchLogRetention, alarmActionsConfigured, nodeMetricsEnabled] as ResourceRule<any>[],
    stack: [alarmsCoverDataStores, alarmsCoverLoadBalancer, prometheusSloRules, uptimeCheck, budgetAlert, dashboardsCoverAlarms,
        wafBlockedRequestsAlarm, servicesScraped, alertsLinkRunbooks] as StackRule<any>[],
};
