/**
 * Release-pipeline artifacts ("evidence") as normalised facts: the types every reader returns.
 *
 * A file's kind is decided by its content, never by its name; see recognise.ts.
 */

export const EVIDENCE_KINDS = [
    "junit",
    "coverage",
    "eslint",
    "npm-audit",
    "trivy",
    "gitleaks",
    "zap",
    "k6",
    "stack-history",
    "verify",
    "restore-drill",
    "sign-off",
    "attestation",
] as const;

export type EvidenceKind = (typeof EVIDENCE_KINDS)[number];

/** JUnit XML (mocha-junit-reporter, jest-junit, Playwright, Schemathesis...), summed over every `<testsuite>`. */
export interface JUnitFacts {
    tests: number;
    failures: number;
    errors: number;
    skipped: number;
    /** Each `<testsuite>` with its own counts, in file order (name "" when a suite has none): requirements pick suites by name. */
    suites: JUnitSuite[];
}

export interface JUnitSuite {
    name: string;
    tests: number;
    failures: number;
    errors: number;
    skipped: number;
}

/** Istanbul/nyc `json-summary` (coverage-summary.json): the `total` percentages; undefined where Istanbul says "Unknown". */
export interface CoverageFacts {
    lines?: number;
    statements?: number;
    functions?: number;
    branches?: number;
}

/** ESLint `--format json`. */
export interface ESLintFacts {
    /** Files linted (one result each). */
    files: number;
    /** Files with at least one error or warning. */
    filesWithProblems: number;
    errorCount: number;
    warningCount: number;
    fatalErrorCount: number;
    /** Distinct rule ids that reported a problem, sorted. */
    rules: string[];
}

/** `npm audit --json` from npm 7+ (auditReportVersion 2): `metadata.vulnerabilities`. */
export interface NpmAuditFacts {
    info: number;
    low: number;
    moderate: number;
    high: number;
    critical: number;
    total: number;
    /** `metadata.dependencies.total`, when present. */
    dependencies?: number;
    /** Names of the vulnerable packages (the keys of `vulnerabilities`), sorted. */
    packages: string[];
}

export const TRIVY_SEVERITIES = ["CRITICAL", "HIGH", "MEDIUM", "LOW", "UNKNOWN"] as const;
export type TrivySeverity = (typeof TRIVY_SEVERITIES)[number];

/** Trivy `--format json` (SchemaVersion 2). */
export interface TrivyFacts {
    artifactName: string;
    artifactType?: string;
    /** `Metadata.ImageID`, when present. */
    imageId?: string;
    /** `Metadata.RepoTags` (empty when absent). */
    repoTags: string[];
    /** `Metadata.RepoDigests` (empty when absent): the immutable image references. */
    repoDigests: string[];
    /** Vulnerabilities by severity over every Result. */
    severities: Record<TrivySeverity, number>;
    /** All vulnerabilities (the sum of `severities`). */
    vulnerabilities: number;
    /** Secret findings over every Result: a count only, never their content. */
    secrets: number;
}

/** gitleaks `--report-format json`: only rule ids and file names, never `Secret` or `Match`. */
export interface GitleaksFacts {
    findings: number;
    /** Distinct RuleIDs, sorted. */
    rules: string[];
    /** Distinct files with a finding, sorted. */
    files: string[];
}

export type ZapRisk = 0 | 1 | 2 | 3;

export interface ZapAlert {
    pluginid: string;
    name: string;
    /** 0 informational, 1 low, 2 medium, 3 high. */
    risk: ZapRisk;
    /** Instances of the alert. */
    count: number;
    /** The `@name` of the site it was raised on. */
    site: string;
}

/** OWASP ZAP traditional JSON report (`-J`, "traditional-json"). */
export interface ZapFacts {
    /** ZAP's `@version`, when present. */
    version?: string;
    sites: string[];
    alerts: ZapAlert[];
    /** Alerts (not instances) per risk level. */
    risks: { high: number; medium: number; low: number; informational: number };
}

