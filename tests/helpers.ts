/**
 * The one shared test helper: runs the real program, or a few components, under the platform's
 * mocks (realistic answers for availability zones, caller identity, region, partition) and queries
 * what was registered.
 */
import * as assert from "assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { preflight } from "../preflight/main";
import { planStack as planStackOffline } from "../preflight/plan";
import { ProgramError, RecordedResource, runProgram } from "../preflight/program";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** What a program or component registered, with lookups by type and name. */
export class Plan {
    constructor(
        public readonly resources: RecordedResource[],
        public readonly outputs: Record<string, unknown> = {},
    ) {}

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** Resources of `type` whose parent is the one component of `componentType`. */
    childrenOf(componentType: string, type: string): RecordedResource[] {
        const component = this.one(componentType);
        return this.ofType(type).filter((r) => r.parent === component.urn);
    }

    /** The one resource of `type` whose name ends with `suffix` (or the only one of the type). */
    one(type: string, suffix = ""): RecordedResource {
        const found = this.ofType(type).filter((r) => r.name.endsWith(suffix));
        assert.equal(found.length, 1, `expected one ${type} named *${suffix}, found: ${found.map((r) => r.name).join(", ") || "none"}`);
        return found[0];
    }

    byUrn(urn: string): RecordedResource {
        const found = this.resources.find((r) => r.urn === urn);
        assert.ok(found, `no resource ${urn}`);
        return found;
    }

    /** The resource's input with secrets unwrapped. */
    input(resource: RecordedResource, key: string): any {
        return reveal(resource.inputs[key]);
    }
}

/** True when a recorded input value is marked secret, as the engine would store it. */
export function isSecretValue(value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

function reveal(value: unknown): any {
    return isSecretValue(value) ? (value as { value: unknown }).value : value;
}

/** Freezes `value` and everything it holds, so a test that changes a shared plan fails where it does. */
function deepFreeze<T>(value: T): T {
    if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
        Object.freeze(value);
        Object.values(value).forEach(deepFreeze);
    }
    return value;
}

/** Plans by stack and overrides: the program runs once per distinct config, failed or not, for the whole suite. */
const plans = new Map<string, Promise<Plan>>();

/**
 * Plans a committed stack file with the real program; `overrides` replaces or (undefined) removes config keys.
 * Plans are shared between specs and frozen: a test that needs to change one works on a copy.
 */
export function planStack(stack: string, overrides: Record<string, string | undefined> = {}): Promise<Plan> {
    // Sorted, with removals as null (JSON drops undefined): one key per distinct config.
    const key = JSON.stringify([
        stack,
        Object.entries(overrides)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, v]) => [k, v ?? null]),
    ]);
    let plan = plans.get(key);
    if (!plan) {
        plan = planStackOffline(stack, { overrides }).then(
            (run) => deepFreeze(new Plan(run.resources, run.outputs)),
            (err: unknown) => {
                // Every caller sees the same failure, with what was registered before it left untouched.
                if (err instanceof ProgramError) {
                    deepFreeze(err.resources);
                }
                throw err;
            },
        );
        plans.set(key, plan);
    }
    return plan;
}

/** Runs `build` (which creates components) under the mocks for a stack named `stack`. */
export async function planComponents(build: () => void, stack = "test", region = "eu-west-1"): Promise<Plan> {
    const run = await runProgram({ project: "platform", stack, config: { "aws:region": region } }, () => {
        build();
    });
    return new Plan(run.resources, run.outputs);
}

/** Resolves an Output, for assertions on component outputs. */
export function resolve<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((done) => output.apply((value) => done(value)));
}

/** Whether an Output is secret. */
export function outputIsSecret(output: pulumi.Output<unknown>): Promise<boolean> {
    return (output as unknown as { isSecret: Promise<boolean> }).isSecret;
}

/**
 * The preflight command in this process: the CLI's code from its arguments to its exit code, without
 * starting Node.js and loading the program anew. Standard error holds the command's messages and
 * anything else written there during the run, as the process's would.
 */
export async function preflightInProcess(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let written = "";
    const write = process.stderr.write.bind(process.stderr);
    process.stderr.write = (chunk: string | Uint8Array) => {
        written += chunk.toString();
        return true;
    };
    try {
        const { exitCode, stdout, stderr } = await preflight(args, { color: false });
        return { code: exitCode, stdout, stderr: written + stderr.map((line) => `${line}\n`).join("") };
    } finally {
        process.stderr.write = write;
    }
}
