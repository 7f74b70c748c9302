import { PackInfo } from "../analyzer";
import { StackReport, Violation } from "../evaluate";

/** Everything a report shows: each stack evaluated, and the stacks that could not be. */
export interface PreflightResult {
    pack: PackInfo;
    stacks: StackReport[];
    /** Stacks whose program or input failed: their error, shown instead of a report. */
    failures: { stack: string; message: string }[];
}

export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"] as const;

export const mandatory = (violations: Violation[]) => violations.filter((v) => v.enforcementLevel === "mandatory");
export const advisory = (violations: Violation[]) => violations.filter((v) => v.enforcementLevel === "advisory");

/** "ready" when nothing mandatory fails and every policy ran. */
export function verdict(stack: StackReport): "ready" | "not ready" | "incomplete" {
    if (stack.errors.length > 0) {
        return "incomplete";
    }
    return mandatory(stack.violations).length > 0 ? "not ready" : "ready";
}

export function statusCounts(stack: StackReport): Record<string, number> {
    const counts: Record<string, number> = { pass: 0, fail: 0, warn: 0, manual: 0, "not-applicable": 0 };
    for (const line of stack.checklist) {
        counts[line.status]++;
    }
    return counts;
}
