import * as assert from "assert/strict";
import { ConfigError, parsePlatformConfig } from "../../components/config";
import { PROJECT_DIR, STACKS } from "../../preflight/plan";
import { ProgramError } from "../../preflight/program";
import { readStackConfig } from "../../preflight/stack-config";
import { planStack } from "../helpers";
import { PULUMI } from "../../policies/lib/types";

function stackConfig(stack: string, overrides: Record<string, string | undefined> = {}): Record<string, string> {
    const config = { ...readStackConfig(PROJECT_DIR, stack).config, ...overrides };
    return Object.fromEntries(Object.entries(config).filter(([, v]) => v !== undefined)) as Record<string, string>;
}

function configError(config: Record<string, string>): ConfigError {
    try {
        parsePlatformConfig(config);
    } catch (err) {
        assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
        return err;
    }
    assert.fail("the config was accepted");
}

function withDataTier(stack: string, database: object, cache: object = {}): Record<string, string> {
    const config = stackConfig(stack);
    return stackConfig(stack, {
        "platform:database": JSON.stringify({ ...JSON.parse(config["platform:database"]), ...database }),
        "platform:cache": JSON.stringify({ ...JSON.parse(config["platform:cache"]), ...cache }),
    });
}

/** A value of another type than the one the stack file gives. */
function wrongTypeFor(value: string): string {
    try {
        return typeof JSON.parse(value) === "object" ? "42" : '{"unexpected":true}';
    } catch {
        return '{"unexpected":true}';
    }
}

