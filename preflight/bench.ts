// `npm run bench`: the preflight's wall time as ratios to the floor (a fresh node that only loads the
// Pulumi SDK and the policy SDK), measured in one run: both stacks, and --file on generated exports
// of growing size with the growth per resource and the peak memory. A benchmark, not a test: it
// prints figures and exits 0 (2 if it cannot measure).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planStack, PROJECT_DIR } from "./plan";
import { RecordedResource } from "./program";
import { stackExport } from "./stack-export";

const SIZES = [100, 1000, 5000, 20000];
/** Sizes whose peak RSS is reported. */
const MEMORY_SIZES = new Set([5000, 20000]);
const RUNS = 3;
/** Sizes measured once: three runs of 20,000 resources would take minutes. */
const ONCE = new Set([20000]);
/**
 * Generated exports run with a longer deadline per call: the stack call is sent with the first
 * resource calls and waits behind them in the pack, so 20,000 resources can outlast the default 60 s.
 */
const FILE_CALL_TIMEOUT_S = 600;
/** Issue 15's targets, as multiples of the floor. */
const STACKS_TARGET = 2;
const FILE_TARGET = { size: 5000, ratio: 4 };

/** GNU time reports the peak RSS of the process it runs (and of the pack that process reaps), in KiB. */
const GNU_TIME = "/usr/bin/time";
const hasGnuTime = fs.existsSync(GNU_TIME);

interface Run {
    ms: number;
    /** Peak RSS in MiB, when GNU time is there to measure it. */
    peakMiB?: number;
}

/** Runs `node args` from the project directory; exit codes in `accepted` are answers, anything else a failure. */
function timeNode(args: string[], accepted: number[]): Run {
    const rssFile = path.join(os.tmpdir(), `preflight-bench-rss-${process.pid}`);
    const [command, argv] = hasGnuTime ? [GNU_TIME, ["-f", "%M", "-o", rssFile, process.execPath, ...args]] : [process.execPath, args];
    try {
        const started = process.hrtime.bigint();
        const result = spawnSync(command, argv, { cwd: PROJECT_DIR, encoding: "utf8", maxBuffer: 512 * 1024 * 1024 });
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        if (result.status === null || !accepted.includes(result.status)) {
            throw new Error(`node ${args.join(" ")} exited ${result.status ?? result.signal}: ${result.stderr.trim().split("\n").slice(-3).join(" | ")}`);
        }
        return hasGnuTime ? { ms, peakMiB: Number(fs.readFileSync(rssFile, "utf8").trim().split("\n").pop()) / 1024 } : { ms };
    } finally {
        fs.rmSync(rssFile, { force: true });
    }
}

/** The run with the median time (its peak RSS with it), of `runs`. */
function median(runs: Run[]): Run {
    const sorted = [...runs].sort((a, b) => a.ms - b.ms);
    return sorted[Math.floor(sorted.length / 2)];
}

/** Every floor run of the benchmark: the floor it reports is their median. */
const floorRuns: Run[] = [];

/**
 * `runCount` runs of `measure`, each right after a run of the floor: this machine's speed drifts by a
 * third within minutes (the floor alone took 0.57 to 0.82 s in one minute), so each ratio compares
 * runs made at the same time: the median of the measured runs over the median of their floor runs.
 */
function measured(measure: () => Run, runCount = RUNS): { run: Run; ratio: number } {
    const pairs = Array.from({ length: runCount }, () => {
        const floor = loadSdks();
        floorRuns.push(floor);
        return { floor, run: measure() };
    });
    const run = median(pairs.map((p) => p.run));
    return { run, ratio: run.ms / median(pairs.map((p) => p.floor)).ms };
}

const POLICIES_DIR = path.join(PROJECT_DIR, "policies");
/** The floor: a fresh node that loads the Pulumi SDK and the policy SDK, and nothing else. */
const loadSdks = () =>
    timeNode(["-e", `require("@pulumi/pulumi"); require(require.resolve("@pulumi/policy", { paths: [${JSON.stringify(POLICIES_DIR)}] }))`], [0]);

