// The analyzer protocol's resource message, encoded straight from JavaScript values into protobuf
// bytes: once per resource, for both `analyze` and `analyzeStack` (an `AnalyzeRequest` has the same
// field numbers as an `AnalyzerResource`, whose extra fields the pack skips as unknown).

/** The signature key of Pulumi's special values, and the signatures the preflight looks at. */
export const SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const RESOURCE_REF_SIG = "5cf8f73096256a8f31e491e813e4eb8e";
/** What the engine sends for a string that is not known yet. */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Deeper than this, a value is refused: every real provider schema nests far less, and the pack's decoder recurses. */
export const MAX_DEPTH = 100;

/** A value the protocol cannot carry. */
export class WireError extends Error {}

export interface WireResource {
    urn: string;
    type: string;
    name: string;
    properties: Record<string, unknown>;
    parent?: string;
    provider?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    protect?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
    deleteBeforeReplace?: boolean;
}

function varint(value: number): Buffer {
    const bytes: number[] = [];
    while (value > 0x7f) {
        bytes.push((value % 0x80) | 0x80);
        value = Math.floor(value / 0x80);
    }
    bytes.push(value);
    return Buffer.from(bytes);
}

/** A length-delimited field: tag, length, bytes. */
function field(tag: number, body: Buffer): Buffer {
    return Buffer.concat([Buffer.from([tag]), varint(body.length), body]);
}

const text = (tag: number, value: string) => field(tag, Buffer.from(value, "utf8"));
const NULL_VALUE = Buffer.from([0x08, 0x00]);
const TRUE_VALUE = Buffer.from([0x20, 0x01]);
const FALSE_VALUE = Buffer.from([0x20, 0x00]);

/**
 * What the engine hands an analyzer for a resource reference: the id of a custom resource (unknown
 * while it is not known) or the URN of a component. Policies never see the reference itself.
 */
function downgradeReference(ref: Record<string, unknown>): string {
    if (!("id" in ref)) {
        return typeof ref.urn === "string" ? ref.urn : "";
    }
    return typeof ref.id === "string" && ref.id !== "" ? ref.id : UNKNOWN_STRING;
}

/** Encodes values as google.protobuf.Value, with JSON's rules (undefined keys dropped, non-finite numbers null). */
class StructEncoder {
    private readonly path: string[] = [];

    constructor(private readonly where: string) {}

    value(value: unknown): Buffer {
        switch (typeof value) {
            case "string":
                return text(0x1a, value);
            case "number": {
                if (!Number.isFinite(value)) {
                    return NULL_VALUE;
                }
                const body = Buffer.alloc(9);
                body[0] = 0x11;
                body.writeDoubleLE(value, 1);
                return body;
            }
            case "boolean":
                return value ? TRUE_VALUE : FALSE_VALUE;
            case "object":
                if (value === null) {
                    return NULL_VALUE;
                }
                if (Array.isArray(value)) {
                    return field(
                        0x32,
                        this.nested(() => Buffer.concat(value.map((item, i) => this.at(String(i), () => field(0x0a, this.value(item)))))),
                    );
                }
                if ((value as Record<string, unknown>)[SIG_KEY] === RESOURCE_REF_SIG) {
                    return text(0x1a, downgradeReference(value as Record<string, unknown>));
                }
                return field(
                    0x2a,
                    this.nested(() => this.struct(value as Record<string, unknown>)),
                );
            default:
                // undefined, functions, symbols: JSON has no such value.
                return NULL_VALUE;
        }
    }

    /** A google.protobuf.Struct's fields. */
    struct(record: Record<string, unknown>): Buffer {
        const entries: Buffer[] = [];
        for (const key of Object.keys(record)) {
            const inner = record[key];
            if (inner === undefined || typeof inner === "function" || typeof inner === "symbol") {
                continue;
            }
            entries.push(field(0x0a, Buffer.concat([text(0x0a, key), this.at(key, () => field(0x12, this.value(inner)))])));
        }
        return Buffer.concat(entries);
    }

    private at<T>(key: string, encode: () => T): T {
        this.path.push(key);
        try {
            return encode();
        } finally {
            this.path.pop();
        }
    }

    private nested(encode: () => Buffer): Buffer {
        if (this.path.length >= MAX_DEPTH) {
            const shown = this.path.slice(0, 6).join(".");
            throw new WireError(`${this.where}: the value at ${shown}… nests deeper than ${MAX_DEPTH} levels; no provider's schema does`);
        }
        return encode();
    }
}

/** A Struct of `properties` as the engine marshals them for an analyzer. */
export function encodeStruct(properties: Record<string, unknown>, where: string): Buffer {
    return new StructEncoder(where).struct(properties);
}

function options(resource: WireResource): Buffer {
    return Buffer.concat([
        resource.protect ? Buffer.from([0x08, 0x01]) : Buffer.alloc(0),
        ...(resource.ignoreChanges ?? []).map((path) => text(0x12, path)),
        resource.deleteBeforeReplace ? Buffer.from([0x18, 0x01]) : Buffer.alloc(0),
        resource.deleteBeforeReplace !== undefined ? Buffer.from([0x20, 0x01]) : Buffer.alloc(0),
        ...(resource.additionalSecretOutputs ?? []).map((name) => text(0x2a, name)),
        ...(resource.parent ? [text(0x42, resource.parent)] : []),
    ]);
}

/** An `AnalyzerResource` message: read as an `AnalyzeRequest` too, whose fields 1 to 5 are the same. */
export function encodeResource(resource: WireResource): Buffer {
    const where = `resource ${resource.urn}`;
    return Buffer.concat([
        text(0x0a, resource.type),
        field(0x12, encodeStruct(resource.properties, where)),
        text(0x1a, resource.urn),
        text(0x22, resource.name),
        field(0x2a, options(resource)),
        ...(resource.parent ? [text(0x3a, resource.parent)] : []),
        ...(resource.dependencies ?? []).map((urn) => text(0x42, urn)),
        ...Object.entries(resource.propertyDependencies ?? {}).map(([key, urns]) =>
            field(0x4a, Buffer.concat([text(0x0a, key), field(0x12, Buffer.concat(urns.map((urn) => text(0x0a, urn))))])),
        ),
    ]);
}

/** An `AnalyzeStackRequest` of resources encoded with `encodeResource`. */
export function stackRequest(resources: Buffer[]): Buffer {
    return Buffer.concat(resources.map((bytes) => field(0x0a, bytes)));
}
