import { AWS, K8S, RANDOM } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const LISTENER = AWS.listeners[0];
const LB = AWS.loadBalancers[0];
const https = { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c" };
const http = { protocol: "HTTP", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] };
const alb = { loadBalancerType: "application", internal: false, dropInvalidHeaderFields: true, enableDeletionProtection: true,
    accessLogs: { enabled: true, bucket: "alb-logs" } };
const webAcl = {
    scope: "REGIONAL",
    rules: [
        { name: "rate", priority: 1, action: { block: {} }, statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: "IP" } } },
        { name: "common", priority: 2, overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } } },
        { name: "sqli", priority: 3, overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesSQLiRuleSet" } } },
    ],
};
const deployment = (env: object[]) => ({
    metadata: { name: "api", namespace: "app" },
    spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", env }] } } },
});

const edgeResource: ResourceCase[] = [
    {
        policy: "alb-https-tls-policy", type: LISTENER, compliant: https,
        violating: [
            { change: { sslPolicy: "ELBSecurityPolicy-2016-08" }, message: /sslPolicy is "ELBSecurityPolicy-2016-08"; use one of ELBSecurityPolicy-TLS13/ },
            { change: { sslPolicy: undefined }, message: /sslPolicy is not set \(the ELB default allows TLS 1\.0\)/ },
            { change: { certificateArn: undefined }, message: /certificateArn is not set/ },
        ],
    },
    {
        policy: "alb-http-redirects-to-https", type: LISTENER, compliant: http,
        violating: [
            { change: { defaultActions: [{ type: "forward", targetGroupArn: "tg" }] }, message: /actions are \[forward\]; its only action must redirect to HTTPS/ },
            { change: { defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] }, message: /actions are \[redirect\]/ },
        ],
    },
    {
        policy: "alb-drop-invalid-headers", type: LB, compliant: alb,
        violating: [{ change: { dropInvalidHeaderFields: undefined }, message: /dropInvalidHeaderFields is not set, and the provider default is false/ }],
    },
    {
        policy: "alb-access-logs", type: LB, compliant: alb,
        violating: [{ change: { accessLogs: { enabled: false, bucket: "alb-logs" } }, message: /accessLogs is \{.*"enabled":false.*\}; enable them to an S3 bucket/ }],
    },
    {
        policy: "alb-deletion-protection", type: LB, compliant: alb,
        violating: [{ change: { enableDeletionProtection: false }, message: /enableDeletionProtection is false/ }],
    },
    {
        // As components/load-balancer.ts registers it: no stickiness block, so requests spread over every pod.
        policy: "target-group-no-stickiness", type: AWS.targetGroups[0],
        compliant: { vpcId: "vpc-1", targetType: "ip", protocol: "HTTP", port: 3000, deregistrationDelay: 30,
            healthCheck: { enabled: true, path: "/health", protocol: "HTTP", matcher: "200-399" } },
        violating: [
            { change: { stickiness: { enabled: true, type: "lb_cookie", cookieDuration: 86400 } },
                message: /stickiness\.enabled is true \(type "lb_cookie"\), so each client stays on one target/ },
            { change: { stickiness: { type: "app_cookie", cookieName: "SESSION" } }, message: /stickiness\.enabled is not set \(true in a stickiness block\)/ },
        ],
    },
    {
        policy: "target-group-no-stickiness", type: AWS.targetGroups[1],
        compliant: { vpcId: "vpc-1", targetType: "instance", protocol: "TCP", port: 5432, stickiness: { enabled: false, type: "source_ip" } },
        violating: [
            { change: { stickiness: { enabled: true, type: "source_ip" } }, message: /stickiness\.enabled is true \(type "source_ip"\)/ },
            { change: { stickiness: { enabled: "yes", type: "source_ip" } }, message: /stickiness\.enabled is "yes"/ },
        ],
    },
    {
        policy: "waf-rate-limit-rule", type: AWS.webAcl, compliant: webAcl,
        violating: [
            { change: { rules: webAcl.rules.slice(1) }, message: /the web ACL has no rate-based rule/ },
            { change: { rules: [{ ...webAcl.rules[0], action: { count: {} } }] }, message: /rate-based rule rate does not block/ },
            { change: { rules: [{ ...webAcl.rules[0], statement: { rateBasedStatement: { limit: 100000 } } }] }, message: /the rate limit is 100000 requests per 5 minutes; at most 2000/ },
        ],
    },
    {
        policy: "waf-managed-rules-sqli-xss", type: AWS.webAcl, compliant: webAcl,
        violating: [
            { change: { rules: webAcl.rules.slice(0, 2) }, message: /does not enforce AWSManagedRulesSQLiRuleSet/ },
            { change: { rules: [webAcl.rules[1], { ...webAcl.rules[2], overrideAction: { count: {} } }] }, message: /does not enforce AWSManagedRulesSQLiRuleSet \(a group in count mode/ },
        ],
    },
    {
        policy: "no-unrestricted-ingress", type: AWS.ingressRule, compliant: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
        violating: [
            { change: { fromPort: 22, toPort: 22 }, message: /port 22 open to 0\.0\.0\.0\/0; only ports 80, 443/ },
            { change: { ipProtocol: "-1", fromPort: undefined, toPort: undefined }, message: /all ports open to 0\.0\.0\.0\/0/ },
            { change: { cidrIpv4: undefined, cidrIpv6: "::/0", fromPort: 0, toPort: 65535 }, message: /ports 0-65535 open to ::\/0/ },
        ],
    },
    {
        policy: "no-unrestricted-ingress", type: AWS.securityGroup, compliant: { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-app"] }] },
        violating: [{ change: { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }, message: /port 5432 open to 0\.0\.0\.0\/0/ }],
    },
];

const edge: TestResource[] = [
    { type: LB, name: "alb", props: alb },
    { type: AWS.webAcl, name: "waf", props: webAcl },
    { type: AWS.webAclAssociation, name: "waf-alb", deps: { resourceArn: ["alb"], webAclArn: ["waf"] } },
];
/**
 * Internet-facing load balancers of each kind with their alias records: by reference (as components/load-balancer.ts
 * registers it), or by the DNS name written out as Route 53 returns it. An internal one needs none.
 */
const named: TestResource[] = [
    { type: LB, name: "alb", props: alb },
    { type: AWS.route53Record, name: "api-alias", props: { zoneId: "Z1", name: "api.acme-example.com", type: "A",
        aliases: [{ name: "alb-123.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }] }, deps: { aliases: ["alb"] } },
    { type: AWS.loadBalancers[1], name: "nlb", props: { loadBalancerType: "network", dnsName: "nlb-456.elb.eu-west-1.amazonaws.com" } },
    { type: AWS.route53Record, name: "tcp-alias", props: { zoneId: "Z1", name: "tcp.acme-example.com", type: "A",
        aliases: [{ name: "dualstack.NLB-456.elb.eu-west-1.amazonaws.com.", zoneId: "Z2IFOLAFXWLO4F", evaluateTargetHealth: true }] } },
    { type: AWS.classicLoadBalancer, name: "legacy-elb", props: { internal: false, listeners: [{ lbPort: 443, lbProtocol: "https" }] } },
    { type: AWS.route53Record, name: "legacy-alias", props: { zoneId: "Z1", name: "legacy.acme-example.com", type: "A",
        aliases: [{ name: "legacy-789.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: false }] }, deps: { aliases: ["legacy-elb"] } },
    { type: LB, name: "internal-alb", props: { ...alb, internal: true } },
];
const edgeStack: StackCase[] = [
    {
        policy: "alb-waf-attached", compliant: edge,
        violating: [{ resources: edge.slice(0, 2), message: /alb is internet-facing and has no WAF web ACL associated/ }],
    },
    {
        policy: "dns-alias-record", compliant: named,
        violating: [
            { resources: without(named, "api-alias"), message: /^alb is internet-facing, but no Route 53 alias record points at it; clients would depend/m },
            { resources: changed(named, "tcp-alias", { props: { aliases: [{ name: "other-1.elb.eu-west-1.amazonaws.com", zoneId: "Z2", evaluateTargetHealth: true }] } }),
                message: /^nlb is internet-facing, but no Route 53 alias record points at it/m },
            { resources: [...without(named, "api-alias"), { type: AWS.route53Record, name: "api-cname", props: { zoneId: "Z1", name: "api.acme-example.com",
                type: "CNAME", ttl: 300, records: ["alb-123.eu-west-1.elb.amazonaws.com"] }, deps: { records: ["alb"] } }],
                message: /alb is internet-facing, .*\(only the record api-cname names it, which is not an alias\)/ },
            { resources: without(named, "legacy-alias"), message: /^legacy-elb is internet-facing/m },
        ],
    },
];

export const edgeCases: CaseTable = { area: "edge", resource: edgeResource, stack: edgeStack };

const secretsResource: ResourceCase[] = [
    {
        policy: "kms-key-rotation", type: AWS.kmsKey, compliant: { enableKeyRotation: true, keySpec: "SYMMETRIC_DEFAULT" },
        violating: [{ change: { enableKeyRotation: undefined }, message: /enableKeyRotation is not set, and the provider default is false/ }],
    },
    {
        policy: "secrets-manager-kms-encrypted", type: AWS.secret, compliant: { name: "app/JWT", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" },
        violating: [
            { change: { kmsKeyId: undefined }, message: /kmsKeyId is not set; use the platform's customer-managed key/ },
            { change: { kmsKeyId: "alias/aws/secretsmanager" }, message: /kmsKeyId is "alias\/aws\/secretsmanager"/ },
        ],
    },
    {
        policy: "random-secret-length", type: RANDOM.password, compliant: { length: 64, special: false },
        violating: [
            { change: { length: 16 }, message: /length is 16 characters; at least 32 characters/ },
            { change: { length: undefined }, message: /length is not set, not a number/ },
        ],
    },
    {
        policy: "random-secret-length", type: RANDOM.bytes, compliant: { length: 32 },
        violating: [{ change: { length: 16 }, message: /length is 16 bytes; at least 32 bytes/ }],
    },
    {
        policy: "k8s-no-plaintext-secrets", type: K8S.deployment,
        compliant: deployment([{ name: "NODE_ENV", value: "production" }, { name: "JWT_SECRET", valueFrom: { secretKeyRef: { name: "api", key: "JWT_SECRET" } } }]),
        violating: [{ change: deployment([{ name: "JWT_SECRET", value: "hunter2" }, { name: "DATABASE_URL", value: "postgresql://x" }]),
            message: /container api sets JWT_SECRET, DATABASE_URL as literal values/ }],
    },
    {
        policy: "k8s-no-plaintext-secrets", type: K8S.configMap, compliant: { data: { NODE_ENV: "production", CORS_ORIGINS: "https://acme.example" } },
        violating: [{ change: { data: { NODE_ENV: "production", OPENAI_API_KEY: "sk-1" } }, message: /ConfigMap data holds secret settings OPENAI_API_KEY/ }],
    },
];

export const secretsCases: CaseTable = { area: "secrets", resource: secretsResource, stack: [] };
