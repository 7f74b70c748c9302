import { z } from "zod";

/**
 * What each kind of evidence must show for a requirement, as the catalog states it: the checklists'
 * own numbers. A stack's policy config may override any of them (`release-evidence` → `criteria`).
 */
export const CRITERIA = {
    /** Test reports: the suites whose name matches `suites` (a regular expression, case-insensitive; all when absent). */
    junit: z.strictObject({ suites: z.string().optional(), minPassRate: z.number().min(0).max(1).default(1) }),
    coverage: z.strictObject({ minLinesPct: z.number().min(0).max(100) }),
    eslint: z.strictObject({ maxErrors: z.number().int().min(0), maxWarnings: z.number().int().min(0).optional() }),
    "npm-audit": z.strictObject({ maxCritical: z.number().int().min(0), maxHigh: z.number().int().min(0) }),
    /** `everyImage`: every image the stack deploys needs a scan of its own. */
    trivy: z.strictObject({
        maxCritical: z.number().int().min(0).optional(),
        maxHigh: z.number().int().min(0).optional(),
        maxSecrets: z.number().int().min(0).optional(),
        everyImage: z.boolean().default(false),
    }),
    gitleaks: z.strictObject({ maxFindings: z.number().int().min(0) }),
    /** No alert above `maxRisk` (0 informational … 3 high), and none of `mediumPlugins` at medium or above. */
    zap: z.strictObject({ maxRisk: z.number().int().min(0).max(3), mediumPlugins: z.array(z.number().int()).default([]) }),
    k6: z.strictObject({
        minVus: z.number().int().min(1).optional(),
        minDurationSeconds: z.number().min(1).optional(),
        maxP95Ms: z.number().positive().optional(),
        maxErrorRate: z.number().min(0).max(1).optional(),
        minCacheHitRate: z.number().min(0).max(1).optional(),
    }),
    /** A succeeded update of `environment` (with this release, or a rollback to another and back). */
    "stack-history": z.strictObject({
        environment: z.string().min(1),
        sameRelease: z.boolean().default(false),
        rollbackRehearsed: z.boolean().default(false),
    }),
    /** A verified drill at most `maxAgeDays` old (of this environment, within the stack's RTO, from a matching source). */
    "restore-drill": z.strictObject({
        maxAgeDays: z.number().int().min(1),
        sameEnvironment: z.boolean().default(false),
        withinRto: z.boolean().default(false),
        source: z.string().optional(),
    }),
    /** A sign-off of the release being deployed by one of `roles`. */
    "sign-off": z.strictObject({ roles: z.array(z.string().min(1)).min(1) }),
} as const;

export type CriteriaKind = keyof typeof CRITERIA;
export type CriteriaOf<K extends CriteriaKind> = z.infer<(typeof CRITERIA)[K]>;
export const CRITERIA_KINDS = Object.keys(CRITERIA) as CriteriaKind[];

/** What one piece of evidence a requirement needs: its kind and the criteria it must meet. */
export type EvidenceNeed = { [K in CriteriaKind]: { kind: K; criteria: CriteriaOf<K> } }[CriteriaKind];

export const evidenceNeed = z.union(
    CRITERIA_KINDS.map((kind) => z.strictObject({ kind: z.literal(kind), criteria: CRITERIA[kind] })),
) as unknown as z.ZodType<EvidenceNeed>;
