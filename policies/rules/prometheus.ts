import { PolicyResource } from "@pulumi/policy";
import { isSelected, metadataOf, podLabelsOf, PreviewUnknowns, SELECTOR_SCHEMA, SERVING, valueAt } from "../lib/kubernetes";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, K8S } from "../lib/types";
import { isSet, listOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

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
    return (listOf(objectOf(rule.props.spec)?.groups) ?? [])
        .flatMap((group) => (listOf(objectOf(group)?.rules) ?? []).map(objectOf))
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
    references: ["https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/", "https://sre.google/workbook/alerting-on-slos/"],
    remediation:
        "Add a PrometheusRule, labelled so the stack's Prometheus selects it (its ruleSelector), with an alert whose expr compares the 5xx share of " +
        'requests (e.g. 100 * rate(http_requests_total{code=~"5.."}[5m]) / rate(http_requests_total[5m]) > 1) and one whose expr compares ' +
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
            const candidates = rules
                .flatMap((rule) => alertRulesOf(rule).map((alert) => ({ rule, alert, threshold: kind.threshold(alert.expr) })))
                .filter((c) => c.threshold !== undefined);
            const good = candidates.filter((c) => c.threshold! <= kind.max);
            if (good.some((c) => selectedByPrometheus(c.rule))) {
                continue;
            }
            if (good.length > 0) {
                const wanted = selectors!
                    .map((sel) =>
                        Object.entries(sel)
                            .map(([k, v]) => `${k}=${String(v)}`)
                            .join(","),
                    )
                    .join(" or ");
                problems.push(
                    `${good[0].rule.name} alerts on ${kind.what} (${good[0].alert.alert}) but the stack's Prometheus does not select it: label it ${wanted}`,
                );
            } else if (candidates.length > 0) {
                problems.push(
                    `${kind.what} alert ${candidates[0].alert.alert} fires above ${round(candidates[0].threshold!)}${kind.unit}; ` +
                        `at most ${kind.max}${kind.unit} is allowed`,
                );
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

/** Alertmanager's label matchers: `matchers` strings (`name="v"`, `!=`, `=~`, `!~`), and the older `match` and `match_re` maps. */
function routeMatches(route: Record<string, any>, labels: Record<string, string>): boolean {
    const test = (name: string, op: string, value: string) => {
        const actual = labels[name] ?? "";
        const regex = () => new RegExp(`^(?:${value})$`).test(actual);
        return op === "=" ? actual === value : op === "!=" ? actual !== value : op === "=~" ? regex() : !regex();
    };
    const matchers = (listOf(route.matchers) ?? []).map((m) => /^\s*([\w]+)\s*(=~|!~|!=|=)\s*"?(.*?)"?\s*$/.exec(String(m)));
    return (
        matchers.every((m) => m !== null && test(m[1], m[2], m[3])) &&
        Object.entries(objectOf(route.match) ?? {}).every(([k, v]) => test(k, "=", String(v))) &&
        Object.entries(objectOf(route.match_re) ?? {}).every(([k, v]) => test(k, "=~", String(v)))
    );
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
    references: ["https://prometheus.io/docs/alerting/latest/configuration/"],
    remediation:
        "Set values alertmanager.config: a route whose receiver (and every child route's, but the Watchdog's) has email_configs, sns_configs, " +
        "slack_configs, pagerduty_configs or webhook_configs; or manage it with an AlertmanagerConfig resource.",
    validate(stack, _config, report) {
        if (stack.resources.some((r) => /^kubernetes:monitoring\.coreos\.com\/v1(alpha1|beta1)?:AlertmanagerConfig$/.test(r.type))) {
            return;
        }
        const alerts = stack
            .ofType(K8S.prometheusRule)
            .flatMap(alertRulesOf)
            .filter((a) => !HEARTBEATS.includes(a.alert));
        // The chart's own default rules page with severity critical and warning.
        const samples = [
            ...alerts.map((a) => ({ ...a.labels, alertname: a.alert })),
            { alertname: "KubePodCrashLooping", severity: "warning" },
            { alertname: "KubeNodeNotReady", severity: "critical" },
        ];
        for (const release of stack.ofType(K8S.helmRelease, K8S.helmChart).filter((r) => KUBE_PROMETHEUS_STACK.test(String(r.props.chart)))) {
            const alertmanager = objectOf(valueAt(release.props.values, "alertmanager")) ?? {};
            const spec = objectOf(alertmanager.alertmanagerSpec) ?? {};
            if (alertmanager.enabled === false || isSet(spec, "configSecret") || isSet(spec, "useExistingSecret")) {
                continue;
            }
            const config = objectOf(alertmanager.config);
            if (!config) {
                report(
                    `${release.name}: values alertmanager.config is not set, and the chart's default routes every alert to the receiver "null", which notifies nobody`,
                    release,
                );
                continue;
            }
            const receivers = new Map(
                (listOf(config.receivers) ?? [])
                    .map(objectOf)
                    .filter((r): r is Record<string, any> => typeof r?.name === "string")
                    .map((r) => [r.name, Object.entries(r).some(([key, value]) => key.endsWith("_configs") && (listOf(value) ?? []).length > 0)]),
            );
            const route = objectOf(config.route) ?? {};
            const lost = samples.filter((labels) => receivers.get(receiverFor(route, labels) ?? "") !== true);
            if (lost.length > 0) {
                const names = [...new Set(lost.map((l) => `${l.alertname} (to ${show(receiverFor(route, l) ?? null)})`))].slice(0, 4).join(", ");
                report(`${release.name}: Alertmanager routes ${names} to a receiver without any *_configs, so nobody is notified`, release);
            }
        }
    },
};

const KUBE_PROMETHEUS_STACK = /(^|\/)kube-prometheus-stack$/;

export const nodeMetricsEnabled: ResourceRule<{ requiredRuleGroups: string[] }> = {
    name: "node-metrics-enabled",
    description: "kube-prometheus-stack keeps node and cluster-state metrics and their default alerts (node-exporter, kube-state-metrics, default rules).",
    severity: "medium",
    checklist: ["OBS-11"],
    references: [
        "https://github.com/prometheus-community/helm-charts/tree/main/charts/kube-prometheus-stack",
        "https://kubernetes.io/docs/concepts/cluster-administration/kube-state-metrics/",
    ],
    remediation:
        "Remove the values that turn off nodeExporter.enabled, kubeStateMetrics.enabled, their ServiceMonitors, " +
        "defaultRules.create or the required defaultRules.rules groups (absent means the chart's default: on).",
    resourceTypes: [K8S.helmRelease, K8S.helmChart],
    config: {
        requiredRuleGroups: {
            type: "array",
            items: { type: "string" },
            default: ["node", "kubernetesResources", "kubernetesSystem"],
            description: "defaultRules.rules groups that must stay on.",
        },
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
            report(
                `values turn off ${off.join(", ")}: node and cluster-state metrics, or their default alerts, go missing; remove ${off.length === 1 ? "that override" : "those overrides"}`,
            );
        }
    },
};

export const servicesScraped: StackRule<{ serviceSelector: Record<string, string> }> = {
    name: "services-scraped",
    appliesTo: [K8S.service],
    description: "Every platform service's metrics are scraped: a ServiceMonitor selects its Kubernetes Service.",
    severity: "medium",
    checklist: ["OBS-08"],
    references: ["https://prometheus-operator.dev/docs/developer/getting-started/"],
    remediation:
        "Add a monitoring.coreos.com/v1 ServiceMonitor whose selector.matchLabels the Service carries and whose namespaceSelector covers its namespace.",
    config: { serviceSelector: SELECTOR_SCHEMA },
    validate(stack, { serviceSelector }, report) {
        const monitors = stack.ofType(K8S.serviceMonitor);
        const unknowns = new PreviewUnknowns();
        // A platform service: the Service says so, or the pods it selects do.
        const platformPods = stack
            .ofType(...SERVING)
            .filter((w) => isSelected(w.type, w.props, serviceSelector))
            .map((w) => podLabelsOf(w.type, w.props));
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
    references: [
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html",
        "https://prometheus.io/docs/prometheus/latest/configuration/alerting_rules/",
    ],
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

export const prometheusRules: RuleFile = {
    title: "Prometheus and Alertmanager (kube-prometheus-stack)",
    resource: [nodeMetricsEnabled] as ResourceRule<any>[],
    stack: [prometheusSloRules, alertmanagerRoutesNotify, servicesScraped, alertsLinkRunbooks] as StackRule<any>[],
};
