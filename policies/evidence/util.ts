/**
 * Helpers shared by the evidence readers: syntax-error positions, dates, and zod validation whose
 * messages name fields but never repeat a value from the file.
 */
import { z } from "zod";
import { isCalendarDate } from "../lib/dates";
import { EvidenceError } from "./types";

/** 1-based line and column of a character offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
    let line = 1;
    let lineStart = 0;
    const end = Math.min(Math.max(offset, 0), text.length);
    for (let i = 0; i < end; i++) {
        if (text.charCodeAt(i) === 10) {
            line++;
            lineStart = i + 1;
        }
    }
    return { line, column: end - lineStart + 1 };
}

const WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0d]);

/**
 * Where JSON text first breaks the grammar, or undefined when it is valid. An iterative scanner (no recursion,
 * whatever the nesting), used only to place the error: JSON.parse's own message may quote the text.
 */
export function jsonSyntaxError(text: string): { offset: number; what: string } | undefined {
    const n = text.length;
    let i = 0;
    const stack: ("object" | "array")[] = [];
    const ws = () => {
        while (i < n && WHITESPACE.has(text.charCodeAt(i))) {
            i++;
        }
    };
    const fail = (what: string) => ({ offset: i, what: i >= n ? "unexpected end of input" : what });
    const string = (): boolean => {
        // text[i] === '"'
        i++;
        while (i < n) {
            const c = text.charCodeAt(i);
            if (c === 0x22) {
                i++;
                return true;
            }
            if (c < 0x20) {
                return false;
            }
            if (c === 0x5c) {
                i++;
                const e = text[i];
                if (e === "u") {
                    if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) {
                        return false;
                    }
                    i += 5;
                } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
                    i++;
                } else {
                    return false;
                }
            } else {
                i++;
            }
        }
        return false;
    };
    /** A property name and its colon, from text[i]; what is wrong, if anything. */
    const propertyName = () => {
        if (text[i] !== '"') {
            return fail("expected a property name");
        }
        if (!string()) {
            return fail("invalid string");
        }
        ws();
        if (text[i] !== ":") {
            return fail("expected ':'");
        }
        i++;
        return undefined;
    };
    const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
    // "value": a value is expected; "after": a value just ended.
    let state: "value" | "after" = "value";
    for (;;) {
        ws();
        if (state === "value") {
            const c = text[i];
            if (c === "{") {
                i++;
                ws();
                if (text[i] === "}") {
                    i++;
                    state = "after";
                    continue;
                }
                stack.push("object");
                const problem = propertyName();
                if (problem) {
                    return problem;
                }
                continue;
            }
            if (c === "[") {
                i++;
                ws();
                if (text[i] === "]") {
                    i++;
                    state = "after";
                    continue;
                }
                stack.push("array");
                continue;
            }
            if (c === '"') {
                if (!string()) {
                    return fail("invalid string");
                }
                state = "after";
                continue;
            }
            const literal = ["true", "false", "null"].find((word) => text.startsWith(word, i));
            if (literal) {
                i += literal.length;
                state = "after";
                continue;
            }
            NUMBER.lastIndex = i;
            if (NUMBER.test(text)) {
                i = NUMBER.lastIndex;
                state = "after";
                continue;
            }
            return fail("unexpected character where a value should be");
        }
        // after a value
        const top = stack[stack.length - 1];
        if (top === undefined) {
            return i >= n ? undefined : fail("unexpected character after the end of the document");
        }
        const c = text[i];
        if (c === ",") {
            i++;
            if (top === "object") {
                ws();
                const problem = propertyName();
                if (problem) {
                    return problem;
                }
            }
            state = "value";
            continue;
        }
        if ((top === "object" && c === "}") || (top === "array" && c === "]")) {
            i++;
            stack.pop();
            continue;
        }
        return fail(top === "object" ? "expected ',' or '}'" : "expected ',' or ']'");
    }
}

