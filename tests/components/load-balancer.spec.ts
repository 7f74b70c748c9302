import * as assert from "assert/strict";
import { LoadBalancer, LoadBalancerArgs } from "../../components/load-balancer";
import { MANAGED_RULE_GROUPS } from "../../components/waf";
import { AWS, AWS_PLATFORM } from "../../policies/lib/types";
import { Plan, planComponents, planStack } from "../helpers";

const LB = AWS.loadBalancers[0];
const LISTENER = AWS.listeners[0];
const SECURITY_GROUP = AWS.securityGroup;
const WAF = AWS.webAcl;

const componentArgs: LoadBalancerArgs = {
    vpcId: "vpc-0abc12345def67890",
    subnetIds: ["subnet-public-a", "subnet-public-b"],
    targetSecurityGroupId: "sg-app",
    domainName: "api.example.com",
    services: [{ name: "api", port: 3000, healthPath: "/health" }],
};

const listener = (plan: Plan, protocol: string) => plan.ofType(LISTENER).find((l) => plan.input(l, "protocol") === protocol)!;

describe("LoadBalancer", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("is an internet-facing ALB in the public subnets that drops invalid headers and cannot be deleted", () => {
            const alb = plan.one(LB);
            assert.equal(plan.input(alb, "internal"), false);
            assert.equal(plan.input(alb, "loadBalancerType"), "application");
            assert.deepEqual(
                plan.input(alb, "subnets"),
                [1, 2, 3].map((i) => `platform-production-network-public-${i}-id`),
            );
            assert.equal(plan.input(alb, "dropInvalidHeaderFields"), true);
            assert.equal(plan.input(alb, "enableDeletionProtection"), true);
        });

        it("is open to the internet on 443 and 80 only, and reaches only the application's port", () => {
            const albGroup = plan.one(SECURITY_GROUP, "-edge-alb");
            const rules = (type: string) => plan.ofType(type).filter((r) => r.propertyDependencies.securityGroupId?.includes(albGroup.urn));
            const ingress = rules(AWS.ingressRule);
            assert.deepEqual(ingress.map((r) => [plan.input(r, "cidrIpv4"), plan.input(r, "fromPort"), plan.input(r, "toPort")]).sort(), [
                ["0.0.0.0/0", 443, 443],
                ["0.0.0.0/0", 80, 80],
            ]);
            const egress = rules(AWS.egressRule);
            const app = plan.one(SECURITY_GROUP, "-network-app");
            assert.deepEqual(
                egress.map((r) => [r.propertyDependencies.referencedSecurityGroupId[0], plan.input(r, "fromPort")]),
                [[app.urn, 3000]],
            );
        });

        it("serves HTTPS with a TLS 1.3 policy and the DNS-validated certificate; HTTP only redirects", () => {
            const https = listener(plan, "HTTPS");
            assert.match(plan.input(https, "sslPolicy"), /^ELBSecurityPolicy-TLS13-/);
            assert.deepEqual(https.propertyDependencies.certificateArn, [plan.one(AWS_PLATFORM.certificateValidation).urn]);
            assert.deepEqual(
                plan.input(https, "defaultActions").map((a: any) => a.type),
                ["forward"],
            );
            assert.deepEqual(plan.input(listener(plan, "HTTP"), "defaultActions"), [
                { type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } },
            ]);
            const certificate = plan.one(AWS.certificate);
            assert.equal(plan.input(certificate, "domainName"), "api.acme-example.com");
            assert.equal(plan.input(certificate, "validationMethod"), "DNS");
        });

        it("forwards to an IP target group per public service, health-checked on its health path", () => {
            const group = plan.one(AWS.targetGroups[0]);
            assert.equal(group.name, "platform-production-edge-api");
            assert.equal(plan.input(group, "targetType"), "ip");
            assert.equal(plan.input(group, "port"), 3000);
            assert.equal(plan.input(group, "healthCheck").path, "/health");
        });

        it("logs access to a private, encrypted, lifecycled bucket that only the ELB service may write to, over TLS", () => {
            const alb = plan.one(LB);
            assert.equal(plan.input(alb, "accessLogs").enabled, true);
            const bucket = plan.one(AWS.buckets[0], "-edge-access-logs");
            assert.deepEqual(alb.propertyDependencies.accessLogs, [bucket.urn]);
            const attached = (type: string) => plan.ofType(type).find((r) => r.propertyDependencies.bucket?.includes(bucket.urn))!;
            const block = attached(AWS.bucketPublicAccessBlock);
            for (const flag of ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"]) {
                assert.equal(plan.input(block, flag), true, flag);
            }
            const encryption = attached(AWS.bucketEncryption[0]);
            assert.equal(plan.input(encryption, "rules")[0].applyServerSideEncryptionByDefault.sseAlgorithm, "AES256");
            const lifecycle = attached(AWS.bucketLifecycle[0]);
            assert.equal(plan.input(lifecycle, "rules")[0].expiration.days, 365);
            const policy = JSON.parse(plan.input(attached(AWS.bucketPolicy), "policy"));
            assert.deepEqual(policy.Statement[0].Principal, { AWS: "arn:aws:iam::156460612806:root" });
            assert.deepEqual(policy.Statement[1].Condition, { Bool: { "aws:SecureTransport": "false" } });
        });

        it("has a WAF web ACL attached: a blocking per-IP rate limit and the AWS managed rule groups, all measured", () => {
            const acl = plan.one(WAF);
            const rules = plan.input(acl, "rules");
            assert.deepEqual(rules[0].action, { block: {} });
            assert.deepEqual(rules[0].statement.rateBasedStatement, { limit: 2000, aggregateKeyType: "IP" });
            assert.deepEqual(
                rules.slice(1).map((r: any) => r.statement.managedRuleGroupStatement.name),
                MANAGED_RULE_GROUPS,
            );
            assert.ok(rules.slice(1).every((r: any) => r.overrideAction.none !== undefined));
            assert.ok(
                [plan.input(acl, "visibilityConfig"), ...rules.map((r: any) => r.visibilityConfig)].every(
                    (v: any) => v.cloudwatchMetricsEnabled && v.sampledRequestsEnabled,
                ),
            );
            const association = plan.one(AWS.webAclAssociation);
            assert.deepEqual(association.propertyDependencies.resourceArn, [plan.one(LB).urn]);
            assert.deepEqual(association.propertyDependencies.webAclArn, [acl.urn]);
        });
    });

    it("staging relaxes what Pulumi.staging.yaml says: no deletion protection, a lower rate limit, a month of logs", async () => {
        const plan = await planStack("staging");
        assert.equal(plan.input(plan.one(LB), "enableDeletionProtection"), false);
        assert.equal(plan.input(plan.one(WAF), "rules")[0].statement.rateBasedStatement.limit, 1000);
        const lifecycle = plan.one(AWS.bucketLifecycle[0], "-edge-access-logs");
        assert.equal(plan.input(lifecycle, "rules")[0].expiration.days, 30);
        assert.match(plan.input(listener(plan, "HTTPS"), "sslPolicy"), /^ELBSecurityPolicy-TLS13-/);
    });

    describe("component defaults and overrides", () => {
        it("defaults to a TLS 1.3 policy, 2000 requests per 5 minutes, deletion protection and 90 days of logs", async () => {
            const plan = await planComponents(() => new LoadBalancer("edge", componentArgs));
            assert.equal(plan.input(listener(plan, "HTTPS"), "sslPolicy"), "ELBSecurityPolicy-TLS13-1-2-2021-06");
            assert.equal(plan.input(plan.one(WAF), "rules")[0].statement.rateBasedStatement.limit, 2000);
            assert.equal(plan.input(plan.one(LB), "enableDeletionProtection"), true);
            assert.equal(plan.input(plan.one(AWS.bucketLifecycle[0]), "rules")[0].expiration.days, 90);
            const zone = plan.one(AWS.route53Record, "-alias");
            assert.equal(plan.input(zone, "name"), "api.example.com");
        });

        it("routes further services by path and takes another policy, limit and zone when asked", async () => {
            const plan = await planComponents(
                () =>
                    new LoadBalancer("edge", {
                        ...componentArgs,
                        hostedZoneName: "example.com",
                        services: [...componentArgs.services, { name: "admin", port: 4000, healthPath: "/ready" }],
                        sslPolicy: "ELBSecurityPolicy-TLS13-1-3-2021-06",
                        rateLimitPerFiveMinutes: 500,
                        deletionProtection: false,
                    }),
            );
            assert.equal(plan.ofType(AWS.targetGroups[0]).length, 2);
            const rule = plan.one(AWS_PLATFORM.listenerRule);
            assert.deepEqual(plan.input(rule, "conditions"), [{ pathPattern: { values: ["/admin/*"] } }]);
            assert.deepEqual(rule.propertyDependencies.actions, [plan.one(AWS.targetGroups[0], "-admin").urn]);
            assert.equal(plan.input(listener(plan, "HTTPS"), "sslPolicy"), "ELBSecurityPolicy-TLS13-1-3-2021-06");
            assert.equal(plan.input(plan.one(WAF), "rules")[0].statement.rateBasedStatement.limit, 500);
            assert.equal(plan.input(plan.one(LB), "enableDeletionProtection"), false);
            const egressPorts = plan
                .ofType(AWS.egressRule)
                .map((r) => plan.input(r, "fromPort"))
                .sort();
            assert.deepEqual(egressPorts, [3000, 4000]);
        });
    });
});
