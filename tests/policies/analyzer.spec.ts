import * as assert from "assert/strict";
import * as path from "path";
import { AnalyzerError, AnalyzerProcess, AnalyzerResource, Diagnostic, PackInfo, ResolvedPolicyConfig } from "../../preflight/analyzer";
import { PolicyConfigError, readPolicyConfigFile, resolvePolicyConfig } from "../../preflight/policy-config";
import { CHECKLIST_TAG_PREFIX } from "../../policies/lib/rule";
import { AWS, PULUMI } from "../../policies/lib/types";
import { RULES } from "../../policies/rules";
import { TestResource, urnOf } from "./helpers";
import { CASE_TABLES } from "./tables";

const PACK_DIR = path.resolve(__dirname, "../../policies");

/** The policy names the checklist issue requires, all of which the pack must serve. */
const REQUIRED_POLICIES = [
    "postgres-engine-version",
    "rds-storage-encrypted",
    "rds-not-publicly-accessible",
    "rds-backup-retention",
    "rds-deletion-protection",
    "rds-multi-az",
    "rds-final-snapshot",
    "rds-performance-insights",
    "rds-enhanced-monitoring",
    "rds-log-exports",
    "rds-force-ssl",
    "rds-slow-query-log",
    "rds-connection-pooling",
    "redis-engine-version",
    "redis-transit-encryption",
    "redis-at-rest-encryption",
    "redis-auth-token",
    "redis-snapshot-retention",
    "redis-automatic-failover",
    "redis-maxmemory-policy",
    "redis-memory-size",
    "data-store-ingress-restricted",
    "alb-https-tls-policy",
    "alb-http-redirects-to-https",
    "alb-drop-invalid-headers",
    "alb-access-logs",
    "alb-deletion-protection",
    "alb-waf-attached",
    "waf-rate-limit-rule",
    "waf-managed-rules-sqli-xss",
    "no-unrestricted-ingress",
    "kms-key-rotation",
    "secrets-manager-kms-encrypted",
    "random-secret-length",
    "k8s-no-plaintext-secrets",
    "k8s-run-as-non-root",
    "k8s-no-privilege-escalation",
    "k8s-read-only-root-filesystem",
    "k8s-resource-limits",
    "k8s-health-probes",
    "k8s-image-pinned",
    "k8s-min-replicas",
    "k8s-hpa-present",
    "k8s-pdb-present",
    "k8s-default-deny-network-policy",
    "k8s-node-env-production",
    "k8s-required-env",
    "cloudwatch-log-retention",
    "alarms-cover-data-stores",
    "alarms-cover-load-balancer",
    "alarm-actions-configured",
    "prometheus-slo-rules",
    "budget-alert",
    "backup-plan-covers-database",
    "backup-bucket-hardened",
    "stateful-resources-protected",
    "required-tags",
];

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function toAnalyzer(resource: TestResource, all: TestResource[] = [resource]): AnalyzerResource {
    const urn = (name: string) => {
        const target = all.find((r) => r.name === name)!;
        return urnOf(target.type, target.name);
    };
    const propertyDependencies = Object.fromEntries(Object.entries(resource.deps ?? {}).map(([k, names]) => [k, names.map(urn)]));
    return {
        urn: urnOf(resource.type, resource.name),
        type: resource.type,
        name: resource.name,
        properties: resource.props ?? {},
        protect: resource.protect,
        dependencies: Object.values(propertyDependencies).flat(),
        propertyDependencies,
    };
}

const of = (diagnostics: Diagnostic[], policy: string) => diagnostics.filter((d) => d.policyName === policy);

