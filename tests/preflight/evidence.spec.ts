import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { catalog, Requirement } from "../../policies/catalog";
import { Evidence, readEvidence } from "../../policies/evidence";
import { judgeRequirement, ReleaseContext } from "../../policies/readiness/judge";
import { PolicyPackProcess } from "../../preflight/pack-process";
import { PROJECT_DIR } from "../../preflight/plan";
import { runPreflight } from "../../preflight/run";
import { Options } from "../../preflight/options";

const RELEASE_DIR = path.join(__dirname, "fixtures", "release-1.4.2");
const PACK_DIR = path.join(PROJECT_DIR, "policies");

const requirement = (id: string): Requirement => catalog().find((r) => r.id === id)!;
const production: ReleaseContext = {
    stack: "production",
    release: "1.4.2",
    images: ["ghcr.io/acme/api:1.4.2", "ghcr.io/acme/worker:1.4.2"],
    rtoHours: 4,
    hosts: ["api.acme-example.com"],
    asOf: "2026-11-30",
};

/** The release's evidence with some files replaced (by name) or removed (undefined), as a new directory. */
function releaseWith(changes: Record<string, string | undefined>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-"));
    fs.cpSync(RELEASE_DIR, dir, { recursive: true });
    for (const [file, content] of Object.entries(changes)) {
        if (content === undefined) {
            fs.rmSync(path.join(dir, file));
        } else {
            fs.writeFileSync(path.join(dir, file), content);
        }
    }
    return dir;
}

const json = (file: string) => JSON.parse(fs.readFileSync(path.join(RELEASE_DIR, file), "utf8"));

