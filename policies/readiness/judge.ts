import { Requirement } from "../catalog";
import { CriteriaKind, CriteriaOf, EvidenceNeed } from "../catalog/criteria";
import { Evidence, EvidenceKind, isKind } from "../evidence";

/** What a requirement's evidence is judged against: the stack as planned and the day of the judgement. */
export interface ReleaseContext {
    /** The stack (the environment) being released. */
    stack: string;
    /** The release the plan deploys (its services' RELEASE), when it says. */
    release?: string;
    /** Every container image the stack deploys. */
    images: string[];
    /** The stack's declared recovery time objective, in hours, when it says. */
    rtoHours?: number;
    /** The public host names the stack serves (its certificates' domains); empty when the plan shows none. */
    hosts: string[];
    /** YYYY-MM-DD: evidence dated later is left out, and age is counted up to this day. */
    asOf: string;
}

/** An artifact that decided a requirement. */
export interface EvidenceRef {
    kind: string;
    file: string;
    summary: string;
}

export interface Judgement {
    status: "pass" | "fail" | "missing" | "attested";
    evidence: EvidenceRef[];
    /** The figure that failed, or what is still needed. */
    note?: string;
}

/** Per requirement id and evidence kind, criteria that replace the catalog's (a stack's policy config). */
export type CriteriaOverrides = Record<string, Partial<Record<CriteriaKind, Record<string, unknown>>>>;

/** How many days a dated CI artifact counts: a test run or a scan older than that says little about this release. */
export const FRESH_DAYS = 30;

const DAY_MS = 24 * 3600 * 1000;

function ageInDays(date: string, asOf: string): number {
    return Math.floor((Date.parse(asOf.slice(0, 10)) - Date.parse(date.slice(0, 10))) / DAY_MS);
}

function hostOf(url: string): string {
    try {
        return new URL(url).hostname;
    } catch {
        return "";
    }
}

const ref = (e: Evidence): EvidenceRef => ({ kind: e.kind, file: e.file, summary: e.summary });

/** One need's verdict, with the artifacts it looked at. */
interface NeedResult {
    status: "pass" | "fail" | "missing";
    evidence: EvidenceRef[];
    note: string;
}

const missing = (note: string): NeedResult => ({ status: "missing", evidence: [], note });

/**
 * Evidence of a kind that counts on `asOf`: not dated after it, and (for CI artifacts) not older than
 * FRESH_DAYS. Newest first.
 */
function usable<K extends EvidenceKind>(all: Evidence[], kind: K, asOf: string, freshDays: number | undefined): { fresh: Evidence<K>[]; stale: number } {
    const ofKind = all.filter((e): e is Evidence<K> => isKind(e, kind)).filter((e) => !e.date || e.date.slice(0, 10) <= asOf);
    const fresh = ofKind.filter((e) => freshDays === undefined || !e.date || ageInDays(e.date, asOf) <= freshDays);
    fresh.sort((a, b) => (b.date ?? "").localeCompare(a.date ?? ""));
    return { fresh, stale: ofKind.length - fresh.length };
}

function noneFound(kind: string, stale: number, freshDays: number): NeedResult {
    return missing(stale > 0 ? `the ${kind} evidence is older than ${freshDays} days` : `no ${kind} evidence`);
}

