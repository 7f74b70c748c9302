import * as assert from "assert/strict";
import Ajv from "ajv";
import { XMLParser } from "fast-xml-parser";
import * as path from "path";
import { AnalyzerProcess, ResolvedPolicyConfig } from "../../preflight/analyzer";
import { evaluateStack, StackReport } from "../../preflight/evaluate";
import { PROJECT_DIR } from "../../preflight/plan";
import { readPolicyConfigFile, resolvePolicyConfig } from "../../preflight/policy-config";
import { JSON_REPORT_SCHEMA, jsonReport } from "../../preflight/reports/json";
import { junitReport } from "../../preflight/reports/junit";
import { markdownReport } from "../../preflight/reports/markdown";
import { PreflightResult, verdict } from "../../preflight/reports/model";
import { sarifReport } from "../../preflight/reports/sarif";
import { textReport } from "../../preflight/reports/text";
import { catalog } from "../../policies/catalog";
import { RULES } from "../../policies/rules";
import { legacyDataStack } from "./fixtures";
import { AWS } from "../../policies/lib/types";

const PACK_DIR = path.join(PROJECT_DIR, "policies");
const BROKEN = ["rds-not-publicly-accessible", "rds-storage-encrypted", "redis-transit-encryption"];

describe("evaluation and reports", function () {
    this.timeout(60000);
    let analyzer: AnalyzerProcess;
    let config: ResolvedPolicyConfig;
    let result: PreflightResult;
    let stack: StackReport;

    before(async () => {
        analyzer = await AnalyzerProcess.start(PACK_DIR);
        const pack = await analyzer.info();
        config = resolvePolicyConfig(pack, readPolicyConfigFile(path.join(PACK_DIR, "config", "production.json")), "production.json");
        stack = await evaluateStack(analyzer, pack, config, "production", "legacy.json", legacyDataStack());
        result = { pack, gate: "plan", stacks: [stack], failures: [{ stack: "staging", message: "Pulumi.staging.yaml: Invalid stack config" }] };
    });
    after(() => analyzer?.stop());

    it("reports a policy that fails to run instead of swallowing it", async () => {
        // A config the engine's schema check would refuse, sent anyway: the pack's own check throws.
        const broken = { ...config, "rds-storage-encrypted": { enforcementLevel: "mandatory" as const, properties: { waivers: [{ resource: "legacy-db" }] } } };
        const report = await evaluateStack(analyzer, result.pack, broken, "production", "legacy.json", legacyDataStack());
        assert.equal(report.errors.length, 1);
        assert.match(
            report.errors[0],
            /legacy-db: Error validating resource with policy 'rds-storage-encrypted' .* rds-storage-encrypted\.waivers\[0\]\.reason is required: say why legacy-db is exempt$/,
        );
        assert.equal(verdict(report, "plan"), "incomplete");
        assert.equal(verdict(report, "release"), "incomplete");
    });

    it("finds the broken settings as mandatory violations on the right resources", () => {
        const found = stack.violations.filter((v) => BROKEN.includes(v.policy));
        assert.deepEqual(found.map((v) => [v.policy, v.name, v.enforcementLevel]).sort(), [
            ["rds-not-publicly-accessible", "legacy-db", "mandatory"],
            ["rds-storage-encrypted", "legacy-db", "mandatory"],
            ["redis-transit-encryption", "legacy-cache", "mandatory"],
        ]);
        const encrypted = found.find((v) => v.policy === "rds-storage-encrypted")!;
        assert.equal(encrypted.message, "storageEncrypted is false; set it to true");
        assert.equal(encrypted.type, AWS.rdsInstance);
        assert.deepEqual(encrypted.checklist, ["DB-07"]);
        assert.equal(encrypted.severity, "critical");
    });

    it("gives every checklist line a status: fail where a policy failed, N/A where nothing was there to check", () => {
        const status = (id: string) => stack.checklist.find((l) => l.id === id)!.status;
        assert.equal(stack.checklist.length, catalog().length);
        assert.equal(status("DB-07"), "fail");
        assert.equal(status("DB-08"), "fail");
        assert.equal(status("CACHE-06"), "fail");
        assert.equal(status("DB-01"), "pass");
        assert.equal(status("EDGE-02"), "not-applicable", "no load balancer in this stack");
        assert.equal(status("OBS-06"), "fail", "a budget is required of every stack");
        const line = (id: string) => stack.checklist.find((l) => l.id === id)!;
        assert.deepEqual([line("TEST-04").status, line("TEST-04").verifiedBy, line("TEST-04").note], ["missing", "evidence", "needs evidence: k6"]);
        assert.deepEqual([line("SIGN-02").status, line("SIGN-02").verifiedBy], ["missing", "evidence"]);
        assert.deepEqual([line("TEST-07").status, line("TEST-07").verifiedBy], ["missing", "attestation"]);
        assert.match(line("TEST-07").note!, /needs an attestation by the Security Lead/);
        assert.deepEqual([line("ACC-02").status, line("ACC-02").verifiedBy], ["not-applicable", "out-of-scope"]);
        assert.ok(line("DB-07").policies.includes("rds-storage-encrypted"), line("DB-07").policies.join(", "));
        assert.deepEqual(line("DB-01").sources[0], { file: "template-system.md", line: 6 });
        // Nothing that only evidence, a probe or a person can verify passes on the plan alone.
        assert.ok(stack.checklist.filter((l) => !["plan", "out-of-scope"].includes(l.verifiedBy)).every((l) => l.status === "missing"));
    });

    it("calls a stack READY for the plan gate and NOT READY for the release gate while evidence is missing", () => {
        const clean: StackReport = { ...stack, violations: [] };
        assert.equal(verdict(clean, "plan"), "ready");
        assert.equal(verdict(clean, "release"), "not ready");
        const verified: StackReport = {
            ...clean,
            checklist: clean.checklist.map((l) => ({ ...l, status: l.status === "missing" || l.status === "fail" ? "attested" : l.status })),
        };
        assert.equal(verdict(verified, "release"), "ready");
        const release = textReport({ ...result, gate: "release", stacks: [clean], failures: [] }, false);
        assert.match(release, /Stack production \(legacy\.json\): NOT READY for release/);
        assert.match(release, /^ {2}missing TEST-04 A load test .*: needs evidence: k6$/m);
        assert.match(
            textReport({ ...result, stacks: [clean], failures: [] }, false),
            /READY for plan\n[\s\S]*Release: \d+ requirements still need evidence \(\d+\), a live check \(\d+\) or an attestation \(\d+\)/,
        );
    });

    it("JSON follows the documented schema", () => {
        const report = JSON.parse(jsonReport(result));
        const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON_REPORT_SCHEMA);
        assert.ok(validate(report), JSON.stringify(validate.errors));
        assert.equal(report.stacks[0].resources, 3);
        assert.equal(report.stacks[0].policies, RULES.length);
        assert.equal(report.stacks[1].error, "Pulumi.staging.yaml: Invalid stack config");
        assert.equal(report.gate, "plan");
        assert.equal(report.stacks[0].ready, false);
        const load = report.stacks[0].checklist.find((l: any) => l.id === "TEST-04");
        assert.deepEqual([load.verifiedBy, load.status, load.evidence], ["evidence", "missing", []]);
        assert.ok(load.sources.length > 0 && load.sources.every((s: any) => /\.md$/.test(s.file) && s.line > 0));
    });

    it("SARIF 2.1.0 has the rules with their help and one result per violation", () => {
        const sarif = JSON.parse(sarifReport(result));
        assert.equal(sarif.version, "2.1.0");
        const [run, failedRun] = sarif.runs;
        assert.equal(run.tool.driver.rules.length, RULES.length);
        assert.equal(run.results.length, stack.violations.length);
        for (const r of run.results) {
            const rule = run.tool.driver.rules[r.ruleIndex];
            assert.equal(rule.id, r.ruleId);
            assert.ok(rule.help.text.length > 10);
            assert.ok(["error", "warning"].includes(r.level));
            assert.ok(r.locations[0].physicalLocation.artifactLocation.uri);
            assert.ok(r.locations[0].logicalLocations[0].fullyQualifiedName.startsWith("urn:pulumi:"));
        }
        assert.equal(run.results.find((r: any) => r.ruleId === "rds-storage-encrypted").level, "error");
        // The metadata comes through the analyzer protocol: the first reference is the help page, the equivalents are listed.
        const encrypted = run.tool.driver.rules.find((r: any) => r.id === "rds-storage-encrypted");
        const rule = RULES.find((r) => r.name === "rds-storage-encrypted")!;
        assert.equal(encrypted.helpUri, rule.references![0]);
        assert.deepEqual(encrypted.properties.equivalents, rule.equivalents);
        assert.ok(encrypted.properties.equivalents.includes("CKV_AWS_16"));
        assert.ok(run.tool.driver.rules.every((r: any) => r.helpUri.startsWith("https://")));
        assert.equal(failedRun.invocations[0].executionSuccessful, false);
    });

    it("JUnit XML parses: a test case per policy, mandatory violations as failures", () => {
        const parsed = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: "" }).parse(junitReport(result));
        const [suite, failed] = parsed.testsuites.testsuite;
        assert.equal(suite.name, "production");
        assert.equal(suite.testcase.length, RULES.length);
        const failing = suite.testcase.filter((c: any) => c.failure).map((c: any) => c.name);
        for (const policy of BROKEN) {
            assert.ok(failing.includes(policy), policy);
        }
        assert.equal(Number(suite.failures), failing.length);
        assert.equal(failed.testcase.error.message, "Pulumi.staging.yaml: Invalid stack config");
    });

    it("Markdown lists the whole checklist with the violating resources under failing lines", () => {
        const markdown = markdownReport(result);
        for (const requirement of catalog()) {
            assert.ok(markdown.includes(`${requirement.id}:`), requirement.id);
        }
        assert.match(
            markdown,
            /- \*\*FAIL\*\* DB-07: .*\n {2}- mandatory `rds-storage-encrypted` on `legacy-db` \(aws:rds\/instance:Instance\): storageEncrypted is false/,
        );
        assert.match(markdown, /- \*\*N\/A\*\* EDGE-02: /);
        assert.match(markdown, /- \*\*MISSING\*\* SIGN-01: .*\(evidence: needs evidence: sign-off\)/);
        assert.match(markdown, /- \*\*PASS\*\* DB-01: .*\(plan: (`[\w-]+`, )*`postgres-engine-version`(, `[\w-]+`)*\)/);
        assert.match(markdown, /## Stack `production`: NOT READY for plan/);
        assert.match(markdown, /## Stack `staging`: ERROR/);
    });

    it("text groups by severity then policy, ends each stack with a summary, and colours only when asked", () => {
        const plain = textReport(result, false);
        assert.ok(plain.indexOf("  critical") < plain.indexOf("  high"));
        assert.match(plain, /^ {4}rds-storage-encrypted \[DB-07\]\n {6}mandatory legacy-db \(aws:rds\/instance:Instance\): storageEncrypted is false/m);
        assert.doesNotMatch(plain, /Resources: /, "the resource types belong in JSON and Markdown");
        assert.match(plain, new RegExp(`Summary: 3 resources, ${RULES.length} policies, \\d+ mandatory and \\d+ advisory violations; checklist`));
        assert.match(plain, /Stack staging: ERROR/);
        assert.doesNotMatch(plain, /\x1b\[/);
        assert.match(textReport(result, true), /\x1b\[31mNOT READY\x1b\[0m/);
    });
});
