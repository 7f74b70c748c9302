import { PackInfo } from "../analyzer";
import { CHECKLIST_STATUSES, ChecklistStatus, StackReport, Violation } from "../evaluate";
import { Gate } from "../gates";

/** Everything a report shows: each stack evaluated, and the stacks that could not be. */
export interface PreflightResult {
    pack: PackInfo;
    /** What READY means here: `plan` (review) needs the plan's rules to hold, `release` (deploy) every requirement. */
    gate: Gate;
    stacks: StackReport[];
    /** Stacks whose program or input failed: their error, shown instead of a report. */
    failures: { stack: string; message: string }[];
}

export const SEVERITY_ORDER = ["critical", "high", "medium", "low", "unspecified"] as const;

export const mandatory = (violations: Violation[]) => violations.filter((v) => v.enforcementLevel === "mandatory");
export const advisory = (violations: Violation[]) => violations.filter((v) => v.enforcementLevel === "advisory");

/** Statuses that let a release go: verified, vouched for by a person, waived, or nothing to verify. */
const RELEASABLE: readonly ChecklistStatus[] = ["pass", "attested", "waived", "not-applicable"];

/** The requirements that keep a release back: failing, missing evidence or unverified. */
export function blocking(stack: StackReport): StackReport["checklist"] {
    return stack.checklist.filter((line) => !RELEASABLE.includes(line.status));
}

/**
 * "ready" when the gate's requirements hold and every policy ran: for `plan`, nothing mandatory fails;
 * for `release`, besides that every requirement passes, is attested or waived, or does not apply.
 */
export function verdict(stack: StackReport, gate: Gate): "ready" | "not ready" | "incomplete" {
    if (stack.errors.length > 0) {
        return "incomplete";
    }
    if (mandatory(stack.violations).length > 0) {
        return "not ready";
    }
    return gate === "release" && blocking(stack).length > 0 ? "not ready" : "ready";
}

export function statusCounts(stack: StackReport): Record<ChecklistStatus, number> {
    const counts = Object.fromEntries(CHECKLIST_STATUSES.map((status) => [status, 0])) as Record<ChecklistStatus, number>;
    for (const line of stack.checklist) {
        counts[line.status]++;
    }
    return counts;
}

/** "12 pass, 1 fail, 40 missing": the statuses a stack has, in a fixed order. */
export function describeCounts(stack: StackReport): string {
    const counts = statusCounts(stack);
    return CHECKLIST_STATUSES.filter((status) => counts[status] > 0)
        .map((status) => `${counts[status]} ${status}`)
        .join(", ");
}