/** The verdict of one need of a requirement, from the newest usable evidence of its kind. */
function judgeNeed(need: EvidenceNeed, all: Evidence[], context: ReleaseContext): NeedResult {
    switch (need.kind) {
        case "junit": {
            const { fresh, stale } = usable(all, "junit", context.asOf, FRESH_DAYS);
            const pattern = need.criteria.suites ? new RegExp(need.criteria.suites, "i") : undefined;
            const counted = fresh.flatMap((e) => e.facts.suites.filter((s) => !pattern || pattern.test(s.name)).map((s) => ({ e, s })));
            if (counted.length === 0) {
                const older = stale > 0 ? ` (${stale} report(s) older than ${FRESH_DAYS} days left out)` : "";
                return fresh.length > 0 ? missing(`no test suite matching /${need.criteria.suites}/${older}`) : noneFound("junit", stale, FRESH_DAYS);
            }
            const run = counted.reduce((n, { s }) => n + s.tests - s.skipped, 0);
            const failed = counted.reduce((n, { s }) => n + s.failures + s.errors, 0);
            const rate = run === 0 ? 0 : (run - failed) / run;
            const evidence = [...new Set(counted.map(({ e }) => e))].map(ref);
            const figure = `${run - failed} of ${run} tests passed (${(rate * 100).toFixed(1)} %)`;
            return run > 0 && rate >= need.criteria.minPassRate
                ? { status: "pass", evidence, note: figure }
                : { status: "fail", evidence, note: `${figure}; at least ${need.criteria.minPassRate * 100} % must pass` };
        }
        case "coverage":
            return judgeLatest(all, "coverage", context, (f) =>
                f.lines === undefined
                    ? "the line coverage is unknown"
                    : f.lines < need.criteria.minLinesPct
                      ? `line coverage ${f.lines} % is below ${need.criteria.minLinesPct} %`
                      : undefined,
            );
        case "eslint":
            return judgeLatest(all, "eslint", context, (f) =>
                f.errorCount + f.fatalErrorCount > need.criteria.maxErrors
                    ? `${f.errorCount + f.fatalErrorCount} lint errors; at most ${need.criteria.maxErrors}`
                    : need.criteria.maxWarnings !== undefined && f.warningCount > need.criteria.maxWarnings
                      ? `${f.warningCount} lint warnings; at most ${need.criteria.maxWarnings}`
                      : undefined,
            );
        case "npm-audit":
            return judgeLatest(all, "npm-audit", context, (f) =>
                exceeded([
                    ["critical", f.critical, need.criteria.maxCritical],
                    ["high", f.high, need.criteria.maxHigh],
                ]),
            );
        case "gitleaks":
            return judgeLatest(all, "gitleaks", context, (f) =>
                f.findings > need.criteria.maxFindings ? `${f.findings} leaked secrets found (rules ${f.rules.join(", ")})` : undefined,
            );
        case "zap":
            return judgeLatest(all, "zap", context, (f) => {
                const tooRisky = f.alerts.filter(
                    (a) => a.risk > need.criteria.maxRisk || (a.risk >= 2 && need.criteria.mediumPlugins.includes(Number(a.pluginid))),
                );
                return tooRisky.length > 0 ? `alerts ${tooRisky.map((a) => `${a.name} (risk ${a.risk})`).join(", ")}` : undefined;
            });
        case "k6":
            return judgeK6(need.criteria, all, context);
        case "trivy":
            return judgeTrivy(need.criteria, all, context);
        case "stack-history":
            return judgeHistory(need.criteria, all, context);
        case "restore-drill":
            return judgeDrill(need.criteria, all, context);
        case "sign-off": {
            const roles = need.criteria.roles.map((r) => r.toLowerCase());
            const found = usable(all, "sign-off", context.asOf, undefined).fresh.filter(
                (e) => roles.includes(e.facts.role.toLowerCase()) && (!context.release || e.facts.release === context.release),
            );
            return found.length > 0
                ? { status: "pass", evidence: found.map(ref), note: found.map((e) => `${e.facts.role} ${e.facts.name} on ${e.facts.date}`).join("; ") }
                : missing(`no sign-off of release ${context.release ?? "(unknown)"} by the ${need.criteria.roles.join(" or the ")}`);
        }
    }
}

function exceeded(limits: [string, number, number][]): string | undefined {
    const over = limits.filter(([, found, max]) => found > max);
    return over.length > 0 ? over.map(([what, found, max]) => `${found} ${what} (at most ${max})`).join(", ") : undefined;
}

