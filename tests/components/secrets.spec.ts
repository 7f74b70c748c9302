import * as assert from "assert/strict";
import { REDIS_AUTH_TOKEN_SPECIALS, Secrets } from "../../components/secrets";
import { AWS, AWS_DATA, AWS_PLATFORM, RANDOM } from "../../policies/lib/types";
import { isSecretValue, outputIsSecret, Plan, planComponents, planStack, resolve } from "../helpers";

const KEY = AWS.kmsKey;
const PASSWORD = RANDOM.password;
const SECRET = AWS.secret;
const VERSION = AWS_DATA.secretVersion;
const COMPONENT = "platform:security:Secrets";

describe("Secrets", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("has a customer-managed KMS key with yearly rotation, protected, with an alias", () => {
            const key = plan.one(KEY, "-key");
            assert.equal(plan.input(key, "enableKeyRotation"), true);
            assert.equal(plan.input(key, "rotationPeriodInDays"), 365);
            assert.equal(plan.input(key, "deletionWindowInDays"), 30);
            assert.equal(key.protect, true);
            assert.equal(plan.input(plan.one(AWS_PLATFORM.kmsAlias), "name"), "alias/platform-production-secrets");
        });

        it("lets CloudWatch Logs use the key only for this account's log groups", () => {
            const policy = JSON.parse(plan.input(plan.one(KEY, "-key"), "policy"));
            const logs = policy.Statement.find((s: any) => s.Principal.Service === "logs.eu-west-1.amazonaws.com");
            assert.deepEqual(logs.Condition, {
                ArnLike: { "kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:123456789012:log-group:*" },
            });
        });

        it("generates a 64-character JWT secret, 32 random bytes of ENCRYPTION_KEY, an ElastiCache-safe AUTH token and a Grafana password", () => {
            const jwt = plan.one(PASSWORD, "-jwt-secret");
            assert.ok(plan.input(jwt, "length") >= 64);
            assert.equal(plan.input(plan.one(RANDOM.bytes, "-encryption-key"), "length"), 32);
            const token = plan.one(PASSWORD, "-redis-auth-token");
            const length = plan.input(token, "length");
            assert.ok(length >= 16 && length <= 128, "ElastiCache takes 16 to 128 characters");
            for (const character of plan.input(token, "overrideSpecial")) {
                assert.ok("!&#$^<>-".includes(character), `ElastiCache rejects "${character}" in an AUTH token`);
            }
            assert.ok(plan.input(plan.one(PASSWORD, "-grafana-admin-password"), "length") >= 32);
        });

        it("stores every secret and API key in Secrets Manager, encrypted with the key, with a month to recover", () => {
            const names = plan
                .childrenOf(COMPONENT, SECRET)
                .map((s) => plan.input(s, "name"))
                .sort();
            assert.deepEqual(
                names,
                ["ENCRYPTION_KEY", "GRAFANA_ADMIN_PASSWORD", "JWT_SECRET", "OPENAI_API_KEY", "REDIS_AUTH_TOKEN", "SENTRY_DSN"].map(
                    (n) => `platform-production-secrets/${n}`,
                ),
            );
            const key = plan.one(KEY, "-key");
            for (const secret of plan.childrenOf(COMPONENT, SECRET)) {
                assert.deepEqual(secret.propertyDependencies.kmsKeyId, [key.urn], secret.name);
                assert.equal(plan.input(secret, "recoveryWindowInDays"), 30);
            }
        });

        it("sends every secret value to the engine as a secret", () => {
            const versions = plan.ofType(VERSION);
            assert.equal(plan.childrenOf(COMPONENT, VERSION).length, 6);
            assert.ok(versions.length > 5, "the database's credential secrets too");
            for (const version of versions) {
                assert.ok(isSecretValue(version.inputs.secretString), `${version.name} secretString is not secret`);
            }
        });

        it("exports no secret value from the stack", () => {
            const exported = JSON.stringify(plan.outputs);
            const secretValues = plan.ofType(VERSION).map((v) => plan.input(v, "secretString"));
            assert.ok(secretValues.length > 5);
            for (const value of secretValues) {
                assert.ok(!exported.includes(value), "a secret value is exported");
            }
            assert.match(exported, /arn:aws:secretsmanager:eu-west-1:123456789012:secret:platform-production-secrets\/JWT_SECRET/);
        });
    });

    it("staging keeps the key unprotected and shortens the recovery windows as its stack file says", async () => {
        const plan = await planStack("staging");
        const key = plan.one(KEY, "-key");
        assert.equal(key.protect, false);
        assert.equal(plan.input(key, "deletionWindowInDays"), 7);
        assert.equal(plan.input(key, "enableKeyRotation"), true);
        assert.ok(plan.ofType(SECRET).length > 4);
        assert.ok(plan.ofType(SECRET).every((s) => plan.input(s, "recoveryWindowInDays") === 7));
    });

    describe("component defaults and overrides", () => {
        it("defaults to a protected key, 30-day windows and the four generated secrets", async () => {
            const plan = await planComponents(() => new Secrets("app"));
            assert.equal(plan.one(KEY, "-key").protect, true);
            assert.equal(plan.input(plan.one(KEY, "-key"), "deletionWindowInDays"), 30);
            assert.deepEqual(
                plan
                    .ofType(SECRET)
                    .map((s) => plan.input(s, "name"))
                    .sort(),
                ["app/ENCRYPTION_KEY", "app/GRAFANA_ADMIN_PASSWORD", "app/JWT_SECRET", "app/REDIS_AUTH_TOKEN"],
            );
            assert.ok(plan.ofType(SECRET).every((s) => plan.input(s, "recoveryWindowInDays") === 30));
        });

        it("takes shorter windows, no protection and third-party keys when asked", async () => {
            const plan = await planComponents(
                () =>
                    new Secrets("app", {
                        kmsDeletionWindowDays: 7,
                        recoveryWindowDays: 7,
                        protect: false,
                        apiKeys: { TOGETHER_API_KEY: "tg-123" },
                    }),
            );
            assert.equal(plan.one(KEY, "-key").protect, false);
            assert.equal(plan.input(plan.one(KEY, "-key"), "deletionWindowInDays"), 7);
            const version = plan.one(VERSION, "-together-api-key");
            assert.ok(isSecretValue(version.inputs.secretString));
            assert.equal(plan.input(version, "secretString"), "tg-123");
        });

        it("keeps every generated value and API key a Pulumi secret in its outputs", async () => {
            let secrets: Secrets | undefined;
            await planComponents(() => {
                secrets = new Secrets("app", { apiKeys: { OPENAI_API_KEY: "sk-test" } });
            });
            for (const [name, value] of Object.entries(secrets!.values)) {
                assert.equal(await outputIsSecret(value), true, `${name} is not secret`);
            }
            assert.equal(await outputIsSecret(secrets!.secretArns), false);
            const token = await resolve(secrets!.redisAuthToken);
            assert.equal(token.length, 64);
            assert.match(token, new RegExp(`^[A-Za-z0-9${REDIS_AUTH_TOKEN_SPECIALS.replace("-", "\\-")}]+$`));
        });
    });
});
