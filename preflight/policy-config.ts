import Ajv, { ValidateFunction } from "ajv";
import { parseWaivers, WaiverConfigError } from "../policies/lib/waivers";
import { parseJson, readInputFile } from "./input-file";
import { EnforcementLevel, PackInfo, PolicyInfo, ResolvedPolicyConfig } from "./analyzer";
import { editDistance } from "../components/edit-distance";

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];

/** A policy config file or value that cannot be used: exit code 2, with every problem. */
export class PolicyConfigError extends Error {
    constructor(
        public readonly source: string,
        public readonly problems: string[],
    ) {
        super(
            problems.length === 1
                ? `${source}: invalid policy config: ${problems[0]}`
                : `${source}: invalid policy config (${problems.length} problems):\n${problems.map((p) => `  - ${p}`).join("\n")}`,
        );
        this.name = "PolicyConfigError";
    }
}

/** Reads a `--policy-pack-config` file: `{"all": <level>, "<policy>": <level> | {"enforcementLevel": <level>, <props>}}`. */
export function readPolicyConfigFile(file: string): Record<string, unknown> {
    const text = readInputFile(file, (reason) => new PolicyConfigError(file, [`cannot read it: ${reason}`]));
    const parsed = parseJson(text, (reason) => new PolicyConfigError(file, [`not valid JSON: ${reason}`]));
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) {
        throw new PolicyConfigError(file, ["expected a JSON object of policy names to levels or settings"]);
    }
    return parsed as Record<string, unknown>;
}

/**
 * Resolves a policy config the way the Pulumi engine does before it configures a pack: the level
 * is the policy's own entry, else `all`, else the policy's default; properties get the schema's
 * defaults and are validated against it. Every problem is collected into one error.
 */
/** Compiled config validators per pack, so each stack of a run reuses them. */
const validators = new WeakMap<PackInfo, Map<string, ValidateFunction>>();

function validatorFor(pack: PackInfo, policy: PolicyInfo): ValidateFunction {
    let compiled = validators.get(pack);
    if (!compiled) {
        compiled = new Map();
        validators.set(pack, compiled);
    }
    let validate = compiled.get(policy.name);
    if (!validate) {
        const schema = { type: "object", properties: policy.configSchema.properties, required: policy.configSchema.required, additionalProperties: false };
        validate = ajv.compile(schema);
        compiled.set(policy.name, validate);
    }
    return validate;
}

const ajv = new Ajv({ allErrors: true, strict: false });

/** The known name nearest to `name` (edit distance at most a third of its length), for a did-you-mean. */
function closest(name: string, known: string[]): string | undefined {
    const ranked = known.map((k) => ({ k, d: editDistance(name, k) })).sort((x, y) => x.d - y.d);
    return ranked[0] && ranked[0].d <= Math.max(2, Math.floor(name.length / 3)) ? ranked[0].k : undefined;
}

/**
 * What the schema cannot say: waivers' dates exist and their reasons are not blank (the pack's own
 * check, run here so a bad waiver stops the run before it starts), and regular expressions compile.
 */
function deeperProblems(policy: PolicyInfo, properties: Record<string, unknown>): string[] {
    const problems: string[] = [];
    try {
        parseWaivers(policy.name, properties.waivers);
    } catch (err) {
        if (!(err instanceof WaiverConfigError)) {
            throw err;
        }
        problems.push(err.message);
    }
    for (const [key, schema] of Object.entries(policy.configSchema.properties)) {
        if (!/regular expression/i.test(String(schema?.description ?? "")) && schema?.format !== "regex") {
            continue;
        }
        const value = properties[key];
        const sources = Array.isArray(value) ? value : [value];
        sources.forEach((source, index) => {
            if (typeof source !== "string") {
                return;
            }
            try {
                new RegExp(source);
            } catch (err) {
                const where = Array.isArray(value) ? `${policy.name}.${key}[${index}]` : `${policy.name}.${key}`;
                problems.push(
                    `${where}: ${JSON.stringify(source.slice(0, 60))} is not a regular expression (${(err as Error).message.replace(/^Invalid regular expression: \/.*\/\w*: /, "")})`,
                );
            }
        });
    }
    return problems;
}

export function resolvePolicyConfig(pack: PackInfo, raw: Record<string, unknown>, source: string): ResolvedPolicyConfig {
    const problems: string[] = [];
    const isLevel = (value: unknown): value is EnforcementLevel => LEVELS.includes(value as EnforcementLevel);
    const all = raw.all;
    if (all !== undefined && !isLevel(all)) {
        problems.push(`all: got ${JSON.stringify(all)}; allowed: ${LEVELS.join(", ")}`);
    }
    const known = new Set(pack.policies.map((p) => p.name));
    for (const name of Object.keys(raw).filter((k) => k !== "all" && !known.has(k))) {
        const near = closest(name, [...known]);
        problems.push(`${name.slice(0, 80)}: no such policy in ${pack.name}${near ? `; did you mean "${near}"?` : ""}`);
    }

    const resolved: ResolvedPolicyConfig = {};
    for (const policy of pack.policies) {
        const entry = raw[policy.name];
        let level: EnforcementLevel = isLevel(all) ? all : policy.enforcementLevel;
        let given: Record<string, unknown> = {};
        if (typeof entry === "string") {
            if (isLevel(entry)) {
                level = entry;
            } else {
                problems.push(`${policy.name}: got ${JSON.stringify(entry)}; allowed: ${LEVELS.join(", ")} or an object of settings`);
            }
        } else if (entry !== null && typeof entry === "object" && !Array.isArray(entry)) {
            const { enforcementLevel, ...properties } = entry as Record<string, unknown>;
            if (enforcementLevel !== undefined) {
                if (isLevel(enforcementLevel)) {
                    level = enforcementLevel;
                } else {
                    problems.push(`${policy.name}.enforcementLevel: got ${JSON.stringify(enforcementLevel)}; allowed: ${LEVELS.join(", ")}`);
                }
            }
            given = properties;
        } else if (entry !== undefined) {
            problems.push(`${policy.name}: got ${JSON.stringify(entry)}; expected a level or an object of settings`);
        }

        const defaults = Object.fromEntries(
            Object.entries(policy.configSchema.properties)
                .filter(([, s]) => s && s.default !== undefined)
                .map(([k, s]) => [k, s.default]),
        );
        const properties = { ...defaults, ...given };
        // Schema defaults are valid by construction: only a policy given settings needs the check.
        const validate = Object.keys(given).length > 0 || policy.configSchema.required.length > 0 ? validatorFor(pack, policy) : undefined;
        if (validate && !validate(properties)) {
            for (const error of validate.errors ?? []) {
                const where = `${policy.name}${error.instancePath.replace(/\/(\d+)/g, "[$1]").replace(/\//g, ".")}`;
                const detail =
                    error.keyword === "additionalProperties"
                        ? `unknown setting ${JSON.stringify(error.params.additionalProperty)}; allowed: ${Object.keys(policy.configSchema.properties).join(", ")}`
                        : error.message;
                problems.push(`${where}: ${detail}`);
            }
        } else {
            problems.push(...deeperProblems(policy, properties));
        }
        resolved[policy.name] = { enforcementLevel: level, properties };
    }
    if (problems.length > 0) {
        throw new PolicyConfigError(source, problems);
    }
    return resolved;
}
