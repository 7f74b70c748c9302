import { CATALOG, VerifiedBy } from "../policies/catalog";
import { AnalyzerError, AnalyzerProcess, AnalyzerResource, Diagnostic, EnforcementLevel, PackInfo, PolicyInfo, ResolvedPolicyConfig, Severity } from "./analyzer";
import { RecordedResource } from "./program";

/**
 * A requirement's status: `pass`/`fail`/`warn` from the plan's policies (or the evidence), `missing`
 * where nothing has verified it yet, `attested`/`waived` by a person, `not-applicable` where the stack
 * has nothing it applies to or it is out of scope.
 */
export const CHECKLIST_STATUSES = ["pass", "fail", "warn", "missing", "attested", "waived", "not-applicable"] as const;
export type ChecklistStatus = (typeof CHECKLIST_STATUSES)[number];

export interface Violation {
    policy: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    urn: string;
    type: string;
    name: string;
    message: string;
    checklist: string[];
}

/** An artifact that decided a requirement, e.g. `{ kind: "k6", file: "load/summary.json", summary: "p95 1.2 s, 0.1 % errors" }`. */
export interface EvidenceRef {
    kind: string;
    file: string;
    summary: string;
}

export interface ChecklistLine {
    id: string;
    area: string;
    text: string;
    status: ChecklistStatus;
    verifiedBy: VerifiedBy;
    /** The policies that enforce it (plan requirements). */
    policies: string[];
    /** The checklist lines it comes from. */
    sources: { file: string; line: number }[];
    evidence: EvidenceRef[];
    /** What it still needs, or why it is out of scope. */
    note?: string;
}

export interface StackReport {
    stack: string;
    /** What was evaluated: the stack file the program ran with, or the export file. */
    source: string;
    resources: number;
    /** How many resources of each type the stack has: what a deployment would create. */
    resourceTypes: Record<string, number>;
    /** Policies that ran (not disabled). */
    policies: number;
    /** Policies the stack's policy config disables. */
    disabledPolicies: string[];
    violations: Violation[];
    checklist: ChecklistLine[];
    /** Policies that failed to run: the stack could not be fully evaluated. */
    errors: string[];
    /** How many release artifacts the evidence directories held. */
    evidenceRead?: number;
    /** Files of the evidence directories that are of no kind the preflight reads. */
    evidenceIgnored?: string[];
}

const CHECKLIST_TAG = "checklist:";
const APPLIES_TO_TAG = "applies-to:";
const ANALYZE_CONCURRENCY = 32;

export function checklistIds(policy: PolicyInfo | undefined): string[] {
    return (policy?.tags ?? []).filter((t) => t.startsWith(CHECKLIST_TAG)).map((t) => t.slice(CHECKLIST_TAG.length));
}

function toAnalyzer(resource: RecordedResource): AnalyzerResource {
    return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        properties: resource.inputs,
        parent: resource.parent,
        dependencies: resource.dependencies,
        propertyDependencies: resource.propertyDependencies,
        protect: resource.protect,
        ignoreChanges: resource.ignoreChanges,
        additionalSecretOutputs: resource.additionalSecretOutputs,
        deleteBeforeReplace: resource.deleteBeforeReplace,
    };
}

