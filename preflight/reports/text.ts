import { Violation } from "../evaluate";
import { advisory, mandatory, PreflightResult, SEVERITY_ORDER, statusCounts, verdict } from "./model";

const COLORS = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;

/** Violations grouped by severity, then policy; a summary line per stack. Colour only when asked (a TTY). */
export function textReport(result: PreflightResult, color: boolean): string {
    const paint = (name: keyof typeof COLORS, text: string) => (color ? `\x1b[${COLORS[name]}m${text}\x1b[0m` : text);
    const lines: string[] = [];
    for (const stack of result.stacks) {
        const state = verdict(stack);
        const mark = state === "ready" ? paint("green", "READY") : paint("red", state.toUpperCase());
        const counts = statusCounts(stack);
        lines.push(paint("bold", `Stack ${stack.stack}`) + ` (${stack.source}): ${mark}`);
        for (const severity of SEVERITY_ORDER) {
            const ofSeverity = stack.violations.filter((v) => v.severity === severity);
            if (ofSeverity.length === 0) {
                continue;
            }
            lines.push(`  ${severity}`);
            const byPolicy = new Map<string, Violation[]>();
            ofSeverity.forEach((v) => byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]));
            for (const [policy, violations] of byPolicy) {
                lines.push(`    ${policy} [${violations[0].checklist.join(", ")}]`);
                for (const v of violations) {
                    const level = v.enforcementLevel === "mandatory" ? paint("red", "mandatory") : paint("yellow", v.enforcementLevel);
                    lines.push(`      ${level} ${v.name} (${v.type}): ${v.message.replace(/\n/g, " ")}`);
                }
            }
        }
        for (const error of stack.errors) {
            lines.push(`  ${paint("red", "error")} ${error}`);
        }
        const types = Object.entries(stack.resourceTypes).map(([type, count]) => `${count} ${type}`);
        lines.push(`  Resources: ${types.join(", ")}`);
        lines.push(`  Summary: ${stack.resources} resources, ${stack.policies} policies, ${mandatory(stack.violations).length} mandatory and ` +
            `${advisory(stack.violations).length} advisory violations; checklist ${counts.pass} pass, ${counts.fail} fail, ${counts.warn} warn, ` +
            `${counts.manual} manual, ${counts["not-applicable"]} not applicable`);
        lines.push("");
    }
    for (const failure of result.failures) {
        lines.push(paint("bold", `Stack ${failure.stack}`) + `: ${paint("red", "ERROR")}`);
        lines.push(...failure.message.split("\n").map((l) => `  ${l}`), "");
    }
    return lines.join("\n");
}
