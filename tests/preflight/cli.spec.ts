import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { FORMATS } from "../../preflight/options";
import { PolicyPackProcess } from "../../preflight/pack-process";
import { PROJECT_DIR } from "../../preflight/plan";
import { runPreflight } from "../../preflight/run";
import { SECRET_PLACEHOLDER } from "../../preflight/stack-config";
import { stackExport } from "../../preflight/stack-export";
import { preflightInProcess } from "../helpers";
import { legacyDataStack } from "./fixtures";
import { AWS } from "../../policies/lib/types";

const PACK_DIR = path.join(PROJECT_DIR, "policies");

/**
 * Runs the CLI as `npm run preflight -- <args>` does: once for each exit code and for what only the process
 * does (--help, --out); the other cases run the same code in-process (preflightInProcess).
 */
function preflight(...args: string[]) {
    const result = spawnSync(process.execPath, ["-r", "./preflight/register.js", path.join("preflight", "cli.ts"), ...args], {
        cwd: PROJECT_DIR,
        env: { ...process.env, NO_COLOR: "1" },
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("preflight CLI", function () {
    this.timeout(120000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: string) => {
        const target = path.join(dir, name);
        fs.writeFileSync(target, content);
        return target;
    };

    it("evaluates both stacks with the pack and exits 0: the committed program complies", () => {
        const { code, stdout, stderr } = preflight();
        assert.equal(code, 0, stderr || stdout);
        assert.match(stdout, /^Stack staging \(Pulumi\.staging\.yaml\): READY for plan$/m);
        assert.match(stdout, /^Stack production \(Pulumi\.production\.yaml\): READY for plan$/m);
        assert.match(stdout, /Summary: \d{3} resources, \d+ policies, 0 mandatory and \d+ advisory violations; checklist \d+ pass, /);
        assert.doesNotMatch(stdout, /\d+ fail/);
        assert.match(stdout, /Release: \d+ requirements still need evidence/);
        assert.equal(stderr, "");
    });

    it("says what each stack would create in the Markdown report, and what keeps a release back with --gate release", async () => {
        const { code, stdout } = await preflightInProcess("--format", "markdown", "--gate", "release");
        assert.equal(code, 1, "no release evidence: not ready to deploy");
        // Production has a NAT gateway per zone, staging one.
        const natGateways = [...stdout.matchAll(/\| `aws:ec2\/natGateway:NatGateway` \| (\d+) \|/g)].map((m) => Number(m[1]));
        assert.deepEqual(natGateways, [1, 3]);
        assert.match(stdout, /## Stack `production`: NOT READY for release/);
        assert.match(stdout, /- \*\*MISSING\*\* TEST-04: .*\(evidence: no k6 evidence\)/);
    });

    it("prints its usage with --help and exits 0", () => {
        const { code, stdout } = preflight("--help");
        assert.equal(code, 0);
        assert.match(stdout, /^Usage: npm run preflight -- \[options\]/);
        assert.match(stdout, /--policy-config FILE/);
    });

    describe("on a stack export with a public, unencrypted database and a plaintext Redis", () => {
        let exportFile: string;
        before(() => {
            exportFile = file("legacy.json", JSON.stringify(stackExport(legacyDataStack())));
        });
        for (const format of FORMATS) {
            it(`exits 1 and names the three broken policies in ${format}`, async () => {
                const { code, stdout, stderr } = await preflightInProcess("--file", exportFile, "--format", format);
                assert.equal(code, 1, stderr);
                for (const policy of ["rds-not-publicly-accessible", "rds-storage-encrypted", "redis-transit-encryption"]) {
                    assert.ok(stdout.includes(policy), `${format} report does not name ${policy}`);
                }
            });
        }

        it("writes the report to --out instead of standard output", () => {
            const out = path.join(dir, "report.json");
            const { code, stdout } = preflight("--file", exportFile, "--format", "json", "--out", out);
            assert.equal(code, 1);
            assert.equal(stdout, "");
            assert.equal(JSON.parse(fs.readFileSync(out, "utf8")).stacks[0].stack, "production");
        });
    });

    it("reads back what --export writes: same resources, same verdicts", async () => {
        const exported = path.join(dir, "production.json");
        const planned = await preflightInProcess("--stack", "production", "--export", exported, "--format", "json");
        assert.equal(planned.code, 0, planned.stderr);
        const analyzed = await preflightInProcess("--file", exported, "--format", "json");
        assert.equal(analyzed.code, 0, analyzed.stderr);
        const [a, b] = [planned, analyzed].map((r) => JSON.parse(r.stdout).stacks[0]);
        assert.equal(b.stack, "production");
        assert.equal(b.resources, a.resources);
        const key = (v: any) => `${v.policy} ${v.urn} ${v.enforcementLevel}`;
        assert.deepEqual(b.violations.map(key).sort(), a.violations.map(key).sort());
        assert.ok(!fs.readFileSync(exported, "utf8").includes(SECRET_PLACEHOLDER), "no secret value leaves in the export");
    });

    const usage: [string, () => string[], RegExp][] = [
        ["an unknown flag", () => ["--stak", "production"], /^preflight: Unknown option '--stak'; allowed: --stack, --file/],
        ["an unknown stack", () => ["--stack", "dev"], /^preflight: --stack: got "dev"; allowed: staging, production, all$/],
        ["an unknown format", () => ["--format", "pdf"], /^preflight: --format: got "pdf"; allowed: text, json, markdown, sarif, junit$/],
        ["a missing file", () => ["--file", path.join(dir, "nope.json")], /^preflight: cannot read .*nope\.json: no such file$/],
        ["a file that is not JSON", () => ["--file", file("broken.json", "{ not json")], /^preflight: .*broken\.json is not JSON: /],
        [
            "an export of another version",
            () => ["--file", file("v2.json", JSON.stringify({ version: 2, deployment: {} }))],
            /^preflight: .*v2\.json is not a stack export: version: expected deployment version 3/,
        ],
        [
            "a resource without a URN",
            () => ["--file", file("nourn.json", JSON.stringify({ version: 3, deployment: { resources: [{ type: AWS.buckets[0] }] } }))],
            /^preflight: .*nourn\.json is not a stack export: deployment\.resources\.0\.urn: /,
        ],
        ["--export of two stacks", () => ["--export", path.join(dir, "x.json")], /^preflight: --export writes one planned stack/],
        [
            "a missing policy config",
            () => ["--stack", "staging", "--policy-config", path.join(dir, "none.json")],
            /^preflight: .*none\.json: invalid policy config: cannot read it: no such file$/,
        ],
        ["an unknown gate", () => ["--gate", "deploy"], /^preflight: --gate: got "deploy"; allowed: plan, release$/],
        ["a day that does not exist", () => ["--as-of", "2026-02-30"], /^preflight: --as-of: got "2026-02-30"; expected a date like 2026-12-01$/],
        ["a missing evidence directory", () => ["--stack", "staging", "--evidence", path.join(dir, "no-such-dir")], /^preflight: .*no-such-dir: /],
        [
            "release criteria for a requirement that needs no such evidence",
            () => [
                "--stack",
                "staging",
                "--policy-config",
                file("criteria.json", JSON.stringify({ "release-evidence": { criteria: { "TEST-04": { junit: { minPassRate: 0.5 } }, "NOPE-01": {} } } })),
            ],
            /^preflight: .*criteria\.json: invalid policy config \(2 problems\)/,
        ],
    ];
    for (const [what, args, message] of usage) {
        it(`refuses ${what} with exit code 2 and a clear message, no stack trace`, async () => {
            const { code, stdout, stderr } = await preflightInProcess(...args());
            assert.equal(code, 2, stdout);
            assert.match(stderr.split("\n")[0], message);
            assert.doesNotMatch(stderr, /\n\s+at /, "no stack trace");
        });
    }

    it("refuses bad usage as a process with exit code 2 and the one message on standard error", () => {
        const { code, stdout, stderr } = preflight("--stak", "production");
        assert.equal(code, 2, stdout);
        assert.equal(stdout, "");
        assert.match(stderr, /^preflight: Unknown option '--stak'; allowed: --stack, --file, [^\n]*\n$/);
    });

    it("reports a stack whose config is wrong as that stack's error, exit code 2", async () => {
        const project = fs.mkdtempSync(path.join(dir, "project-"));
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        const staging = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.staging.yaml"), "utf8").replace("platform:domainName:", "platform:domainNme:");
        fs.writeFileSync(path.join(project, "Pulumi.staging.yaml"), staging);
        // The program's first step, as index.ts takes it.
        fs.writeFileSync(
            path.join(project, "index.ts"),
            `import { loadPlatformConfig } from ${JSON.stringify(path.join(PROJECT_DIR, "components", "config"))};\nloadPlatformConfig();\n`,
        );
        const pack = PolicyPackProcess.spawn(PACK_DIR);
        try {
            const outcome = await runPreflight(
                { stacks: ["staging"], format: "json", gate: "plan", evidenceDirs: [], help: false },
                { packDir: PACK_DIR, projectDir: project },
                pack,
            );
            assert.equal(outcome.exitCode, 2);
            assert.match(outcome.errors[0], /stack staging cannot be evaluated: Pulumi\.staging\.yaml: Invalid stack config/);
            assert.match(outcome.errors[0], /platform:domainNme: unknown key/);
            assert.match(JSON.parse(outcome.report).stacks[0].error, /platform:domainName: missing/);
        } finally {
            pack.kill();
        }
    });
});
