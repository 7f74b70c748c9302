import { PolicyResource } from "@pulumi/policy";
import { Container, containersOf, isSelected, metadataOf, podSpecOf, PreviewUnknowns, SELECTOR_SCHEMA, SERVING } from "../lib/kubernetes";
import { RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { K8S } from "../lib/types";
import { listOf, objectOf, peek, show } from "../lib/values";

/** The label every workload of the platform carries (its APIs and its workers). */
const PLATFORM_WORKLOADS = { "app.kubernetes.io/part-of": "platform" };
const COLLECTOR_CHARTS = /(^|\/)opentelemetry-collector$/;
const BACKEND_CHARTS = /(^|\/)(tempo|tempo-distributed|jaeger)$/;
const ENDPOINT_KEYS = ["OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT"];
const REQUIRED_KEYS = ["OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"];

/** A Helm release's (or v4 Chart's) release name, namespace and chart. */
function release(resource: PolicyResource) {
    const props = resource.props;
    return {
        name: String(props.name ?? resource.name),
        namespace: String(props.namespace ?? "default"),
        chart: String(props.chart ?? ""),
    };
}

/** The literal settings a container gets from env values and envFrom ConfigMaps (by name, in its namespace). */
function literalSettings(stack: StackView, workload: PolicyResource, container: Container): Map<string, unknown> {
    const settings = new Map<string, unknown>();
    const { namespace } = metadataOf(workload);
    for (const from of (listOf(container.spec.envFrom) ?? []).map(objectOf)) {
        const name = objectOf(from?.configMapRef)?.name;
        const configMap = stack.ofType(K8S.configMap).find((c) => metadataOf(c).namespace === namespace && metadataOf(c).name === name);
        const data = objectOf(peek(configMap?.props, "data")) ?? {};
        for (const [key, value] of Object.entries(data)) {
            settings.set(`${from?.prefix ?? ""}${key}`, value);
        }
    }
    for (const env of (listOf(container.spec.env) ?? []).map(objectOf)) {
        if (typeof env?.name === "string") {
            settings.set(env.name, env.value);
        }
    }
    return settings;
}

/** Whether an OTLP endpoint URL names a collector release: `http(s)://<service>.<namespace>[.svc[.cluster.local]]:<port>`. */
function pointsAt(endpoint: unknown, collector: { name: string; namespace: string }): boolean {
    if (typeof endpoint !== "string") {
        return false;
    }
    let host: string;
    try {
        host = new URL(endpoint).hostname;
    } catch {
        return false;
    }
    const [service, namespace, ...rest] = host.split(".");
    const local = rest.length === 0 || rest.join(".") === "svc" || rest.join(".") === "svc.cluster.local";
    return local && namespace === collector.namespace && service.startsWith(collector.name);
}

export const tracingPipeline: StackRule<{ required: boolean; serviceSelector: Record<string, string> }> = {
    name: "tracing-pipeline",
    appliesTo: [],
    description:
        "Where tracing is deployed (or required), an OpenTelemetry Collector exports to a trace store and every platform service sends it OTLP, " +
        "named and labelled with its environment and release.",
    severity: "medium",
    checklist: ["OBS-08"],
    references: ["https://opentelemetry.io/docs/collector/", "https://opentelemetry.io/docs/languages/sdk-configuration/general/"],
    remediation:
        "Turn on platform:observability.tracing (an OpenTelemetry Collector exporting to Tempo), which sets OTEL_EXPORTER_OTLP_ENDPOINT, " +
        "OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES in every service's ConfigMap; elsewhere, install the opentelemetry-collector chart and a " +
        "tempo or jaeger chart, and point each service's OTEL_EXPORTER_OTLP_ENDPOINT at the collector's Service.",
    config: {
        required: {
            type: "boolean",
            default: false,
            description: "Whether the stack must have a tracing pipeline (a system whose checklist asks for traces).",
        },
        // Workers trace their jobs too: every workload of the platform, not only its APIs.
        serviceSelector: { ...SELECTOR_SCHEMA, default: PLATFORM_WORKLOADS },
    },
    validate(stack, { required, serviceSelector }, report) {
        const charts = stack.ofType(K8S.helmRelease, K8S.helmChart);
        const collectors = charts.filter((c) => COLLECTOR_CHARTS.test(release(c).chart));
        const backends = charts.filter((c) => BACKEND_CHARTS.test(release(c).chart));
        if (collectors.length === 0) {
            if (required) {
                report("no OpenTelemetry Collector is deployed (a Helm release of the opentelemetry-collector chart), so no trace is collected");
            }
            return;
        }
        if (backends.length === 0) {
            report(`the collector ${collectors.map((c) => c.name).join(", ")} has no trace store to export to (a tempo or jaeger chart)`, collectors[0]);
        }
        const unknowns = new PreviewUnknowns();
        unknowns.each(
            stack.ofType(...SERVING).filter((w) => isSelected(w.type, w.props, serviceSelector)),
            (workload) => {
                for (const container of containersOf(podSpecOf(workload.type, workload.props)).filter((c) => !c.init)) {
                    const settings = literalSettings(stack, workload, container);
                    const endpointKey = ENDPOINT_KEYS.find((key) => settings.has(key));
                    const endpoint = endpointKey === undefined ? undefined : settings.get(endpointKey);
                    const missing = REQUIRED_KEYS.filter((key) => settings.get(key) === undefined || settings.get(key) === "");
                    if (endpointKey === undefined) {
                        report(`${workload.name} ${container.label}: OTEL_EXPORTER_OTLP_ENDPOINT is not set, so its traces go nowhere`, workload);
                    } else if (!collectors.some((c) => pointsAt(endpoint, release(c)))) {
                        report(
                            `${workload.name} ${container.label}: ${endpointKey} is ${show(endpoint)}, which is not the collector's Service ` +
                                `(${collectors.map((c) => `${release(c).name} in ${release(c).namespace}`).join(", ")})`,
                            workload,
                        );
                    } else if (missing.length > 0) {
                        report(
                            `${workload.name} ${container.label}: ${missing.join(" and ")} not set, so its traces cannot be told apart by service, environment and release`,
                            workload,
                        );
                    }
                }
            },
        );
        unknowns.settle();
    },
};

export const tracingRules: RuleFile = {
    title: "Tracing (OpenTelemetry)",
    resource: [],
    stack: [tracingPipeline] as StackRule<any>[],
};
