import { AWS, AWS_EDGE, AWS_DATA, K8S, RANDOM } from "../../../policies/lib/types";
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
            { change: { defaultActions: [{ type: "forward", targetGroupArn: "tg" }] }, message: /the HTTP listener.s defaultActions are \[forward\]; its only action must redirect to HTTPS/ },
            { change: { defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] }, message: /defaultActions are \[redirect\]/ },
        ],
    },
    {
        // A classic load balancer cannot redirect: only HTTPS listeners keep the site encrypted.
        policy: "alb-http-redirects-to-https", type: AWS.classicLoadBalancer,
        compliant: { listeners: [{ lbPort: 443, lbProtocol: "https", instancePort: 8080, instanceProtocol: "http", sslCertificateId: "arn:aws:acm:eu-west-1:1:certificate/c" }] },
        violating: [{ change: { listeners: [{ lbPort: 80, lbProtocol: "http", instancePort: 80, instanceProtocol: "http" }] },
            message: /listeners on port 80 serve plain HTTP \(lbProtocol http\), and a classic load balancer cannot redirect/ }],
    },
    {
        // As a hand-written program registers an ALB listener: no protocol, which the provider sends as HTTP.
        policy: "alb-http-redirects-to-https", type: LISTENER,
        compliant: { loadBalancerArn: "arn:alb", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] },
        violating: [{ label: "a listener with no protocol that forwards", change: { defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] },
            message: /^protocol is not set, so the listener serves plain HTTP, and its defaultActions are \[forward\]/m }],
    },
    {
        // A network load balancer's TLS listener terminates TLS too.
        policy: "alb-https-tls-policy", type: AWS.listeners[1],
        compliant: { loadBalancerArn: "arn:nlb", protocol: "TLS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c",
            defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] },
        violating: [{ change: { sslPolicy: "ELBSecurityPolicy-2016-08" }, message: /sslPolicy is "ELBSecurityPolicy-2016-08"/ }],
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
            { label: "a CONSTANT rate rule (all clients together)", change: { rules: [{ ...webAcl.rules[0], statement: { rateBasedStatement: { limit: 1000,
                aggregateKeyType: "CONSTANT", scopeDownStatement: { byteMatchStatement: { positionalConstraint: "STARTS_WITH", searchString: "/api",
                    fieldToMatch: { uriPath: {} }, textTransformations: [{ priority: 0, type: "NONE" }] } } } } }] },
                message: /rate-based rule rate counts with aggregateKeyType "CONSTANT", all clients together, not per client/ },
        ],
    },
    {
        policy: "waf-managed-rules-sqli-xss", type: AWS.webAcl, compliant: webAcl,
        violating: [
            { change: { rules: webAcl.rules.slice(0, 2) }, message: /does not enforce AWSManagedRulesSQLiRuleSet/ },
            { change: { rules: [webAcl.rules[1], { ...webAcl.rules[2], overrideAction: { count: {} } }] }, message: /does not enforce AWSManagedRulesSQLiRuleSet \(a group in count mode/ },
            { label: "the SQLi group with its body and query rules overridden to count", change: { rules: [webAcl.rules[1], { ...webAcl.rules[2],
                statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesSQLiRuleSet",
                    ruleActionOverrides: [{ name: "SQLi_BODY", actionToUse: { count: {} } }, { name: "SQLi_QUERYARGUMENTS", actionToUse: { count: {} } }] } } }] },
                message: /does not enforce AWSManagedRulesSQLiRuleSet .*: AWSManagedRulesSQLiRuleSet \(ruleActionOverrides count SQLi_BODY, SQLi_QUERYARGUMENTS\)/ },
        ],
    },
    {
        // Counting a size rule of the common group (large uploads) leaves its XSS rules blocking.
        policy: "waf-managed-rules-sqli-xss", type: AWS.webAcl,
        compliant: { ...webAcl, rules: [webAcl.rules[2], { ...webAcl.rules[1], statement: { managedRuleGroupStatement: { vendorName: "AWS",
            name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }] } } }] },
        violating: [{ change: { rules: [webAcl.rules[2], { ...webAcl.rules[1], statement: { managedRuleGroupStatement: { vendorName: "AWS",
            name: "AWSManagedRulesCommonRuleSet", ruleActionOverrides: [{ name: "CrossSiteScripting_BODY", actionToUse: { count: {} } }] } } }] },
            message: /does not enforce AWSManagedRulesCommonRuleSet/ }],
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
        violating: [
            { change: { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }, message: /port 5432 open to 0\.0\.0\.0\/0/ },
            // Two halves of the internet are the internet.
            { change: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }] },
                message: /port 22 open to 0\.0\.0\.0\/1, 128\.0\.0\.0\/1/ },
        ],
    },
];

