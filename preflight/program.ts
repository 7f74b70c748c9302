import * as pulumi from "@pulumi/pulumi";
import type { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { PlatformMocks } from "./mocks";

/** A resource as the program registered it with the engine: what policies and tests look at. */
export interface RecordedResource {
    urn: string;
    type: string;
    name: string;
    custom: boolean;
    parent?: string;
    provider?: string;
    /** Inputs as sent to the engine: secrets keep their secret wrapper, unknowns their sentinel. */
    inputs: Record<string, unknown>;
    dependencies: string[];
    propertyDependencies: Record<string, string[]>;
    protect: boolean;
    ignoreChanges: string[];
    /** Former URNs, and former names/types/parents, the resource answers to. */
    aliases: (string | { name?: string; type?: string; parentUrn?: string; stack?: string; project?: string })[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    additionalSecretOutputs: string[];
    deleteBeforeReplace: boolean;
    retainOnDelete: boolean;
}

export interface ProgramRun {
    resources: RecordedResource[];
    outputs: Record<string, unknown>;
}

export interface ProgramOptions {
    project: string;
    stack: string;
    /** Stack config as the CLI hands it to a program: `namespace:key` to string (JSON for structured values). */
    config: Record<string, string>;
    secretKeys?: string[];
    preview?: boolean;
    /** The project's directory (Pulumi.yaml): the program finds its stack file there, as under the engine. */
    rootDirectory?: string;
}

/** The program failed: a config error, an exception, or a failed output. */
export class ProgramError extends Error {
    constructor(
        public readonly stackName: string,
        public readonly causes: unknown[],
        /** What the program registered before it failed. */
        public readonly resources: RecordedResource[],
    ) {
        super(causes.map((c) => (c instanceof Error ? c.message : String(c))).join("\n"));
        this.name = "ProgramError";
    }
}

/** The subset of the SDK's mock monitor the recorder wraps. */
interface Monitor {
    registerResource(req: RegisterRequest, callback: (err: unknown, resp: { getUrn(): string }) => void): Promise<void>;
}
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getCustom(): boolean;
    getObject(): Struct | undefined;
    getProtect(): boolean | undefined;
    getDependenciesList(): string[];
    getProvider(): string;
    getPropertydependenciesMap(): { forEach(cb: (deps: { getUrnsList(): string[] }, key: string) => void): void };
    getDeletebeforereplace(): boolean;
    getIgnorechangesList(): string[];
    getAliasurnsList(): string[];
    getAliasesList(): {
        getUrn(): string;
        getSpec(): { getName(): string; getType(): string; getParenturn(): string; getStack(): string; getProject(): string } | undefined;
    }[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getAdditionalsecretoutputsList(): string[];
    getRetainondelete(): boolean | undefined;
}

/**
 * Runs a Pulumi program under the SDK's mocks, as the engine would run it for `pulumi preview` or
 * `pulumi up`, and records every resource it registers.
 */
export async function runProgram(options: ProgramOptions, program: () => unknown): Promise<ProgramRun> {
    const region = options.config["aws:region"] ?? "us-east-1";
    pulumi.runtime.setAllConfig(options.config, options.secretKeys ?? []);
    const preview = options.preview ?? false;
    await pulumi.runtime.setMocks(new PlatformMocks(region, preview), options.project, options.stack, preview);
    if (options.rootDirectory) {
        // The engine hands the project's directory over in PULUMI_NODEJS_ROOT_DIRECTORY, read once at start-up;
        // the mocks take no such argument, so it is set where the SDK keeps it (`pulumi.runtime.getRootDirectory()`).
        const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { settings: { options: { rootDirectory?: string } } } };
        state.getStore().settings.options.rootDirectory = options.rootDirectory;
    }

    const resources: RecordedResource[] = [];
    const monitor = pulumi.runtime.getMonitor() as unknown as Monitor;
    const register = monitor.registerResource.bind(monitor);
    // A program's run is one long chain of promises: the SDK's callbacks for finished registrations are
    // handed back one per turn of the event loop, so the pack's answers about the stack planned before (and
    // the pack's start) are read in between instead of after the whole run.
    const finished: (() => void)[] = [];
    let pacing = false;
    const handBack = () => {
        const next = finished.shift()!;
        pacing = finished.length > 0;
        if (pacing) {
            setImmediate(handBack);
        }
        next();
    };
    monitor.registerResource = (req, callback) =>
        register(req, (err, resp) => {
            if (!err) {
                resources.push(record(req, resp.getUrn()));
            }
            finished.push(() => callback(err, resp));
            if (!pacing) {
                pacing = true;
                setImmediate(handBack);
            }
        });

    // Failed outputs surface as rejections nobody awaits; the engine would fail the update on them.
    const failures: unknown[] = [];
    const onRejection = (reason: unknown) => failures.push(reason);
    process.on("unhandledRejection", onRejection);
    // The SDK takes a stack trace for every promise it tracks and at every registration; source-mapping
    // (ts-node's hook) and formatting them was most of the run time, and no report shows these traces.
    // Registrations still get their source position: the SDK lifts the frame limit for that itself.
    const errors = Error as { prepareStackTrace?: ErrorConstructor["prepareStackTrace"]; stackTraceLimit: number };
    const [prepareStackTrace, stackTraceLimit] = [errors.prepareStackTrace, errors.stackTraceLimit];
    errors.prepareStackTrace = undefined;
    errors.stackTraceLimit = 0;
    let outputs: Record<string, unknown> = {};
    try {
        outputs = (await pulumi.runtime.runInPulumiStack(async () => await program())) ?? {};
        await pulumi.runtime.disconnect();
    } catch (err) {
        failures.push(err);
    } finally {
        // Let rejections of this run settle before the handler goes.
        await new Promise((resolve) => setImmediate(resolve));
        process.off("unhandledRejection", onRejection);
        errors.prepareStackTrace = prepareStackTrace;
        errors.stackTraceLimit = stackTraceLimit;
    }
    if (failures.length > 0) {
        throw new ProgramError(options.stack, dedupe(failures), resources);
    }
    return { resources, outputs };
}

function record(req: RegisterRequest, urn: string): RecordedResource {
    const propertyDependencies: Record<string, string[]> = {};
    req.getPropertydependenciesMap().forEach((deps, key) => {
        propertyDependencies[key] = deps.getUrnsList();
    });
    return {
        urn,
        type: req.getType(),
        name: req.getName(),
        custom: req.getCustom(),
        parent: req.getParent() || undefined,
        provider: req.getProvider() || undefined,
        inputs: req.getObject()?.toJavaScript() ?? {},
        dependencies: req.getDependenciesList(),
        propertyDependencies,
        protect: req.getProtect() ?? false,
        ignoreChanges: req.getIgnorechangesList(),
        aliases: [
            ...req.getAliasurnsList(),
            ...req.getAliasesList().map((alias) => {
                const spec = alias.getSpec();
                const fields = spec
                    ? { name: spec.getName(), type: spec.getType(), parentUrn: spec.getParenturn(), stack: spec.getStack(), project: spec.getProject() }
                    : {};
                return alias.getUrn() || Object.fromEntries(Object.entries(fields).filter(([, v]) => v));
            }),
        ],
        customTimeouts: timeouts(req.getCustomtimeouts()),
        additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
        deleteBeforeReplace: req.getDeletebeforereplace(),
        retainOnDelete: req.getRetainondelete() ?? false,
    };
}

function timeouts(custom: ReturnType<RegisterRequest["getCustomtimeouts"]>): RecordedResource["customTimeouts"] {
    if (!custom) {
        return undefined;
    }
    const values = { create: custom.getCreate(), update: custom.getUpdate(), delete: custom.getDelete() };
    const given = Object.fromEntries(Object.entries(values).filter(([, v]) => v));
    return Object.keys(given).length > 0 ? given : undefined;
}

function dedupe(errors: unknown[]): unknown[] {
    const seen = new Set<string>();
    return errors.filter((e) => {
        const key = e instanceof Error ? e.message : String(e);
        return seen.has(key) ? false : (seen.add(key), true);
    });
}
