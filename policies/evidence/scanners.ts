/**
 * Readers for the JSON reports of coverage, lint and security tools:
 * Istanbul json-summary, ESLint json, npm audit (v2), Trivy, gitleaks and OWASP ZAP.
 *
 * Each schema lists only the fields read; anything else in a report is left alone.
 */
import { z } from "zod";
import {
    CoverageFacts,
    ESLintFacts,
    Evidence,
    EvidenceError,
    GitleaksFacts,
    NpmAuditFacts,
    TRIVY_SEVERITIES,
    TrivyFacts,
    ZapAlert,
    ZapFacts,
    ZapRisk,
} from "./types";
import { isCalendarDate } from "../lib/dates";
import { compareText, count, distinctSorted, figure, isIsoDateTime, objectOf, plural, validate } from "./util";

// ---------------------------------------------------------------- Istanbul / nyc json-summary

const coverageMetric = z.object({
    total: count,
    covered: count,
    // A number, or "Unknown" where nothing of that kind was found (total 0).
    pct: z.union([z.number().min(0).max(100), z.literal("Unknown")], { error: 'must be a percentage or "Unknown"' }),
});

const coverageSchema = z.object({
    total: z.object({ lines: coverageMetric, statements: coverageMetric, functions: coverageMetric, branches: coverageMetric }),
});

export function readCoverage(file: string, json: unknown): Evidence<"coverage"> {
    const { total } = validate(file, coverageSchema, json, "Istanbul coverage summary");
    const pct = (metric: z.output<typeof coverageMetric>) => (metric.pct === "Unknown" ? undefined : metric.pct);
    const facts: CoverageFacts = {
        lines: pct(total.lines),
        statements: pct(total.statements),
        functions: pct(total.functions),
        branches: pct(total.branches),
    };
    const show = (value: number | undefined) => (value === undefined ? "unknown" : `${figure(value)}%`);
    return {
        kind: "coverage",
        file,
        summary: `lines ${show(facts.lines)}, statements ${show(facts.statements)}, functions ${show(facts.functions)}, branches ${show(facts.branches)}`,
        facts,
    };
}

// ---------------------------------------------------------------- ESLint json formatter

const eslintSchema = z.array(
    z.object({
        filePath: z.string(),
        messages: z.array(z.object({ ruleId: z.string().nullable().optional(), severity: z.number().int().min(0).max(2) })),
        errorCount: count,
        warningCount: count,
        // Added in ESLint 7.32/8; older reports lack it.
        fatalErrorCount: count.optional(),
    }),
);

export function readESLint(file: string, json: unknown): Evidence<"eslint"> {
    const results = validate(file, eslintSchema, json, "ESLint JSON report");
    const facts: ESLintFacts = {
        files: results.length,
        filesWithProblems: results.filter((result) => result.errorCount + result.warningCount > 0).length,
        errorCount: results.reduce((sum, result) => sum + result.errorCount, 0),
        warningCount: results.reduce((sum, result) => sum + result.warningCount, 0),
        fatalErrorCount: results.reduce((sum, result) => sum + (result.fatalErrorCount ?? 0), 0),
        rules: distinctSorted(results.flatMap((result) => result.messages.flatMap((message) => (message.ruleId ? [message.ruleId] : [])))),
    };
    return {
        kind: "eslint",
        file,
        summary: `${plural(facts.files, "file")}, ${plural(facts.errorCount, "error")}, ${plural(facts.warningCount, "warning")}, ${facts.fatalErrorCount} fatal`,
        facts,
    };
}

// ---------------------------------------------------------------- npm audit --json (npm 7+)

const npmAuditSchema = z.object({
    auditReportVersion: z.literal(2),
    vulnerabilities: z.record(z.string(), z.unknown()),
    metadata: z.object({
        vulnerabilities: z.object({ info: count, low: count, moderate: count, high: count, critical: count, total: count }),
        dependencies: z.object({ total: count }).optional(),
    }),
});

export function readNpmAudit(file: string, json: unknown): Evidence<"npm-audit"> {
    const report = validate(file, npmAuditSchema, json, "npm audit report");
    const counts = report.metadata.vulnerabilities;
    const facts: NpmAuditFacts = {
        ...counts,
        dependencies: report.metadata.dependencies?.total,
        packages: distinctSorted(Object.keys(report.vulnerabilities)),
    };
    return {
        kind: "npm-audit",
        file,
        summary: `${plural(counts.total, "vulnerability", "vulnerabilities")} (${counts.critical} critical, ${counts.high} high, ${counts.moderate} moderate, ${counts.low} low, ${counts.info} info)`,
        facts,
    };
}

