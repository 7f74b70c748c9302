import * as assert from "assert/strict";
import { spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PROJECT_DIR } from "../../preflight/plan";
import { stackExport } from "../../preflight/stack-export";
import { legacyDataStack } from "./fixtures";

interface Finished {
    code: number | null;
    stderr: string;
}

/** The preflight as `npm run preflight` starts it, compiling into `cacheDir`; resolves when it has exited. */
function preflight(cacheDir: string, args: string[]): Promise<Finished> {
    const child = spawn(process.execPath, ["-r", "./preflight/register.js", "preflight/cli.ts", ...args], {
        cwd: PROJECT_DIR,
        env: { ...process.env, NO_COLOR: "1", PREFLIGHT_CACHE_DIR: cacheDir },
        stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stderr })));
}

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
    return fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

/** Processes started with `cacheDir` in their environment: packs a preflight left behind. */
function processesWith(cacheDir: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .filter((entry) => {
            try {
                return fs.readFileSync(`/proc/${entry}/environ`, "utf8").includes(`PREFLIGHT_CACHE_DIR=${cacheDir}`);
            } catch {
                return false;
            }
        })
        .map(Number);
}

describe("two preflights at once in one checkout", function () {
    this.timeout(300000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-concurrent-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("compile into one empty cache, each write its own report and export, and neither sees the other's", async () => {
        const cacheDir = path.join(dir, "cache");
        const exportFile = path.join(dir, "legacy.json");
        fs.writeFileSync(exportFile, JSON.stringify(stackExport(legacyDataStack())));
        const out = path.join(dir, "out");
        fs.mkdirSync(out);
        const [program, file] = await Promise.all([
            preflight(cacheDir, [
                "--stack",
                "staging",
                "--format",
                "json",
                "--out",
                path.join(out, "staging.json"),
                "--export",
                path.join(out, "staging-export.json"),
            ]),
            preflight(cacheDir, ["--file", exportFile, "--format", "junit", "--out", path.join(out, "legacy.xml")]),
        ]);

        assert.equal(program.code, 0, program.stderr);
        const staging = JSON.parse(fs.readFileSync(path.join(out, "staging.json"), "utf8")).stacks;
        assert.deepEqual(
            staging.map((s: { stack: string }) => s.stack),
            ["staging"],
        );
        assert.equal(staging[0].errors, undefined, "no policy failed");
        const exported = JSON.parse(fs.readFileSync(path.join(out, "staging-export.json"), "utf8"));
        assert.equal(exported.deployment.resources.length, staging[0].resources);
        assert.ok(exported.deployment.resources.every((r: { urn: string }) => r.urn.startsWith("urn:pulumi:staging::")));

        // The legacy stack breaks mandatory policies: exit 1 and its own report, of its own stack only.
        assert.equal(file.code, 1, file.stderr);
        const junit = fs.readFileSync(path.join(out, "legacy.xml"), "utf8");
        assert.match(junit, /<testsuite [^>]*name="production"/);
        assert.doesNotMatch(junit, /staging/);

        // Written whole by rename: no temporary file is left, in the output directory or in the cache both filled.
        assert.deepEqual(filesUnder(out).sort(), ["legacy.xml", "staging-export.json", "staging.json"]);
        const cached = filesUnder(cacheDir);
        assert.ok(cached.length > 50, `the cache holds ${cached.length} files`);
        assert.deepEqual(
            cached.filter((f) => !f.endsWith(".js")),
            [],
        );
        assert.deepEqual(processesWith(cacheDir), []);
    });
});
