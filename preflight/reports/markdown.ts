import { ChecklistLine, ChecklistStatus, StackReport } from "../evaluate";
import { describeCounts, Gate, PreflightResult, verdict } from "./model";

const STATUS_LABEL: Record<ChecklistStatus, string> = {
    pass: "PASS", fail: "FAIL", warn: "WARN", missing: "MISSING", attested: "ATTESTED", waived: "WAIVED", "not-applicable": "N/A",
};

const escape = (text: string) => text.replace(/([|*_`<>[\]])/g, "\\$1").replace(/\n/g, " ");

/** How a line is verified, and by what: the policies, the evidence files and figures, or what it still needs. */
function verification(line: ChecklistLine): string {
    if (line.verifiedBy === "plan") {
        return `plan: ${line.policies.map((p) => `\`${p}\``).join(", ") || escape(line.note ?? "")}`;
    }
    if (line.evidence.length > 0) {
        return `${line.verifiedBy}: ${line.evidence.map((e) => `${e.kind} \`${escape(e.file)}\`: ${escape(e.summary)}`).join("; ")}`;
    }
    return `${line.verifiedBy}: ${escape(line.note ?? "")}`;
}

function stackSection(stack: StackReport, gate: Gate): string[] {
    const lines = [
        `## Stack \`${stack.stack}\`: ${verdict(stack, gate).toUpperCase()} for ${gate}`,
        "",
        `${stack.resources} resources checked by ${stack.policies} policies (${stack.source}). Checklist: ${describeCounts(stack)}.`,
        "",
    ];
    lines.push("<details><summary>Resources by type</summary>", "", "| Type | Count |", "|---|---|",
        ...Object.entries(stack.resourceTypes).map(([type, count]) => `| \`${type}\` | ${count} |`), "", "</details>", "");
    if (stack.errors.length > 0) {
        lines.push("**Policies that could not run:**", "", ...stack.errors.map((e) => `- ${escape(e)}`), "");
    }
    const areas = [...new Set(stack.checklist.map((l) => l.area))];
    for (const area of areas) {
        lines.push(`### ${area}`, "");
        for (const line of stack.checklist.filter((l) => l.area === area)) {
            lines.push(`- **${STATUS_LABEL[line.status]}** ${line.id}: ${escape(line.text)} (${verification(line)})`);
            if (line.status === "fail" || line.status === "warn") {
                for (const v of stack.violations.filter((x) => line.policies.includes(x.policy))) {
                    lines.push(`  - ${v.enforcementLevel} \`${v.policy}\` on \`${v.name}\` (${v.type}): ${escape(v.message)}`);
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
        lines.push(`## Stack \`${failure.stack}\`: ERROR`, "", "```", failure.message, "```", "");
    }
    return lines.join("\n");
}
