import { VERIFY_TOOL } from "../policies/evidence/records";
import { CheckResult } from "./checks";
import { Format } from "./options";
import { xml } from "../preflight/reports/xml";

/** The verify record: release evidence (policies/evidence/records.ts `readVerify` reads it back). */
export interface VerifyRecord {
    tool: typeof VERIFY_TOOL;
    version: 1;
    url: string;
    checkedAt: string;
    requests: number;
    checks: CheckResult[];
}

/** What the report adds to the record for people: the stack and the planned number of requests. */
export interface ReportContext {
    stack?: string;
    plannedRequests: number;
}

export function summary(record: VerifyRecord, { plannedRequests }: ReportContext): string {
    const count = (status: string) => record.checks.filter((c) => c.status === status).length;
    return (
        `${record.checks.length} checks: ${count("pass")} passed, ${count("fail")} failed, ${count("skip")} skipped; ` +
        `${record.requests} requests (at most ${plannedRequests} planned)`
    );
}

export function render(record: VerifyRecord, format: Format, context: ReportContext): string {
    switch (format) {
        case "json":
            return `${JSON.stringify(record, null, 2)}\n`;
        case "markdown":
            return markdown(record, context);
        case "junit":
            return junit(record, context);
        default:
            return text(record, context);
    }
}

const LABEL = { pass: "PASS", fail: "FAIL", skip: "SKIP" } as const;

function heading(record: VerifyRecord, { stack }: ReportContext): string {
    return `${record.url}${stack ? ` (stack ${stack})` : ""} at ${record.checkedAt}`;
}

function text(record: VerifyRecord, context: ReportContext): string {
    const width = Math.max(...record.checks.map((c) => c.id.length));
    return [
        `Verify ${heading(record, context)}`,
        ...record.checks.map((c) => `  ${LABEL[c.status]} ${c.id.padEnd(width)}  ${c.message}`),
        summary(record, context),
        "",
    ].join("\n");
}

const cell = (text: string) => text.replace(/([|*_`<>[\]\\])/g, "\\$1").replace(/\n/g, " ");

function markdown(record: VerifyRecord, context: ReportContext): string {
    return [
        `# Verify ${cell(heading(record, context))}`,
        "",
        "| Check | Status | Observed |",
        "|---|---|---|",
        ...record.checks.map((c) => `| \`${c.id}\` | **${LABEL[c.status]}** | ${cell(c.message)} |`),
        "",
        summary(record, context),
        "",
    ].join("\n");
}

/** A test suite for the probe, a test case per check: failures fail, skips are skipped, the observation is each case's output. */
function junit(record: VerifyRecord, context: ReportContext): string {
    const failures = record.checks.filter((c) => c.status === "fail").length;
    const skipped = record.checks.filter((c) => c.status === "skip").length;
    const cases = record.checks.map((c) => {
        const open = `    <testcase classname="${VERIFY_TOOL}" name="${xml(c.id)}">`;
        const body =
            c.status === "fail"
                ? `      <failure type="fail" message="${xml(c.message)}"/>`
                : c.status === "skip"
                  ? `      <skipped message="${xml(c.message)}"/>`
                  : `      <system-out>${xml(c.message)}</system-out>`;
        return `${open}\n${body}\n    </testcase>`;
    });
    return [
        '<?xml version="1.0" encoding="UTF-8"?>',
        `<testsuites name="${xml(`${VERIFY_TOOL} ${heading(record, context)}`)}">`,
        `  <testsuite name="${xml(record.url)}" tests="${record.checks.length}" failures="${failures}" skipped="${skipped}" errors="0" timestamp="${xml(record.checkedAt)}">`,
        ...cases,
        "  </testsuite>",
        "</testsuites>",
        "",
    ].join("\n");
}
