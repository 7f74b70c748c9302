import { PolicyResource } from "@pulumi/policy";
import { isSelected, metadataOf, podLabelsOf, PreviewUnknowns, SELECTOR_SCHEMA, SERVING, valueAt } from "../lib/kubernetes";
import { ResourceRule, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, AWS_DATA, AWS_EDGE, K8S } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, show, UNKNOWN } from "../lib/values";
import { actionTopics, isSubscribed, notifies, watchedMetrics } from "../lib/alarms";

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

export const alarmsCoverDataStores: StackRule<{ databaseMetrics: string[]; cacheMetrics: string[]; memorydbMetrics: string[]; serverlessCacheMetrics: string[] }> = {
    name: "alarms-cover-data-stores",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.memorydbCluster, AWS_DATA.serverlessCache],
    description: "Every database and cache has alarms on its key health metrics.",
    severity: "high",
    checklist: ["OBS-02"],
    remediation: "Add CloudWatch metric alarms (with actions) for each required metric of each RDS instance or Aurora cluster, ElastiCache group, " +
        "cluster or serverless cache, and MemoryDB cluster, with its identifier as the dimension.",
    config: {
        databaseMetrics: { type: "array", items: { type: "string" }, default: ["CPUUtilization", "FreeableMemory", "FreeStorageSpace", "DatabaseConnections"],
            description: "AWS/RDS metrics each instance needs an alarm on (an Aurora cluster: all but FreeStorageSpace, which Aurora does not have)." },
        cacheMetrics: { type: "array", items: { type: "string" }, default: ["EngineCPUUtilization", "DatabaseMemoryUsagePercentage", "Evictions"],
            description: "AWS/ElastiCache metrics each replication group or cluster needs an alarm on." },
        memorydbMetrics: { type: "array", items: { type: "string" }, default: ["EngineCPUUtilization", "DatabaseMemoryUsagePercentage"],
            description: "AWS/MemoryDB metrics each cluster needs an alarm on." },
        serverlessCacheMetrics: { type: "array", items: { type: "string" }, default: ["ElastiCacheProcessingUnits", "BytesUsedForCache"],
            description: "AWS/ElastiCache metrics each serverless cache needs an alarm on." },
    },
    validate(stack, { databaseMetrics, cacheMetrics, memorydbMetrics, serverlessCacheMetrics }, report) {
        for (const instance of stack.ofType(AWS.rdsInstance)) {
            requireAlarms(stack, instance, "DBInstanceIdentifier", instance.props.identifier, databaseMetrics, report);
        }
        // Aurora's storage grows by itself: it publishes no FreeStorageSpace.
        for (const cluster of stack.ofType(AWS.rdsCluster)) {
            requireAlarms(stack, cluster, "DBClusterIdentifier", peek(cluster.props, "clusterIdentifier"),
                databaseMetrics.filter((m) => m !== "FreeStorageSpace"), report);
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
    remediation: "Add alarms on the 5xx rate (metric math over HTTPCode_Target_5XX_Count / RequestCount) and p95 TargetResponseTime; " +
        "for a network load balancer on UnHealthyHostCount and TCP_Target_Reset_Count.",
    config: {
        applicationMetrics: { type: "array", items: { type: "string" }, default: ["HTTPCode_Target_5XX_Count", "TargetResponseTime"],
            description: "AWS/ApplicationELB metrics each application load balancer needs an alarm on." },
        networkMetrics: { type: "array", items: { type: "string" }, default: ["UnHealthyHostCount", "TCP_Target_Reset_Count"],
            description: "AWS/NetworkELB metrics each network load balancer needs an alarm on." },
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

interface Alert {
    alert: string;
    expr: string;
    labels: Record<string, string>;
}

function alertRulesOf(rule: PolicyResource): Alert[] {
    return (listOf(objectOf(rule.props.spec)?.groups) ?? []).flatMap((group) => (listOf(objectOf(group)?.rules) ?? []).map(objectOf))
        .filter((r): r is Record<string, any> => typeof r?.alert === "string")
        .map((r) => ({ alert: r.alert, expr: typeof r.expr === "string" ? r.expr : "", labels: objectOf(r.labels) ?? {} }));
}

/** The threshold an alert expression compares against: the number after its last `>` or `>=`. */
function thresholdOf(expr: string): number | undefined {
    const matches = [...expr.matchAll(/>=?\s*(?:bool\s+)?(\d+(?:\.\d+)?(?:e-?\d+)?)/g)];
    return matches.length > 0 ? Number(matches[matches.length - 1][1]) : undefined;
}

/** The error rate in percent at which an alert fires, if it computes a 5xx rate; undefined when it does not. */
function errorRateThreshold(expr: string): number | undefined {
    if (!/(code|status|status_code)\s*=~?\s*"5|5xx|5\.\./i.test(expr)) {
        return undefined;
    }
    const threshold = thresholdOf(expr);
    if (threshold === undefined) {
        return undefined;
    }
    // "100 * errors / requests" is a percentage; without the factor the expression is a ratio.
    return /\b100\s*\*|\*\s*100\b/.test(expr) ? threshold : threshold * 100;
}

/** The latency in seconds at which an alert fires on the 95th percentile (or a higher one, which is never below it). */
function latencyThreshold(expr: string): number | undefined {
    const quantile = Number(/histogram_quantile\(\s*(0?\.\d+)/.exec(expr)?.[1] ?? /quantile\s*=\s*"(0?\.\d+)"/.exec(expr)?.[1] ?? NaN);
    const threshold = thresholdOf(expr);
    if (!(quantile >= 0.95) || threshold === undefined) {
        return undefined;
    }
    return /_milliseconds/.test(expr) ? threshold / 1000 : threshold;
}

const PROMETHEUS_TYPES = [K8S.prometheusRule, K8S.serviceMonitor];

export const prometheusSloRules: StackRule<{ serviceSelector: Record<string, string>; maxErrorRatePercent: number; maxLatencySeconds: number }> = {
    name: "prometheus-slo-rules",
    appliesTo: [...SERVING, ...PROMETHEUS_TYPES],
    description: "Prometheus alerts on the services' SLOs: a 5xx error rate and a p95 latency, each above a threshold within the checklist's numbers.",
    severity: "medium",
    checklist: ["OBS-05"],
    remediation: "Add a PrometheusRule, labelled so the stack's Prometheus selects it (its ruleSelector), with an alert whose expr compares the 5xx share of " +
        "requests (e.g. 100 * rate(http_requests_total{code=~\"5..\"}[5m]) / rate(http_requests_total[5m]) > 1) and one whose expr compares " +
        "histogram_quantile(0.95, ...) of the request duration with the latency limit in seconds.",
    config: {
        serviceSelector: SELECTOR_SCHEMA,
        maxErrorRatePercent: { type: "number", minimum: 0, default: 5, description: "Highest error-rate threshold (percent of requests) an alert may use." },
        maxLatencySeconds: { type: "number", minimum: 0, default: 5, description: "Highest p95 latency threshold (seconds) an alert may use." },
    },
    validate(stack, { serviceSelector, maxErrorRatePercent, maxLatencySeconds }, report) {
        // Platform services need SLO alerts; so does any stack that runs Prometheus rules or scraping for its services.
        const platformServices = stack.ofType(...SERVING).filter((w) => isSelected(w.type, w.props, serviceSelector));
        const runsPrometheus = stack.ofType(...PROMETHEUS_TYPES).length > 0 || ruleSelectors(stack) !== undefined;
        if (platformServices.length === 0 && !(runsPrometheus && stack.ofType(...SERVING).length > 0)) {
            return;
        }
        const selectors = ruleSelectors(stack);
        const selectedByPrometheus = (rule: PolicyResource) => {
            const labels = objectOf(objectOf(rule.props.metadata)?.labels) ?? {};
            return selectors === undefined || selectors.some((selector) => Object.entries(selector).every(([key, value]) => labels[key] === value));
        };
        const rules = stack.ofType(K8S.prometheusRule);
        const kinds = [
            { what: "the 5xx error rate", unit: "%", max: maxErrorRatePercent, threshold: errorRateThreshold },
            { what: "the p95 latency", unit: " s", max: maxLatencySeconds, threshold: latencyThreshold },
        ];
        const problems: string[] = [];
        for (const kind of kinds) {
            const candidates = rules.flatMap((rule) => alertRulesOf(rule).map((alert) => ({ rule, alert, threshold: kind.threshold(alert.expr) })))
                .filter((c) => c.threshold !== undefined);
            const good = candidates.filter((c) => c.threshold! <= kind.max);
            if (good.some((c) => selectedByPrometheus(c.rule))) {
                continue;
            }
            if (good.length > 0) {
                const wanted = selectors!.map((sel) => Object.entries(sel).map(([k, v]) => `${k}=${v}`).join(",")).join(" or ");
                problems.push(`${good[0].rule.name} alerts on ${kind.what} (${good[0].alert.alert}) but the stack's Prometheus does not select it: label it ${wanted}`);
            } else if (candidates.length > 0) {
                problems.push(`${kind.what} alert ${candidates[0].alert.alert} fires above ${round(candidates[0].threshold!)}${kind.unit}; ` +
                    `at most ${kind.max}${kind.unit} is allowed`);
            } else {
                problems.push(`no PrometheusRule alert computes ${kind.what} and compares it with a threshold`);
            }
        }
        if (problems.length > 0) {
            report(problems.join("; "));
        }
    },
};

const round = (n: number) => Math.round(n * 1000) / 1000;

/** A DNS name as Route 53 and the load balancer spell it: lower case, no final dot, no "dualstack." prefix. */
const hostName = (name: unknown) => typeof name === "string" ? name.toLowerCase().replace(/\.$/, "").replace(/^dualstack\./, "") : undefined;

/** The stack's public endpoints: internet-facing load balancers, and Elastic IPs of instances (a NAT gateway's are not endpoints). */
function publicEndpoints(stack: StackView): PolicyResource[] {
    const balancers = stack.ofType(...AWS.loadBalancers, AWS.classicLoadBalancer).filter((lb) =>
        peek(lb.props, "internal") !== true && peek(lb.props, "loadBalancerType") !== "gateway");
    const associated = new Set(stack.ofType(AWS_EDGE.eipAssociation).flatMap((a) => stack.referencedBy(a, "allocationId").map((r) => r.urn)));
    const addresses = stack.ofType(AWS_EDGE.eip).filter((eip) => isSet(eip.props, "instance") || isSet(eip.props, "networkInterface") || associated.has(eip.urn));
    return [...balancers, ...addresses];
}

/** A list's items, each read on its own: an item unknown in a preview (a validation record's value) stands as UNKNOWN instead of throwing. */
const itemsOf = (value: unknown): unknown[] => {
    const list = listOf(value) ?? [];
    return Array.from({ length: list.length }, (_, i) => peek(list as unknown as Record<string, unknown>, String(i)));
};

/** The names and addresses a client reaches the endpoints by: their own DNS names and IPs, and the Route 53 records that point at them. */
function endpointHosts(stack: StackView, endpoints: PolicyResource[]): { hosts: Set<string>; records: PolicyResource[] } {
    const own = endpoints.flatMap((e) => [hostName(peek(e.props, "dnsName")), peek(e.props, "publicIp")]).filter((h): h is string => typeof h === "string");
    const records = stack.ofType(AWS.route53Record).filter((record) => {
        const targets = [...stack.referencedBy(record, "aliases"), ...stack.referencedBy(record, "records")];
        const values = [...itemsOf(peek(record.props, "aliases")).map((a) => hostName(peek(objectOf(a), "name"))), ...itemsOf(peek(record.props, "records")).map(hostName)];
        return targets.some((t) => endpoints.some((e) => e.urn === t.urn)) || values.some((v) => v !== undefined && own.includes(v));
    });
    const names = records.map((r) => hostName(peek(r.props, "name"))).filter((h): h is string => !!h);
    return { hosts: new Set([...own, ...names]), records };
}

const HTTP_CHECK_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"];

export const uptimeCheck: StackRule = {
    name: "uptime-check",
    appliesTo: [...AWS.loadBalancers, AWS.classicLoadBalancer, AWS_EDGE.eip],
    description: "The public endpoint has an uptime check from outside, of its own host and health path, that raises an alarm someone receives.",
    severity: "medium",
    checklist: ["OBS-12"],
    remediation: "Add an aws.route53.HealthCheck whose fqdn is the endpoint's public name (or ipAddress its Elastic IP) and whose resourcePath is the " +
        "health path the target group checks, and a CloudWatch alarm (in us-east-1) on its HealthCheckStatus with alarmActions.",
    validate(stack, _config, report) {
        const endpoints = publicEndpoints(stack);
        if (endpoints.length === 0) {
            return;
        }
        const { hosts, records } = endpointHosts(stack, endpoints);
        const targets = new Set([...endpoints, ...records].map((r) => r.urn));
        const checks = stack.ofType(AWS.healthCheck);
        const probesEndpoint = (check: PolicyResource) => {
            const byReference = [...stack.referencedBy(check, "fqdn"), ...stack.referencedBy(check, "ipAddress")].some((r) => targets.has(r.urn));
            const fqdn = peek(check.props, "fqdn");
            const ip = peek(check.props, "ipAddress");
            // A name this preview cannot know yet is given the benefit of the doubt.
            return byReference || fqdn === UNKNOWN || ip === UNKNOWN || [hostName(fqdn), ip].some((h) => typeof h === "string" && hosts.has(h));
        };
        const probing = checks.filter(probesEndpoint);
        const names = endpoints.map((e) => e.name).join(", ");
        if (probing.length === 0) {
            const others = checks.map((c) => `${c.name} probes ${show(peek(c.props, "fqdn") ?? peek(c.props, "ipAddress"))}`).join(", ");
            report(`no Route 53 health check probes the public endpoint ${names} (${[...hosts].join(", ") || "its name"})` + (others ? `; ${others}` : ""));
            return;
        }
        const healthPaths = new Set(stack.ofType(...AWS.targetGroups).map((tg) => peek(objectOf(peek(tg.props, "healthCheck")), "path"))
            .filter((p): p is string => typeof p === "string"));
        const wrongPath = probing.filter((c) => HTTP_CHECK_TYPES.includes(String(peek(c.props, "type"))) && healthPaths.size > 0 &&
            !healthPaths.has(String(peek(c.props, "resourcePath") ?? "/")));
        if (wrongPath.length === probing.length && wrongPath.length > 0) {
            report(`${wrongPath.map((c) => `${c.name} probes resourcePath ${show(peek(c.props, "resourcePath") ?? "/")}`).join(", ")}, not the health path ` +
                `${[...healthPaths].join(" or ")} that the target group checks`, wrongPath[0]);
        }
        for (const check of probing) {
            const alarms = alarmsOn(stack, check, "HealthCheckId", undefined).filter((a) => metricsOf(a).includes("HealthCheckStatus"));
            if (alarms.length === 0) {
                report(`${check.name} has no alarm on HealthCheckStatus`, check);
            } else if (!alarms.some((a) => notifies(a, stack))) {
                report(`${check.name}'s HealthCheckStatus alarm ${alarms.map((a) => a.name).join(", ")} notifies nobody (no alarmActions, or only topics without a subscription)`, check);
            }
        }
    },
};

export const alarmTopicsSubscribed: StackRule = {
    name: "alarm-topics-subscribed",
    appliesTo: [AWS.metricAlarm, AWS.compositeAlarm],
    description: "Every SNS topic of the stack that alarms notify has a subscription, so someone receives the alarms.",
    severity: "high",
    checklist: ["OBS-04"],
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
            report(`topic ${topic.name}, which ${alarms.length === 1 ? "alarm" : "alarms"} ${alarms.join(", ")} notify, has no subscription: nobody receives them`, topic);
        }
        unknowns.settle();
    },
};

/** Alertmanager's label matchers: `matchers` strings (`name="v"`, `!=`, `=~`, `!~`), and the older `match` and `match_re` maps. */
function routeMatches(route: Record<string, any>, labels: Record<string, string>): boolean {
    const test = (name: string, op: string, value: string) => {
        const actual = labels[name] ?? "";
        const regex = () => new RegExp(`^(?:${value})$`).test(actual);
        return op === "=" ? actual === value : op === "!=" ? actual !== value : op === "=~" ? regex() : !regex();
    };
    const matchers = (listOf(route.matchers) ?? []).map((m) => /^\s*([\w]+)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(String(m)));
    return matchers.every((m) => m !== null && test(m[1], m[2], m[3])) &&
        Object.entries(objectOf(route.match) ?? {}).every(([k, v]) => test(k, "=", String(v))) &&
        Object.entries(objectOf(route.match_re) ?? {}).every(([k, v]) => test(k, "=~", String(v)));
}

/** The receiver Alertmanager sends an alert to: the first matching child route's, recursively, else the route's own. */
function receiverFor(route: Record<string, any>, labels: Record<string, string>, inherited?: string): string | undefined {
    const own = typeof route.receiver === "string" ? route.receiver : inherited;
    const child = (listOf(route.routes) ?? []).map(objectOf).find((r) => r && routeMatches(r, labels));
    return child ? receiverFor(child, labels, own) : own;
}

const HEARTBEATS = ["Watchdog", "InfoInhibitor"];

export const alertmanagerRoutesNotify: StackRule = {
    name: "alertmanager-routes-notify",
    appliesTo: [K8S.helmRelease, K8S.helmChart],
    description: "kube-prometheus-stack's Alertmanager routes every real alert to a receiver that notifies someone, not to the chart's \"null\" receiver.",
    severity: "high",
    checklist: ["OBS-04"],
    remediation: "Set values alertmanager.config: a route whose receiver (and every child route's, but the Watchdog's) has email_configs, sns_configs, " +
        "slack_configs, pagerduty_configs or webhook_configs; or manage it with an AlertmanagerConfig resource.",
    validate(stack, _config, report) {
        if (stack.resources.some((r) => /^kubernetes:monitoring\.coreos\.com\/v1(alpha1|beta1)?:AlertmanagerConfig$/.test(r.type))) {
            return;
        }
        const alerts = stack.ofType(K8S.prometheusRule).flatMap(alertRulesOf).filter((a) => !HEARTBEATS.includes(a.alert));
        // The chart's own default rules page with severity critical and warning.
        const samples = [...alerts.map((a) => ({ ...a.labels, alertname: a.alert })), { alertname: "KubePodCrashLooping", severity: "warning" },
            { alertname: "KubeNodeNotReady", severity: "critical" }];
        for (const release of stack.ofType(K8S.helmRelease, K8S.helmChart).filter((r) => KUBE_PROMETHEUS_STACK.test(String(r.props.chart)))) {
            const alertmanager = objectOf(valueAt(release.props.values, "alertmanager")) ?? {};
            const spec = objectOf(alertmanager.alertmanagerSpec) ?? {};
            if (alertmanager.enabled === false || isSet(spec, "configSecret") || isSet(spec, "useExistingSecret")) {
                continue;
            }
            const config = objectOf(alertmanager.config);
            if (!config) {
                report(`${release.name}: values alertmanager.config is not set, and the chart's default routes every alert to the receiver "null", which notifies nobody`, release);
                continue;
            }
            const receivers = new Map((listOf(config.receivers) ?? []).map(objectOf).filter((r): r is Record<string, any> => typeof r?.name === "string")
                .map((r) => [r.name, Object.entries(r).some(([key, value]) => key.endsWith("_configs") && (listOf(value) ?? []).length > 0)]));
            const route = objectOf(config.route) ?? {};
            const lost = samples.filter((labels) => receivers.get(receiverFor(route, labels) ?? "") !== true);
            if (lost.length > 0) {
                const names = [...new Set(lost.map((l) => `${l.alertname} (to ${show(receiverFor(route, l) ?? null)})`))].slice(0, 4).join(", ");
                report(`${release.name}: Alertmanager routes ${names} to a receiver without any *_configs, so nobody is notified`, release);
            }
        }
    },
};

/** AWS resources that cost nothing by themselves: identity, policies, the provider. A stack of only these (or only Kubernetes objects) needs no budget. */
const FREE_AWS_TYPES = /^aws:(iam|index|organizations|budgets)\//;
const isBilledAws = (type: string) => type.startsWith("aws:") && !FREE_AWS_TYPES.test(type);

export const budgetAlert: StackRule = {
    name: "budget-alert",
    appliesTo: [],
    description: "A stack that creates billed AWS resources has a cost budget that alerts someone.",
    severity: "low",
    checklist: ["OBS-06"],
    remediation: "Add an aws.budgets.Budget with budgetType COST and notifications (actual and forecast) to subscriberEmailAddresses or subscriberSnsTopicArns.",
    validate(stack, _config, report) {
        if (!stack.resources.some((r) => isBilledAws(r.type))) {
            return;
        }
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
            } else if (!watching.some((alarm) => notifies(alarm, stack))) {
                report(`${acl.name}'s ${BLOCKED_REQUESTS} alarm ${watching.map((a) => a.name).join(", ")} notifies nobody: set alarmActions to a topic someone ` +
                    "subscribes to (and keep actionsEnabled true)", acl);
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
        // A platform service: the Service says so, or the pods it selects do.
        const platformPods = stack.ofType(...SERVING).filter((w) => isSelected(w.type, w.props, serviceSelector)).map((w) => podLabelsOf(w.type, w.props));
        const selectsPlatformPods = (svc: PolicyResource) => {
            const selector = Object.entries(objectOf(valueAt(svc.props, "spec", "selector")) ?? {});
            return selector.length > 0 && platformPods.some((labels) => selector.every(([key, value]) => labels[key] === value));
        };
        const services = stack.ofType(K8S.service).filter((svc) => isSelected(svc.type, svc.props, serviceSelector) || selectsPlatformPods(svc));
        unknowns.each(services, (svc) => {
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
        wafBlockedRequestsAlarm, servicesScraped, alertsLinkRunbooks, alarmTopicsSubscribed, alertmanagerRoutesNotify] as StackRule<any>[],
};
