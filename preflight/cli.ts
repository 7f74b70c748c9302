// Entry point: parse the flags and start the policy pack first, so the pack boots while the
// program modules load and the stacks are planned. Every way out (done, failed, SIGINT, SIGTERM, an
// uncaught error) stops the pack and waits until its process is gone.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Options, parseCli, USAGE, UsageError } from "./options";
import { AnalyzerError, PolicyPackProcess, shorten, stopAllPacks } from "./pack-process";

const PACK_DIR = path.resolve(__dirname, "..", "policies");

let exiting = false;

/** Stops the packs, then exits; the first way out wins. */
function exitWith(code: number, message?: string): void {
    if (exiting) {
        return;
    }
    exiting = true;
    if (message) {
        console.error(message);
    }
    // A pack that does not go within 5 s is killed again by the exit handler of pack-process.ts.
    const giveUp = setTimeout(() => process.exit(code), 5000);
    stopAllPacks().finally(() => {
        clearTimeout(giveUp);
        process.exit(code);
    });
}

process.on("SIGINT", () => exitWith(130, "preflight: interrupted (SIGINT)"));
process.on("SIGTERM", () => exitWith(143, "preflight: terminated (SIGTERM)"));
process.on("uncaughtException", (err) => exitWith(2, `preflight: unexpected failure: ${shorten(err?.message ?? String(err), 300)}`));

/** A file the run will write: its directory must exist and take files, checked before any work. */
function checkWritable(flag: string, file: string | undefined): void {
    if (file === undefined) {
        return;
    }
    const dir = path.dirname(path.resolve(file));
    let stat: fs.Stats;
    try {
        stat = fs.statSync(dir);
    } catch {
        throw new UsageError(`${flag} ${file}: the directory ${dir} does not exist`);
    }
    if (!stat.isDirectory()) {
        throw new UsageError(`${flag} ${file}: ${dir} is not a directory`);
    }
    try {
        fs.accessSync(dir, fs.constants.W_OK);
    } catch (err) {
        throw new UsageError(`${flag} ${file}: the directory ${dir} is not writable (${(err as NodeJS.ErrnoException).code})`);
    }
}

function packDirOf(options: Options): string {
    if (!options.policyPack) {
        return PACK_DIR;
    }
    const dir = path.resolve(options.policyPack);
    if (!fs.existsSync(path.join(dir, "index.ts"))) {
        throw new UsageError(`--policy-pack ${options.policyPack}: no policy pack there (expected index.ts and PulumiPolicy.yaml)`);
    }
    return dir;
}

/** Export bytes per copy of the pack: about 1,800 resources, below which a second copy costs more to start than it saves. */
const EXPORT_BYTES_PER_PACK = 3 * 1024 * 1024;
const MAX_PACKS = 4;

/**
 * How many copies of the pack to start: one, or for a large export one per core (up to 4), so its
 * resource calls are answered in parallel. Programs' stacks are small; one pack keeps up with them.
 */
function packCount(options: Options): number {
    const size = options.file ? fs.statSync(options.file, { throwIfNoEntry: false })?.size ?? 0 : 0;
    return Math.max(1, Math.min(os.availableParallelism(), MAX_PACKS, Math.floor(size / EXPORT_BYTES_PER_PACK)));
}

async function main(argv: string[]): Promise<number> {
    const options = parseCli(argv);
    if (options.help) {
        console.log(USAGE);
        return 0;
    }
    checkWritable("--out", options.out);
    checkWritable("--export", options.exportFile);
    const packDir = packDirOf(options);
    const packs = Array.from({ length: packCount(options) }, () => PolicyPackProcess.spawn(packDir));
    try {
        const { runPreflight } = require("./run") as typeof import("./run");
        const outcome = await runPreflight(options, { packDir }, packs);
        if (!options.out) {
            // Written in full before the process exits, also into a pipe that a slow reader drains.
            await new Promise((resolve) => process.stdout.write(outcome.report, resolve));
        }
        outcome.errors.forEach((message) => console.error(`preflight: ${message}`));
        return outcome.exitCode;
    } finally {
        await Promise.all(packs.map((pack) => pack.stop()));
    }
}

/** Errors that come from what the user gave (flags, files, config) or the pack: one line, exit code 2. */
function isInputError(err: unknown): boolean {
    const { StackExportError } = require("./stack-export") as typeof import("./stack-export");
    const { PolicyConfigError } = require("./policy-config") as typeof import("./policy-config");
    const { EvidenceError } = require("../policies/evidence") as typeof import("../policies/evidence");
    const { WireError } = require("./wire") as typeof import("./wire");
    return err instanceof UsageError || err instanceof StackExportError || err instanceof PolicyConfigError || err instanceof AnalyzerError ||
        err instanceof EvidenceError || err instanceof WireError;
}

main(process.argv.slice(2)).then(
    (code) => exitWith(code),
    (err) => {
        let known = false;
        try {
            known = isInputError(err);
        } catch {
            // The modules that define the input errors failed to load: the tool's own failure.
        }
        const message = (err as Error)?.message ?? String(err);
        // Input errors may list several problems, one per line; anything else is the tool's own failure, in one line.
        exitWith(2, known ? `preflight: ${message}` : `preflight: unexpected failure: ${shorten(message, 300)}`);
    },
);
