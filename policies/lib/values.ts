/** A value as a message shows it: `"text"`, `12`, `true`, or "not set". */
export function show(value: unknown): string {
    if (value === undefined || value === null) {
        return "not set";
    }
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** A number, or undefined for anything else (a rule then says it cannot decide). */
export function numberOf(value: unknown): number | undefined {
    return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** The major part of a version like "17", "16.4" or 7.1. */
export function majorVersion(value: unknown): number | undefined {
    const text = typeof value === "number" ? String(value) : value;
    if (typeof text !== "string" || !/^\d+(\.\d+)*$/.test(text)) {
        return undefined;
    }
    return Number(text.split(".")[0]);
}

/** The elements of a list, or undefined when the value is not a list. */
export function listOf(value: unknown): unknown[] | undefined {
    return Array.isArray(value) ? value : undefined;
}

/** A plain object, or undefined. */
export function objectOf(value: unknown): Record<string, any> | undefined {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, any>) : undefined;
}

/**
 * Checks a boolean setting that must be `expected`: absent means the provider default.
 * Returns the problem, or undefined when it holds.
 */
export function booleanProblem(props: Record<string, any>, key: string, expected: boolean, providerDefault: boolean): string | undefined {
    const value = props[key];
    if (value === undefined || value === null) {
        return providerDefault === expected ? undefined : `${key} is not set, and the provider default is ${providerDefault}; set it to ${expected}`;
    }
    if (typeof value !== "boolean") {
        return `${key} is ${show(value)}, not a boolean; set it to ${expected}`;
    }
    return value === expected ? undefined : `${key} is ${value}; set it to ${expected}`;
}

/** A validation that reports `booleanProblem`'s finding, for rules that check one boolean setting. */
export function requireBoolean(key: string, expected: boolean, providerDefault: boolean) {
    return (resource: { props: Record<string, any> }, _config: unknown, report: (message: string) => void) => {
        const problem = booleanProblem(resource.props, key, expected, providerDefault);
        if (problem) {
            report(problem);
        }
    };
}

/** A validation that reports a number setting below its configured minimum (absent means the provider default). */
export function requireAtLeast(key: string, configKey: string, providerDefault: number, unit: string) {
    return (resource: { props: Record<string, any> }, config: Record<string, number>, report: (m: string) => void) => {
        const minimum = config[configKey];
        const raw = resource.props[key];
        const value = raw === undefined || raw === null ? providerDefault : numberOf(raw);
        if (value === undefined) {
            report(`${key} is ${show(raw)}, not a number; set it to ${minimum} ${unit} or more`);
        } else if (value < minimum) {
            const given = raw === undefined || raw === null ? `not set (the provider default is ${providerDefault})` : `${value}`;
            report(`${key} is ${given}; it must be at least ${minimum} ${unit}`);
        }
    };
}

// @pulumi/policy exports UnknownValueError at runtime, but its proxy.d.ts does not declare it.
const { UnknownValueError } = require("@pulumi/policy") as { UnknownValueError: new (...args: any[]) => Error };

/** Stands for a value that is unknown during a preview. */
export const UNKNOWN = Symbol("unknown until the update");

/** A property's value, or UNKNOWN when a preview cannot know it yet (reading it directly would throw). */
export function peek(props: Record<string, any> | undefined, key: string): unknown {
    try {
        return props?.[key];
    } catch (err) {
        if (err instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw err;
    }
}

/**
 * Whether a property has a value. One that is unknown during a preview counts: it is an output of
 * another resource, so it will be set; only its value cannot be judged yet.
 */
export function isSet(props: Record<string, any> | undefined, key: string): boolean {
    const value = peek(props, key);
    return value !== undefined && value !== null && value !== "";
}
