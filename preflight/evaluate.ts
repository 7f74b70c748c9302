import { catalog, Requirement, VerifiedBy } from "../policies/catalog";
import { POLICY_ERROR_PREFIX } from "../policies/lib/rule";
import {
    AnalyzerError,
    AnalyzerResource,
    Diagnostic,
    encode,
    EnforcementLevel,
    PackFailure,
    PackInfo,
    PolicyAnalyzer,
    PolicyInfo,
    ResolvedPolicyConfig,
    Severity,
} from "./analyzer";
import { RecordedResource } from "./program";
import { PULUMI } from "../policies/lib/types";

/**
 * A requirement's status: `pass`/`fail`/`warn` from the plan's policies (or the evidence), `error` where a
 * policy that enforces it could not run, `missing` where nothing has verified it yet, `attested`/`waived`
 * by a person, `not-applicable` where the stack has nothing it applies to or it is out of scope.
 */
export const CHECKLIST_STATUSES = ["pass", "fail", "warn", "error", "missing", "attested", "waived", "not-applicable"] as const;
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
    resourceTypes: Map<string, number>;
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

const appliesTo = (policy: PolicyInfo) => policy.tags.filter((t) => t.startsWith(APPLIES_TO_TAG)).map((t) => t.slice(APPLIES_TO_TAG.length));

/** The policy an error of the pack names (`... with policy 'x' from policy pack ...`), if it names one. */
function policyOfError(message: string): string | undefined {
    return /policy '([^']+)' from policy pack/.exec(message)?.[1];
}
/**
 * Resource calls in flight at once: enough for a program's whole stack, so the pack has every call of one
 * stack queued while the preflight runs the program of the next (which constructs its resources without
 * a turn of the event loop); bounded for large exports.
 */
const ANALYZE_CONCURRENCY = 512;

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