describe("release evidence", () => {
    let evidence: Evidence[];
    before(() => {
        evidence = readEvidence([RELEASE_DIR]).evidence;
    });
    const judge = (id: string, context = production, all = evidence) => judgeRequirement(requirement(id), all, context)!;

    it("passes every evidence, live and attestation requirement on a complete release's artifacts", () => {
        const unverified = catalog()
            .filter((r) => ["evidence", "live", "attestation"].includes(r.verifiedBy))
            .map((r) => ({ id: r.id, ...judge(r.id) }))
            .filter((j) => j.status !== "pass" && j.status !== "attested");
        assert.deepEqual(unverified, []);
    });

    it("shows the artifact and the figure behind each verdict", () => {
        const load = judge("TEST-04");
        assert.deepEqual(
            load.evidence.map((e) => [e.kind, path.basename(e.file)]),
            [["k6", "k6-summary.json"]],
        );
        const integration = judge("TEST-03");
        assert.match(integration.note!, /^\d+ of \d+ tests passed \(100\.0 %\)$/);
        assert.match(judge("SIGN-02").note!, /QA Lead Quinn Tester on 2026-11-29/);
        assert.match(judge("TEST-07").note!, /attested by Ari Security on 2026-11-27, until 2027-02-27/);
    });

    it("fails a load test over the checklist's numbers, naming the figure", () => {
        const summary = json("k6-summary.json");
        summary.metrics.http_req_duration.values["p(95)"] = 2310.4;
        summary.metrics.vus_max.values.max = 50;
        const slow = readEvidence([releaseWith({ "k6-summary.json": JSON.stringify(summary) })]).evidence;
        const verdict = judge("TEST-04", production, slow);
        assert.equal(verdict.status, "fail");
        assert.match(verdict.note!, /max 50 VUs; at least 100; p95 2310\.4 ms; under 2000 ms/);
    });

    it("fails a k6 run whose own thresholds failed, and an image scan with a critical CVE", () => {
        const summary = json("k6-summary.json");
        summary.metrics.http_req_failed.thresholds = { "rate<0.001": { ok: false } };
        const scan = json("trivy-api.json");
        scan.Results[1].Vulnerabilities = [{ VulnerabilityID: "CVE-2026-1234", PkgName: "express", InstalledVersion: "4.18.2", Severity: "CRITICAL" }];
        const broken = readEvidence([releaseWith({ "k6-summary.json": JSON.stringify(summary), "trivy-api.json": JSON.stringify(scan) })]).evidence;
        assert.match(judge("TEST-04", production, broken).note!, /failed thresholds http_req_failed: rate<0\.001/);
        const scanned = judge("TEST-02", production, broken);
        assert.deepEqual([scanned.status, scanned.note], ["fail", "ghcr.io/acme/api:1.4.2: 1 critical (at most 0)"]);
    });

    it("misses an image the stack deploys that nobody scanned, and a sign-off of another release", () => {
        const partial = readEvidence([releaseWith({ "trivy-worker.json": undefined })]).evidence;
        assert.deepEqual(
            [judge("BUILD-01", production, partial).status, judge("BUILD-01", production, partial).note],
            ["missing", "no scan of ghcr.io/acme/worker:1.4.2"],
        );
        const next = { ...production, release: "1.5.0" };
        assert.deepEqual(
            [judge("SIGN-01", next).status, judge("SIGN-01", next).note],
            ["missing", "no sign-off of release 1.5.0 by the Engineering Lead or the Development Lead"],
        );
    });

    it("judges dated evidence against --as-of: stale CI artifacts, old drills, expired attestations, later files left out", () => {
        const later = { ...production, asOf: "2027-03-01" };
        assert.equal(judge("TEST-04", later).status, "pass", "a k6 summary carries no date");
        assert.equal(judge("TEST-01", later).status, "missing");
        assert.match(judge("TEST-01", later).note!, /no test suite matching \/unit\/ \(2 report\(s\) older than 30 days left out\)/);
        assert.equal(judge("TEST-07", later).status, "missing", "the attestation expired on 2027-02-27");
        assert.deepEqual(
            [judge("TEST-09", later).status, judge("TEST-09", later).note],
            ["fail", "restore drill of 2026-11-12: it is 109 days old; at most 90"],
        );
        const before = { ...production, asOf: "2026-11-20" };
        assert.equal(judge("SIGN-01", before).status, "missing", "a sign-off dated after the as-of day does not count");
    });

    it("holds a restore drill against the stack's RTO and environment", () => {
        assert.equal(judge("REC-08", { ...production, rtoHours: 1 }).status, "fail");
        assert.match(judge("REC-08", { ...production, rtoHours: 1 }).note!, /it took 95 minutes; the RTO is 1 h/);
        assert.equal(judge("TEST-09", { ...production, stack: "staging" }).status, "missing");
        assert.match(judge("REC-08", { ...production, rtoHours: undefined }).note!, /declares no RTO/);
    });

    it("wants staging to have run this release, and a rollback from it, before production", () => {
        assert.match(judge("MIG-01").note!, /staging updated to 1\.4\.2 on 2026-11-26/);
        assert.match(judge("REL-02").note!, /staging rolled back to 1\.4\.1 \(update 56\)/);
        const history = json("stack-history-staging.json").filter((u: any) => u.version !== 56);
        const noRollback = readEvidence([releaseWith({ "stack-history-staging.json": JSON.stringify(history) })]).evidence;
        assert.equal(judge("REL-02", production, noRollback).status, "missing");
    });

    it("fails a live check the verify report failed, and calls a report older than the last deploy stale", () => {
        const report = json("verify-production.json");
        report.checks.find((c: any) => c.id === "hsts").status = "fail";
        report.checks.find((c: any) => c.id === "hsts").message = "no Strict-Transport-Security header";
        const failing = readEvidence([releaseWith({ "verify-production.json": JSON.stringify(report) })]).evidence;
        assert.deepEqual(
            [judge("WEB-01", production, failing).status, judge("WEB-01", production, failing).note],
            ["fail", "hsts: no Strict-Transport-Security header"],
        );
        const deployed = json("stack-history-staging.json");
        deployed[0].config["platform:environment"].value = "production";
        deployed[0].endTime = "2026-11-29T12:00:00.000Z";
        const stale = readEvidence([releaseWith({ "stack-history-staging.json": JSON.stringify(deployed) })]).evidence;
        assert.match(judge("WEB-01", production, stale).note!, /older than the last deploy of production/);
    });

    it("counts only a verify report of the stack's own address", () => {
        const staging = { ...production, hosts: ["api.staging.acme-example.com"] };
        assert.deepEqual(
            [judge("WEB-01", staging).status, judge("WEB-01", staging).note],
            ["missing", "needs `npm run verify` of api.staging.acme-example.com (the deployed stack): hsts, security-headers"],
        );
    });

    it("takes a stack's criteria overrides from its policy config", () => {
        const stricter = judgeRequirement(requirement("TEST-04"), evidence, production, { "TEST-04": { k6: { maxP95Ms: 500 } } })!;
        assert.deepEqual([stricter.status, stricter.note], ["fail", "p95 842.17 ms; under 500 ms"]);
    });

    describe("through the preflight", function () {
        this.timeout(120000);
        const run = async (options: Partial<Options>) => {
            const pack = PolicyPackProcess.spawn(PACK_DIR);
            try {
                return await runPreflight(
                    { stacks: ["production"], format: "json", gate: "plan", evidenceDirs: [], help: false, ...options },
                    { packDir: PACK_DIR },
                    pack,
                );
            } finally {
                pack.kill();
            }
        };

        it("turns missing requirements into verified ones with --evidence, listing the files it ignored", async () => {
            const dir = releaseWith({ "notes.md": "# Release notes\n" });
            const outcome = await run({ evidenceDirs: [dir], asOf: "2026-11-30", gate: "release" });
            const [stack] = JSON.parse(outcome.report).stacks;
            const line = (id: string) => stack.checklist.find((l: any) => l.id === id);
            assert.deepEqual([line("TEST-04").status, line("TEST-04").evidence[0].kind], ["pass", "k6"]);
            assert.equal(line("TEST-07").status, "attested");
            assert.equal(line("WEB-01").status, "pass");
            const unverified = stack.checklist.filter((l: any) => l.verifiedBy !== "plan" && !["pass", "attested", "not-applicable"].includes(l.status));
            assert.deepEqual(unverified, []);
            assert.deepEqual(
                stack.evidenceIgnored.map((f: string) => path.basename(f)),
                ["notes.md"],
            );
            // Plan requirements decide the rest: the release gate holds exactly when they all pass.
            const planBlocking = stack.checklist.filter((l: any) => !["pass", "attested", "waived", "not-applicable"].includes(l.status));
            assert.equal(stack.ready, planBlocking.length === 0);
            assert.equal(outcome.exitCode, planBlocking.length === 0 ? 0 : 1);
        });

        it("refuses a malformed artifact with exit code 2, naming the file and not its content", async () => {
            const dir = releaseWith({ "k6-summary.json": '{"metrics": {"http_req_duration": CANARY-k6}, "root_group": {}}' });
            await assert.rejects(run({ evidenceDirs: [dir] }), (err: Error) => {
                assert.match(err.message, /k6-summary\.json/);
                assert.doesNotMatch(err.message, /CANARY/);
                return err.name === "EvidenceError";
            });
        });
    });
});
