import { StackReport } from "../evaluate";
import { PreflightResult, statusCounts, verdict } from "./model";

const STATUS_LABEL = { pass: "PASS", fail: "FAIL", warn: "WARN", manual: "MANUAL", "not-applicable": "N/A" } as const;

const escape = (text: string) => text.replace(/([|*_`<>[\]])/g, "\\$1").replace(/\n/g, " ");

function stackSection(stack: StackReport): string[] {
    const counts = statusCounts(stack);
    const lines = [
        `## Stack \`${stack.stack}\`: ${verdict(stack).toUpperCase()}`,
        "",
        `${stack.resources} resources checked by ${stack.policies} policies (${stack.source}). ` +
            `Checklist: ${counts.pass} pass, ${counts.fail} fail, ${counts.warn} warn, ${counts.manual} manual, ${counts["not-applicable"]} not applicable.`,
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
            const how = line.policies.length > 0 ? line.policies.map((p) => `\`${p}\``).join(", ") : `manual: ${escape(line.manual ?? "")}`;
            lines.push(`- **${STATUS_LABEL[line.status]}** ${line.id}: ${escape(line.text)} (${how})`);
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
        lines.push(...stackSection(stack));
    }
    for (const failure of result.failures) {
        lines.push(`## Stack \`${failure.stack}\`: ERROR`, "", "```", failure.message, "```", "");
    }
    return lines.join("\n");
}