/** The newest fresh evidence of a kind decides: `problem` says what fails, or nothing. */
function judgeLatest<K extends EvidenceKind>(
    all: Evidence[],
    kind: K,
    context: ReleaseContext,
    problem: (facts: Evidence<K>["facts"]) => string | undefined,
): NeedResult {
    const { fresh, stale } = usable(all, kind, context.asOf, FRESH_DAYS);
    if (fresh.length === 0) {
        return noneFound(kind, stale, FRESH_DAYS);
    }
    const latest = fresh[0];
    const found = problem(latest.facts);
    return found ? { status: "fail", evidence: [ref(latest)], note: found } : { status: "pass", evidence: [ref(latest)], note: latest.summary };
}

function judgeK6(criteria: CriteriaOf<"k6">, all: Evidence[], context: ReleaseContext): NeedResult {
    return judgeLatest(all, "k6", context, (f) => {
        const checks: [boolean | undefined, string][] = [
            [
                criteria.minVus === undefined ? undefined : f.maxVus === undefined ? false : f.maxVus >= criteria.minVus,
                `max ${f.maxVus ?? "?"} VUs; at least ${criteria.minVus}`,
            ],
            [
                criteria.minDurationSeconds === undefined || f.durationSeconds === undefined ? undefined : f.durationSeconds >= criteria.minDurationSeconds,
                `ran ${f.durationSeconds} s; at least ${criteria.minDurationSeconds} s`,
            ],
            [
                criteria.maxP95Ms === undefined ? undefined : f.p95DurationMs === undefined ? false : f.p95DurationMs < criteria.maxP95Ms,
                `p95 ${f.p95DurationMs ?? "?"} ms; under ${criteria.maxP95Ms} ms`,
            ],
            [
                criteria.maxErrorRate === undefined ? undefined : f.errorRate === undefined ? false : f.errorRate < criteria.maxErrorRate,
                `error rate ${pct(f.errorRate)}; under ${pct(criteria.maxErrorRate)}`,
            ],
            // The cache hit rate counts where the test measures it.
            [
                criteria.minCacheHitRate === undefined || f.cacheHitRate === undefined ? undefined : f.cacheHitRate > criteria.minCacheHitRate,
                `cache hit rate ${pct(f.cacheHitRate)}; above ${pct(criteria.minCacheHitRate)}`,
            ],
        ];
        const failed = checks.filter(([ok]) => ok === false).map(([, text]) => text);
        if (f.failedThresholds.length > 0) {
            failed.push(`failed thresholds ${f.failedThresholds.join(", ")}`);
        }
        if (failed.length === 0 && checks.every(([ok]) => ok === undefined)) {
            return "it measures none of the figures this requirement needs";
        }
        return failed.length > 0 ? failed.join("; ") : undefined;
    });
}

const pct = (rate: number | undefined) => (rate === undefined ? "?" : `${(rate * 100).toFixed(2).replace(/\.?0+$/, "")} %`);

/** Every image the stack deploys needs a scan of its own when `everyImage` says so; each scan within the limits. */
function judgeTrivy(criteria: CriteriaOf<"trivy">, all: Evidence[], context: ReleaseContext): NeedResult {
    const { fresh, stale } = usable(all, "trivy", context.asOf, FRESH_DAYS);
    if (fresh.length === 0) {
        return noneFound("trivy", stale, FRESH_DAYS);
    }
    const scanOf = (image: string) =>
        fresh.find((e) => e.facts.artifactName === image || e.facts.repoTags.includes(image) || e.facts.repoDigests.includes(image));
    const scans = criteria.everyImage
        ? context.images.map((image) => ({ image, scan: scanOf(image) }))
        : fresh.map((scan) => ({ image: scan.facts.artifactName, scan }));
    const unscanned = scans.filter((s) => !s.scan).map((s) => s.image);
    const problems = scans.flatMap(({ image, scan }) => {
        if (!scan) {
            return [];
        }
        const found = exceeded([
            ["critical", scan.facts.severities.CRITICAL, criteria.maxCritical ?? Infinity],
            ["high", scan.facts.severities.HIGH, criteria.maxHigh ?? Infinity],
            ["secrets", scan.facts.secrets, criteria.maxSecrets ?? Infinity],
        ]);
        return found ? [`${image}: ${found}`] : [];
    });
    const evidence = scans.flatMap((s) => (s.scan ? [ref(s.scan)] : []));
    if (problems.length > 0) {
        return { status: "fail", evidence, note: problems.join("; ") };
    }
    return unscanned.length > 0
        ? { status: "missing", evidence, note: `no scan of ${unscanned.join(", ")}` }
        : { status: "pass", evidence, note: `${scans.length} image(s) scanned within the limits` };
}

