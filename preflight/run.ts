import { randomBytes } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config";
import { isCalendarDate } from "../policies/lib/dates";
import { criteriaProblems, evidenceOf, judgeRelease, ReleaseEvidenceSettings } from "../policies/readiness/release";
import { PROJECT_ROOT } from "../policies/rules/release";
import { AnalyzerPool, PackInfo, PolicyAnalyzer, ResolvedPolicyConfig } from "./analyzer";
import { evaluateStack } from "./evaluate";
import { Format, Options, UsageError } from "./options";
import { PackFailure, PolicyPackProcess } from "./pack-process";
import { planStack } from "./plan";
import { PolicyConfigError, readPolicyConfigFile, resolvePolicyConfig } from "./policy-config";
import { ProgramError, RecordedResource } from "./program";
import { jsonReport } from "./reports/json";
import { junitReport } from "./reports/junit";
import { markdownReport } from "./reports/markdown";
import { PreflightResult, verdict } from "./reports/model";
import { sarifReport } from "./reports/sarif";
import { textReport } from "./reports/text";
import { StackFileError } from "./stack-config";
import { readStackExport, stackExport } from "./stack-export";

/** What to evaluate: a stack's resources, from its program or an export file, or why there are none. */
interface Target {
    stack: string;
    source: string;
    resources?: RecordedResource[];
    failure?: string;
}

/** A stack that cannot be evaluated because of its input: its message, or undefined for anything else. */
function inputFailure(err: unknown): string | undefined {
    if (err instanceof ProgramError) {
        return err.causes.map((c) => (c instanceof Error ? c.message : String(c))).join("\n");
    }
    if (err instanceof StackFileError || err instanceof ConfigError) {
        return err.message;
    }
    return undefined;
}

/** One stack's resources from its program, or why it could not be planned; an export is read before this. */
async function planTarget(options: Options, stack: string, projectDir?: string): Promise<Target> {
    const source = `Pulumi.${stack}.yaml`;
    try {
        // Review sees a first preview (outputs of new resources unknown); a deploy updates a stack whose resources exist,
        // so the release gate judges the plan with their outputs known, as `pulumi preview` of that update does.
        const preview = options.gate === "plan";
        return { stack, source, resources: (await planStack(stack, { preview, projectDir })).resources };
    } catch (err) {
        const failure = inputFailure(err);
        if (failure === undefined) {
            throw err;
        }
        return { stack, source, failure: `${source}: ${failure}` };
    }
}

const RELEASE_EVIDENCE = "release-evidence";

/** The release-evidence settings for a stack: the policy config's, with the command line's directories, day and gate. */
function releaseSettings(options: Options, config: ResolvedPolicyConfig, source: string): ReleaseEvidenceSettings {
    const configured = (config[RELEASE_EVIDENCE]?.properties ?? {}) as Partial<ReleaseEvidenceSettings>;
    const problems = criteriaProblems(configured.criteria ?? {});
    if (problems.length > 0) {
        throw new PolicyConfigError(
            source,
            problems.map((p) => `${RELEASE_EVIDENCE}.${p}`),
        );
    }
    if (configured.asOf !== undefined && !isCalendarDate(configured.asOf)) {
        throw new PolicyConfigError(source, [`${RELEASE_EVIDENCE}.asOf: ${JSON.stringify(configured.asOf)} is not a date (YYYY-MM-DD)`]);
    }
    return {
        // Directories from the command line are the user's, from the working directory; the config's are the project's.
        evidenceDirs:
            options.evidenceDirs.length > 0
                ? options.evidenceDirs.map((dir) => path.resolve(dir))
                : (configured.evidenceDirs ?? []).map((dir) => path.resolve(PROJECT_ROOT, dir)),
        asOf: options.asOf ?? configured.asOf,
        gate: options.gate,
        criteria: configured.criteria ?? {},
    };
}

function policyConfigFile(options: Options, packDir: string, stack: string): string {
    if (options.policyConfig) {
        return options.policyConfig;
    }
    const file = path.join(packDir, "config", `${stack}.json`);
    if (!fs.existsSync(file)) {
        throw new UsageError(`no policy config for stack "${stack}" (${path.relative(process.cwd(), file)}); pass --policy-config FILE`);
    }
    return file;
}

function render(result: PreflightResult, format: Format, color: boolean): string {
    switch (format) {
        case "json":
            return jsonReport(result);
        case "markdown":
            return markdownReport(result);
        case "sarif":
            return sarifReport(result);
        case "junit":
            return junitReport(result);
        default:
            return textReport(result, color);
    }
}

/** Writes `file` whole or not at all: a reader (or a second preflight writing it too) never sees half a report. */
async function writeFileAtomically(file: string, text: string): Promise<void> {
    const temporary = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
    try {
        await fs.promises.writeFile(temporary, text);
        await fs.promises.rename(temporary, file);
    } finally {
        await fs.promises.rm(temporary, { force: true });
    }
}

export interface PreflightOutcome {
    /** 0 ready for the gate, 1 a mandatory violation or (release gate) an unverified requirement, 2 bad input or a stack that could not be evaluated. */
    exitCode: number;
    /** The report in the requested format (already written when `--out` was given). */
    report: string;
    /** One message per stack that could not be evaluated, for standard error. */
    errors: string[];
}

export interface Locations {
    packDir: string;
    projectDir?: string;
}

/** The pack, connected, with what it says of itself and every stack's policy config, checked. */
interface Prepared {
    analyzer: PolicyAnalyzer;
    pack: PackInfo;
    configs: Map<string, { config: ResolvedPolicyConfig; configSource: string; settings: ReleaseEvidenceSettings }>;
}

