import * as assert from "assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { AnalyzerProcess, PackInfo, ResolvedPolicyConfig } from "../../preflight/analyzer";
import { evaluateStack, StackReport } from "../../preflight/evaluate";
import { PROJECT_DIR } from "../../preflight/plan";
import { readPolicyConfigFile, resolvePolicyConfig } from "../../preflight/policy-config";
import { readStackExport } from "../../preflight/stack-export";

/**
 * The acceptance corpus: `pulumi stack export` files of programs other teams would write, each with the
 * verdicts a reviewer holding the checklist writes from reading it (`<name>.expected.json`). The pack
 * must report every expected violation, no mandatory one a reviewer would call wrong, and never fail.
 */
const CORPUS_DIR = __dirname;
const PACK_DIR = path.join(PROJECT_DIR, "policies");
const POLICY_CONFIG = path.join(PACK_DIR, "config", "production.json");
/** Programs also run through the CLI, as a new user would: `npm run preflight -- --file <export>`. */
const THROUGH_CLI = ["ecs-fargate-postgres", "k8s-microservices-demo", "compliant-event-pipeline"];

interface Expected {
    violations: { policy: string; resource: string }[];
    /** Policies a naive rule would wrongly fire on this program. */
    notExpected: string[];
}

const PROGRAMS = fs
    .readdirSync(CORPUS_DIR)
    .filter((f) => f.endsWith(".expected.json"))
    .map((f) => f.slice(0, -".expected.json".length))
    .sort();
const expectedOf = (name: string): Expected => JSON.parse(fs.readFileSync(path.join(CORPUS_DIR, `${name}.expected.json`), "utf8"));
const key = (policy: string, resource: string) => `${policy} @ ${resource}`;

/** Runs the CLI as `npm run preflight -- <args>` starts it, without blocking the event loop the analyzer client needs. */
function preflight(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ["-r", "./preflight/register.js", path.join("preflight", "cli.ts"), ...args], {
            cwd: PROJECT_DIR,
            env: { ...process.env, NO_COLOR: "1" },
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk) => (stdout += chunk));
        child.stderr.on("data", (chunk) => (stderr += chunk));
        child.on("error", reject);
        child.on("close", (code) => resolve({ code, stdout, stderr }));
    });
}

describe("acceptance corpus: programs other teams wrote", function () {
    this.timeout(180000);
    let analyzer: AnalyzerProcess;
    let pack: PackInfo;
    let config: ResolvedPolicyConfig;
    const reports = new Map<string, StackReport>();
    const figures = { expected: 0, caught: 0, reported: 0, correct: 0, errors: 0 };

    before(async () => {
        analyzer = await AnalyzerProcess.start(PACK_DIR);
        pack = await analyzer.info();
        config = resolvePolicyConfig(pack, readPolicyConfigFile(POLICY_CONFIG), POLICY_CONFIG);
        for (const name of PROGRAMS) {
            const exported = readStackExport(path.join(CORPUS_DIR, `${name}.json`));
            reports.set(name, await evaluateStack(analyzer, pack, config, exported.stack, `${name}.json`, exported.resources));
        }
    });
    after(async () => {
        await analyzer?.stop();
        const percent = (part: number, whole: number) => (whole === 0 ? "n/a" : `${((100 * part) / whole).toFixed(1)} %`);
        console.log(
            `      corpus: ${PROGRAMS.length} programs; expected violations caught ${figures.caught}/${figures.expected} ` +
                `(${percent(figures.caught, figures.expected)}); correct reports ${figures.correct}/${figures.reported} ` +
                `(${percent(figures.correct, figures.reported)}); tool errors ${figures.errors}`,
        );
    });

    it("holds at least 15 programs, each an export with its expected verdicts", () => {
        assert.ok(PROGRAMS.length >= 15, `only ${PROGRAMS.length} programs`);
        for (const name of PROGRAMS) {
            assert.ok(fs.existsSync(path.join(CORPUS_DIR, `${name}.json`)), `${name}.expected.json has no ${name}.json`);
        }
    });

    it("names only policies of the pack and resources of the program in the expectations", () => {
        const policies = new Set(pack.policies.map((p) => p.name));
        for (const name of PROGRAMS) {
            const expected = expectedOf(name);
            const resources = new Set(readStackExport(path.join(CORPUS_DIR, `${name}.json`)).resources.map((r) => r.name));
            for (const { policy, resource } of expected.violations) {
                assert.ok(policies.has(policy), `${name}: no policy ${policy}`);
                assert.ok(resources.has(resource), `${name}: no resource ${resource}`);
            }
            for (const policy of expected.notExpected) {
                assert.ok(policies.has(policy), `${name}: notExpected names no policy ${policy}`);
                assert.ok(!expected.violations.some((v) => v.policy === policy), `${name}: ${policy} is both expected and not expected`);
            }
        }
    });

    for (const name of PROGRAMS) {
        it(`${name}: every expected violation, nothing a reviewer would call wrong, no tool error`, () => {
            const report = reports.get(name)!;
            const expected = expectedOf(name);
            const wanted = new Set(expected.violations.map((v) => key(v.policy, v.resource)));
            const found = new Set(report.violations.map((v) => key(v.policy, v.name)));
            const missed = [...wanted].filter((k) => !found.has(k));
            const wrong = report.violations.filter((v) => v.enforcementLevel === "mandatory" && !wanted.has(key(v.policy, v.name)));
            const naive = report.violations.filter((v) => expected.notExpected.includes(v.policy));

            figures.expected += wanted.size;
            figures.caught += wanted.size - missed.length;
            // Reports count once per policy and resource, as the expectations do.
            const distinct = new Map(report.violations.map((v) => [key(v.policy, v.name), v]));
            figures.reported += distinct.size;
            figures.correct += [...distinct.keys()].filter((k) => wanted.has(k)).length;
            figures.errors += report.errors.length;

            const show = (list: { policy: string; name: string; message: string }[]) => list.map((v) => `\n  ${key(v.policy, v.name)}: ${v.message}`).join("");
            assert.deepEqual(report.errors, [], `${name}: the pack failed as a tool`);
            assert.deepEqual(missed, [], `${name}: expected violations not reported`);
            assert.equal(wrong.length, 0, `${name}: mandatory violations a reviewer would call wrong:${show(wrong)}`);
            assert.equal(naive.length, 0, `${name}: policies that should say nothing here fired:${show(naive)}`);
        });
    }

    it("exits 1 on programs with mandatory violations and 0 on the compliant one through the CLI, never 2", async () => {
        const outcomes = await Promise.all(
            THROUGH_CLI.map(async (name) => ({
                name,
                ...(await preflight("--file", path.join(CORPUS_DIR, `${name}.json`), "--policy-config", POLICY_CONFIG, "--format", "json")),
            })),
        );
        for (const { name, code, stdout, stderr } of outcomes) {
            const mandatory = reports.get(name)!.violations.some((v) => v.enforcementLevel === "mandatory");
            assert.equal(code, mandatory ? 1 : 0, `${name}: exit ${code}\n${stderr}`);
            const [stack] = JSON.parse(stdout).stacks;
            assert.equal(stack.errors, undefined, `${name}: ${stack.errors}`);
            assert.equal(stack.violations.length, reports.get(name)!.violations.length, `${name}: the CLI and the analyzer disagree`);
        }
    });
});