function judgeHistory(criteria: CriteriaOf<"stack-history">, all: Evidence[], context: ReleaseContext): NeedResult {
    const histories = usable(all, "stack-history", context.asOf, undefined).fresh;
    const updates = histories
        .flatMap((e) => e.facts.updates.map((u) => ({ e, u })))
        .filter(
            ({ u }) =>
                u.kind === "update" && u.result === "succeeded" && u.environment === criteria.environment && (u.endTime ?? "").slice(0, 10) <= context.asOf,
        )
        .sort((a, b) => a.u.version - b.u.version);
    if (histories.length === 0) {
        return missing("no stack-history evidence");
    }
    const current = updates.filter(({ u }) => !criteria.sameRelease || u.release === context.release);
    if (current.length === 0) {
        return missing(`no succeeded update of ${criteria.environment}${criteria.sameRelease ? ` with release ${context.release ?? "(unknown)"}` : ""}`);
    }
    if (criteria.rollbackRehearsed) {
        const first = current[0].u.version;
        const rolledBack = updates.find(({ u }) => u.version > first && u.release !== undefined && u.release !== context.release);
        if (!rolledBack) {
            return missing(`no rollback from release ${context.release} rehearsed on ${criteria.environment}`);
        }
        return {
            status: "pass",
            evidence: [ref(rolledBack.e)],
            note: `${criteria.environment} rolled back to ${rolledBack.u.release} (update ${rolledBack.u.version})`,
        };
    }
    const last = current[current.length - 1];
    return {
        status: "pass",
        evidence: [ref(last.e)],
        note: `${criteria.environment} updated to ${last.u.release ?? "this release"} on ${last.u.endTime?.slice(0, 10)}`,
    };
}

function judgeDrill(criteria: CriteriaOf<"restore-drill">, all: Evidence[], context: ReleaseContext): NeedResult {
    const source = criteria.source ? new RegExp(criteria.source, "i") : undefined;
    const drills = usable(all, "restore-drill", context.asOf, undefined).fresh.filter(
        (e) => (!criteria.sameEnvironment || e.facts.environment === context.stack) && (!source || source.test(e.facts.source)),
    );
    if (drills.length === 0) {
        return missing(
            `no restore drill${criteria.sameEnvironment ? ` of ${context.stack}` : ""}${source ? ` from a source matching /${criteria.source}/` : ""}`,
        );
    }
    // Of the newest drills, the slowest: a quick restore of one part does not show the whole can be restored in time.
    const newest = drills.filter((e) => e.facts.date === drills[0].facts.date);
    const latest = newest.reduce((slowest, e) => (e.facts.durationMinutes > slowest.facts.durationMinutes ? e : slowest));
    const age = ageInDays(latest.facts.date, context.asOf);
    const problems = [
        !latest.facts.verified ? "its restored data was not verified" : undefined,
        age > criteria.maxAgeDays ? `it is ${age} days old; at most ${criteria.maxAgeDays}` : undefined,
        criteria.withinRto && context.rtoHours === undefined ? "the stack declares no RTO to hold it against" : undefined,
        criteria.withinRto && context.rtoHours !== undefined && latest.facts.durationMinutes > context.rtoHours * 60
            ? `it took ${latest.facts.durationMinutes} minutes; the RTO is ${context.rtoHours} h`
            : undefined,
    ].filter((p): p is string => p !== undefined);
    return problems.length > 0
        ? { status: "fail", evidence: [ref(latest)], note: `restore drill of ${latest.facts.date}: ${problems.join("; ")}` }
        : { status: "pass", evidence: [ref(latest)], note: latest.summary };
}

