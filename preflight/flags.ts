import { parseArgs, ParseArgsConfig } from "util";

type Flags = NonNullable<ParseArgsConfig["options"]>;

/** Parses `argv` strictly against `options`: a flag not among them, or malformed, throws `usageError` with the flags allowed. */
export function parseFlags<T extends Flags>(argv: string[], options: T, usageError: new (message: string) => Error) {
    try {
        return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
    } catch (err) {
        const allowed = Object.keys(options)
            .map((flag) => `--${flag}`)
            .join(", ");
        throw new usageError(`${(err as Error).message.split("\n")[0]}; allowed: ${allowed}`);
    }
}
