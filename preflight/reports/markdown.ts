import { ChecklistLine, ChecklistStatus, StackReport } from "../evaluate";
import { Gate } from "../gates";
import { describeCounts, PreflightResult, verdict } from "./model";
import { markdownCode, markdownText } from "./sanitise";

const STATUS_LABEL: Record<ChecklistStatus, string> = {
    pass: "PASS",
    fail: "FAIL",
    warn: "WARN",
    error: "ERROR",
    missing: "MISSING",
    attested: "ATTESTED",
    waived: "WAIVED",
    "not-applicable": "N/A",
};

const escape = markdownText;

/** How a line is verified, and by what: the policies, the evidence files and figures, or what it still needs. */
function verification(line: ChecklistLine): string {
    if (line.verifiedBy === "plan") {
        const policies = line.policies.map(markdownCode).join(", ");
        return `plan: ${policies && line.status === "error" ? `${policies}; ${escape(line.note ?? "")}` : policies || escape(line.note ?? "")}`;
    }
    if (line.evidence.length > 0) {
        return `${line.verifiedBy}: ${line.evidence.map((e) => `${escape(e.kind)} ${markdownCode(e.file)}: ${escape(e.summary)}`).join("; ")}`;
    }
    return `${line.verifiedBy}: ${escape(line.note ?? "")}`;
}

function stackSection(stack: StackReport, gate: Gate): string[] {
    const lines = [
        `## Stack ${markdownCode(stack.stack)}: ${verdict(stack, gate).toUpperCase()} for ${gate}`,
        "",
        `${stack.resources} resources checked by ${stack.policies} policies (${escape(stack.source)}). Checklist: ${describeCounts(stack)}.`,
        "",
    ];
    lines.push(
        "<details><summary>Resources by type</summary>",
        "",
        "| Type | Count |",
        "|---|---|",
        ...[...stack.resourceTypes].map(([type, count]) => `| ${markdownCode(type)} | ${count} |`),
        "",
        "</details>",
        "",
    );
    if (stack.errors.length > 0) {
        lines.push("**Policies that could not run:**", "", ...stack.errors.map((e) => `- ${escape(e)}`), "");
    }
    const areas = [...new Set(stack.checklist.map((l) => l.area))];
    for (const area of areas) {
        lines.push(`### ${escape(area)}`, "");
        for (const line of stack.checklist.filter((l) => l.area === area)) {
            lines.push(`- **${STATUS_LABEL[line.status]}** ${line.id}: ${escape(line.text)} (${verification(line)})`);
            if (line.status === "fail" || line.status === "warn") {
                for (const v of stack.violations.filter((x) => line.policies.includes(x.policy))) {
                    lines.push(`  - ${v.enforcementLevel} ${markdownCode(v.policy)} on ${markdownCode(v.name)} (${escape(v.type)}): ${escape(v.message)}`);
                }
            }
        }
        lines.push("");
    }
    return lines;
}

/** The readiness report: the whole checklist per stack, each line's status, the violating resources under failing lines. */
export function markdownReport(result: PreflightResult): string {
    const lines = ["# Deployment readiness", ""];
    for (const stack of result.stacks) {
        lines.push(...stackSection(stack, result.gate));
    }
    for (const failure of result.failures) {
        lines.push(`## Stack ${markdownCode(failure.stack)}: ERROR`, "", ...failure.message.split("\n").map((line) => `> ${escape(line)}  `), "");
    }
    return lines.join("\n");
}
