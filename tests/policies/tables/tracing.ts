import { K8S } from "../../../policies/lib/types";
import { CaseTable, changed, StackCase } from "../cases";
import { TestResource } from "../helpers";
import { deployment, ECR_IMAGE } from "../fixtures";

const otelEnv = {
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://opentelemetry-collector.tracing.svc.cluster.local:4318",
    OTEL_SERVICE_NAME: "api",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=production,service.version=2.0.0",
};

const traced: TestResource[] = [
    {
        type: K8S.helmRelease,
        name: "collector",
        props: { name: "opentelemetry-collector", chart: "opentelemetry-collector", namespace: "tracing", version: "0.108.0" },
    },
    { type: K8S.helmRelease, name: "tempo", props: { name: "tempo", chart: "tempo", namespace: "tracing", version: "1.10.3" } },
    { type: K8S.configMap, name: "api-env", props: { metadata: { name: "api-env", namespace: "app" }, data: { NODE_ENV: "production", ...otelEnv } } },
    { type: K8S.deployment, name: "api", props: deployment(ECR_IMAGE) },
];

const stack: StackCase[] = [
    {
        policy: "tracing-pipeline",
        compliant: traced,
        violating: [
            {
                resources: changed(traced, "api-env", { props: { data: { NODE_ENV: "production" } } }),
                message: /OTEL_EXPORTER_OTLP_ENDPOINT is not set, so its traces go nowhere/,
            },
            {
                resources: changed(traced, "api-env", { props: { data: { ...otelEnv, OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger.observability:4318" } } }),
                message: /is "http:\/\/jaeger\.observability:4318", which is not the collector's Service \(opentelemetry-collector in tracing\)/,
            },
            {
                resources: changed(traced, "api-env", { props: { data: { ...otelEnv, OTEL_RESOURCE_ATTRIBUTES: undefined } } }),
                message: /OTEL_RESOURCE_ATTRIBUTES not set/,
            },
            { resources: traced.filter((r) => r.name !== "tempo"), message: /has no trace store to export to/ },
        ],
    },
    {
        // Required by the stack's policy config (a system whose checklist asks for traces), and absent.
        policy: "tracing-pipeline",
        config: { required: true },
        compliant: traced,
        violating: [{ resources: traced.filter((r) => r.type !== K8S.helmRelease), message: /no OpenTelemetry Collector is deployed/ }],
    },
];

export const tracingCases: CaseTable = { area: "tracing", resource: [], stack };
