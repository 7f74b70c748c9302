import { AWS_EDGE } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const LOGS = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/orders";

const resource: ResourceCase[] = [
    {
        policy: "api-gateway-access-logs",
        type: AWS_EDGE.restApiStage,
        compliant: {
            stageName: "v1",
            restApi: "orders-api-id",
            deployment: "dep-id",
            accessLogSettings: { destinationArn: LOGS, format: '{"requestId":"$context.requestId"}' },
        },
        violating: [{ change: { accessLogSettings: undefined }, message: /accessLogSettings\.destinationArn is not set/ }],
    },
    {
        policy: "api-gateway-access-logs",
        type: AWS_EDGE.httpApiStage,
        compliant: { apiId: "http-api-id", name: "$default", autoDeploy: true, accessLogSettings: { destinationArn: LOGS, format: "$context.requestId" } },
        violating: [{ change: { accessLogSettings: { format: "$context.requestId" } }, message: /accessLogSettings\.destinationArn is not set/ }],
    },
    {
        // REST custom domains default to TLS_1_0.
        policy: "api-gateway-tls-policy",
        type: AWS_EDGE.restApiDomainName,
        compliant: { domainName: "api.example.com", regionalCertificateArn: "arn:aws:acm:eu-west-1:1:certificate/c", securityPolicy: "TLS_1_2" },
        violating: [{ change: { securityPolicy: undefined }, message: /the security policy is "TLS_1_0"; use TLS_1_2/ }],
    },
    {
        policy: "api-gateway-tls-policy",
        type: AWS_EDGE.httpApiDomainName,
        compliant: {
            domainName: "api.example.com",
            domainNameConfiguration: { certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c", endpointType: "REGIONAL", securityPolicy: "TLS_1_2" },
        },
        violating: [
            {
                change: {
                    domainNameConfiguration: { certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c", endpointType: "REGIONAL", securityPolicy: "TLS_1_0" },
                },
                message: /the security policy is "TLS_1_0"/,
            },
        ],
    },
];

const throttled: TestResource[] = [
    { type: AWS_EDGE.restApiStage, name: "orders-v1", props: { stageName: "v1", restApi: "orders-api-id", deployment: "dep-id" } },
    {
        type: AWS_EDGE.restApiMethodSettings,
        name: "orders-v1-throttle",
        deps: { stageName: ["orders-v1"] },
        props: {
            restApi: "orders-api-id",
            stageName: "v1",
            methodPath: "*/*",
            settings: { throttlingRateLimit: 100, throttlingBurstLimit: 50, metricsEnabled: true },
        },
    },
    {
        type: AWS_EDGE.httpApiStage,
        name: "events-default",
        props: { apiId: "http-api-id", name: "$default", defaultRouteSettings: { throttlingRateLimit: 200, throttlingBurstLimit: 100 } },
    },
    // A usage plan throttles each API key of another REST stage.
    { type: AWS_EDGE.restApiStage, name: "partners-v2", props: { stageName: "v2", restApi: "partners-api-id", deployment: "dep2-id" } },
    {
        type: AWS_EDGE.restApiUsagePlan,
        name: "partners-plan",
        deps: { apiStages: ["partners-v2"] },
        props: { apiStages: [{ apiId: "partners-api-id", stage: "v2" }], throttleSettings: { rateLimit: 20, burstLimit: 10 } },
    },
];

const stack: StackCase[] = [
    {
        policy: "api-gateway-throttling",
        compliant: throttled,
        violating: [
            { resources: without(throttled, "orders-v1-throttle"), message: /^orders-v1: no MethodSettings or UsagePlan throttles this stage \(stage "v1"\)/m },
            {
                resources: changed(throttled, "events-default", { props: { defaultRouteSettings: { detailedMetricsEnabled: true } } }),
                message: /^events-default: defaultRouteSettings sets no throttlingRateLimit and throttlingBurstLimit above 0/m,
            },
            {
                resources: changed(throttled, "partners-plan", { props: { throttleSettings: undefined } }),
                message: /^partners-v2: no MethodSettings or UsagePlan/m,
            },
        ],
    },
];

export const apiGatewayCases: CaseTable = { area: "api-gateway", resource, stack };