/** npm 6's report (no auditReportVersion, `advisories` by id): refused rather than misread. */
export function refuseNpmAuditV1(file: string): never {
    throw new EvidenceError(file, "is an npm audit report from npm 6 (auditReportVersion 1, `advisories`); run `npm audit --json` with npm 7 or later");
}

// ---------------------------------------------------------------- Trivy --format json

const trivySchema = z.object({
    SchemaVersion: z.literal(2),
    CreatedAt: z.string().optional(),
    ArtifactName: z.string().min(1),
    ArtifactType: z.string().optional(),
    Metadata: z
        .object({
            ImageID: z.string().optional(),
            RepoTags: z.array(z.string()).optional(),
            RepoDigests: z.array(z.string()).optional(),
        })
        .optional(),
    Results: z
        .array(
            z.object({
                Target: z.string(),
                Vulnerabilities: z.array(z.object({ Severity: z.enum(TRIVY_SEVERITIES) })).nullish(),
                // Counted only: RuleID, Match and Code would carry the (masked) secret's surroundings.
                Secrets: z.array(z.unknown()).nullish(),
            }),
        )
        .optional(),
});

export function readTrivy(file: string, json: unknown): Evidence<"trivy"> {
    const report = validate(file, trivySchema, json, "Trivy JSON report");
    if (report.CreatedAt !== undefined && !isIsoDateTime(report.CreatedAt, true)) {
        throw new EvidenceError(file, "Trivy JSON report is malformed: CreatedAt is not an ISO 8601 date-time");
    }
    const severities = { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0 };
    let secrets = 0;
    for (const result of report.Results ?? []) {
        for (const vulnerability of result.Vulnerabilities ?? []) {
            severities[vulnerability.Severity]++;
        }
        secrets += result.Secrets?.length ?? 0;
    }
    const facts: TrivyFacts = {
        artifactName: report.ArtifactName,
        artifactType: report.ArtifactType,
        imageId: report.Metadata?.ImageID,
        repoTags: report.Metadata?.RepoTags ?? [],
        repoDigests: report.Metadata?.RepoDigests ?? [],
        severities,
        vulnerabilities: Object.values(severities).reduce((sum, n) => sum + n, 0),
        secrets,
    };
    const type = facts.artifactType ? ` (${facts.artifactType})` : "";
    return {
        kind: "trivy",
        file,
        date: report.CreatedAt,
        summary:
            `${facts.artifactName}${type}: ${plural(facts.vulnerabilities, "vulnerability", "vulnerabilities")} ` +
            `(${severities.CRITICAL} critical, ${severities.HIGH} high, ${severities.MEDIUM} medium, ${severities.LOW} low, ${severities.UNKNOWN} unknown), ` +
            `${plural(secrets, "secret")}`,
        facts,
    };
}

// ---------------------------------------------------------------- gitleaks --report-format json

// Only RuleID, File and StartLine are read. Secret and Match hold the leaked value itself: never read, never shown.
const gitleaksSchema = z.array(z.object({ RuleID: z.string().min(1), File: z.string(), StartLine: count }));

export function readGitleaks(file: string, json: unknown): Evidence<"gitleaks"> {
    const findings = validate(file, gitleaksSchema, json, "gitleaks JSON report");
    return gitleaksEvidence(
        file,
        findings.map((finding) => ({ rule: finding.RuleID, files: [finding.File] })),
    );
}

/** gitleaks' findings, from either report format: their rules and files, never the secrets. */
function gitleaksEvidence(file: string, findings: { rule: string; files: string[] }[]): Evidence<"gitleaks"> {
    const facts: GitleaksFacts = {
        findings: findings.length,
        rules: distinctSorted(findings.map((finding) => finding.rule)),
        files: distinctSorted(findings.flatMap((finding) => finding.files)),
    };
    return {
        kind: "gitleaks",
        file,
        summary: `${plural(facts.findings, "finding")} of ${plural(facts.rules.length, "rule")} in ${plural(facts.files.length, "file")}`,
        facts,
    };
}

// ---------------------------------------------------------------- gitleaks --report-format sarif

// A clean JSON report is `[]`, which says nothing of who wrote it; the SARIF report names gitleaks even when it found nothing.
// Only ruleId and the artifact's URI are read: the region's snippet holds the leaked value.
const gitleaksSarifSchema = z.object({
    runs: z
        .array(
            z.object({
                tool: z.object({ driver: z.object({ name: z.literal("gitleaks") }) }),
                results: z
                    .array(
                        z.object({
                            ruleId: z.string().min(1),
                            locations: z.array(z.object({ physicalLocation: z.object({ artifactLocation: z.object({ uri: z.string() }) }) })).default([]),
                        }),
                    )
                    .default([]),
            }),
        )
        .min(1),
});

