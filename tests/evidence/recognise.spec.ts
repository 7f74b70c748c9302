import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { EvidenceError, recognise } from "../../policies/evidence";
import { assertEvidenceError, assertFixtureError, CANARY, FIXTURES, fixtureJson, fixtureText, read, readAs } from "./helpers";

describe("evidence: recognise", () => {
    describe("JUnit XML", () => {
        it("sums mocha-junit-reporter suites, with the Root Suite and a pending test, and dates it by the latest suite", () => {
            const evidence = readAs("junit/mocha-pass.xml", "junit");
            assert.deepEqual(
                { ...evidence.facts, suites: evidence.facts.suites.map((s) => s.name) },
                { tests: 5, failures: 0, errors: 0, skipped: 1, suites: ["Root Suite", "orders API", "health"] },
            );
            assert.equal(evidence.date, "2026-03-02T13:40:12");
            assert.equal(evidence.file, "junit/mocha-pass.xml");
            assert.equal(evidence.summary, "5 tests, 0 failed, 0 errors, 1 skipped (3 suites)");
        });

        it("counts jest-junit failures", () => {
            const evidence = readAs("junit/jest-fail.xml", "junit");
            assert.deepEqual(
                { ...evidence.facts, suites: evidence.facts.suites.map((s) => s.name) },
                { tests: 4, failures: 1, errors: 0, skipped: 0, suites: ["basket", "prices"] },
            );
            assert.equal(evidence.date, "2026-03-02T13:41:06");
            assert.match(evidence.summary, /^4 tests, 1 failed/);
        });

        it("sums the suites when <testsuites> carries no totals (as in the jest-junit README)", () => {
            const evidence = readAs("junit/jest-no-totals.xml", "junit");
            assert.equal(evidence.facts.tests, 3);
            assert.equal(evidence.facts.failures, 1);
            assert.deepEqual(
                evidence.facts.suites.map((s) => s.name),
                ["addition", "subtraction"],
            );
            // Each suite keeps its own counts, so a requirement can judge the suites it names.
            assert.deepEqual(evidence.facts.suites, [
                { name: "addition", tests: 1, failures: 0, errors: 0, skipped: 0 },
                { name: "subtraction", tests: 2, failures: 1, errors: 0, skipped: 0 },
            ]);
        });

        it("reads Playwright's reporter: failures, errors and skipped apart, and an ISO timestamp with Z", () => {
            const evidence = readAs("junit/playwright-fail.xml", "junit");
            assert.deepEqual(
                { ...evidence.facts, suites: evidence.facts.suites.map((s) => s.name) },
                { tests: 4, failures: 1, errors: 1, skipped: 1, suites: ["checkout.spec.ts"] },
            );
            assert.equal(evidence.date, "2026-03-02T13:45:00.123Z");
        });

        it("reads Schemathesis (junit_xml) output, which carries no timestamp", () => {
            const evidence = readAs("junit/schemathesis-fail.xml", "junit");
            assert.deepEqual(
                { ...evidence.facts, suites: evidence.facts.suites.map((s) => s.name) },
                { tests: 3, failures: 1, errors: 0, skipped: 0, suites: ["schemathesis"] },
            );
            assert.equal(evidence.date, undefined);
        });

        it("reads a single root <testsuite> without count attributes by counting its test cases and their outcomes", () => {
            const evidence = readAs("junit/single-suite.xml", "junit");
            assert.deepEqual(
                { ...evidence.facts, suites: evidence.facts.suites.map((s) => s.name) },
                { tests: 4, failures: 1, errors: 1, skipped: 1, suites: ["smoke & sanity"] },
            );
        });

        it("uses the root's totals only when it holds no suite", () => {
            const evidence = recognise("r.xml", '<testsuites tests="7" failures="2" errors="1" skipped="3"></testsuites>');
            assert.ok(evidence && evidence.kind === "junit");
            assert.deepEqual(
                { ...evidence.facts, suites: evidence.facts.suites.map((s) => s.name) },
                { tests: 7, failures: 2, errors: 1, skipped: 3, suites: [] },
            );
        });

        it("reads a timestamp written with a space instead of T, and refuses one that is no date", () => {
            const suite = (timestamp: string) => `<testsuites><testsuite name="a" tests="1" timestamp="${timestamp}"/></testsuites>`;
            assert.equal(recognise("space.xml", suite("2026-03-02 13:40:11"))?.date, "2026-03-02T13:40:11");
            assertEvidenceError("bad.xml", suite(`${CANARY} o'clock`), /<testsuite> #1 attribute "timestamp" is not an ISO 8601 date-time/);
        });

        it("refuses XML that is not well-formed, with line and column and no content", () => {
            assertFixtureError("junit/malformed.xml", /not well-formed XML .* at line 5, column 3$/);
        });

        it("refuses a count that is not a number", () => {
            assertFixtureError("junit/bad-count.xml", /<testsuite> #1 attribute "tests" is not a non-negative integer/);
        });

        it("refuses a DOCTYPE rather than expanding its entities", () => {
            const text = `<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "${CANARY}${CANARY}">]>\n<testsuites><testsuite name="&a;" tests="1"/></testsuites>`;
            assertEvidenceError("lol.xml", text, /DOCTYPE/);
        });

        it("ignores XML with another root", () => {
            assert.equal(read("unknown/pom.xml"), undefined);
        });
    });

    describe("Istanbul coverage summary", () => {
        it("reads the total percentages", () => {
            const evidence = readAs("coverage/pass.json", "coverage");
            assert.deepEqual(evidence.facts, { lines: 89.71, statements: 89.25, functions: 88.2, branches: 81.89 });
            assert.equal(evidence.date, undefined);
            assert.equal(evidence.summary, "lines 89.71%, statements 89.25%, functions 88.2%, branches 81.89%");
        });

        it('reads low coverage, and "Unknown" as undefined', () => {
            const evidence = readAs("coverage/fail.json", "coverage");
            assert.equal(evidence.facts.lines, 45.77);
            assert.equal(evidence.facts.functions, 34.16);
            assert.equal(evidence.facts.branches, undefined);
            assert.match(evidence.summary, /branches unknown/);
        });

        it("refuses a summary with a bad percentage and a missing metric, naming both", () => {
            const message = assertFixtureError("coverage/malformed.json", /Istanbul coverage summary is malformed/);
            assert.match(message, /total\.lines\.pct/);
            assert.match(message, /total\.branches/);
        });
    });

    describe("ESLint JSON", () => {
        it("reads a clean run with a warning", () => {
            const evidence = readAs("eslint/pass.json", "eslint");
            assert.deepEqual(evidence.facts, { files: 2, filesWithProblems: 1, errorCount: 0, warningCount: 1, fatalErrorCount: 0, rules: ["no-console"] });
        });

        it("sums errors, warnings and fatal parse errors over files", () => {
            const evidence = readAs("eslint/fail.json", "eslint");
            assert.deepEqual(evidence.facts, {
                files: 3,
                filesWithProblems: 2,
                errorCount: 3,
                warningCount: 1,
                fatalErrorCount: 1,
                rules: ["@typescript-eslint/no-unused-vars", "eqeqeq", "no-console"],
            });
            assert.equal(evidence.summary, "3 files, 3 errors, 1 warning, 1 fatal");
        });

        it("reads the json-with-metadata formatter's results too", () => {
            const wrapped = JSON.stringify({ results: fixtureJson("eslint/fail.json"), metadata: { cwd: "/home/ci/app", rulesMeta: {} } });
            const evidence = recognise("lint.json", wrapped);
            assert.ok(evidence && evidence.kind === "eslint");
            assert.equal(evidence.facts.errorCount, 3);
        });

        it("refuses a count that is not a number", () => {
            assertFixtureError("eslint/malformed.json", /ESLint JSON report is malformed: \[0\]\.errorCount/);
        });
    });

    describe("npm audit", () => {
        it("reads a clean v2 report", () => {
            const evidence = readAs("npm-audit/pass.json", "npm-audit");
            assert.deepEqual(evidence.facts, { info: 0, low: 0, moderate: 0, high: 0, critical: 0, total: 0, dependencies: 601, packages: [] });
        });

        it("reads the counts and vulnerable packages of a failing v2 report", () => {
            const evidence = readAs("npm-audit/fail.json", "npm-audit");
            assert.deepEqual(evidence.facts, {
                info: 0,
                low: 0,
                moderate: 1,
                high: 2,
                critical: 1,
                total: 4,
                dependencies: 601,
                packages: ["body-parser", "express", "minimist", "semver"],
            });
            assert.equal(evidence.summary, "4 vulnerabilities (1 critical, 2 high, 1 moderate, 0 low, 0 info)");
        });

        it("refuses an npm 6 (v1) report and says to run npm 7+", () => {
            assertFixtureError("npm-audit/v1.json", /npm 6.*npm 7 or later/);
        });

        it("refuses another auditReportVersion", () => {
            const report = fixtureJson("npm-audit/pass.json");
            report.auditReportVersion = 3;
            assertEvidenceError("audit.json", JSON.stringify(report), /auditReportVersion/);
        });

        it("refuses ill-typed and missing counts, naming the fields", () => {
            const message = assertFixtureError("npm-audit/malformed.json", /npm audit report is malformed/);
            assert.match(message, /metadata\.vulnerabilities\.high/);
            assert.match(message, /metadata\.vulnerabilities\.total/);
        });

        it("places a JSON syntax error by line and column without quoting the text", () => {
            assertFixtureError("npm-audit/broken-syntax.json", /npm audit report is not valid JSON: expected ',' or '}' at line 8, column 7$/);
        });
    });

    describe("Trivy", () => {
        it("reads a clean image scan with its tags, digests and creation time", () => {
            const evidence = readAs("trivy/pass.json", "trivy");
            assert.deepEqual(evidence.facts, {
                artifactName: "registry.example.com/shop/api:2026.03.1",
                artifactType: "container_image",
                imageId: "sha256:4c5b2f1e0d9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c",
                repoTags: ["registry.example.com/shop/api:2026.03.1"],
                repoDigests: ["registry.example.com/shop/api@sha256:9e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2b1a0f9e8d"],
                severities: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 },
                vulnerabilities: 0,
                secrets: 0,
            });
            assert.equal(evidence.date, "2026-03-02T13:50:21.417853+01:00");
        });

        it("counts vulnerabilities by severity over all results, and secrets as a count only", () => {
            const evidence = readAs("trivy/fail.json", "trivy");
            assert.deepEqual(evidence.facts.severities, { CRITICAL: 1, HIGH: 1, MEDIUM: 1, LOW: 1, UNKNOWN: 1 });
            assert.equal(evidence.facts.vulnerabilities, 5);
            assert.equal(evidence.facts.secrets, 1);
            assert.match(evidence.summary, /1 critical, 1 high, 1 medium, 1 low, 1 unknown\), 1 secret$/);
            const everything = JSON.stringify(evidence);
            assert.ok(!everything.includes(CANARY) && !everything.includes("PAYMENT_API_KEY"), "no secret finding content in the evidence");
        });

        it("refuses an unknown severity, naming where it is", () => {
            assertFixtureError("trivy/malformed.json", /Results\[0\]\.Vulnerabilities\[0\]\.Severity/);
        });

        it("refuses another SchemaVersion", () => {
            const report = fixtureJson("trivy/pass.json");
            report.SchemaVersion = 1;
            assertEvidenceError("trivy.json", JSON.stringify(report), /SchemaVersion/);
        });
    });

    describe("gitleaks", () => {
        it("counts findings, rules and files, and never copies Secret or Match", () => {
            const evidence = readAs("gitleaks/fail.json", "gitleaks");
            assert.deepEqual(evidence.facts, {
                findings: 3,
                rules: ["generic-api-key", "private-key"],
                files: ["deploy/tls/dev.key", "src/config/payments.ts"],
            });
            assert.equal(evidence.summary, "3 findings of 2 rules in 2 files");
            const everything = JSON.stringify(evidence);
            assert.ok(!everything.includes(CANARY), "a secret reached the evidence");
            assert.ok(!everything.includes("BEGIN PRIVATE KEY") && !everything.includes("apiKey"), "a match reached the evidence");
        });

        it("cannot tell a clean run ([]) from other empty reports, so ignores it", () => {
            assert.equal(fixtureText("gitleaks/pass.json").trim(), "[]");
            assert.equal(read("gitleaks/pass.json"), undefined);
        });

        it("refuses an ill-typed finding without echoing the secret it holds", () => {
            assertFixtureError("gitleaks/malformed.json", /gitleaks JSON report is malformed: \[0\]\.StartLine/);
        });

        it("recognises a clean run from its SARIF report, which names gitleaks, and counts a leak there without its snippet", () => {
            const clean = readAs("gitleaks/clean.sarif", "gitleaks");
            assert.deepEqual(clean.facts, { findings: 0, rules: [], files: [] });
            const leak = readAs("gitleaks/leak.sarif", "gitleaks");
            assert.deepEqual(leak.facts, { findings: 1, rules: ["generic-api-key"], files: ["src/config/payments.ts"] });
            assert.ok(!JSON.stringify(leak).includes("CANARY-SECRET"), "the snippet reached the evidence");
        });

        it("leaves another tool's SARIF log alone", () => {
            const other = { version: "2.1.0", runs: [{ tool: { driver: { name: "CodeQL" } }, results: [] }] };
            assert.equal(recognise("codeql.sarif", JSON.stringify(other)), undefined);
        });
    });

    describe("OWASP ZAP", () => {
        it("reads informational and low alerts with numeric risk and count, dated by `created`", () => {
            const evidence = readAs("zap/pass.json", "zap");
            assert.deepEqual(evidence.facts.risks, { high: 0, medium: 0, low: 1, informational: 1 });
            assert.deepEqual(evidence.facts.alerts, [
                { pluginid: "10021", name: "X-Content-Type-Options Header Missing", risk: 1, count: 1, site: "https://staging.shop.example.com" },
                { pluginid: "10049", name: "Non-Storable Content", risk: 0, count: 2, site: "https://staging.shop.example.com" },
            ]);
            assert.equal(evidence.facts.version, "2.16.0");
            assert.equal(evidence.date, "2026-03-02T13:55:02.481Z");
        });

        it("reads high and medium alerts over two sites, dated by @generated when there is no `created`", () => {
            const evidence = readAs("zap/fail.json", "zap");
            assert.deepEqual(evidence.facts.sites, ["https://staging.shop.example.com", "https://cdn.shop.example.com"]);
            assert.deepEqual(evidence.facts.risks, { high: 1, medium: 1, low: 1, informational: 0 });
            assert.equal(evidence.facts.alerts[0].name, "SQL Injection");
            assert.equal(evidence.facts.alerts[0].risk, 3);
            assert.equal(evidence.facts.alerts[1].count, 3);
            assert.equal(evidence.date, "2026-03-03T08:05:41");
            assert.equal(evidence.summary, "3 alerts on 2 sites: 1 high, 1 medium, 1 low, 0 informational");
        });

        it("refuses a riskcode that is not the string ZAP writes", () => {
            assertFixtureError("zap/malformed.json", /site\[0\]\.alerts\[0\]\.riskcode/);
        });
    });

    describe("k6", () => {
        it("reads a passing --summary-export: duration from iterations count / rate, a cache_hit Rate", () => {
            const evidence = readAs("k6/export-pass.json", "k6");
            assert.deepEqual(evidence.facts, {
                format: "summary-export",
                p95DurationMs: 182.41,
                errorRate: 0.00125,
                maxVus: 500,
                durationSeconds: 60,
                requests: 24000,
                cacheHitRate: 0.875,
                thresholds: 3,
                failedThresholds: [],
            });
        });

        it("takes a --summary-export threshold of `true` as FAILED and `false` as passed", () => {
            const evidence = readAs("k6/export-fail.json", "k6");
            assert.deepEqual(evidence.facts.failedThresholds, ["checks: rate>0.99", "http_req_duration: p(95)<500", "http_req_failed: rate<0.01"]);
            assert.equal(evidence.facts.thresholds, 4);
            assert.equal(evidence.facts.p95DurationMs, 1520.77);
            assert.match(evidence.summary, /3 of 4 thresholds failed$/);
        });

        it("reads a passing handleSummary JSON: values, ok thresholds, state.testRunDurationMs", () => {
            const evidence = readAs("k6/handle-pass.json", "k6");
            assert.deepEqual(evidence.facts, {
                format: "handle-summary",
                p95DurationMs: 204.93,
                errorRate: 0.0002222222222222222,
                maxVus: 50,
                durationSeconds: 300.4125,
                requests: 9000,
                // From the Rate "edge_cache_hit", not the Counter "cache_hits".
                cacheHitRate: 0.9312,
                thresholds: 3,
                failedThresholds: [],
            });
        });

        it("takes a handleSummary threshold with ok: false as failed", () => {
            const evidence = readAs("k6/handle-fail.json", "k6");
            assert.deepEqual(evidence.facts.failedThresholds, ["http_req_duration: p(95)<500", "http_req_failed: rate<0.01"]);
            assert.equal(evidence.facts.errorRate, 0.031);
            assert.equal(evidence.facts.durationSeconds, 120);
            assert.equal(evidence.facts.cacheHitRate, undefined);
        });

        it("reads k6 1.x's export, whose thresholds sit at the top level (true = failed) and whose Rate keeps `rate`", () => {
            const evidence = readAs("k6/export-k6v1.json", "k6");
            assert.deepEqual(evidence.facts.failedThresholds, ["http_req_duration: p(95)<500"]);
            assert.equal(evidence.facts.thresholds, 2);
            assert.equal(evidence.facts.errorRate, 0.0008333333333333334);
            assert.equal(evidence.facts.maxVus, 100);
        });

        it("leaves the duration undefined when an export has neither state nor iterations", () => {
            const summary = fixtureJson("k6/export-pass.json");
            delete summary.metrics.iterations;
            const evidence = recognise("k6.json", JSON.stringify(summary));
            assert.ok(evidence && evidence.kind === "k6");
            assert.equal(evidence.facts.durationSeconds, undefined);
            assert.match(evidence.summary, /duration n\/a/);
        });

        it("refuses an ill-typed threshold result", () => {
            assertFixtureError("k6/malformed.json", /k6 summary \(handleSummary JSON\) is malformed: metrics\.http_req_duration\.thresholds\.p\(95\)<500\.ok/);
        });
    });

    describe("pulumi stack history", () => {
        it("reads updates, newest first, with release and environment from config values", () => {
            const evidence = readAs("stack-history/pass.json", "stack-history");
            assert.equal(evidence.facts.updates.length, 3);
            assert.deepEqual(evidence.facts.updates[0], {
                version: 42,
                kind: "update",
                result: "succeeded",
                startTime: "2026-03-02T14:01:05.000Z",
                endTime: "2026-03-02T14:06:40.000Z",
                release: "2026.03.1",
                environment: "production",
                resourceChanges: { same: 247, update: 3 },
            });
            assert.equal(evidence.facts.updates[2].release, "2026.02.2");
            assert.equal(evidence.date, "2026-03-02T14:06:40.000Z");
            assert.equal(evidence.summary, "3 updates; latest #42 update succeeded, release 2026.03.1, environment production");
        });

        it("sorts by version, keeps an update in progress without endTime, and never reads a secret config value", () => {
            const evidence = readAs("stack-history/fail.json", "stack-history");
            assert.deepEqual(
                evidence.facts.updates.map((update) => [update.version, update.result, update.endTime]),
                [
                    [44, "in-progress", undefined],
                    [43, "failed", "2026-03-03T09:03:12.000Z"],
                ],
            );
            // "platform:release" is marked secret in update 43.
            assert.equal(evidence.facts.updates[1].release, undefined);
            assert.equal(evidence.facts.updates[1].environment, "production");
            assert.equal(evidence.date, "2026-03-03T09:10:00.000Z");
        });

        it("refuses a time that is not an ISO 8601 date-time", () => {
            assertFixtureError("stack-history/malformed.json", /pulumi stack history is malformed: \[0\]\.startTime/);
        });
    });

    describe("platform-verify", () => {
        it("reads checks and counts them", () => {
            const evidence = readAs("verify/pass.json", "verify");
            assert.equal(evidence.facts.url, "https://shop.example.com");
            assert.equal(evidence.facts.requests, 14);
            assert.equal(evidence.facts.checks.length, 4);
            assert.deepEqual([evidence.facts.passed, evidence.facts.failed, evidence.facts.skipped], [3, 0, 1]);
            assert.equal(evidence.date, "2026-03-02T14:10:00Z");
        });

        it("reads failed checks", () => {
            const evidence = readAs("verify/fail.json", "verify");
            assert.deepEqual(
                evidence.facts.checks.filter((check) => check.status === "fail").map((check) => check.id),
                ["hsts", "health"],
            );
            assert.equal(evidence.facts.failed, 2);
            assert.match(evidence.summary, /2 failed/);
        });

        it("refuses an unknown status and another version", () => {
            assertFixtureError("verify/malformed.json", /checks\[0\]\.status/);
            const record = fixtureJson("verify/pass.json");
            record.version = 2;
            assertEvidenceError("verify.json", JSON.stringify(record), /version/);
        });
    });

    describe("YAML records", () => {
        it("reads a restore drill", () => {
            const evidence = readAs("records/restore-drill.yaml", "restore-drill");
            assert.deepEqual(evidence.facts, {
                date: "2026-02-26",
                environment: "production",
                source: "rds:shop-production snapshot 2026-02-26-03-00",
                target: "shop-restore-drill-0226",
                durationMinutes: 42,
                verified: true,
                by: "Dana Ops",
            });
            assert.equal(evidence.date, "2026-02-26");
        });

        it("reads an unverified restore drill", () => {
            const evidence = readAs("records/restore-drill-unverified.yaml", "restore-drill");
            assert.equal(evidence.facts.verified, false);
            assert.equal(evidence.facts.durationMinutes, 95.5);
            assert.match(evidence.summary, /NOT verified/);
        });

        it("refuses an impossible date, naming the field", () => {
            assertFixtureError("records/restore-drill-bad-date.yaml", /restore-drill record is malformed: date: must be a real calendar date/);
        });

        it("reads a sign-off, from YAML and from JSON", () => {
            const yaml = readAs("records/sign-off.yaml", "sign-off");
            assert.deepEqual(yaml.facts, { role: "security", name: "Sam Reviewer", release: "2026.03.1", date: "2026-03-01" });
            const json = readAs("records/sign-off.json", "sign-off");
            assert.equal(json.facts.role, "product");
        });

        it("refuses a sign-off without a release, and one whose release YAML reads as a number", () => {
            assertFixtureError("records/sign-off-missing.yaml", /sign-off record is malformed: release:/);
            assertEvidenceError("s.yaml", "kind: sign-off\nrole: security\nname: Sam\nrelease: 2.1\ndate: 2026-03-01\n", /release: .*expected string/);
        });

        it("reads attestations, including an expired one (expiry is for the policy to judge)", () => {
            const current = readAs("records/attestation.yaml", "attestation");
            assert.equal(current.facts.requirement, "dr-runbook-reviewed");
            assert.match(current.facts.statement, /^The disaster-recovery runbook/);
            assert.equal(current.facts.expires, "2026-07-15");
            const expired = readAs("records/attestation-expired.yaml", "attestation");
            assert.equal(expired.facts.expires, "2025-11-02");
        });

        it("refuses an attestation that expires before it was made", () => {
            const text = "kind: attestation\nrequirement: pen-test\nstatement: done\nby: Lee\ndate: 2026-03-01\nexpires: 2026-02-01\n";
            assertEvidenceError("a.yaml", text, /expires: is before the date/);
        });

        it("refuses a YAML syntax error with line and column and no content", () => {
            assertFixtureError("records/attestation-syntax.yaml", /YAML record is not valid YAML \(\w+\) at line \d+, column \d+$/);
        });

        it("reads a record written with Windows line endings", () => {
            const evidence = recognise("crlf.yaml", fixtureText("records/sign-off.yaml").replace(/\n/g, "\r\n"));
            assert.ok(evidence && evidence.kind === "sign-off");
            assert.equal(evidence.facts.release, "2026.03.1");
        });

        it("ignores YAML whose top-level kind is not a record kind (a Kubernetes manifest)", () => {
            assert.equal(read("unknown/deployment.yaml"), undefined);
        });
    });

    describe("unknown files", () => {
        for (const name of fs.readdirSync(path.join(FIXTURES, "unknown")).sort()) {
            it(`ignores unknown/${name}`, () => {
                assert.equal(read(`unknown/${name}`), undefined);
            });
        }

        it("ignores empty, whitespace-only and binary text", () => {
            assert.equal(recognise("a", ""), undefined);
            assert.equal(recognise("b", " \n\t"), undefined);
            assert.equal(recognise("c", '{"auditReportVersion": 2}\u0000\u0001'), undefined);
        });

        it("ignores broken JSON that is none of ours (JSONC)", () => {
            assert.equal(read("unknown/tsconfig.json"), undefined);
        });
    });

    describe("recognition is by content, never by name", () => {
        it("reads JUnit named like a text file and ignores a pom named like a JUnit report", () => {
            assert.equal(recognise("results.txt", fixtureText("junit/jest-fail.xml"))?.kind, "junit");
            assert.equal(recognise("junit.xml", fixtureText("unknown/pom.xml")), undefined);
            assert.equal(recognise("npm-audit.json", fixtureText("unknown/package.json")), undefined);
        });

        it("tells every JSON kind apart whatever the file is called", () => {
            const expected: [string, string][] = [
                ["coverage/pass.json", "coverage"],
                ["eslint/pass.json", "eslint"],
                ["npm-audit/pass.json", "npm-audit"],
                ["trivy/pass.json", "trivy"],
                ["gitleaks/fail.json", "gitleaks"],
                ["zap/pass.json", "zap"],
                ["k6/export-pass.json", "k6"],
                ["k6/handle-pass.json", "k6"],
                ["stack-history/pass.json", "stack-history"],
                ["verify/pass.json", "verify"],
            ];
            for (const [name, kind] of expected) {
                assert.equal(recognise("artifact", fixtureText(name))?.kind, kind, name);
            }
        });

        it("reads a UTF-8 byte order mark", () => {
            assert.equal(recognise("bom.json", `\ufeff${fixtureText("verify/pass.json")}`)?.kind, "verify");
        });
    });

    it("throws EvidenceError instances (not plain errors) for malformed evidence", () => {
        assert.throws(() => read("zap/malformed.json"), EvidenceError);
    });
});