/** Keyed by type names from the input: a Map, where `constructor` or `__proto__` are types like any other. */
function countTypes(resources: RecordedResource[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const resource of resources) {
        counts.set(resource.type, (counts.get(resource.type) ?? 0) + 1);
    }
    return new Map([...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order; `started` is called as the last item starts. */
async function mapLimited<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>, started: () => void): Promise<R[]> {
    const results = new Array<R>(items.length);
    let next = 0;
    const worker = async () => {
        while (next < items.length) {
            const index = next++;
            if (next === items.length) {
                started();
            }
            results[index] = await work(items[index]);
        }
    };
    await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
    return results;
}

/** What a requirement that the plan does not verify still needs. */
function pendingNote(requirement: Requirement): string {
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
function checklistStatus(
    pack: PackInfo,
    config: ResolvedPolicyConfig,
    resources: RecordedResource[],
    violations: Violation[],
    failed: Set<string>,
): ChecklistLine[] {
    const present = new Set(resources.map((r) => r.type));
    const enforcing = new Map<string, string[]>();
    for (const policy of pack.policies) {
        for (const id of checklistIds(policy)) {
            enforcing.set(id, [...(enforcing.get(id) ?? []), policy.name]);
        }
    }
    const policies = new Map(pack.policies.map((p) => [p.name, p]));
    const enabled = (name: string) => config[name] !== undefined && config[name].enforcementLevel !== "disabled";
    const relevant = (name: string) => {
        const types = policies.has(name) ? appliesTo(policies.get(name)!) : [];
        return types.length === 0 || types.some((type) => present.has(type));
    };
    return catalog().map((requirement): ChecklistLine => {
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
        const broken = active.filter((name) => failed.has(name));
        if (broken.length > 0) {
            return { ...line, status: "error", note: `could not run: ${broken.join(", ")}` };
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
 * `sent` is called once the last resource call has been sent.
 */
export async function evaluateStack(
    analyzer: PolicyAnalyzer,
    pack: PackInfo,
    config: ResolvedPolicyConfig,
    stack: string,
    source: string,
    resources: RecordedResource[],
    sent: () => void = () => undefined,
): Promise<StackReport> {
    await analyzer.configure(config);
    const enabled = pack.policies.filter((p) => config[p.name] !== undefined && config[p.name].enforcementLevel !== "disabled");
    const stackPolicies = enabled.filter((p) => p.kind === "stack").map((p) => p.name);
    const resourcePolicies = enabled.filter((p) => p.kind === "resource").map((p) => ({ name: p.name, types: new Set(appliesTo(p)) }));
    const checkingType = new Map<string, string[]>();
    /** The enabled resource policies that look at a type: those tagged with it, and those that declare no type (they see every resource). */
    const checking = (type: string) => {
        let names = checkingType.get(type);
        if (!names) {
            names = resourcePolicies.filter((p) => p.types.size === 0 || p.types.has(type)).map((p) => p.name);
            checkingType.set(type, names);
        }
        return names;
    };
    const errors: string[] = [];
    const failed = new Set<string>();
    const guarded = async (what: string, suspects: string[], call: () => Promise<Diagnostic[]>) => {
        try {
            return await call();
        } catch (err) {
            // A pack that hangs or dies fails the whole run, once; a policy that throws fails its own call.
            if (!(err instanceof AnalyzerError) || err instanceof PackFailure) {
                throw err;
            }
            errors.push(`${what}: ${err.message}`);
            const named = policyOfError(err.message);
            (named ? [named] : suspects).forEach((name) => failed.add(name));
            return [];
        }
    };
    // Each resource is encoded once, for its own `analyze` call and for `analyzeStack`.
    const asSent = resources.map((r) => encode(toAnalyzer(r)));
    const stackCall = `the stack policies (${stackPolicies.join(", ")})`;
    const perResource = await mapLimited(
        asSent,
        ANALYZE_CONCURRENCY,
        async (r) => {
            const suspects = checking(r.type);
            const what = `${r.urn} (policies that check ${r.type}: ${suspects.join(", ") || "none"})`;
            // @pulumi/policy leaves the URN out of its "can't run during preview" diagnostics: they are about this resource.
            return (await guarded(r.urn, suspects, () => analyzer.analyze(r, what))).map((d) => ({ ...d, urn: d.urn || r.urn }));
        },
        sent,
    );
    // Sent once the pack has answered every resource: sent alongside, it would wait behind them, and its deadline with it.
    const stackDiagnostics = await guarded("stack policies", stackPolicies, () => analyzer.analyzeStack(asSent, stackCall));
    // Stack policies that cannot decide during a preview name no resource: they are about the stack.
    const root = resources.find((r) => r.type === PULUMI.stack)?.urn ?? "";
    const stackWide = stackDiagnostics.map((d) => ({ ...d, urn: d.urn || root }));

    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const policies = new Map(pack.policies.map((p) => [p.name, p]));
    const diagnostics = [...perResource.flat(), ...stackWide];
    // A policy that could not read a resource says so instead of throwing (policies/lib/rule.ts): an error, not a violation.
    for (const d of diagnostics.filter((x) => x.message.includes(POLICY_ERROR_PREFIX))) {
        errors.push(`${d.urn}: ${d.policyName}: ${d.message.slice(d.message.indexOf(POLICY_ERROR_PREFIX))}`);
        failed.add(d.policyName);
    }
    const violations = diagnostics
        .filter((x) => !x.message.includes(POLICY_ERROR_PREFIX))
        .map((d): Violation => {
            const resource = byUrn.get(d.urn);
            const urnParts = d.urn.split("::");
            return {
                policy: d.policyName,
                enforcementLevel: d.enforcementLevel,
                severity: d.severity === "unspecified" ? (policies.get(d.policyName)?.severity ?? "unspecified") : d.severity,
                urn: d.urn,
                type: resource?.type ?? urnParts[2]?.split("$").pop() ?? "",
                name: resource?.name ?? urnParts[3] ?? "",
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
        disabledPolicies: Object.entries(config)
            .filter(([, c]) => c.enforcementLevel === "disabled")
            .map(([name]) => name),
        violations,
        checklist: checklistStatus(pack, config, resources, violations, failed),
        errors,
    };
}
