/**
 * Deployment records: `pulumi stack history --json`, our own verification record (tool "platform-verify"),
 * and the YAML records people write (restore drills, sign-offs, attestations).
 */
import { parseDocument } from "yaml";
import { z } from "zod";
import { AttestationFacts, Evidence, EvidenceError, RestoreDrillFacts, SignOffFacts, StackUpdate, VerifyFacts } from "./types";
import { calendarDate, compareText, count, has, isoDateTime, lineColumn, objectOf, plural, validate } from "./util";

// ---------------------------------------------------------------- pulumi stack history --json

/**
 * One update as `pulumi stack history --json` prints it (pkg/cmd/pulumi/stack/stack_history.go, updateInfoJSON):
 * times are RFC 3339 with milliseconds in UTC ("2024-05-01T10:00:00.000Z"); config values are
 * `{"value": "...", "secret": false}` (`value` absent for a secret unless --show-secrets, `objectValue` for objects);
 * `endTime` and `resourceChanges` are absent while an update is in progress.
 */
const configValue = z.union([z.string(), z.object({ value: z.string().optional(), objectValue: z.unknown().optional(), secret: z.boolean().optional() })]);

const historySchema = z.array(
    z.object({
        version: count,
        kind: z.string().min(1),
        startTime: isoDateTime,
        endTime: isoDateTime.optional(),
        result: z.string().min(1),
        config: z.record(z.string(), configValue).optional(),
        resourceChanges: z.record(z.string(), count).nullish(),
    }),
);

/** True when a JSON array's first element has the shape of a stack history update. */
export function looksLikeStackHistory(first: Record<string, unknown>): boolean {
    return ["kind", "startTime"].every((key) => has(first, key)) && ["version", "result", "resourceChanges", "config"].some((key) => has(first, key));
}

export function readStackHistory(file: string, json: unknown): Evidence<"stack-history"> {
    const history = validate(file, historySchema, json, "pulumi stack history");
    // A config value when set in clear; a secret is never read even if --show-secrets put it there.
    const plain = (config: Record<string, z.output<typeof configValue>> | undefined, key: string): string | undefined => {
        const value = config?.[key];
        if (typeof value === "string") {
            return value;
        }
        return value && value.secret !== true ? value.value : undefined;
    };
    const updates: StackUpdate[] = history
        .map((update) => ({
            version: update.version,
            kind: update.kind,
            result: update.result,
            startTime: update.startTime,
            endTime: update.endTime,
            release: plain(update.config, "platform:release"),
            environment: plain(update.config, "platform:environment"),
            resourceChanges: update.resourceChanges ?? undefined,
        }))
        .sort((a, b) => b.version - a.version);
    const latest = updates[0];
    let summary = plural(updates.length, "update");
    if (latest) {
        summary += `; latest #${latest.version} ${latest.kind} ${latest.result}`;
        if (latest.release !== undefined) {
            summary += `, release ${latest.release}`;
        }
        if (latest.environment !== undefined) {
            summary += `, environment ${latest.environment}`;
        }
    }
    return { kind: "stack-history", file, date: latest ? (latest.endTime ?? latest.startTime) : undefined, summary, facts: { updates } };
}

// ---------------------------------------------------------------- platform-verify (ours)

/**
 * What the post-deploy verification writes:
 * `{"tool": "platform-verify", "version": 1, "url": "...", "checkedAt": "<ISO>", "requests": n,
 *   "checks": [{"id": "...", "status": "pass" | "fail" | "skip", "message": "..."}]}`.
 */
export const VERIFY_TOOL = "platform-verify";

const verifySchema = z.object({
    tool: z.literal(VERIFY_TOOL),
    version: z.literal(1),
    url: z.url({ protocol: /^https?$/ }),
    checkedAt: isoDateTime,
    requests: count,
    checks: z.array(z.object({ id: z.string().min(1), status: z.enum(["pass", "fail", "skip"]), message: z.string() })),
});

export function readVerify(file: string, json: unknown): Evidence<"verify"> {
    const record = validate(file, verifySchema, json, "platform-verify record");
    const checks = record.checks.map(({ id, status, message }) => ({ id, status, message }));
    const facts: VerifyFacts = {
        url: record.url,
        checkedAt: record.checkedAt,
        requests: record.requests,
        checks,
        passed: checks.filter((check) => check.status === "pass").length,
        failed: checks.filter((check) => check.status === "fail").length,
        skipped: checks.filter((check) => check.status === "skip").length,
    };
    return {
        kind: "verify",
        file,
        date: record.checkedAt,
        summary: `${record.url}: ${plural(checks.length, "check")}, ${facts.passed} passed, ${facts.failed} failed, ${facts.skipped} skipped, ${plural(record.requests, "request")}`,
        facts,
    };
}