/** Parses JSON, or throws an EvidenceError placing the syntax error (never quoting the text). */
export function parseJson(file: string, text: string, label: string): unknown {
    try {
        return JSON.parse(text);
    } catch (error) {
        if (error instanceof RangeError) {
            throw new EvidenceError(file, `${label} is nested too deeply to read`);
        }
        const found = jsonSyntaxError(text);
        const where = lineColumn(text, found ? found.offset : text.length);
        throw new EvidenceError(file, `${label} is not valid JSON: ${found ? found.what : "syntax error"} at line ${where.line}, column ${where.column}`);
    }
}

/**
 * True for an ISO 8601 date-time with a real date and time: "2024-09-16T12:48:16.72909+02:00", "2024-05-01T10:00:00.000Z",
 * or without an offset ("2017-07-13T09:42:28", as JUnit reporters write local time).
 */
export function isIsoDateTime(value: string, requireOffset = false): boolean {
    const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/.exec(value);
    if (!match || !isCalendarDate(match[1])) {
        return false;
    }
    if (requireOffset && !match[6]) {
        return false;
    }
    return Number(match[2]) < 24 && Number(match[3]) < 60 && Number(match[4]) < 61;
}

/** A calendar date (YYYY-MM-DD) for zod. */
export const calendarDate = z.string().refine(isCalendarDate, { error: "must be a real calendar date written YYYY-MM-DD" });

/** An ISO 8601 date-time with an offset, for zod. */
export const isoDateTime = z.string().refine((value) => isIsoDateTime(value, true), {
    error: "must be an ISO 8601 date-time with an offset, like 2026-03-01T12:00:00Z",
});

export const count = z.number().int().nonnegative();

/** A path as a message shows it: `metadata.vulnerabilities.high`, `[3].RuleID`; long keys cut short. */
export function showPath(path: readonly PropertyKey[]): string {
    let out = "";
    for (const key of path) {
        if (typeof key === "number") {
            out += `[${key}]`;
        } else {
            const name = String(key);
            const short = name.length > 40 ? `${name.slice(0, 37)}...` : name;
            out += out ? `.${short}` : short;
        }
    }
    return out || "(top level)";
}

/** zod's own messages name types and our expected values, never the input; at most five of them. */
function describeIssues(issues: z.ZodError["issues"]): string {
    const parts = issues.slice(0, 5).map((issue) => `${showPath(issue.path)}: ${issue.message}`);
    if (issues.length > 5) {
        parts.push(`and ${issues.length - 5} more`);
    }
    return parts.join("; ");
}

/** Validates with zod, or throws an EvidenceError naming the file and the fields. */
export function validate<T extends z.ZodType>(file: string, schema: T, value: unknown, label: string): z.output<T> {
    const result = schema.safeParse(value);
    if (!result.success) {
        throw new EvidenceError(file, `${label} is malformed: ${describeIssues(result.error.issues)}`);
    }
    return result.data;
}

/** A plain object (not an array), or undefined. */
export function objectOf(value: unknown): Record<string, unknown> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

/** Own property check that does not trip over `__proto__` or inherited names. */
export function has(object: Record<string, unknown>, key: string): boolean {
    return Object.prototype.hasOwnProperty.call(object, key);
}

/** A percentage or rate as a summary shows it: at most two decimals, no trailing zeros. */
export function figure(value: number | undefined, digits = 2): string {
    if (value === undefined) {
        return "n/a";
    }
    return String(Number(value.toFixed(digits)));
}

/** "1 test" / "3 tests". */
export function plural(n: number, one: string, many = `${one}s`): string {
    return `${n} ${n === 1 ? one : many}`;
}

/** Distinct strings, sorted by code unit (the same order everywhere). */
export function distinctSorted(values: Iterable<string>): string[] {
    return [...new Set(values)].sort(compareText);
}

export function compareText(a: string, b: string): number {
    return a < b ? -1 : a > b ? 1 : 0;
}