describe("stack config", () => {
    for (const stack of STACKS) {
        describe(`Pulumi.${stack}.yaml`, () => {
            it("loads and validates", () => {
                const config = parsePlatformConfig(stackConfig(stack));
                assert.equal(config.environment, stack);
                assert.equal(config.region, "eu-west-1");
                assert.ok(config.services.length >= 2);
                assert.ok(config.alerts.emails.length >= 1);
            });

            const topLevelKeys = Object.keys(stackConfig(stack)).filter((k) => k.startsWith("platform:"));
            for (const key of topLevelKeys) {
                it(`rejects a wrongly typed ${key}, naming the key`, () => {
                    const original = stackConfig(stack)[key];
                    const error = configError(stackConfig(stack, { [key]: wrongTypeFor(original) }));
                    assert.match(error.message, new RegExp(`- ${key}(\\.|\\[|:)`));
                });
            }

            it("rejects a misspelled key, naming it and the allowed keys", () => {
                const error = configError(stackConfig(stack, { "platform:domainNmae": "api.example.com" }));
                assert.match(error.message, /platform:domainNmae: unknown key; allowed keys: environment, domainName, /);
            });
        });
    }

    it("rejects a missing or malformed aws:region", () => {
        assert.match(configError(stackConfig("staging", { "aws:region": undefined })).message, /aws:region: missing/);
        assert.match(configError(stackConfig("staging", { "aws:region": "Ireland" })).message, /aws:region: got "Ireland"; expected an AWS region/);
    });

    it("lists every problem in one message, with the value given and what is allowed", () => {
        const error = configError(
            stackConfig("staging", {
                "platform:environment": "dev",
                "platform:network": JSON.stringify({ cidrBlock: "10.0.0.0/8", natGateways: "perZone", flowLogs: { retentionDays: 45 } }),
            }),
        );
        assert.equal(error.problems.length, 4, error.message);
        assert.match(error.message, /platform:environment: got "dev"; expected one of "staging"\|"production"/);
        assert.match(error.message, /platform:network\.cidrBlock: got "10\.0\.0\.0\/8"; .*\/16 to \/20/);
        assert.match(error.message, /platform:network\.natGateways: got "perZone"; expected one of "perAz"\|"single"/);
        assert.match(error.message, /platform:network\.flowLogs\.retentionDays: got 45; expected one of the CloudWatch Logs retention periods/);
    });

    it("names the element of a list that is wrong", () => {
        const services = JSON.parse(stackConfig("staging")["platform:services"]);
        services[1].image = "ghcr.io/acme/worker:latest";
        services[1].port = 70000;
        const error = configError(stackConfig("staging", { "platform:services": JSON.stringify(services) }));
        assert.match(error.message, /platform:services\[1\]\.image: got "ghcr\.io\/acme\/worker:latest"; the tag 'latest' is not pinned/);
        assert.match(error.message, /platform:services\[1\]\.port: got 70000; /);
    });

    it("never echoes a secret value", () => {
        const error = configError(stackConfig("production", { "platform:apiKeys": JSON.stringify({ "openai-key": "sk-live-123" }) }));
        assert.match(error.message, /platform:apiKeys/);
        assert.doesNotMatch(error.message, /sk-live-123/);
    });

    it("keeps production strict: no shared NAT, no missing flow logs, no single replica", () => {
        const services = JSON.parse(stackConfig("production")["platform:services"]);
        services[0].replicas = 1;
        const error = configError(
            stackConfig("production", {
                "platform:network": JSON.stringify({ cidrBlock: "10.20.0.0/16", natGateways: "single", flowLogs: { enabled: false } }),
                "platform:services": JSON.stringify(services),
            }),
        );
        assert.match(error.message, /platform:network\.natGateways: got "single"; production needs one NAT gateway per availability zone/);
        assert.match(error.message, /platform:network\.flowLogs\.enabled: got false; production needs VPC flow logs/);
        assert.match(error.message, /platform:services\[0\]\.replicas: got 1; production needs at least 2 replicas/);
    });

    it("applies the strict defaults to keys a stack file leaves out", () => {
        const config = parsePlatformConfig(
            stackConfig("production", {
                "platform:network": "{}",
                "platform:secrets": undefined,
            }),
        );
        assert.deepEqual(config.network, {
            cidrBlock: "10.0.0.0/16",
            availabilityZoneCount: 3,
            natGateways: "perAz",
            flowLogs: { enabled: true, retentionDays: 365, trafficType: "ALL" },
        });
        assert.deepEqual(config.secrets, { recoveryWindowDays: 30, kmsDeletionWindowDays: 30 });
    });

    describe("data tier", () => {
        it("refuses PostgreSQL older than 15 and Redis older than 7", () => {
            const error = configError(withDataTier("staging", { engineVersion: 13 }, { engineVersion: "6.2" }));
            assert.match(error.message, /platform:database\.engineVersion: got "13"; PostgreSQL 15 or newer is required/);
            assert.match(error.message, /platform:cache\.engineVersion: got "6\.2"; Redis\/Valkey 7 or newer is required/);
        });

        it("refuses node types and instance classes that are not of AWS's form", () => {
            const error = configError(withDataTier("staging", { instanceClass: "r6g.large" }, { nodeType: "t4g-medium" }));
            assert.match(error.message, /platform:database\.instanceClass: got "r6g\.large"; expected an RDS instance class like db\.r6g\.large/);
            assert.match(error.message, /platform:cache\.nodeType: got "t4g-medium"; expected an ElastiCache node type like cache\.r7g\.large/);
        });

        it("refuses zero retention anywhere", () => {
            const error = configError(withDataTier("staging", { backupRetentionDays: 0 }, { snapshotRetentionDays: 0 }));
            assert.match(error.message, /platform:database\.backupRetentionDays: got 0; Too small: expected number to be >=1/);
            assert.match(error.message, /platform:cache\.snapshotRetentionDays: got 0; Too small/);
        });

        it("keeps production's data tier strict", () => {
            const error = configError(
                withDataTier(
                    "production",
                    { backupRetentionDays: 3, multiAz: false, deletionProtection: false, skipFinalSnapshot: true, monitoringIntervalSeconds: 0 },
                    { replicas: 0, multiAz: false, snapshotRetentionDays: 1 },
                ),
            );
            for (const key of [
                "database.backupRetentionDays",
                "database.multiAz",
                "database.deletionProtection",
                "database.skipFinalSnapshot",
                "database.monitoringIntervalSeconds",
                "cache.replicas",
                "cache.multiAz",
                "cache.snapshotRetentionDays",
            ]) {
                assert.match(error.message, new RegExp(`platform:${key.replace(".", "\\.")}: got [^;]+; production needs `), key);
            }
        });

        it("refuses a Multi-AZ cache without a replica in any environment", () => {
            const error = configError(withDataTier("staging", {}, { replicas: 0, multiAz: true }));
            assert.match(error.message, /platform:cache\.multiAz: got true; Multi-AZ needs a replica in another zone/);
        });
    });

    it("refuses an edge without TLS 1.3, and services none of which the load balancer could serve", () => {
        const services = JSON.parse(stackConfig("staging")["platform:services"]).map((s: object) => ({ ...s, public: false }));
        const error = configError(
            stackConfig("production", {
                "platform:edge": JSON.stringify({ sslPolicy: "ELBSecurityPolicy-2016-08", deletionProtection: false }),
                "platform:services": JSON.stringify(services),
            }),
        );
        assert.match(error.message, /platform:edge\.sslPolicy: got "ELBSecurityPolicy-2016-08"; expected a TLS 1\.3 security policy/);
        assert.match(error.message, /platform:edge\.deletionProtection: got false; production needs load balancer deletion protection/);
        assert.match(error.message, /platform:services: got \["api","worker"\]; expected at least one service with public: true/);
    });

    it("refuses a bad service entry: no image tag, no replica in production, a port out of range, an unknown migrating service", () => {
        const services = JSON.parse(stackConfig("production")["platform:services"]);
        services[0].image = "ghcr.io/acme/api";
        services[1].replicas = 0;
        services[1].port = 0;
        services[0].maxReplicas = 2;
        const error = configError(
            stackConfig("production", {
                "platform:services": JSON.stringify(services),
                "platform:migrations": JSON.stringify({ service: "billing", command: ["npm", "run", "migrate"] }),
            }),
        );
        assert.match(error.message, /platform:services\[0\]\.image: got "ghcr\.io\/acme\/api"; expected an image pinned to a tag or digest/);
        assert.match(error.message, /platform:services\[1\]\.replicas: got 0; Too small/);
        assert.match(error.message, /platform:services\[1\]\.port: got 0; Too small/);
        assert.match(error.message, /platform:services\[0\]\.maxReplicas: got 2; expected at least replicas \(3\)/);
        assert.match(error.message, /platform:migrations\.service: got "billing"; expected one of the services: api, worker/);
    });

    it("refuses backups that a region's loss would take with it, and retention that contradicts itself", () => {
        const error = configError(
            stackConfig("production", {
                "platform:backup": JSON.stringify({ dailyRetentionDays: 30, weeklyRetentionDays: 14 }),
            }),
        );
        assert.match(error.message, /platform:backup\.weeklyRetentionDays: got 14; expected at least dailyRetentionDays \(30\)/);
        assert.match(error.message, /platform:backup\.copyRegion: .*production needs backups copied to a second region/);
        assert.match(configError(stackConfig("production", { "platform:budget": undefined })).message, /platform:budget: missing; expected object/);
        const sameRegion = configError(stackConfig("production", { "platform:backup": JSON.stringify({ copyRegion: "eu-west-1" }) }));
        assert.match(sameRegion.message, /platform:backup\.copyRegion: got "eu-west-1"; expected a region other than aws:region/);
    });

    it("refuses alarm thresholds out of range, naming each", () => {
        const error = configError(
            stackConfig("staging", {
                "platform:alerts": JSON.stringify({ emails: ["ops@acme-example.com"], thresholds: { cpuPercent: 150, errorRatePercent: -1, p99: 3 } }),
            }),
        );
        assert.match(error.message, /platform:alerts\.thresholds\.cpuPercent: got 150; Too big/);
        assert.match(error.message, /platform:alerts\.thresholds\.errorRatePercent: got -1; Too small/);
        assert.match(error.message, /platform:alerts\.thresholds\.p99: unknown key; allowed keys: cpuPercent, memoryPercent/);
    });

    it("refuses chart version ranges, a shared namespace and an uptime pace Route 53 does not offer", () => {
        const error = configError(
            stackConfig("staging", {
                "platform:observability": JSON.stringify({
                    namespace: "platform",
                    prometheus: { chartVersion: "^82.0.0", retentionDays: 0 },
                    fluentBitChartVersion: "latest",
                    uptime: { requestIntervalSeconds: 20, path: "health" },
                }),
            }),
        );
        assert.match(error.message, /platform:observability\.prometheus\.chartVersion: got "\^82\.0\.0"; expected an exact chart version like 82\.6\.0/);
        assert.match(error.message, /platform:observability\.prometheus\.retentionDays: got 0; Too small/);
        assert.match(error.message, /platform:observability\.fluentBitChartVersion: got "latest"; expected an exact chart version/);
        assert.match(error.message, /platform:observability\.uptime\.requestIntervalSeconds: got 20; expected 10 or 30/);
        assert.match(error.message, /platform:observability\.uptime\.path: got "health"; expected a path like \/health/);
        assert.match(error.message, /platform:observability\.namespace: got "platform"; expected a namespace other than kubernetes\.namespace/);
    });

    it("takes an https runbook address for the alerts, and refuses another scheme", () => {
        const alerts = (runbookBaseUrl: string) =>
            stackConfig("staging", { "platform:alerts": JSON.stringify({ emails: ["a@acme-example.com"], runbookBaseUrl }) });
        assert.equal(
            parsePlatformConfig(alerts("https://runbooks.acme-example.com/platform")).alerts.runbookBaseUrl,
            "https://runbooks.acme-example.com/platform",
        );
        assert.match(
            configError(alerts("http://runbooks.acme-example.com")).message,
            /platform:alerts\.runbookBaseUrl: got "http:\/\/runbooks\.acme-example\.com"; expected an https:\/\/ URL/,
        );
    });

    it("refuses a webhook that is not https, without echoing it", () => {
        const error = configError(stackConfig("staging", { "platform:alertWebhooks": JSON.stringify(["http://hooks.example/t0ken"]) }));
        assert.match(error.message, /platform:alertWebhooks\[0\]: got \[secret\]; expected an https:\/\/ URL/);
        assert.doesNotMatch(error.message, /t0ken/);
    });

    it("stops the program before any resource is registered", async () => {
        await assert.rejects(planStack("production", { "platform:natGateways": "single" }), (err: unknown) => {
            assert.ok(err instanceof ProgramError);
            assert.match(err.message, /platform:natGateways: unknown key/);
            // Only the stack's own root resource exists: the program registered nothing.
            assert.deepEqual(
                err.resources.map((r) => r.type),
                [PULUMI.stack],
            );
            return true;
        });
    });

    describe("values as the engine hands them", () => {
        const services = (stack: string) => JSON.parse(stackConfig(stack)["platform:services"]);
        const withService = (stack: string, change: (svc: any, all: any[]) => void) => {
            const list = services(stack);
            change(list[0], list);
            return stackConfig(stack, { "platform:services": JSON.stringify(list) });
        };

        it('keeps a string key a string: release "2" and a kubeconfig in JSON', () => {
            const kubeconfig = JSON.stringify({ apiVersion: "v1", kind: "Config", clusters: [] });
            const config = parsePlatformConfig(stackConfig("staging", { "platform:release": "2", "platform:kubeconfig": kubeconfig }));
            assert.equal(config.release, "2");
            assert.ok(config.kubeconfig, "the kubeconfig is kept");
        });

        it("refuses a key in a namespace nothing reads, suggesting the closest", () => {
            const error = configError(stackConfig("production", { "platfrom:database": JSON.stringify({ multiAz: false }) }));
            assert.match(error.message, /"platfrom:database": unknown config namespace "platfrom"; did you mean "platform:"\?/);
            assert.doesNotThrow(() => parsePlatformConfig(stackConfig("production", { "kubernetes:context": "prod", "pulumi:template": "x" })));
        });

        it("refuses what AWS or Kubernetes would refuse at `pulumi up`, shortening long values", () => {
            const error = configError(
                withService("staging", (svc, all) => {
                    svc.healthPath = "health";
                    svc.env = { BIG: "x".repeat(2 * 1024 * 1024) };
                    all[1].name = svc.name;
                }),
            );
            assert.match(error.message, /platform:services\[0\]\.healthPath: got "health"; expected a path like \/health/);
            assert.match(error.message, /platform:services\[0\]\.env: got \{"BIG":"x{60,}… \(2097\d+ characters\); expected at most 1000 KiB/);
            assert.match(error.message, /platform:services\[1\]\.name: got "api"; expected a unique name: services\[0\] is also named api/);
            assert.ok(error.message.length < 2000, "long values are shortened");
        });

        it("takes only engine versions AWS offers, listing them", () => {
            const error = configError(withDataTier("staging", { engineVersion: "15.99" }, { engineVersion: "7.9" }));
            assert.match(error.message, /platform:database\.engineVersion: got "15\.99"; expected a version AWS offers: 15, 15\.13, .*17\.6/);
            assert.match(error.message, /platform:cache\.engineVersion: got "7\.9"; expected a redis version ElastiCache offers: 7\.0, 7\.1/);
            assert.match(
                configError(withDataTier("staging", {}, { engine: "valkey", engineVersion: "7.1" })).message,
                /platform:cache\.engineVersion: got "7\.1"; expected a valkey version ElastiCache offers: 7\.2, 8\.0/,
            );
            for (const [version, engine] of [
                ["16.9", "redis"],
                ["18", "valkey"],
            ]) {
                assert.doesNotThrow(() =>
                    parsePlatformConfig(withDataTier("staging", { engineVersion: version }, { engine, engineVersion: engine === "redis" ? "7.0" : "8.1" })),
                );
            }
        });
    });

    describe("which secrets a service gets", () => {
        const withServices = (change: (list: any[]) => void, apiKeys?: object) => {
            const list = JSON.parse(stackConfig("production")["platform:services"]);
            change(list);
            return stackConfig("production", {
                "platform:services": JSON.stringify(list),
                ...(apiKeys ? { "platform:apiKeys": JSON.stringify(apiKeys) } : {}),
            });
        };

        it("defaults to the generated secrets and no API key", () => {
            const config = parsePlatformConfig(withServices((list) => delete list[1].secrets));
            assert.deepEqual(config.services[1].secrets, ["DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ENCRYPTION_KEY"]);
            assert.deepEqual(config.services[0].secrets.slice(-2), ["OPENAI_API_KEY", "SENTRY_DSN"]);
        });

        it("refuses an API key named like a generated secret, a secret nobody provides and an env name that is also a secret", () => {
            const reserved = configError(withServices(() => undefined, { JWT_SECRET: "sh0rt-s3cret", OPENAI_API_KEY: "sk" }));
            assert.match(
                reserved.message,
                /platform:apiKeys\.JWT_SECRET: got the name "JWT_SECRET"; expected a name other than the secrets the platform generates/,
            );
            assert.doesNotMatch(reserved.message, /sh0rt-s3cret/);
            const error = configError(
                withServices((list) => {
                    list[1].secrets = ["DATABASE_URL", "STRIPE_KEY"];
                    list[1].env = { DATABASE_URL: "postgres://localhost/app" };
                }),
            );
            assert.match(
                error.message,
                /platform:services\[1\]\.secrets\[1\]: got "STRIPE_KEY"; expected a generated secret or an apiKeys name: DATABASE_URL, /,
            );
            assert.match(
                error.message,
                /platform:services\[1\]\.env\.DATABASE_URL: got "DATABASE_URL"; expected a name the service does not also receive as a secret/,
            );
        });
    });

    describe("backup vault lock and the agents' namespace", () => {
        const withBackup = (stack: string, backup: object, observability?: object) => {
            const current = JSON.parse(stackConfig(stack)["platform:backup"]);
            return stackConfig(stack, {
                "platform:backup": JSON.stringify({ ...current, ...backup }),
                ...(observability ? { "platform:observability": JSON.stringify(observability) } : {}),
            });
        };

        it("locks in compliance mode by default, from the daily to the weekly retention", () => {
            const lock = parsePlatformConfig(stackConfig("production")).backup.vaultLock;
            assert.deepEqual(lock, { mode: "compliance", changeableForDays: 3 });
            assert.equal(parsePlatformConfig(stackConfig("staging")).backup.vaultLock.mode, "governance");
        });

        it("refuses a lock that would refuse the plan's own recovery points, and governance mode in production", () => {
            const error = configError(withBackup("production", { vaultLock: { mode: "governance", minRetentionDays: 60, maxRetentionDays: 30 } }));
            assert.match(error.message, /platform:backup\.vaultLock\.minRetentionDays: got 60; expected at most dailyRetentionDays \(35\)/);
            assert.match(error.message, /platform:backup\.vaultLock\.maxRetentionDays: got 30; expected at least weeklyRetentionDays \(90\)/);
            assert.match(error.message, /platform:backup\.vaultLock\.mode: got "governance"; production needs a vault lock in compliance mode/);
        });

        it("refuses an agents' namespace shared with the monitoring stack", () => {
            const error = configError(withBackup("staging", {}, { namespace: "monitoring", agentsNamespace: "monitoring" }));
            assert.match(error.message, /platform:observability\.agentsNamespace: got "monitoring"; expected a namespace of its own/);
        });
    });
});