// ---------------------------------------------------------------- YAML records

export const RECORD_KINDS = ["restore-drill", "sign-off", "attestation"] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

const nonEmpty = z.string().trim().min(1);

const restoreDrillSchema = z.object({
    kind: z.literal("restore-drill"),
    date: calendarDate,
    environment: nonEmpty,
    source: nonEmpty,
    target: nonEmpty,
    durationMinutes: z.number().positive(),
    verified: z.boolean(),
    by: nonEmpty,
});

const signOffSchema = z.object({ kind: z.literal("sign-off"), role: nonEmpty, name: nonEmpty, release: nonEmpty, date: calendarDate });

const attestationSchema = z
    .object({ kind: z.literal("attestation"), requirement: nonEmpty, statement: nonEmpty, by: nonEmpty, date: calendarDate, expires: calendarDate })
    .refine((record) => compareText(record.expires, record.date) >= 0, { error: "is before the date of the attestation", path: ["expires"] });

/** A top-level `kind:` line naming one of the record kinds: what makes a file "clearly" a record, even when it does not parse. */
const RECORD_MARKER = /^kind[ \t]*:[ \t]*["']?(restore-drill|sign-off|attestation)["']?[ \t]*(?:#[^\n]*)?\r?$/m;

export function looksLikeRecord(text: string): boolean {
    return RECORD_MARKER.test(text);
}

/** Parses a YAML record; undefined when the file is YAML of another kind. */
export function readYamlRecord(file: string, source: string): Evidence<RecordKind> | undefined {
    let document;
    try {
        // YAML 1.2 core schema: dates stay strings, "yes" stays a string. Aliases are not needed by a record.
        document = parseDocument(source, { version: "1.2", schema: "core", uniqueKeys: true, prettyErrors: false });
    } catch {
        throw new EvidenceError(file, "YAML record could not be parsed");
    }
    const problem = document.errors[0];
    if (problem) {
        const position = problem.linePos?.[0] ?? lineColumn(source, problem.pos[0]);
        const column = "col" in position ? position.col : position.column;
        throw new EvidenceError(file, `YAML record is not valid YAML (${problem.code}) at line ${position.line}, column ${column}`);
    }
    let value: unknown;
    try {
        value = document.toJS({ maxAliasCount: 0 });
    } catch (error) {
        throw new EvidenceError(
            file,
            error instanceof RangeError ? "YAML record is nested too deeply to read" : "YAML record uses aliases, which a record does not need",
        );
    }
    return readRecord(file, value);
}

/** A parsed record (from YAML, or JSON with the same fields); undefined when its top-level kind is not a record kind. */
export function readRecord(file: string, value: unknown): Evidence<RecordKind> | undefined {
    const object = objectOf(value);
    const kind = object?.kind;
    if (kind === "restore-drill") {
        const record = validate(file, restoreDrillSchema, value, "restore-drill record");
        const { kind: _kind, ...facts } = record;
        const drill: RestoreDrillFacts = facts;
        return {
            kind: "restore-drill",
            file,
            date: drill.date,
            summary: `restore drill ${drill.date} in ${drill.environment}: ${drill.source} to ${drill.target} in ${drill.durationMinutes} min, ${drill.verified ? "verified" : "NOT verified"}, by ${drill.by}`,
            facts: drill,
        };
    }
    if (kind === "sign-off") {
        const { kind: _kind, ...facts } = validate(file, signOffSchema, value, "sign-off record");
        const signOff: SignOffFacts = facts;
        return {
            kind: "sign-off",
            file,
            date: signOff.date,
            summary: `sign-off of release ${signOff.release} by ${signOff.name} (${signOff.role}) on ${signOff.date}`,
            facts: signOff,
        };
    }
    if (kind === "attestation") {
        const { kind: _kind, ...facts } = validate(file, attestationSchema, value, "attestation record");
        const attestation: AttestationFacts = facts;
        return {
            kind: "attestation",
            file,
            date: attestation.date,
            summary: `attestation of ${attestation.requirement} by ${attestation.by} on ${attestation.date}, expires ${attestation.expires}`,
            facts: attestation,
        };
    }
    return undefined;
}
