import * as fs from "fs";
import * as path from "path";
import { VERIFY_TOOL } from "../policies/evidence/records";
import { readInputFile } from "../preflight/input-file";
import { judge } from "./checks";
import { Client } from "./client";
import { UsageError, VerifyOptions } from "./options";
import { observe, plannedRequests } from "./probe";
import { render, summary, VerifyRecord } from "./report";
import { resolveTarget } from "./target";

/** The project root: where Pulumi.yaml and the stack files live. */
export const PROJECT_DIR = path.resolve(__dirname, "..");

export interface VerifyOutcome {
    /** 0 every check passed or was skipped, 1 a check failed. */
    exitCode: number;
    record: VerifyRecord;
    /** The report in the requested format (already written when `--out` was given). */
    report: string;
    /** One line: the counts per status and the requests made. */
    summary: string;
}

/**
 * Probes the target the options name and judges every check. Throws UsageError, StackFileError or
 * ConfigError for bad input and UnreachableError when the host cannot be reached: exit code 2.
 */
export async function runVerify(options: VerifyOptions, projectDir = PROJECT_DIR): Promise<VerifyOutcome> {
    const target = resolveTarget(options, projectDir);
    const client = new Client(options.timeoutSeconds * 1000, options.ca === undefined ? undefined : readCa(options.ca));
    const planned = plannedRequests(target, options.rateLimitProbe);
    const checkedAt = new Date();
    const observed = await observe(client, target, options.rateLimitProbe);
    const checks = judge(observed, { target, certMinDays: options.certMinDays, rateLimitProbe: options.rateLimitProbe, now: checkedAt });
    const record: VerifyRecord = { tool: VERIFY_TOOL, version: 1, url: target.url.href, checkedAt: checkedAt.toISOString(), requests: client.requests, checks };
    const context = { stack: target.stack, plannedRequests: planned };
    const report = render(record, options.format, context);
    if (options.out) {
        try {
            fs.writeFileSync(options.out, report);
        } catch (err) {
            throw new UsageError(`--out: cannot write ${options.out}: ${(err as Error).message}`);
        }
    }
    return { exitCode: checks.some((c) => c.status === "fail") ? 1 : 0, record, report, summary: summary(record, context) };
}

function readCa(file: string): string {
    const pem = readInputFile(file, (reason) => new UsageError(`--ca: cannot read ${file}: ${reason}`));
    if (!pem.includes("-----BEGIN CERTIFICATE-----")) {
        throw new UsageError(`--ca: ${file} holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)`);
    }
    return pem;
}
