import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";

/** An exemption from one policy for the resources it names, with a reason and an end date. */
export interface Waiver {
    /** A resource name or URN; `*` matches any run of characters, `?` one character. */
    resource: string;
    reason: string;
    /** Last day the waiver holds, YYYY-MM-DD (UTC). */
    expires: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

export const WAIVERS_SCHEMA: PolicyConfigJSONSchema = {
    type: "array",
    description: "Exemptions: a violation on a named resource is reported as advisory until the date, then blocks again.",
    items: {
        type: "object",
        properties: {
            resource: { type: "string", minLength: 1, description: "Resource name or URN; * and ? are wildcards." },
            reason: { type: "string", minLength: 1, description: "Why the resource is exempt." },
            expires: { type: "string", pattern: DATE.source, description: "Last day of the exemption (YYYY-MM-DD, UTC)." },
        },
        required: ["resource", "reason", "expires"],
        additionalProperties: false,
    },
    default: [],
};

/** A policy config the pack cannot use. The CLI's schema check stops most of these before the pack runs. */
export class WaiverConfigError extends Error {}

function isRealDate(text: string): boolean {
    const date = new Date(`${text}T00:00:00Z`);
    return DATE.test(text) && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

export function parseWaivers(policy: string, value: unknown): Waiver[] {
    if (value === undefined || value === null) {
        return [];
    }
    if (!Array.isArray(value)) {
        throw new WaiverConfigError(`${policy}.waivers must be a list of {resource, reason, expires}`);
    }
    return value.map((entry, index) => {
        const where = `${policy}.waivers[${index}]`;
        const waiver = (entry ?? {}) as Partial<Waiver>;
        if (typeof waiver.resource !== "string" || waiver.resource === "") {
            throw new WaiverConfigError(`${where}.resource must name a resource (name or URN, * and ? allowed)`);
        }
        if (typeof waiver.reason !== "string" || waiver.reason.trim() === "") {
            throw new WaiverConfigError(`${where}.reason is required: say why ${waiver.resource} is exempt`);
        }
        if (typeof waiver.expires !== "string" || !isRealDate(waiver.expires)) {
            throw new WaiverConfigError(`${where}.expires must be a date YYYY-MM-DD, got ${JSON.stringify(waiver.expires)}`);
        }
        return { resource: waiver.resource, reason: waiver.reason, expires: waiver.expires };
    });
}

function globToRegExp(glob: string): RegExp {
    const escaped = glob
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*/g, ".*")
        .replace(/\?/g, ".");
    return new RegExp(`^${escaped}$`);
}

/** Today in UTC, as YYYY-MM-DD. */
export function today(): string {
    return new Date().toISOString().slice(0, 10);
}

/** The first waiver that names the target, and whether its date has passed. */
export function activeWaiver(waivers: Waiver[], target: { urn: string; name: string } | undefined, on = today()) {
    if (!target) {
        return { waiver: undefined, expired: false };
    }
    const matching = waivers.filter((w) => {
        const pattern = globToRegExp(w.resource);
        return pattern.test(target.name) || pattern.test(target.urn);
    });
    // A current waiver wins over an expired one for the same resource.
    const current = matching.find((w) => w.expires >= on);
    const waiver = current ?? matching[0];
    return { waiver, expired: waiver !== undefined && current === undefined };
}
