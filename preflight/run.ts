import * as fs from "fs";
import * as path from "path";
import { ConfigError } from "../components/config";
import { AnalyzerProcess } from "./analyzer";
import { evaluateStack } from "./evaluate";
import { Format, Options, UsageError } from "./options";
import { PolicyPackProcess } from "./pack-process";
import { planStack } from "./plan";
import { readPolicyConfigFile, resolvePolicyConfig } from "./policy-config";
import { ProgramError, RecordedResource } from "./program";
import { jsonReport } from "./reports/json";
import { junitReport } from "./reports/junit";
import { markdownReport } from "./reports/markdown";
import { mandatory, PreflightResult } from "./reports/model";
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

async function plan(options: Options, projectDir?: string): Promise<Target[]> {
    if (options.file) {
        const exported = readStackExport(options.file);
        return [{ stack: exported.stack, source: options.file, resources: exported.resources }];
    }
    const targets: Target[] = [];
    for (const stack of options.stacks) {
        const source = `Pulumi.${stack}.yaml`;
        try {
            targets.push({ stack, source, resources: (await planStack(stack, { preview: true, projectDir })).resources });
        } catch (err) {
            const failure = inputFailure(err);
            if (failure === undefined) {
                throw err;
            }
            targets.push({ stack, source, failure: `${source}: ${failure}` });
        }
    }
    return targets;
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

export interface PreflightOutcome {
    /** 0 ready, 1 a mandatory violation, 2 bad input or a stack that could not be evaluated. */
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

/** Plans every requested stack (or reads the export), then evaluates each with the policy pack and renders the report. */
export async function runPreflight(options: Options, { packDir, projectDir }: Locations, started: PolicyPackProcess): Promise<PreflightOutcome> {
    const targets = await plan(options, projectDir);
    const analyzer = await AnalyzerProcess.connect(started);
    try {
        const pack = await analyzer.info();
        const result: PreflightResult = { pack, stacks: [], failures: [] };
        for (const target of targets) {
            if (!target.resources) {
                result.failures.push({ stack: target.stack, message: target.failure ?? "no resources" });
                continue;
            }
            const configFile = policyConfigFile(options, packDir, target.stack);
            const config = resolvePolicyConfig(pack, readPolicyConfigFile(configFile), path.relative(process.cwd(), configFile));
            result.stacks.push(await evaluateStack(analyzer, pack, config, target.stack, target.source, target.resources));
            if (options.exportFile) {
                fs.writeFileSync(options.exportFile, `${JSON.stringify(stackExport(target.resources), null, 2)}\n`);
            }
        }
        const color = options.format === "text" && !options.out && process.stdout.isTTY === true && !process.env.NO_COLOR;
        const report = render(result, options.format, color);
        if (options.out) {
            fs.writeFileSync(options.out, report);
        }
        const errors = [
            ...result.failures.map((f) => `stack ${f.stack} cannot be evaluated: ${f.message.split("\n").join("\n  ")}`),
            ...result.stacks.filter((s) => s.errors.length > 0).map((s) => `stack ${s.stack}: ${s.errors.length} policy call(s) failed; see the report`),
        ];
        const exitCode = errors.length > 0 ? 2 : result.stacks.some((s) => mandatory(s.violations).length > 0) ? 1 : 0;
        return { exitCode, report, errors };
    } finally {
        analyzer.stop();
    }
}
