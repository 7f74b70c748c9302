import { ParseArgsConfig } from "util";
import { isCalendarDate } from "../policies/lib/dates";
import { Gate, GATES } from "./gates";
import { STACKS } from "./stacks";
import { parseFlags } from "./flags";

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
  --gate GATE            plan (review: the plan's rules hold) or release (deploy: every
                         requirement passes, is attested or waived) (default: plan)
  --evidence DIR         a directory of release artifacts (test reports, scans, load tests,
                         verify reports, drill, sign-off and attestation records); repeatable;
                         default: release-evidence.evidenceDirs of the policy config
  --as-of YYYY-MM-DD     the day evidence is judged on: its age, expiries (default: today)
  --policy-pack DIR      the policy pack to run (default: policies)
  --call-timeout SECONDS how long each call to the policy pack may take (default: 60)
  --help                 print this help

Exit codes: 0 the gate's requirements hold, 1 a mandatory violation or (release gate) a
requirement failing or unverified, 2 bad usage or input, a policy that could not run, or a
failure of the preflight itself.`;

export class UsageError extends Error {}

export interface Options {
    stacks: string[];
    file?: string;
    policyConfig?: string;
    format: Format;
    out?: string;
    exportFile?: string;
    gate: Gate;
    evidenceDirs: string[];
    asOf?: string;
    /** The pack's directory, when not the project's own. */
    policyPack?: string;
    /** The deadline of each call to the pack. */
    callTimeoutMs?: number;
    help: boolean;
}

/** The command line's flags: parsed by node's parseArgs, and listed when one is unknown. */
const OPTIONS = {
    stack: { type: "string" },
    file: { type: "string" },
    "policy-config": { type: "string" },
    format: { type: "string", default: "text" },
    out: { type: "string" },
    export: { type: "string" },
    gate: { type: "string", default: "plan" },
    evidence: { type: "string", multiple: true, default: [] },
    "as-of": { type: "string" },
    "policy-pack": { type: "string" },
    "call-timeout": { type: "string" },
    help: { type: "boolean", default: false },
} satisfies NonNullable<ParseArgsConfig["options"]>;

export function parseCli(argv: string[]): Options {
    const values = parseFlags(argv, OPTIONS, UsageError);
    const stack = values.stack ?? "all";
    if (stack !== "all" && !(STACKS as readonly string[]).includes(stack)) {
        throw new UsageError(`--stack: got "${stack}"; allowed: ${STACKS.join(", ")}, all`);
    }
    if (!(FORMATS as readonly string[]).includes(values.format)) {
        throw new UsageError(`--format: got "${values.format}"; allowed: ${FORMATS.join(", ")}`);
    }
    if (!(GATES as readonly string[]).includes(values.gate)) {
        throw new UsageError(`--gate: got "${values.gate}"; allowed: ${GATES.join(", ")}`);
    }
    const asOf = values["as-of"];
    if (asOf !== undefined && !isCalendarDate(asOf)) {
        throw new UsageError(`--as-of: got ${JSON.stringify(asOf.slice(0, 40))}; expected a date like 2026-12-01`);
    }
    if (values.file !== undefined && values.stack !== undefined) {
        throw new UsageError("--file and --stack: give one; --file analyzes the stack the export holds");
    }
    const timeout = values["call-timeout"];
    const seconds = timeout === undefined ? undefined : Number(timeout);
    if (seconds !== undefined && !(Number.isFinite(seconds) && seconds > 0 && seconds <= 86400)) {
        throw new UsageError(`--call-timeout: got ${JSON.stringify(timeout!.slice(0, 40))}; expected a number of seconds above 0 (at most 86400)`);
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
        gate: values.gate as Gate,
        evidenceDirs: values.evidence,
        asOf,
        policyPack: values["policy-pack"],
        callTimeoutMs: seconds === undefined ? undefined : seconds * 1000,
        help: values.help,
    };
}