/** Applies a stack's overrides to a need's criteria (validated when the policy config is read). */
function withOverrides(need: EvidenceNeed, overrides: Partial<Record<CriteriaKind, Record<string, unknown>>> | undefined): EvidenceNeed {
    const override = overrides?.[need.kind];
    return override ? ({ kind: need.kind, criteria: { ...need.criteria, ...override } } as EvidenceNeed) : need;
}

/**
 * A requirement's verdict from the evidence: for evidence requirements every need must pass; for
 * attestation requirements an attestation record of it, valid on `asOf`; live requirements are judged
 * from the `verify` report. Plan and out-of-scope requirements are not judged here.
 */
export function judgeRequirement(requirement: Requirement, all: Evidence[], context: ReleaseContext, overrides: CriteriaOverrides = {}): Judgement | undefined {
    switch (requirement.verifiedBy) {
        case "evidence": {
            const results = requirement.evidence.map((need) => judgeNeed(withOverrides(need, overrides[requirement.id]), all, context));
            const status = results.some((r) => r.status === "fail") ? "fail" : results.every((r) => r.status === "pass") ? "pass" : "missing";
            const notes = results.filter((r) => status === "pass" || r.status === status).map((r) => r.note);
            return { status, evidence: results.flatMap((r) => r.evidence), note: notes.join("; ") };
        }
        case "attestation": {
            const found = usable(all, "attestation", context.asOf, undefined).fresh.filter(
                (e) => e.facts.requirement === requirement.id && e.facts.expires >= context.asOf,
            );
            if (found.length === 0) {
                return { status: "missing", evidence: [], note: `needs an attestation by the ${requirement.attestedBy} (${requirement.why})` };
            }
            const latest = found[0];
            return {
                status: "attested",
                evidence: [ref(latest)],
                note: `attested by ${latest.facts.by} on ${latest.facts.date}, until ${latest.facts.expires}`,
            };
        }
        case "live":
            return judgeLive(requirement.checks, all, context);
        default:
            return undefined;
    }
}

/** The newest `verify` report decides each check; one older than the stack's last update is stale. */
function judgeLive(checks: readonly string[], all: Evidence[], context: ReleaseContext): Judgement {
    // A probe of another stack's address (staging's, say) says nothing of this one.
    const probedHere = (url: string) => context.hosts.length === 0 || context.hosts.includes(hostOf(url));
    const reports = usable(all, "verify", context.asOf, FRESH_DAYS).fresh.filter((e) => probedHere(e.facts.url));
    if (reports.length === 0) {
        const where = context.hosts.length > 0 ? ` of ${context.hosts.join(", ")}` : "";
        return { status: "missing", evidence: [], note: `needs \`npm run verify\`${where} (the deployed stack): ${checks.join(", ")}` };
    }
    const latest = reports[0];
    const lastDeploy = usable(all, "stack-history", context.asOf, undefined)
        .fresh.flatMap((e) => e.facts.updates)
        .filter((u) => u.kind === "update" && u.result === "succeeded" && u.environment === context.stack && u.endTime)
        .map((u) => u.endTime!)
        .sort()
        .pop();
    if (lastDeploy && latest.facts.checkedAt < lastDeploy) {
        return {
            status: "missing",
            evidence: [ref(latest)],
            note: `the verify report (${latest.facts.checkedAt}) is older than the last deploy of ${context.stack} (${lastDeploy})`,
        };
    }
    const results = checks.map((id) => ({ id, check: latest.facts.checks.find((c) => c.id === id) }));
    const failed = results.filter((r) => r.check?.status === "fail");
    const unchecked = results.filter((r) => !r.check || r.check.status === "skip");
    if (failed.length > 0) {
        return { status: "fail", evidence: [ref(latest)], note: failed.map((r) => `${r.id}: ${r.check!.message}`).join("; ") };
    }
    return unchecked.length > 0
        ? { status: "missing", evidence: [ref(latest)], note: `not checked: ${unchecked.map((r) => r.id).join(", ")}` }
        : { status: "pass", evidence: [ref(latest)], note: results.map((r) => r.check!.message).join("; ") };
}