/** Whether a SARIF log was written by gitleaks. */
export function isGitleaksSarif(object: Record<string, unknown>): boolean {
    const runs = Array.isArray(object.runs) ? object.runs : [];
    return typeof object.version === "string" && runs.some((run) => objectOf(objectOf(objectOf(run)?.tool)?.driver)?.name === "gitleaks");
}

export function readGitleaksSarif(file: string, json: unknown): Evidence<"gitleaks"> {
    const results = validate(file, gitleaksSarifSchema, json, "gitleaks SARIF report").runs.flatMap((run) => run.results);
    return gitleaksEvidence(
        file,
        results.map((result) => ({
            rule: result.ruleId,
            files: result.locations.map((location) => location.physicalLocation.artifactLocation.uri),
        })),
    );
}

// ---------------------------------------------------------------- OWASP ZAP traditional JSON (-J)

const zapSchema = z.object({
    "@version": z.string().optional(),
    "@generated": z.string().optional(),
    created: z.string().optional(),
    site: z.array(
        z.object({
            "@name": z.string(),
            alerts: z.array(
                z.object({
                    pluginid: z.string().regex(/^-?\d+$/, { error: "must be a numeric plugin id" }),
                    alert: z.string().optional(),
                    name: z.string().optional(),
                    riskcode: z.enum(["0", "1", "2", "3"]),
                    count: z.string().regex(/^\d+$/, { error: "must be a count" }).optional(),
                    instances: z.array(z.unknown()).optional(),
                }),
            ),
        }),
    ),
});

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** ZAP's "@generated" ("Sat, 14 Sep 2025 17:41:23", Java's "EEE, d MMM yyyy HH:mm:ss", local time) as ISO 8601 without an offset. */
export function zapGeneratedDate(generated: string): string | undefined {
    const match = /^[A-Z][a-z]{2}, (\d{1,2}) ([A-Z][a-z]{2}) (\d{4}) (\d{2}):(\d{2}):(\d{2})$/.exec(generated.trim());
    const month = match ? MONTHS.indexOf(match[2]) + 1 : 0;
    if (!match || month === 0) {
        return undefined;
    }
    const date = `${match[3]}-${String(month).padStart(2, "0")}-${match[1].padStart(2, "0")}`;
    const iso = `${date}T${match[4]}:${match[5]}:${match[6]}`;
    return isCalendarDate(date) && isIsoDateTime(iso) ? iso : undefined;
}

export function readZap(file: string, json: unknown): Evidence<"zap"> {
    const report = validate(file, zapSchema, json, "ZAP JSON report");
    const alerts: ZapAlert[] = [];
    for (const site of report.site) {
        for (const alert of site.alerts) {
            const name = alert.name ?? alert.alert;
            if (name === undefined) {
                throw new EvidenceError(file, `ZAP JSON report is malformed: an alert of plugin ${alert.pluginid} has neither "name" nor "alert"`);
            }
            alerts.push({
                pluginid: alert.pluginid,
                name,
                risk: Number(alert.riskcode) as ZapRisk,
                count: alert.count !== undefined ? Number(alert.count) : (alert.instances?.length ?? 0),
                site: site["@name"],
            });
        }
    }
    alerts.sort((a, b) => b.risk - a.risk || compareText(a.pluginid, b.pluginid) || compareText(a.site, b.site));
    // "created" (newer ZAP) carries an offset; "@generated" is local time.
    let date: string | undefined;
    if (report.created !== undefined && isIsoDateTime(report.created, true)) {
        date = report.created;
    } else if (report["@generated"] !== undefined && report["@generated"].trim() !== "") {
        date = zapGeneratedDate(report["@generated"]);
        if (date === undefined) {
            throw new EvidenceError(file, 'ZAP JSON report is malformed: "@generated" is not a date like "Sat, 14 Sep 2025 17:41:23"');
        }
    }
    const risks = {
        high: alerts.filter((alert) => alert.risk === 3).length,
        medium: alerts.filter((alert) => alert.risk === 2).length,
        low: alerts.filter((alert) => alert.risk === 1).length,
        informational: alerts.filter((alert) => alert.risk === 0).length,
    };
    const facts: ZapFacts = { version: report["@version"], sites: report.site.map((site) => site["@name"]), alerts, risks };
    return {
        kind: "zap",
        file,
        date,
        summary: `${plural(alerts.length, "alert")} on ${plural(facts.sites.length, "site")}: ${risks.high} high, ${risks.medium} medium, ${risks.low} low, ${risks.informational} informational`,
        facts,
    };
}
