import { Violation } from "../evaluate";
import { plain, plainLines } from "./sanitise";
import { advisory, blocking, describeCounts, mandatory, PreflightResult, SEVERITY_ORDER, verdict } from "./model";

const COLORS = { red: 31, yellow: 33, green: 32, dim: 2, bold: 1 } as const;

/**
 * Short enough for a CI log: per stack the verdict for the gate, the violations grouped by severity then
 * policy, the counts per status, and what still keeps a release back (listed in full for the release gate).
 * Colour only when asked (a TTY).
 */
export function textReport(result: PreflightResult, color: boolean): string {
    const paint = (name: keyof typeof COLORS, text: string) => (color ? `\x1b[${COLORS[name]}m${text}\x1b[0m` : text);
    const lines: string[] = [];
    for (const stack of result.stacks) {
        const state = verdict(stack, result.gate);
        const mark = state === "ready" ? paint("green", "READY") : paint("red", state.toUpperCase());
        lines.push(paint("bold", `Stack ${plain(stack.stack)}`) + ` (${plain(stack.source)}): ${mark} for ${result.gate}`);
        for (const severity of SEVERITY_ORDER) {
            const ofSeverity = stack.violations.filter((v) => v.severity === severity);
            if (ofSeverity.length === 0) {
                continue;
            }
            lines.push(`  ${severity}`);
            const byPolicy = new Map<string, Violation[]>();
            ofSeverity.forEach((v) => byPolicy.set(v.policy, [...(byPolicy.get(v.policy) ?? []), v]));
            for (const [policy, violations] of byPolicy) {
                lines.push(`    ${plain(policy)} [${violations[0].checklist.join(", ")}]`);
                for (const v of violations) {
                    const level = v.enforcementLevel === "mandatory" ? paint("red", "mandatory") : paint("yellow", v.enforcementLevel);
                    lines.push(`      ${level} ${plain(v.name)} (${plain(v.type)}): ${plain(v.message.replace(/\n/g, " "))}`);
                }
            }
        }
        for (const error of stack.errors) {
            lines.push(`  ${paint("red", "error")} ${plain(error.replace(/\n/g, " "))}`);
        }
        lines.push(
            `  Summary: ${stack.resources} resources, ${stack.policies} policies, ${mandatory(stack.violations).length} mandatory and ` +
                `${advisory(stack.violations).length} advisory violations; checklist ${describeCounts(stack)}`,
        );
        if (stack.evidenceRead !== undefined && (stack.evidenceRead > 0 || (stack.evidenceIgnored ?? []).length > 0)) {
            const ignored = stack.evidenceIgnored ?? [];
            lines.push(
                `  Evidence: ${stack.evidenceRead} artifacts read${ignored.length > 0 ? `; ignored (of no kind read here): ${ignored.map(plain).join(", ")}` : ""}`,
            );
        }
        const pending = blocking(stack).filter((line) => line.status === "missing");
        if (result.gate === "release") {
            for (const line of blocking(stack)) {
                lines.push(
                    `  ${paint(line.status === "missing" ? "yellow" : "red", line.status)} ${line.id} ${plain(line.text)}${line.note ? `: ${plain(line.note)}` : ""}`,
                );
            }
        } else if (pending.length > 0) {
            const by = (how: string) => pending.filter((line) => line.verifiedBy === how).length;
            lines.push(
                `  Release: ${pending.length} requirements still need evidence (${by("evidence")}), a live check (${by("live")}) ` +
                    `or an attestation (${by("attestation")}); --gate release lists them`,
            );
        }
        lines.push("");
    }
    for (const failure of result.failures) {
        lines.push(paint("bold", `Stack ${plain(failure.stack)}`) + `: ${paint("red", "ERROR")}`);
        lines.push(...plainLines(failure.message).map((l) => `  ${l}`), "");
    }
    return lines.join("\n");
}
