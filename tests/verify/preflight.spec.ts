import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { catalog } from "../../policies/catalog";
import { Options } from "../../preflight/options";
import { PolicyPackProcess } from "../../preflight/pack-process";
import { planStack } from "../../preflight/plan";
import { stackExport } from "../../preflight/stack-export";
import { runPreflight } from "../../preflight/run";
import { VerifyOptions } from "../../verify/options";
import { PROJECT_DIR, runVerify } from "../../verify/run";
import { KeyAndCertificate, makeCertificates, TestCertificates } from "./certificates";
import { APP_ORIGIN, Faults, startSite } from "./site";
import { AWS } from "../../policies/lib/types";

const PACK_DIR = path.join(PROJECT_DIR, "policies");
/** The requirements only a probe of the deployed stack can judge. */
const LIVE = catalog()
    .filter((r) => r.verifiedBy === "live")
    .map((r) => r.id);

describe("verify as release evidence", function () {
    this.timeout(120000);
    let certificates: TestCertificates;
    let dir: string;

    let exportFile: string;

    before(async () => {
        certificates = makeCertificates();
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-evidence-"));
        fs.writeFileSync(path.join(dir, "ca.pem"), certificates.ca);
        // Production's plan, serving the test site's host: a verify report counts only for the stack whose address it probed.
        const { resources } = await planStack("production", { preview: true });
        const served = resources.map((r) => (r.type === AWS.certificate ? { ...r, inputs: { ...r.inputs, domainName: "localhost" } } : r));
        exportFile = path.join(dir, "production.json");
        fs.writeFileSync(exportFile, JSON.stringify(stackExport(served)));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    /** Probes a test site and leaves its JSON report alone in an evidence directory of its own. */
    const evidenceFrom = async (name: string, certificate: KeyAndCertificate, faults: Faults = {}) => {
        const site = await startSite(certificate, faults);
        const evidence = path.join(dir, name);
        fs.mkdirSync(evidence);
        const options: VerifyOptions = {
            url: site.url,
            httpUrl: site.httpUrl,
            ca: path.join(dir, "ca.pem"),
            origins: [APP_ORIGIN],
            healthPaths: [],
            compressionPath: "/templates",
            certMinDays: 30,
            rateLimitProbe: 30,
            timeoutSeconds: 5,
            format: "json",
            out: path.join(evidence, "verify-production.json"),
            help: false,
        };
        try {
            return { evidence, checkedAt: (await runVerify(options)).record.checkedAt };
        } finally {
            await site.close();
        }
    };
    /** The production checklist as `npm run preflight -- --file <production export> --evidence DIR --format json` reports it. */
    const checklist = async (evidenceDir: string, asOf: string) => {
        const pack = PolicyPackProcess.spawn(PACK_DIR);
        try {
            const options: Options = { stacks: ["production"], file: exportFile, format: "json", gate: "plan", evidenceDirs: [evidenceDir], asOf, help: false };
            const [stack] = JSON.parse((await runPreflight(options, { packDir: PACK_DIR }, pack)).report).stacks;
            return Object.fromEntries(stack.checklist.filter((l: any) => LIVE.includes(l.id)).map((l: any) => [l.id, l]));
        } finally {
            pack.kill();
        }
    };

    it("turns the live requirements from missing into pass, then into fail on a faulty site", async () => {
        assert.deepEqual(LIVE, ["EDGE-11", "WEB-01", "APPF-01", "TEST-06", "POST-01"]);
        const good = await evidenceFrom("good", certificates.valid);
        const bad = await evidenceFrom("bad", certificates.expiringSoon, { noHsts: true });
        const today = good.checkedAt.slice(0, 10);
        const empty = path.join(dir, "empty");
        fs.mkdirSync(empty);

        const before = await checklist(empty, today);
        assert.deepEqual(
            LIVE.map((id) => before[id].status),
            ["missing", "missing", "missing", "missing", "missing"],
        );

        const passing = await checklist(good.evidence, today);
        assert.deepEqual(
            LIVE.map((id) => [id, passing[id].status, passing[id].verifiedBy]),
            LIVE.map((id) => [id, "pass", "live"]),
        );
        assert.deepEqual(
            passing["EDGE-11"].evidence.map((e: any) => [e.kind, path.basename(e.file)]),
            [["verify", "verify-production.json"]],
        );
        assert.match(passing["EDGE-11"].evidence[0].summary, /^https:\/\/localhost:\d+\/: 13 checks, 13 passed, 0 failed, 0 skipped, \d+ requests$/);

        const failing = await checklist(bad.evidence, bad.checkedAt.slice(0, 10));
        assert.deepEqual(
            LIVE.map((id) => failing[id].status),
            ["fail", "fail", "pass", "fail", "pass"],
        );
        assert.match(failing["EDGE-11"].note, /^certificate-expiry: 10 days left \(until \d{4}-\d\d-\d\d\); more than 30 needed: renew it$/);
        assert.equal(failing["WEB-01"].note, "hsts: GET /: no Strict-Transport-Security header");
    });
});
