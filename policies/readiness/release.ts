import * as path from "path";
import { catalog, Requirement } from "../catalog";
import { CRITERIA, CriteriaKind } from "../catalog/criteria";
import { Evidence, readEvidence } from "../evidence";
import { contextOf, PlannedResource } from "./context";
import { CriteriaOverrides, judgeRequirement, Judgement } from "./judge";

/** The release-evidence settings, the same in `pulumi preview`'s policy config and in the preflight. */
export interface ReleaseEvidenceSettings {
    /** Directories of release artifacts; relative ones are taken from `baseDir`. */
    evidenceDirs: string[];
    /** YYYY-MM-DD; default: today. */
    asOf?: string;
    /** `plan` (review): what is missing is advisory; `release` (deploy): a failing or missing requirement blocks. */
    gate: "plan" | "release";
    /** Per requirement id and evidence kind, criteria that replace the catalog's. */
    criteria: CriteriaOverrides;
}

export const today = (): string => new Date().toISOString().slice(0, 10);

/** Problems of a criteria override: unknown requirements or kinds, or values the catalog's schema refuses. */
export function criteriaProblems(overrides: unknown): string[] {
    if (overrides === null || typeof overrides !== "object" || Array.isArray(overrides)) {
        return ["criteria: expected an object of requirement ids to { <evidence kind>: { <criterion>: value } }"];
    }
    return Object.entries(overrides as Record<string, unknown>).flatMap(([id, byKind]) => {
        const requirement = catalog().find((r) => r.id === id);
        if (!requirement || requirement.verifiedBy !== "evidence") {
            return [`criteria.${id}: not an evidence requirement of the catalog`];
        }
        return Object.entries((byKind ?? {}) as Record<string, unknown>).flatMap(([kind, values]) => {
            const need = requirement.evidence.find((e) => e.kind === kind);
            if (!need) {
                return [`criteria.${id}.${kind}: ${id} needs no ${kind} evidence (it needs ${requirement.evidence.map((e) => e.kind).join(", ")})`];
            }
            const result = CRITERIA[kind as CriteriaKind].safeParse({ ...need.criteria, ...(values as object) });
            return result.success ? [] : result.error.issues.map((i) => `criteria.${id}.${kind}.${i.path.join(".")}: ${i.message}`);
        });
    });
}

/** The evidence of the settings' directories (an EvidenceError names a directory or file that cannot be used). */
export function evidenceOf(settings: ReleaseEvidenceSettings, baseDir: string): { evidence: Evidence[]; ignored: string[] } {
    return settings.evidenceDirs.length === 0 ? { evidence: [], ignored: [] } : readEvidence(settings.evidenceDirs.map((dir) => path.resolve(baseDir, dir)));
}

/** Each requirement that evidence, a probe or a person verifies, judged for a stack: id -> verdict. */
export function judgeRelease(
    stack: string,
    resources: PlannedResource[],
    evidence: Evidence[],
    settings: ReleaseEvidenceSettings,
): Map<string, { requirement: Requirement; judgement: Judgement }> {
    const context = contextOf(stack, resources, settings.asOf ?? today());
    const verdicts = new Map<string, { requirement: Requirement; judgement: Judgement }>();
    for (const requirement of catalog()) {
        const judgement = judgeRequirement(requirement, evidence, context, settings.criteria);
        if (judgement) {
            verdicts.set(requirement.id, { requirement, judgement });
        }
    }
    return verdicts;
}