describe("policy pack through the analyzer gRPC protocol", function () {
    this.timeout(120000);
    let pack: AnalyzerProcess;
    let info: PackInfo;
    let production: ResolvedPolicyConfig;

    before(async () => {
        pack = await AnalyzerProcess.start(PACK_DIR);
        info = await pack.info();
        production = resolvePolicyConfig(info, readPolicyConfigFile(path.join(PACK_DIR, "config", "production.json")), "production.json");
    });
    after(() => pack?.stop());

    /** Configures the production config, with `overrides` for one policy. */
    async function configure(policy?: string, overrides: Record<string, any> = {}) {
        const config = { ...production };
        if (policy) {
            const { enforcementLevel, ...properties } = overrides;
            config[policy] = {
                enforcementLevel: enforcementLevel ?? production[policy].enforcementLevel,
                properties: { ...production[policy].properties, ...properties },
            };
        }
        await pack.configure(config);
    }

    it("describes itself: name, version and every required policy with its metadata", () => {
        assert.equal(info.name, "platform-checklist");
        assert.equal(info.version, require(path.join(PACK_DIR, "package.json")).version);
        const names = info.policies.map((p) => p.name);
        assert.deepEqual(
            REQUIRED_POLICIES.filter((n) => !names.includes(n)),
            [],
        );
        for (const policy of info.policies) {
            assert.ok(policy.description.length > 10, `${policy.name} description`);
            assert.notEqual(policy.severity, "unspecified", `${policy.name} severity`);
            assert.ok(policy.remediationSteps.length > 10, `${policy.name} remediation`);
            // release-evidence judges the catalog's non-plan requirements, none of them its own; a few rules check beyond the checklists.
            assert.ok(
                policy.name === "release-evidence" ||
                    RULES.find((r) => r.name === policy.name)?.beyondChecklist ||
                    policy.tags.some((t) => t.startsWith(CHECKLIST_TAG_PREFIX)),
                `${policy.name} checklist ids`,
            );
            assert.ok(policy.configSchema.properties.waivers, `${policy.name} takes waivers`);
        }
    });

    it("makes every policy mandatory under the production config", () => {
        assert.deepEqual(
            Object.entries(production)
                .filter(([, c]) => c.enforcementLevel !== "mandatory")
                .map(([n]) => n),
            [],
        );
    });

    for (const table of CASE_TABLES) {
        describe(table.area, () => {
            for (const c of table.resource) {
                it(`${c.policy} (${c.type.split(":").pop()}): silent when kept, mandatory when broken`, async () => {
                    await configure(c.policy, c.config);
                    const subject = (props: Record<string, any>, protect?: boolean) =>
                        toAnalyzer({ type: c.type, name: "subject", props, protect: protect ?? c.protect });
                    assert.deepEqual(of(await pack.analyze(subject(c.compliant)), c.policy), []);
                    for (const v of c.violating) {
                        const props = Object.fromEntries(Object.entries({ ...c.compliant, ...v.change }).filter(([, x]) => x !== undefined));
                        const found = of(await pack.analyze(subject(props, v.protect)), c.policy);
                        assert.equal(found.length, 1, `${JSON.stringify(v.change).slice(0, 80)}: ${JSON.stringify(found)}`);
                        assert.equal(found[0].enforcementLevel, "mandatory");
                        assert.match(found[0].message, v.message);
                    }
                });
            }
            for (const c of table.stack) {
                it(`${c.policy} (stack): silent when kept, mandatory when broken`, async () => {
                    await configure(c.policy, c.config);
                    const stack = (resources: TestResource[]) =>
                        [{ type: PULUMI.stack, name: "platform-test" }, ...resources].map((r, _i, all) => toAnalyzer(r, all));
                    assert.deepEqual(of(await pack.analyzeStack(stack(c.compliant)), c.policy), []);
                    for (const v of c.violating) {
                        const found = of(await pack.analyzeStack(stack(v.resources)), c.policy);
                        assert.equal(found.length, 1, JSON.stringify(found));
                        assert.equal(found[0].enforcementLevel, "mandatory");
                        assert.match(found[0].message, v.message);
                    }
                });
            }
        });
    }

    describe("preview values and waivers", () => {
        const unencrypted = (name: string, storageEncrypted: unknown = false) =>
            toAnalyzer({ type: AWS.rdsInstance, name, props: { engine: "postgres", engineVersion: "17", storageEncrypted } });

        it("says it cannot decide on a value unknown during preview, as an advisory", async () => {
            await configure();
            const found = of(await pack.analyze(unencrypted("db", UNKNOWN)), "rds-storage-encrypted");
            assert.equal(found.length, 1);
            assert.equal(found[0].enforcementLevel, "advisory");
            assert.match(found[0].message, /can't run policy 'rds-storage-encrypted' .* during preview/);
        });

        it("turns a violation on exactly the waived resource into an advisory until the waiver's date", async () => {
            await configure("rds-storage-encrypted", {
                waivers: [{ resource: "legacy-*", reason: "migrating to an encrypted copy (OPS-42)", expires: "2999-12-31" }],
            });
            const waived = of(await pack.analyze(unencrypted("legacy-db")), "rds-storage-encrypted");
            assert.equal(waived.length, 1);
            assert.equal(waived[0].enforcementLevel, "advisory");
            assert.match(waived[0].message, /waived: migrating to an encrypted copy \(OPS-42\), until 2999-12-31\. storageEncrypted is false/);
            const other = of(await pack.analyze(unencrypted("orders-db")), "rds-storage-encrypted");
            assert.equal(other[0].enforcementLevel, "mandatory");
        });

        it("blocks again once the waiver has expired, and says so", async () => {
            await configure("rds-storage-encrypted", {
                waivers: [{ resource: urnOf(AWS.rdsInstance, "legacy-db"), reason: "migration", expires: "2020-01-31" }],
            });
            const found = of(await pack.analyze(unencrypted("legacy-db")), "rds-storage-encrypted");
            assert.equal(found[0].enforcementLevel, "mandatory");
            assert.match(found[0].message, /the waiver for this resource expired on 2020-01-31: migration/);
        });

        it("waives a stack-wide violation through the stack's name", async () => {
            await configure("budget-alert", {
                waivers: [{ resource: "platform-test", reason: "budget lands with the observability work", expires: "2999-01-01" }],
            });
            // A stack with billed AWS resources needs a budget; the stack's own name waives it.
            const stack = [toAnalyzer({ type: PULUMI.stack, name: "platform-test" }), toAnalyzer({ type: AWS.rdsInstance, name: "db" })];
            const found = of(await pack.analyzeStack(stack), "budget-alert");
            assert.equal(found[0].enforcementLevel, "advisory");
            assert.match(found[0].message, /waived: budget lands with the observability work, until 2999-01-01/);
        });

        it("refuses a waiver without a reason or a date, in the config and in the pack", async () => {
            const raw = {
                ...readPolicyConfigFile(path.join(PACK_DIR, "config", "production.json")),
                "rds-storage-encrypted": {
                    waivers: [
                        { resource: "legacy-db", expires: "2999-01-01" },
                        { resource: "x", reason: "r", expires: "soon" },
                    ],
                },
            };
            assert.throws(
                () => resolvePolicyConfig(info, raw, "production.json"),
                (err: unknown) => {
                    assert.ok(err instanceof PolicyConfigError);
                    assert.match(err.message, /rds-storage-encrypted\.waivers\[0\]: must have required property 'reason'/);
                    assert.match(err.message, /rds-storage-encrypted\.waivers\[1\]\.expires: must match pattern/);
                    return true;
                },
            );
            // A CLI that skipped the schema check would still not get past the pack.
            await configure("rds-storage-encrypted", { waivers: [{ resource: "legacy-db", expires: "2999-01-01" }] });
            await assert.rejects(
                pack.analyze(unencrypted("legacy-db")),
                (err: unknown) =>
                    err instanceof AnalyzerError && /rds-storage-encrypted\.waivers\[0\]\.reason is required/.test(err.message) && !/\n/.test(err.message),
            );
        });
    });
});
