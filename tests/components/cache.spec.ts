import * as assert from "assert/strict";
import { Cache, CacheArgs } from "../../components/cache";
import { AWS, AWS_PLATFORM, RANDOM } from "../../policies/lib/types";
import { isSecretValue, outputIsSecret, Plan, planComponents, planStack, resolve } from "../helpers";

const GROUP = AWS.replicationGroup;
const SECURITY_GROUP = AWS.securityGroup;
const INGRESS = AWS.ingressRule;

const componentArgs: CacheArgs = {
    vpcId: "vpc-0abc12345def67890",
    subnetIds: ["subnet-isolated-a", "subnet-isolated-b"],
    clientSecurityGroupIds: ["sg-app"],
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/test",
    authToken: "token&with#specials-0123456789",
};

describe("Cache", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("runs Redis 7 or newer with TLS required and at-rest encryption under the platform key", () => {
            const group = plan.one(GROUP);
            assert.equal(plan.input(group, "engine"), "redis");
            assert.ok(Number(plan.input(group, "engineVersion").split(".")[0]) >= 7);
            assert.equal(plan.input(group, "transitEncryptionEnabled"), true);
            assert.equal(plan.input(group, "transitEncryptionMode"), "required");
            assert.equal(plan.input(group, "atRestEncryptionEnabled"), true);
            assert.deepEqual(group.propertyDependencies.kmsKeyId, [plan.one(AWS.kmsKey, "-secrets-key").urn]);
        });

        it("requires the Secrets component's AUTH token, as a secret, rotated without downtime", () => {
            const group = plan.one(GROUP);
            assert.ok(isSecretValue(group.inputs.authToken));
            const token = plan.one(RANDOM.password, "-redis-auth-token");
            assert.deepEqual(group.propertyDependencies.authToken, [token.urn]);
            assert.equal(plan.input(group, "authTokenUpdateStrategy"), "ROTATE");
        });

        it("keeps 7 days of snapshots and fails over to a replica in another zone", () => {
            const group = plan.one(GROUP);
            assert.equal(plan.input(group, "snapshotRetentionLimit"), 7);
            assert.equal(plan.input(group, "snapshotWindow"), "02:00-03:00");
            assert.equal(plan.input(group, "numCacheClusters"), 2);
            assert.equal(plan.input(group, "automaticFailoverEnabled"), true);
            assert.equal(plan.input(group, "multiAzEnabled"), true);
            assert.equal(plan.input(group, "finalSnapshotIdentifier"), "platform-production-cache-final");
            assert.equal(group.protect, true);
        });

        it("has 13 GiB nodes, a maxmemory policy and slow and engine logs in CloudWatch", () => {
            const group = plan.one(GROUP);
            assert.equal(plan.input(group, "nodeType"), "cache.r7g.large");
            const parameters = plan.one(AWS.cacheParameterGroup);
            assert.equal(plan.input(parameters, "family"), "redis7");
            assert.deepEqual(plan.input(parameters, "parameters"), [{ name: "maxmemory-policy", value: "volatile-lru" }]);
            assert.deepEqual(group.propertyDependencies.parameterGroupName, [parameters.urn]);
            const logs = plan.input(group, "logDeliveryConfigurations");
            assert.deepEqual(
                logs.map((l: any) => [l.logType, l.destinationType]),
                [
                    ["slow-log", "cloudwatch-logs"],
                    ["engine-log", "cloudwatch-logs"],
                ],
            );
            for (const log of ["slow-log", "engine-log"]) {
                assert.equal(plan.input(plan.one(AWS.logGroup, `-cache-${log}`), "retentionInDays"), 365);
            }
        });

        it("lives in the isolated subnets and admits 6379 only from the application", () => {
            assert.deepEqual(
                plan.input(plan.one(AWS_PLATFORM.cacheSubnetGroup), "subnetIds"),
                [1, 2, 3].map((i) => `platform-production-network-isolated-${i}-id`),
            );
            const redisGroup = plan.one(SECURITY_GROUP, "-cache-redis");
            const rules = plan.ofType(INGRESS).filter((r) => r.propertyDependencies.securityGroupId?.includes(redisGroup.urn));
            assert.equal(rules.length, 1);
            assert.deepEqual(rules[0].propertyDependencies.referencedSecurityGroupId, [plan.one(SECURITY_GROUP, "-network-app").urn]);
            assert.equal(plan.input(rules[0], "fromPort"), 6379);
            assert.equal(plan.input(rules[0], "toPort"), 6379);
            assert.equal(rules[0].inputs.cidrIpv4, undefined);
        });
    });

    it("staging relaxes what Pulumi.staging.yaml says: a 3 GiB node, no replica, one day of snapshots", async () => {
        const plan = await planStack("staging");
        const group = plan.one(GROUP);
        assert.equal(plan.input(group, "nodeType"), "cache.t4g.medium");
        assert.equal(plan.input(group, "numCacheClusters"), 1);
        assert.equal(plan.input(group, "automaticFailoverEnabled"), false);
        assert.equal(plan.input(group, "multiAzEnabled"), false);
        assert.equal(plan.input(group, "snapshotRetentionLimit"), 1);
        assert.equal(plan.input(group, "transitEncryptionEnabled"), true);
        assert.equal(group.protect, false);
    });

    describe("component defaults and overrides", () => {
        it("defaults to the strict values and a rediss:// URL kept secret", async () => {
            let cache: Cache | undefined;
            const plan = await planComponents(() => {
                cache = new Cache("cache", componentArgs);
            });
            const group = plan.one(GROUP);
            assert.equal(plan.input(group, "engineVersion"), "7.1");
            assert.equal(plan.input(group, "nodeType"), "cache.r7g.large");
            assert.equal(plan.input(group, "numCacheClusters"), 2);
            assert.equal(plan.input(group, "snapshotRetentionLimit"), 7);
            assert.equal(group.protect, true);
            assert.equal(await outputIsSecret(cache!.redisUrl), true);
            assert.equal(
                await resolve(cache!.redisUrl),
                "rediss://:token%26with%23specials-0123456789@master.cache.abc123.ng.0001.euwest.cache.amazonaws.com:6379",
            );
        });

        it("takes Valkey 8, more replicas, another policy and no protection when asked", async () => {
            const plan = await planComponents(
                () =>
                    new Cache("cache", {
                        ...componentArgs,
                        engine: "valkey",
                        engineVersion: "8.0",
                        replicas: 2,
                        maxmemoryPolicy: "allkeys-lru",
                        protect: false,
                    }),
            );
            const group = plan.one(GROUP);
            assert.equal(plan.input(group, "engine"), "valkey");
            assert.equal(plan.input(group, "numCacheClusters"), 3);
            const parameters = plan.one(AWS.cacheParameterGroup);
            assert.equal(plan.input(parameters, "family"), "valkey8");
            assert.deepEqual(plan.input(parameters, "parameters"), [{ name: "maxmemory-policy", value: "allkeys-lru" }]);
            assert.equal(group.protect, false);
        });
    });
});