async function prepare(options: Options, packDir: string, started: PolicyPackProcess[], stacks: string[]): Promise<Prepared> {
    const analyzer = await AnalyzerPool.connect(started, options.callTimeoutMs);
    try {
        const pack = await analyzer.info();
        // Every stack's policy config is checked before the first call that analyzes anything.
        const configs = new Map(
            stacks.map((stack) => {
                const configFile = policyConfigFile(options, packDir, stack);
                const configSource = path.relative(process.cwd(), configFile);
                const config = resolvePolicyConfig(pack, readPolicyConfigFile(configFile), configSource);
                return [stack, { config, configSource, settings: releaseSettings(options, config, configSource) }];
            }),
        );
        return { analyzer, pack, configs };
    } catch (err) {
        await analyzer.stop();
        throw err;
    }
}

/**
 * Plans every requested stack (or reads the export), then evaluates each with the policy pack and renders the report.
 * A stack is evaluated while the next one is planned: the pack works in its own process while the program runs in this one.
 * Given several copies of the pack (`started`), a stack's resource calls are shared among them.
 */
export async function runPreflight(
    options: Options,
    { packDir, projectDir }: Locations,
    started: PolicyPackProcess | PolicyPackProcess[],
    color = process.stdout.isTTY === true && !process.env.NO_COLOR,
): Promise<PreflightOutcome> {
    // An export is read, and refused when it is not one, before anything waits for the pack.
    const exported = options.file ? readStackExport(options.file) : undefined;
    const stacks = exported ? [exported.stack] : options.stacks;
    const ready = prepare(options, packDir, Array.isArray(started) ? started : [started], stacks);
    // Awaited before the first evaluation; a failure meanwhile must not count as unhandled (the program's run watches for those).
    ready.catch(() => undefined);
    const result: PreflightResult = { pack: { name: "", version: "", policies: [] }, gate: options.gate, stacks: [], failures: [] };
    let packFailure: PackFailure | undefined;

    const evaluate = async (target: Target, sent: () => void): Promise<void> => {
        const { analyzer, pack, configs } = await ready;
        result.pack = pack;
        const prepared = configs.get(target.stack);
        if (!target.resources || !prepared) {
            result.failures.push({ stack: target.stack, message: target.failure ?? "no resources" });
            return;
        }
        if (packFailure) {
            result.failures.push({ stack: target.stack, message: `not evaluated: ${packFailure.message}` });
            return;
        }
        const { config, configSource, settings } = prepared;
        const enabled = Object.values(config).filter((c) => c.enforcementLevel !== "disabled").length;
        if (enabled === 0) {
            result.failures.push({ stack: target.stack, message: `${configSource} disables every policy: nothing would be checked` });
            return;
        }
        const { evidence, ignored } = evidenceOf(settings, process.cwd());
        // The pack's release-evidence policy would repeat, as violations, what the checklist lines below show.
        const analysed = { ...config, [RELEASE_EVIDENCE]: { ...config[RELEASE_EVIDENCE], enforcementLevel: "disabled" as const } };
        let report;
        try {
            report = await evaluateStack(analyzer, pack, analysed, target.stack, target.source, target.resources, sent);
        } catch (err) {
            if (!(err instanceof PackFailure)) {
                throw err;
            }
            packFailure = err;
            result.failures.push({ stack: target.stack, message: err.message });
            return;
        }
        const verdicts = judgeRelease(
            target.stack,
            target.resources.map((r) => ({ type: r.type, props: r.inputs })),
            evidence,
            settings,
        );
        result.stacks.push({
            ...report,
            evidenceRead: evidence.length,
            evidenceIgnored: ignored,
            checklist: report.checklist.map((line) => {
                const judged = verdicts.get(line.id)?.judgement;
                // A requirement whose policy could not run stays an error, whatever else is known of it.
                return judged && line.status !== "error" ? { ...line, status: judged.status, evidence: judged.evidence, note: judged.note } : line;
            }),
        });
        if (options.exportFile) {
            await writeFileAtomically(options.exportFile, `${JSON.stringify(stackExport(target.resources), null, 2)}\n`);
        }
    };

    // Evaluations run one after another (the pack holds one stack's config at a time), each while the next stack plans.
    let evaluated: Promise<void> = ready.then(() => undefined);
    let packReady = false;
    void ready.then(
        () => (packReady = true),
        () => undefined,
    );
    let unfinished = 0;
    try {
        for (const stack of stacks) {
            const target = exported ? { stack, source: options.file!, resources: exported.resources } : await planTarget(options, stack, projectDir);
            let markSent = () => {};
            const sent = new Promise<void>((resolve) => (markSent = resolve));
            const waitForSent = packReady && unfinished === 0;
            unfinished++;
            evaluated = evaluated.then(() => evaluate(target, markSent)).finally(() => (unfinished--, markSent()));
            evaluated.catch(() => undefined);
            // When the pack can take this stack's calls now, they are sent before the next program runs: a program
            // constructs its resources without a turn of the event loop, and calls not sent by then would wait for it.
            if (waitForSent) {
                await sent;
            }
        }
        await evaluated;
    } finally {
        const prepared = await ready.catch(() => undefined);
        await prepared?.analyzer.stop();
    }
    const report = render(result, options.format, color && options.format === "text" && !options.out);
    if (options.out) {
        await writeFileAtomically(options.out, report);
    }
    const errors = [
        ...result.failures.map((f) => `stack ${f.stack} cannot be evaluated: ${f.message.split("\n").join("\n  ")}`),
        ...result.stacks.filter((s) => s.errors.length > 0).map((s) => `stack ${s.stack}: ${s.errors.length} policy call(s) failed; see the report`),
    ];
    const exitCode = errors.length > 0 ? 2 : result.stacks.some((s) => verdict(s, options.gate) !== "ready") ? 1 : 0;
    return { exitCode, report, errors };
}
