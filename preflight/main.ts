// What the preflight command does with its arguments, without the process around it (signals, exit):
// the CLI runs it, and the tests run it in-process against the same code. Kept free of heavy imports so
// the pack starts before the program modules load.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Options, parseCli, USAGE, UsageError } from "./options";
import { AnalyzerError, PolicyPackProcess, shorten } from "./pack-process";

const PACK_DIR = path.resolve(__dirname, "..", "policies");

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
    const size = options.file ? (fs.statSync(options.file, { throwIfNoEntry: false })?.size ?? 0) : 0;
    return Math.max(1, Math.min(os.availableParallelism(), MAX_PACKS, Math.floor(size / EXPORT_BYTES_PER_PACK)));
}

/** Errors that come from what the user gave (flags, files, config) or the pack: one line, exit code 2. */
function isInputError(err: unknown): boolean {
    const { StackExportError } = require("./stack-export") as typeof import("./stack-export");
    const { PolicyConfigError } = require("./policy-config") as typeof import("./policy-config");
    const { EvidenceError } = require("../policies/evidence") as typeof import("../policies/evidence");
    const { WireError } = require("./wire") as typeof import("./wire");
    return (
        err instanceof UsageError ||
        err instanceof StackExportError ||
        err instanceof PolicyConfigError ||
        err instanceof AnalyzerError ||
        err instanceof EvidenceError ||
        err instanceof WireError
    );
}

/** What a run gives back: the exit code, what goes to standard output (nothing with --out), and the lines for standard error. */
export interface CliOutcome {
    exitCode: number;
    stdout: string;
    stderr: string[];
}

export interface CliSettings {
    /** Colour the text report; by default when standard output is a terminal and NO_COLOR is unset. */
    color?: boolean;
}

async function run(argv: string[], settings: CliSettings): Promise<CliOutcome> {
    const options = parseCli(argv);
    if (options.help) {
        return { exitCode: 0, stdout: `${USAGE}\n`, stderr: [] };
    }
    checkWritable("--out", options.out);
    checkWritable("--export", options.exportFile);
    const packDir = packDirOf(options);
    const packs = Array.from({ length: packCount(options) }, () => PolicyPackProcess.spawn(packDir));
    try {
        const { runPreflight } = require("./run") as typeof import("./run");
        const outcome = await runPreflight(options, { packDir }, packs, settings.color);
        return { exitCode: outcome.exitCode, stdout: options.out ? "" : outcome.report, stderr: outcome.errors.map((message) => `preflight: ${message}`) };
    } finally {
        await Promise.all(packs.map((pack) => pack.stop()));
    }
}

/** Runs the preflight for the command line `argv`; any failure becomes exit code 2 with one message. */
export async function preflight(argv: string[], settings: CliSettings = {}): Promise<CliOutcome> {
    try {
        return await run(argv, settings);
    } catch (err) {
        let known = false;
        try {
            known = isInputError(err);
        } catch {
            // The modules that define the input errors failed to load: the tool's own failure.
        }
        const message = (err as Error)?.message ?? String(err);
        // Input errors may list several problems, one per line; anything else is the tool's own failure, in one line.
        return { exitCode: 2, stdout: "", stderr: [known ? `preflight: ${message}` : `preflight: unexpected failure: ${shorten(message, 300)}`] };
    }
}
