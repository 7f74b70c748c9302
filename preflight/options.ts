import { parseArgs } from "util";
import { STACKS } from "./stacks";

export const FORMATS = ["text", "json", "markdown", "sarif", "junit"] as const;
export type Format = (typeof FORMATS)[number];

export const USAGE = `Usage: npm run preflight -- [options]

Evaluates the platform program with the platform-checklist policy pack, as
\`pulumi preview --policy-pack policies\` would, with no cloud credentials and no Pulumi CLI.

  --stack NAME           staging, production or all (default: all)
  --file FILE            analyze the resources of a \`pulumi stack export\` file (deployment
                         version 3) instead of running the program
  --policy-config FILE   policy pack config (default: policies/config/<stack>.json)
  --format FORMAT        text, json, markdown, sarif or junit (default: text)
  --out FILE             write the report to FILE instead of standard output
  --export FILE          write the planned resources of one stack as a stack export
  --help                 print this help

Exit codes: 0 no mandatory violation, 1 at least one, 2 bad usage or input.`;

export class UsageError extends Error {}

export interface Options {
    stacks: string[];
    file?: string;
    policyConfig?: string;
    format: Format;
    out?: string;
    exportFile?: string;
    help: boolean;
}

export function parseCli(argv: string[]): Options {
    const allowed = "--stack, --file, --policy-config, --format, --out, --export, --help";
    let parsed;
    try {
        parsed = parseArgs({
            args: argv,
            options: {
                stack: { type: "string" },
                file: { type: "string" },
                "policy-config": { type: "string" },
                format: { type: "string", default: "text" },
                out: { type: "string" },
                export: { type: "string" },
                help: { type: "boolean", default: false },
            },
            strict: true,
            allowPositionals: false,
        });
    } catch (err) {
        throw new UsageError(`${(err as Error).message.split("\n")[0]}; allowed: ${allowed}`);
    }
    const values = parsed.values;
    const stack = values.stack ?? "all";
    if (stack !== "all" && !(STACKS as readonly string[]).includes(stack)) {
        throw new UsageError(`--stack: got "${stack}"; allowed: ${STACKS.join(", ")}, all`);
    }
    if (!(FORMATS as readonly string[]).includes(values.format as string)) {
        throw new UsageError(`--format: got "${values.format}"; allowed: ${FORMATS.join(", ")}`);
    }
    if (values.file !== undefined && values.stack !== undefined) {
        throw new UsageError("--file and --stack: give one; --file analyzes the stack the export holds");
    }
    const stacks = stack === "all" ? [...STACKS] : [stack];
    if (values.export !== undefined && (values.file !== undefined || stacks.length > 1)) {
        throw new UsageError("--export writes one planned stack: add --stack staging or --stack production (and no --file)");
    }
    return {
        stacks,
        file: values.file,
        policyConfig: values["policy-config"],
        format: values.format as Format,
        out: values.out,
        exportFile: values.export,
        help: values.help as boolean,
    };
}
