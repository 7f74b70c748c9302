/**
 * Recognises an artifact's kind from its content (never its name) and reads it.
 *
 * XML with a `<testsuites>` or `<testsuite>` root is JUnit. JSON is told apart by the keys each tool writes
 * (see the table in `recogniseJson`). Other text is a YAML record only when a top-level line says
 * `kind: restore-drill`, `kind: sign-off` or `kind: attestation`. Anything else (package.json, a tsconfig,
 * a Kubernetes manifest, a README) is not evidence: `recognise` returns undefined.
 *
 * A file that is clearly one of the kinds but malformed throws an EvidenceError. An empty JSON array is
 * undefined: gitleaks, ESLint and stack history all print `[]` when they have nothing to say; a clean gitleaks
 * run is recognised from its SARIF report (`--report-format sarif`), which names the tool.
 */
import { readJUnit, xmlRootName } from "./junit";
import { looksLikeK6, readK6 } from "./k6";
import { looksLikeRecord, looksLikeStackHistory, readRecord, readStackHistory, readVerify, readYamlRecord, RECORD_KINDS, VERIFY_TOOL } from "./records";
import { isGitleaksSarif, readCoverage, readESLint, readGitleaks, readGitleaksSarif, readNpmAudit, readTrivy, readZap, refuseNpmAuditV1 } from "./scanners";
import { Evidence } from "./types";
import { has, objectOf, parseJson } from "./util";

/**
 * Broken JSON is an error only when it clearly is one of ours; each entry says what the text must contain.
 * Matched against raw text, so a syntax error anywhere does not hide the kind.
 */
const JSON_MARKERS: { label: string; all: RegExp[] }[] = [
    { label: "npm audit report", all: [/"auditReportVersion"\s*:/] },
    { label: "npm audit report", all: [/"advisories"\s*:/, /"muted"\s*:|"actions"\s*:/] },
    { label: "Trivy JSON report", all: [/"SchemaVersion"\s*:/, /"ArtifactName"\s*:|"Results"\s*:/] },
    { label: "ZAP JSON report", all: [/"@programName"\s*:|"@generated"\s*:/, /"site"\s*:/] },
    { label: "k6 summary", all: [/"metrics"\s*:/, /"root_group"\s*:|"testRunDurationMs"\s*:/] },
    { label: "platform-verify record", all: [/"tool"\s*:\s*"platform-verify"/] },
    { label: "gitleaks JSON report", all: [/"RuleID"\s*:/, /"Secret"\s*:|"Match"\s*:/] },
    { label: "ESLint JSON report", all: [/"filePath"\s*:/, /"messages"\s*:/, /"errorCount"\s*:/] },
    { label: "Istanbul coverage summary", all: [/"total"\s*:/, /"statements"\s*:/, /"pct"\s*:/] },
    { label: "pulumi stack history", all: [/"startTime"\s*:/, /"resourceChanges"\s*:|"result"\s*:/, /"kind"\s*:/] },
    { label: "record", all: [/"kind"\s*:\s*"(?:restore-drill|sign-off|attestation)"/] },
];

const COVERAGE_KEYS = ["lines", "statements", "functions", "branches"];

function recogniseJson(file: string, text: string): Evidence | undefined {
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch {
        const marker = JSON_MARKERS.find((entry) => entry.all.every((pattern) => pattern.test(text)));
        // Not ours (a tsconfig with comments, say): ignored. Ours: parseJson throws, placing the syntax error.
        return marker ? (parseJson(file, text, marker.label) as undefined) : undefined;
    }
    if (Array.isArray(json)) {
        const first = objectOf(json[0]);
        if (!first) {
            return undefined;
        }
        if (has(first, "filePath") && has(first, "messages")) {
            return readESLint(file, json);
        }
        if (has(first, "RuleID") && ["File", "StartLine", "Secret", "Match"].some((key) => has(first, key))) {
            return readGitleaks(file, json);
        }
        if (looksLikeStackHistory(first)) {
            return readStackHistory(file, json);
        }
        return undefined;
    }
    const object = objectOf(json);
    if (!object) {
        return undefined;
    }
    if (isGitleaksSarif(object)) {
        return readGitleaksSarif(file, object);
    }
    if (object.tool === VERIFY_TOOL) {
        return readVerify(file, object);
    }
    if (has(object, "auditReportVersion")) {
        return readNpmAudit(file, object);
    }
    if (has(object, "advisories") && (has(object, "metadata") || has(object, "actions") || has(object, "muted"))) {
        return refuseNpmAuditV1(file);
    }
    if (has(object, "SchemaVersion") && ["ArtifactName", "ArtifactType", "Results"].some((key) => has(object, key))) {
        return readTrivy(file, object);
    }
    if (has(object, "site") && ["@version", "@generated", "@programName"].some((key) => has(object, key))) {
        return readZap(file, object);
    }
    // ESLint's json-with-metadata formatter: the json formatter's array under "results", rules under "metadata".
    const results = Array.isArray(object.results) ? objectOf(object.results[0]) : undefined;
    if (results && objectOf(object.metadata) && has(results, "filePath") && has(results, "messages")) {
        return readESLint(file, object.results);
    }
    if (looksLikeK6(object)) {
        return readK6(file, object);
    }
    const total = objectOf(object.total);
    if (total && COVERAGE_KEYS.filter((key) => has(total, key)).length >= 2) {
        return readCoverage(file, object);
    }
    if (typeof object.kind === "string" && (RECORD_KINDS as readonly string[]).includes(object.kind)) {
        return readRecord(file, object);
    }
    return undefined;
}

/** The evidence in one file's text, undefined when it is not a known kind; throws EvidenceError when it is one but malformed. */
export function recognise(file: string, text: string): Evidence | undefined {
    const content = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
    if (content.includes("\u0000")) {
        return undefined; // binary
    }
    const start = /\S/.exec(content);
    if (!start) {
        return undefined;
    }
    const first = start[0];
    if (first === "<") {
        const root = xmlRootName(content);
        return root === "testsuites" || root === "testsuite" ? readJUnit(file, content) : undefined;
    }
    if (first === "{" || first === "[") {
        return recogniseJson(file, content);
    }
    return looksLikeRecord(content) ? readYamlRecord(file, content) : undefined;
}
