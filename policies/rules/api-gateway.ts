import { PolicyResource } from "@pulumi/policy";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { AWS_EDGE } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, show } from "../lib/values";

const STAGES = [AWS_EDGE.restApiStage, AWS_EDGE.httpApiStage];

export const apiGatewayAccessLogs: ResourceRule = {
    name: "api-gateway-access-logs",
    description: "API Gateway stages (REST and HTTP APIs) write access logs.",
    severity: "medium",
    checklist: ["OBS-01"],
    references: [
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-logging.html",
    ],
    equivalents: ["CKV_AWS_76", "AVD-AWS-0001"],
    remediation: "Set accessLogSettings: { destinationArn: <a CloudWatch log group with retention>, format: <a JSON access-log format> } on the stage.",
    resourceTypes: STAGES,
    validate({ props }, _config, report) {
        const settings = objectOf(peek(props, "accessLogSettings"));
        if (!settings || !isSet(settings, "destinationArn")) {
            report("accessLogSettings.destinationArn is not set, so nobody can see who called the API");
        }
    },
};

/** Whether throttling settings limit requests: a positive rate and burst. */
function throttles(settings: Record<string, unknown> | undefined, rate: string, burst: string): boolean {
    const [r, b] = [numberOf(settings?.[rate]), numberOf(settings?.[burst])];
    return r !== undefined && r > 0 && b !== undefined && b > 0;
}

export const apiGatewayThrottling: StackRule = {
    name: "api-gateway-throttling",
    appliesTo: STAGES,
    description: "API Gateway stages throttle requests: a rate and a burst limit per stage (or per client, through a usage plan).",
    severity: "high",
    checklist: ["EDGE-05"],
    references: [
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-throttling.html",
    ],
    remediation:
        "HTTP API: set defaultRouteSettings.throttlingRateLimit and throttlingBurstLimit on the stage. REST API: an aws.apigateway.MethodSettings " +
        'for the stage with methodPath "*/*" and settings.throttlingRateLimit/throttlingBurstLimit, or a UsagePlan with throttleSettings naming the stage.',
    validate(stack, _config, report) {
        for (const stage of stack.ofType(AWS_EDGE.httpApiStage)) {
            if (!throttles(objectOf(peek(stage.props, "defaultRouteSettings")), "throttlingRateLimit", "throttlingBurstLimit")) {
                report(
                    `${stage.name}: defaultRouteSettings sets no throttlingRateLimit and throttlingBurstLimit above 0, so one client can exhaust the API`,
                    stage,
                );
            }
        }
        const names = (stage: PolicyResource): unknown[] => [peek(stage.props, "stageName")].filter((n) => typeof n === "string");
        const covers = (other: PolicyResource, stage: PolicyResource, property: string, name: unknown) =>
            stack.referencedBy(other, property).some((r) => r.urn === stage.urn) || names(stage).includes(name);
        for (const stage of stack.ofType(AWS_EDGE.restApiStage)) {
            const bySettings = stack
                .ofType(AWS_EDGE.restApiMethodSettings)
                .some(
                    (s) =>
                        covers(s, stage, "stageName", peek(s.props, "stageName")) &&
                        throttles(objectOf(peek(s.props, "settings")), "throttlingRateLimit", "throttlingBurstLimit"),
                );
            const byPlan = stack
                .ofType(AWS_EDGE.restApiUsagePlan)
                .some(
                    (plan) =>
                        (listOf(peek(plan.props, "apiStages")) ?? []).some((s) => covers(plan, stage, "apiStages", objectOf(s)?.stage)) &&
                        throttles(objectOf(peek(plan.props, "throttleSettings")), "rateLimit", "burstLimit"),
                );
            if (!bySettings && !byPlan) {
                report(
                    `${stage.name}: no MethodSettings or UsagePlan throttles this stage (stage ${show(names(stage)[0])}), so one client can exhaust the API`,
                    stage,
                );
            }
        }
    },
};

/** The TLS policies API Gateway offers that refuse TLS 1.0 and 1.1. */
const MODERN_TLS = /^TLS_1_2$|^SecurityPolicy_TLS1[23]_/;

export const apiGatewayTlsPolicy: ResourceRule = {
    name: "api-gateway-tls-policy",
    description: "API Gateway custom domain names refuse TLS 1.0 and 1.1.",
    severity: "high",
    checklist: ["EDGE-02"],
    references: [
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-custom-domain-tls-version.html",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-security-policies-list.html",
    ],
    equivalents: ["CKV_AWS_206", "AVD-AWS-0005"],
    remediation: 'Set securityPolicy: "TLS_1_2" (REST) or domainNameConfiguration.securityPolicy: "TLS_1_2" (HTTP API).',
    resourceTypes: [AWS_EDGE.restApiDomainName, AWS_EDGE.httpApiDomainName],
    validate({ type, props }, _config, report) {
        // The REST API's default is TLS_1_0.
        const policy =
            type === AWS_EDGE.restApiDomainName
                ? (peek(props, "securityPolicy") ?? "TLS_1_0")
                : objectOf(peek(props, "domainNameConfiguration"))?.securityPolicy;
        if (typeof policy !== "string" || !MODERN_TLS.test(policy)) {
            report(`the security policy is ${show(policy)}; use TLS_1_2, which refuses TLS 1.0 and 1.1`);
        }
    },
};

export const apiGatewayRules: RuleFile = {
    title: "Amazon API Gateway",
    resource: [apiGatewayAccessLogs, apiGatewayTlsPolicy] as ResourceRule<any>[],
    stack: [apiGatewayThrottling] as StackRule<any>[],
};