/** k6 end-of-test summary, from `--summary-export` or from a `handleSummary` JSON, in one shape. */
export interface K6Facts {
    format: "summary-export" | "handle-summary";
    /** p(95) of http_req_duration, in milliseconds. */
    p95DurationMs?: number;
    /** The http_req_failed rate (0..1). */
    errorRate?: number;
    /** vus_max. */
    maxVus?: number;
    /** Test run duration in seconds: state.testRunDurationMs, else iterations count / rate; undefined when neither is there. */
    durationSeconds?: number;
    /** http_reqs count. */
    requests?: number;
    /** The rate of a custom Rate metric whose name contains "cache_hit", when there is one. */
    cacheHitRate?: number;
    /** Thresholds evaluated. */
    thresholds: number;
    /** Failed thresholds as "metric: expression", sorted. */
    failedThresholds: string[];
}

export interface StackUpdate {
    version: number;
    kind: string;
    result: string;
    startTime: string;
    /** Absent while an update is in progress. */
    endTime?: string;
    /** Config "platform:release", when set and not secret. */
    release?: string;
    /** Config "platform:environment", when set and not secret. */
    environment?: string;
    resourceChanges?: Record<string, number>;
}

/** `pulumi stack history --json`: updates, newest (highest version) first. */
export interface StackHistoryFacts {
    updates: StackUpdate[];
}

export type VerifyStatus = "pass" | "fail" | "skip";

export interface VerifyCheck {
    id: string;
    status: VerifyStatus;
    message: string;
}

/** Our own post-deploy verification record (tool "platform-verify", version 1). */
export interface VerifyFacts {
    url: string;
    checkedAt: string;
    requests: number;
    checks: VerifyCheck[];
    passed: number;
    failed: number;
    skipped: number;
}

/** YAML record `kind: restore-drill`. Dates are YYYY-MM-DD. */
export interface RestoreDrillFacts {
    date: string;
    environment: string;
    source: string;
    target: string;
    durationMinutes: number;
    verified: boolean;
    by: string;
}

/** YAML record `kind: sign-off`. */
export interface SignOffFacts {
    role: string;
    name: string;
    release: string;
    date: string;
}

/** YAML record `kind: attestation`. */
export interface AttestationFacts {
    requirement: string;
    statement: string;
    by: string;
    date: string;
    expires: string;
}

export interface FactsByKind {
    junit: JUnitFacts;
    coverage: CoverageFacts;
    eslint: ESLintFacts;
    "npm-audit": NpmAuditFacts;
    trivy: TrivyFacts;
    gitleaks: GitleaksFacts;
    zap: ZapFacts;
    k6: K6Facts;
    "stack-history": StackHistoryFacts;
    verify: VerifyFacts;
    "restore-drill": RestoreDrillFacts;
    "sign-off": SignOffFacts;
    attestation: AttestationFacts;
}

export type FactsOf<K extends EvidenceKind> = FactsByKind[K];

/**
 * One recognised artifact. Distributes over K, so `Evidence` is a union that narrows on `kind`:
 * `if (e.kind === "junit") e.facts.failures`.
 */
export type Evidence<K extends EvidenceKind = EvidenceKind> = K extends EvidenceKind
    ? {
          kind: K;
          /** The path as given. */
          file: string;
          /** The ISO 8601 date-time or date the artifact itself carries; undefined when its format carries none. */
          date?: string;
          /** One short human line with the figures; never a secret. */
          summary: string;
          facts: FactsOf<K>;
      }
    : never;

/** Narrows an evidence to one kind. */
export function isKind<K extends EvidenceKind>(evidence: Evidence, kind: K): evidence is Evidence<K> {
    return evidence.kind === kind;
}

/**
 * A file that is clearly a known kind but malformed, or a directory or file that cannot be read.
 * The message names the file, says what is wrong (with line and column for syntax errors) and never echoes content.
 */
export class EvidenceError extends Error {
    constructor(
        readonly file: string,
        readonly problem: string,
    ) {
        super(`${file}: ${problem}`);
        this.name = "EvidenceError";
    }
}
