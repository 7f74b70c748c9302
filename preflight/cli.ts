import { parseArgs } from "util";
import { ConfigError } from "../components/config";
import { planStack, STACKS, StackPlan } from "./plan";
import { ProgramError } from "./program";
import { StackFileError } from "./stack-config";

const USAGE = `Usage: npm run preflight -- [--stack staging|production|all] [--help]

Plans the platform program for each stack offline (no cloud credentials, no Pulumi CLI) and
prints the resources it would create.

  --stack NAME   the stack to plan: ${STACKS.join(", ")} or all (default: all)
  --help         print this help`;

class UsageError extends Error {}

function parseCli(argv: string[]): { stacks: string[]; help: boolean } {
    let values;
    try {
        ({ values } = parseArgs({
            args: argv,
            options: { stack: { type: "string", default: "all" }, help: { type: "boolean", default: false } },
            strict: true,
            allowPositionals: false,
        }));
    } catch (err) {
        throw new UsageError(`${(err as Error).message.split("\n")[0]}; allowed: --stack staging|production|all, --help`);
    }
    const stack = values.stack as string;
    if (stack !== "all" && !(STACKS as readonly string[]).includes(stack)) {
        throw new UsageError(`--stack: got "${stack}"; allowed: ${STACKS.join(", ")}, all`);
    }
    return { stacks: stack === "all" ? [...STACKS] : [stack], help: values.help as boolean };
}

function summarize(plan: StackPlan): string {
    const counts = new Map<string, number>();
    for (const resource of plan.resources) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    const rows = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b));
    const width = Math.max(...rows.map(([type]) => type.length));
    return [
        `Stack ${plan.stack}: ${plan.resources.length} resources planned`,
        ...rows.map(([type, count]) => `  ${type.padEnd(width)}  ${String(count).padStart(3)}`),
    ].join("\n");
}

/** A stack that cannot be planned: its config or files are bad (exit 2), with the reason. */
function describeFailure(stack: string, err: unknown): string {
    const causes = err instanceof ProgramError ? err.causes : [err];
    const text = causes.map((cause) => (cause instanceof Error ? cause.message : String(cause))).join("\n");
    return `Stack ${stack} (Pulumi.${stack}.yaml) cannot be planned:\n${text}`;
}

async function main(argv: string[]): Promise<number> {
    const { stacks, help } = parseCli(argv);
    if (help) {
        console.log(USAGE);
        return 0;
    }
    let exitCode = 0;
    for (const stack of stacks) {
        try {
            console.log(summarize(await planStack(stack)));
        } catch (err) {
            const known = err instanceof ProgramError || err instanceof StackFileError || err instanceof ConfigError;
            if (!known) {
                throw err;
            }
            console.error(describeFailure(stack, err));
            exitCode = 2;
        }
    }
    return exitCode;
}

main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
        console.error(err instanceof UsageError ? `preflight: ${err.message}` : `preflight: unexpected failure: ${(err as Error).message ?? err}`);
        process.exit(2);
    },
);
