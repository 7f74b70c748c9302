// Entry point: parse the flags and start the policy pack first, so the pack boots while the
// program modules load and the stacks are planned.
import * as path from "path";
import { parseCli, USAGE, UsageError } from "./options";
import { AnalyzerError, PolicyPackProcess } from "./pack-process";

const PACK_DIR = path.resolve(__dirname, "..", "policies");

async function main(argv: string[]): Promise<number> {
    const options = parseCli(argv);
    if (options.help) {
        console.log(USAGE);
        return 0;
    }
    const pack = PolicyPackProcess.spawn(PACK_DIR);
    try {
        const { runPreflight } = require("./run") as typeof import("./run");
        const outcome = await runPreflight(options, { packDir: PACK_DIR }, pack);
        if (!options.out) {
            process.stdout.write(outcome.report);
        }
        outcome.errors.forEach((message) => console.error(`preflight: ${message}`));
        return outcome.exitCode;
    } finally {
        pack.kill();
    }
}

/** Errors that come from what the user gave (flags, files, config): one line, exit code 2. */
function isInputError(err: unknown): boolean {
    const { StackExportError } = require("./stack-export") as typeof import("./stack-export");
    const { PolicyConfigError } = require("./policy-config") as typeof import("./policy-config");
    const { EvidenceError } = require("../policies/evidence") as typeof import("../policies/evidence");
    return err instanceof UsageError || err instanceof StackExportError || err instanceof PolicyConfigError || err instanceof AnalyzerError ||
        err instanceof EvidenceError;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error(isInputError(err) ? `preflight: ${err.message}` : `preflight: unexpected failure: ${(err as Error)?.message ?? err}`);
        process.exit(2);
    },
);
