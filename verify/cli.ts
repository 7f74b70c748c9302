// Entry point of `npm run verify`: probe a deployed stack, print or write the report, exit 0/1/2.
import { ConfigError } from "../components/config";
import { StackFileError } from "../preflight/stack-config";
import { parseCli, USAGE, UsageError } from "./options";
import { UnreachableError } from "./probe";
import { runVerify } from "./run";

async function main(argv: string[]): Promise<number> {
    const options = parseCli(argv);
    if (options.help) {
        console.log(USAGE);
        return 0;
    }
    const outcome = await runVerify(options);
    process.stdout.write(options.out ? `${outcome.summary}; report written to ${options.out}\n` : outcome.report);
    return outcome.exitCode;
}

/** Errors that come from what the user gave, or a host that cannot be reached: one message, exit code 2. */
function isInputError(err: unknown): err is UsageError | UnreachableError | StackFileError | ConfigError {
    return err instanceof UsageError || err instanceof UnreachableError || err instanceof StackFileError || err instanceof ConfigError;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error(isInputError(err) ? `verify: ${err.message}` : `verify: unexpected failure: ${(err as Error)?.message ?? err}`);
        process.exit(2);
    },
);