function countTypes(resources: RecordedResource[]): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const resource of [...resources].sort((a, b) => a.type.localeCompare(b.type))) {
        counts[resource.type] = (counts[resource.type] ?? 0) + 1;
    }
    return counts;
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
    const results: R[] = new Array(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** What a requirement that the plan does not verify still needs. */
function pendingNote(requirement: (typeof CATALOG)[number]): string {
    switch (requirement.verifiedBy) {
        case "evidence":
            return `needs evidence: ${requirement.evidence.map((e) => e.kind).join(", ")}`;
        case "live":
            return `needs \`npm run verify\` of the deployed stack: ${requirement.checks.join(", ")}`;
        case "attestation":
            return `needs an attestation by the ${requirement.attestedBy} (${requirement.why})`;
        default:
            return "";
    }
}

/**
 * The status of each catalog requirement. Plan requirements: from the violations of the policies that
 * name them in their metadata, and what the stack contains. The others are `missing` until evidence,
 * a probe or a person verifies them; out-of-scope ones are not applicable.
 */
function checklistStatus(pack: PackInfo, config: ResolvedPolicyConfig, resources: RecordedResource[], violations: Violation[]): ChecklistLine[] {
    const types = new Set(resources.map((r) => r.type));
    const enforcing = new Map<string, string[]>();
    for (const policy of pack.policies) {
        for (const id of checklistIds(policy)) {
            enforcing.set(id, [...(enforcing.get(id) ?? []), policy.name]);
        }
    }
    const policies = new Map(pack.policies.map((p) => [p.name, p]));
    const enabled = (name: string) => config[name] !== undefined && config[name].enforcementLevel !== "disabled";
    const relevant = (name: string) => {
        const appliesTo = (policies.get(name)?.tags ?? []).filter((t) => t.startsWith(APPLIES_TO_TAG)).map((t) => t.slice(APPLIES_TO_TAG.length));
        return appliesTo.length === 0 || appliesTo.some((type) => types.has(type));
    };
    return CATALOG.map((requirement): ChecklistLine => {
        const line = {
            id: requirement.id,
            area: requirement.area,
            text: requirement.text,
            verifiedBy: requirement.verifiedBy,
            policies: enforcing.get(requirement.id) ?? [],
            sources: requirement.sources.flatMap((s) => s.lines.map((l) => ({ file: s.file, line: l }))),
            evidence: [],
        };
        if (requirement.verifiedBy === "out-of-scope") {
            return { ...line, status: "not-applicable", note: requirement.reason };
        }
        if (requirement.verifiedBy !== "plan") {
            return { ...line, status: "missing", note: pendingNote(requirement) };
        }
        const active = line.policies.filter(enabled);
        if (active.length === 0) {
            return { ...line, status: "missing", note: "no policy of the pack that enforces it is enabled" };
        }
        const found = violations.filter((v) => active.includes(v.policy));
        if (found.some((v) => v.enforcementLevel === "mandatory")) {
            return { ...line, status: "fail" };
        }
        if (found.length > 0) {
            return { ...line, status: "warn" };
        }
        return { ...line, status: active.some(relevant) ? "pass" : "not-applicable" };
    });
}

/**
 * Evaluates one stack's resources with the policy pack, as the engine does during a preview:
 * `configure` with the stack's policy config, `analyze` for each resource, `analyzeStack` once.
 */
export async function evaluateStack(
    analyzer: AnalyzerProcess,
    pack: PackInfo,
    config: ResolvedPolicyConfig,
    stack: string,
    source: string,
    resources: RecordedResource[],
): Promise<StackReport> {
    await analyzer.configure(config);
    const errors: string[] = [];
    const guarded = async (what: string, call: () => Promise<Diagnostic[]>) => {
        try {
            return await call();
        } catch (err) {
            if (!(err instanceof AnalyzerError)) {
                throw err;
            }
            errors.push(`${what}: ${err.message}`);
            return [];
        }
    };
    const asSent = resources.map(toAnalyzer);
    // The calls are independent: the pack judges the stack while the resources are still being sent.
    const [perResource, stackDiagnostics] = await Promise.all([
        mapLimited(asSent, ANALYZE_CONCURRENCY, async (r) =>
            // @pulumi/policy leaves the URN out of its "can't run during preview" diagnostics: they are about this resource.
            (await guarded(r.urn, () => analyzer.analyze(r))).map((d) => ({ ...d, urn: d.urn || r.urn }))),
        guarded("stack policies", () => analyzer.analyzeStack(asSent)),
    ]);
    // Stack policies that cannot decide during a preview name no resource: they are about the stack.
    const root = resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn ?? "";
    const stackWide = stackDiagnostics.map((d) => ({ ...d, urn: d.urn || root }));

    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const policies = new Map(pack.policies.map((p) => [p.name, p]));
    const violations = [...perResource.flat(), ...stackWide].map((d): Violation => {
        const resource = byUrn.get(d.urn);
        const urnParts = d.urn.split("::");
        return {
            policy: d.policyName,
            enforcementLevel: d.enforcementLevel,
            severity: d.severity === "unspecified" ? policies.get(d.policyName)?.severity ?? "unspecified" : d.severity,
            urn: d.urn,
            type: resource?.type ?? (urnParts[2]?.split("$").pop() ?? ""),
            name: resource?.name ?? (urnParts[3] ?? ""),
            // The pack repeats the policy's description on the first line; the report shows it once.
            message: d.message.startsWith(`${d.description}\n`) ? d.message.slice(d.description.length + 1) : d.message,
            checklist: checklistIds(policies.get(d.policyName)),
        };
    });
    return {
        stack,
        source,
        resources: resources.length,
        resourceTypes: countTypes(resources),
        policies: Object.values(config).filter((c) => c.enforcementLevel !== "disabled").length,
        disabledPolicies: Object.entries(config).filter(([, c]) => c.enforcementLevel === "disabled").map(([name]) => name),
        violations,
        checklist: checklistStatus(pack, config, resources, violations),
        errors,
    };
}