const classicTls: TestResource[] = [
    { type: AWS.classicLoadBalancer, name: "shop-elb", props: { listeners: [
        { lbPort: 443, lbProtocol: "https", instancePort: 8080, instanceProtocol: "http", sslCertificateId: "arn:aws:acm:eu-west-1:1:certificate/c" }] } },
    { type: AWS_EDGE.elbLoadBalancerPolicy, name: "shop-tls12", deps: { loadBalancerName: ["shop-elb"] }, props: { policyName: "shop-tls12",
        policyTypeName: "SSLNegotiationPolicyType", policyAttributes: [{ name: "Reference-Security-Policy", value: "ELBSecurityPolicy-TLS-1-2-2017-01" }] } },
    { type: AWS_EDGE.elbListenerPolicy, name: "shop-tls12-listener", deps: { loadBalancerName: ["shop-elb"], policyNames: ["shop-tls12"] },
        props: { loadBalancerPort: 443, policyNames: ["shop-tls12"] } },
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
        violating: [
            { resources: edge.slice(0, 2), message: /alb is internet-facing and has no WAF web ACL associated/ },
            // The rules live in one ACL, and another, empty one is attached.
            { resources: [...edge.slice(0, 2), { type: AWS.webAcl, name: "empty-waf", props: { scope: "REGIONAL", defaultAction: { allow: {} }, rules: [] } },
                { type: AWS.webAclAssociation, name: "waf-alb", deps: { resourceArn: ["alb"], webAclArn: ["empty-waf"] } }],
                message: /alb's web ACL empty-waf: the web ACL has no rate-based rule/ },
        ],
    },
    {
        // TLS 1.2 on a classic load balancer: a ListenerPolicy per HTTPS listener naming an SSL negotiation policy.
        policy: "classic-elb-tls-policy", compliant: classicTls,
        violating: [
            { resources: without(classicTls, "shop-tls12-listener"), message: /shop-elb: the listeners on port 443 use no TLS 1\.2 negotiation policy/ },
            { resources: changed(classicTls, "shop-tls12", { props: { policyAttributes: [{ name: "Reference-Security-Policy", value: "ELBSecurityPolicy-2016-08" }] } }),
                message: /accepts TLS 1\.0 and 1\.1/ },
        ],
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

secretsResource.push(
    {
        policy: "ssm-secure-string", type: AWS_DATA.ssmParameter, compliant: { name: "/shop/prod/db-password", type: "SecureString", value: "x" },
        violating: [
            { change: { type: "String" }, message: /type is "String" for "\/shop\/prod\/db-password", whose name says it holds a secret/ },
            { change: { name: "/shop/prod/stripeApiKey", type: "String" }, message: /stripeApiKey/ },
        ],
    },
    {
        // A plain setting that names where the secret is, not the secret, may be a String.
        policy: "ssm-secure-string", type: AWS_DATA.ssmParameter, compliant: { name: "/shop/prod/db-secret-arn", type: "String", value: "arn:aws:secretsmanager:x" },
        violating: [{ change: { name: "/shop/prod/JWT_SECRET" }, message: /JWT_SECRET/ }],
    },
    {
        policy: "aws-env-no-plaintext-secrets", type: AWS_DATA.ecsTaskDefinition,
        compliant: { family: "web", containerDefinitions: JSON.stringify([{ name: "web", image: "nginx:1.27", essential: true,
            environment: [{ name: "NODE_ENV", value: "production" }, { name: "DATABASE_URL", value: "postgres://db.internal:5432/shop" }],
            secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCd" }] }]) },
        violating: [
            { change: { containerDefinitions: JSON.stringify([{ name: "web", image: "nginx:1.27", environment: [{ name: "DB_PASSWORD", value: "hunter2" },
                { name: "DATABASE_URL", value: "postgres://shop:hunter2@db.internal:5432/shop" }] }]) },
                message: /container web sets DB_PASSWORD, DATABASE_URL in environment; put them in secrets/ },
            { change: { containerDefinitions: "[{\"name\": " }, message: /containerDefinitions is not valid JSON/ },
        ],
    },
    {
        policy: "aws-env-no-plaintext-secrets", type: AWS_DATA.lambdaFunction,
        compliant: { runtime: "nodejs20.x", handler: "index.handler", environment: { variables: { TABLE: "orders", API_KEY_SECRET_ARN: "arn:aws:secretsmanager:x" } } },
        violating: [{ change: { environment: { variables: { TABLE: "orders", STRIPE_API_KEY: "sk_test_abc" } } },
            message: /environment\.variables sets STRIPE_API_KEY in plain text/ }],
    },
);

const generated: TestResource[] = [
    { type: RANDOM.password, name: "db-password", props: { length: 32, special: false } },
    { type: AWS.secret, name: "db-credentials", props: { name: "shop/db" } },
    { type: AWS_DATA.secretVersion, name: "db-credentials", props: { secretString: "{\"username\":\"shop\",\"password\":\"Zq4vN8rT2xLm6PbW9cYd3KfH\"}" },
        deps: { secretString: ["db-password"] } },
    { type: AWS.rdsInstance, name: "db", props: { engine: "mysql", username: "shop", password: "Zq4vN8rT2xLm6PbW9cYd3KfH" }, deps: { password: ["db-password"] } },
    // A third-party key from secret config: long and random, so it may have been typed in.
    { type: AWS_DATA.secretVersion, name: "stripe", props: { secretString: "sk_live_51HxQ2eKz8vN4rT7yLm0PbW3c" } },
    // What the preflight shows for a secret it cannot decrypt.
    { type: AWS_DATA.secretVersion, name: "exported", props: { secretString: "[secret]" } },
    { type: AWS.rdsCluster, name: "aurora", props: { engine: "aurora-postgresql", manageMasterUserPassword: true } },
];
const secretsStack: StackCase[] = [
    {
        policy: "secret-values-generated", compliant: generated,
        violating: [
            { resources: [...generated, { type: AWS_DATA.secretVersion, name: "literal", props: { secretString: "SuperSecretPassword123!" } }],
                message: /literal: secretString is written in the program or its config, not generated, and is weak \(it contains "password"/ },
            { resources: [...generated, { type: AWS_DATA.secretVersion, name: "json", props: { secretString: "{\"username\":\"admin\",\"password\":\"changeme\"}" } }],
                message: /json: secretString .* \(its field password: it is 8 characters long/ },
            { resources: changed(generated, "db", { props: { password: "P@ssw0rd2024!xyz-long-enough" }, deps: {} }),
                message: /db: password .*contains "password".*use manageMasterUserPassword: true/ },
            { resources: [...generated, { type: AWS.replicationGroup, name: "cache", props: { authToken: "aaaaaaaaaaaaaaaaaaaaaaaa" } }],
                message: /cache: authToken .*its characters repeat too much/ },
        ],
    },
    {
        // Enforced, findings are violations at the policy's level (advisory otherwise: see rules.spec.ts).
        policy: "secrets-manager-rotation", config: { enforce: true },
        compliant: [
            { type: AWS.secret, name: "db-credentials", props: { name: "shop/db" } },
            { type: AWS_DATA.secretRotation, name: "db-credentials-rotation", props: { rotationRules: { automaticallyAfterDays: 30 } },
                deps: { secretId: ["db-credentials"] } },
            // Rotated by a schedule expression, the secret named by its name.
            { type: AWS.secret, name: "stripe", props: { name: "shop/stripe" } },
            { type: AWS_DATA.secretRotation, name: "stripe-rotation", props: { secretId: "shop/stripe", rotationRules: { scheduleExpression: "rate(60 days)" } } },
        ],
        violating: [
            { resources: [{ type: AWS.secret, name: "jwt", props: { name: "shop/jwt" } }],
                message: /jwt has no SecretRotation, so its value stays the same until someone changes it by hand/ },
            { resources: [{ type: AWS.secret, name: "db-credentials", props: { name: "shop/db" } },
                { type: AWS_DATA.secretRotation, name: "db-credentials-rotation", props: { rotationRules: { automaticallyAfterDays: 365 } }, deps: { secretId: ["db-credentials"] } }],
            message: /db-credentials rotates every 365 days \(db-credentials-rotation\); at most 90/ },
            { resources: [{ type: AWS.secret, name: "stripe", props: { name: "shop/stripe" } },
                { type: AWS_DATA.secretRotation, name: "stripe-rotation", props: { secretId: "shop/stripe", rotationRules: { scheduleExpression: "rate(180 days)" } } }],
            message: /stripe rotates every 180 days/ },
        ],
    },
];

export const secretsCases: CaseTable = { area: "secrets", resource: secretsResource, stack: secretsStack };