/** The preflight exactly as `npm run preflight` starts it; exit 1 (violations) is an answer too. */
const preflight = (args: string[]) => timeNode(["-r", "./preflight/register.js", "preflight/cli.ts", ...args, "--format", "json"], [0, 1]);

/** `count` resources: copies of the planned stack, renamed so every URN is unique and references stay inside each copy. */
function replicate(plan: RecordedResource[], count: number): RecordedResource[] {
    const [root, ...rest] = plan;
    const copies: RecordedResource[] = [root];
    for (let copy = 0; copies.length < count; copy++) {
        const rename = (urn: string) => (urn === root.urn ? urn : `${urn}-${copy}`);
        for (const r of rest) {
            if (copies.length >= count) {
                break;
            }
            copies.push({
                ...r,
                urn: rename(r.urn),
                name: `${r.name}-${copy}`,
                parent: r.parent && rename(r.parent),
                dependencies: r.dependencies.map(rename),
                propertyDependencies: Object.fromEntries(Object.entries(r.propertyDependencies).map(([k, urns]) => [k, urns.map(rename)])),
            });
        }
    }
    return copies;
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2).padStart(6)} s`;
const verdict = (ratio: number, target: number) => `(target ≤ ${target}×: ${ratio <= target ? "ok" : "SLOW"})`;

async function main() {
    const stacks = measured(() => preflight([]));
    console.log(
        `both stacks (npm run preflight):                       ${seconds(stacks.run.ms)} = ${stacks.ratio.toFixed(2)}× the floor ${verdict(stacks.ratio, STACKS_TARGET)}`,
    );

    const plan = (await planStack("production", { preview: true })).resources;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-bench-"));
    const rows: { size: number; run: Run }[] = [];
    try {
        for (const size of SIZES) {
            const file = path.join(dir, `export-${size}.json`);
            fs.writeFileSync(file, JSON.stringify(stackExport(replicate(plan, size))));
            const megabytes = fs.statSync(file).size / 1024 / 1024;
            const runCount = ONCE.has(size) ? 1 : RUNS;
            const { run, ratio } = measured(() => preflight(["--file", file, "--call-timeout", String(FILE_CALL_TIMEOUT_S)]), runCount);
            fs.rmSync(file);
            rows.push({ size, run });
            const target = size === FILE_TARGET.size ? ` ${verdict(ratio, FILE_TARGET.ratio)}` : "";
            const memory = MEMORY_SIZES.has(size) ? `, peak RSS ${run.peakMiB === undefined ? "n/a (no GNU time)" : `${run.peakMiB.toFixed(0)} MiB`}` : "";
            console.log(
                `--file, ${String(size).padStart(6)} resources (${megabytes.toFixed(1).padStart(5)} MB):       ${seconds(run.ms)} = ${ratio.toFixed(2).padStart(5)}× the floor${target}${memory}${runCount === 1 ? " (1 run)" : ""}`,
            );
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    // Cost per added resource over each step: a linear cost keeps them close.
    const steps = rows.slice(1).map((row, i) => ({ from: rows[i].size, to: row.size, perResource: (row.run.ms - rows[i].run.ms) / (row.size - rows[i].size) }));
    console.log(
        `growth per resource: ${steps.map((s) => `${s.perResource.toFixed(2)} ms (${s.from.toLocaleString("en")}→${s.to.toLocaleString("en")})`).join(", ")}`,
    );
    console.log(
        `floor (node loading @pulumi/pulumi and @pulumi/policy): ${seconds(median(floorRuns).ms)} (median of ${floorRuns.length} runs, one before each run above)`,
    );
    console.log(`(--file runs with --call-timeout ${FILE_CALL_TIMEOUT_S}: medians of ${RUNS} unless marked)`);
    const first = steps[0].perResource;
    const last = steps[steps.length - 1].perResource;
    console.log(`linearity: the last step costs ${(last / first).toFixed(2)}× the first per resource (about 1 is linear)`);
    if (hasGnuTime) {
        console.log("peak RSS: GNU time's maximum resident set of the preflight process and the pack process it reaps (the larger of the two)");
    }
}

main().catch((err: Error) => {
    console.error(`bench: ${err.message}`);
    process.exit(2);
});
