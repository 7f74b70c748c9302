// `npm run bench`: wall time of the preflight of both stacks, and of --file on generated exports of
// growing size, with the growth per resource. A benchmark, not a test: it prints figures.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { planStack, PROJECT_DIR } from "./plan";
import { RecordedResource } from "./program";
import { stackExport } from "./stack-export";

const SIZES = [100, 1000, 5000];
const RUNS = 3;

function timeCli(args: string[]): number {
    const started = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [require.resolve("ts-node/dist/bin"), "--swc", path.join(PROJECT_DIR, "preflight", "cli.ts"), ...args, "--format", "json"], {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        maxBuffer: 512 * 1024 * 1024,
    });
    if (result.status !== 0 && result.status !== 1) {
        throw new Error(`preflight ${args.join(" ")} exited ${result.status}: ${result.stderr}`);
    }
    return Number(process.hrtime.bigint() - started) / 1e6;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

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

async function main() {
    const stacks = median(Array.from({ length: RUNS }, () => timeCli([])));
    console.log(`preflight of both stacks (program + pack): ${stacks.toFixed(0)} ms (median of ${RUNS}; target < 5000 ms) ${stacks < 5000 ? "ok" : "SLOW"}`);

    const plan = (await planStack("production", { preview: true })).resources;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-bench-"));
    const rows: { size: number; ms: number }[] = [];
    try {
        for (const size of SIZES) {
            const file = path.join(dir, `export-${size}.json`);
            fs.writeFileSync(file, JSON.stringify(stackExport(replicate(plan, size))));
            const ms = median(Array.from({ length: RUNS }, () => timeCli(["--file", file])));
            rows.push({ size, ms });
            console.log(`--file with ${String(size).padStart(5)} resources: ${ms.toFixed(0).padStart(6)} ms, ${(ms / size).toFixed(2)} ms per resource`);
        }
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    const at = (size: number) => rows.find((r) => r.size === size)!.ms;
    // Growth per added resource over each step; a linear cost keeps them close.
    const early = (at(1000) - at(100)) / 900;
    const late = (at(5000) - at(1000)) / 4000;
    console.log(`growth: ${early.toFixed(2)} ms per resource from 100 to 1,000, ${late.toFixed(2)} from 1,000 to 5,000 ` +
        `(ratio ${(late / early).toFixed(2)}; about 1 is linear)`);
    console.log(`1,000 resources: ${at(1000).toFixed(0)} ms (target < 5000 ms) ${at(1000) < 5000 ? "ok" : "SLOW"}`);
}

main().catch((err) => {
    console.error(`bench: ${err.message}`);
    process.exit(2);
});
