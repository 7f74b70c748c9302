import { z } from "zod";
import { readInputFile } from "./input-file";
import { RecordedResource } from "./program";

const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

/** An export file that cannot be read: exit code 2. */
export class StackExportError extends Error {}

const resourceV3 = z.object({
    urn: z.string().regex(/^urn:pulumi:[^:]+::[^:]+::.+::.+$/, { message: "expected a Pulumi URN (urn:pulumi:<stack>::<project>::<type>::<name>)" }),
    type: z.string().min(1),
    custom: z.boolean().optional(),
    id: z.string().optional(),
    inputs: z.record(z.string(), z.unknown()).optional(),
    outputs: z.record(z.string(), z.unknown()).optional(),
    parent: z.string().optional(),
    provider: z.string().optional(),
    dependencies: z.array(z.string()).optional(),
    propertyDependencies: z.record(z.string(), z.array(z.string())).optional(),
    protect: z.boolean().optional(),
    ignoreChanges: z.array(z.string()).optional(),
    aliases: z.array(z.union([z.string(), z.record(z.string(), z.string())])).optional(),
    customTimeouts: z.object({ create: z.string().optional(), update: z.string().optional(), delete: z.string().optional() }).optional(),
    additionalSecretOutputs: z.array(z.string()).optional(),
    deleteBeforeReplace: z.boolean().optional(),
    retainOnDelete: z.boolean().optional(),
});

const exportV3 = z.object({
    version: z.literal(3, { message: "expected deployment version 3 (`pulumi stack export` of a current CLI)" }),
    deployment: z.object({
        manifest: z.record(z.string(), z.unknown()).optional(),
        resources: z.array(resourceV3).optional(),
    }),
});

/** What a stack export holds for the analysis: the stack's name and its resources. */
export interface ExportedStack {
    stack: string;
    resources: RecordedResource[];
}

/** The value with every secret in it (a value marked with the secret signature) replaced by `secret`. */
function replaceSecrets(value: unknown, secret: Record<string, unknown>): unknown {
    if (Array.isArray(value)) {
        return value.map((item) => replaceSecrets(item, secret));
    }
    if (value !== null && typeof value === "object") {
        const record = value as Record<string, unknown>;
        if (record[SECRET_SIG_KEY] === SECRET_SIG) {
            return { [SECRET_SIG_KEY]: SECRET_SIG, ...secret };
        }
        return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, replaceSecrets(v, secret)]));
    }
    return value;
}

/** A secret as an export stores it (ciphertext or plaintext) becomes an opaque secret value for the policies. */
const readSecrets = (value: unknown) => replaceSecrets(value, { value: "[secret]" });
/** Secrets leave the process only as redacted ciphertext. */
const writeSecrets = (value: unknown) => replaceSecrets(value, { ciphertext: "redacted-by-preflight" });

export function readStackExport(file: string): ExportedStack {
    const text = readInputFile(file, (reason) => new StackExportError(`cannot read ${file}: ${reason}`));
    let json: unknown;
    try {
        json = JSON.parse(text);
    } catch (err) {
        throw new StackExportError(`${file} is not JSON: ${(err as Error).message}`);
    }
    const parsed = exportV3.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
        throw new StackExportError(`${file} is not a stack export: ${where}: ${issue.message}`);
    }
    const resources = (parsed.data.deployment.resources ?? []).map((r): RecordedResource => {
        const parts = r.urn.split("::");
        return {
            urn: r.urn,
            type: r.type,
            name: parts[parts.length - 1],
            custom: r.custom ?? false,
            parent: r.parent,
            provider: r.provider,
            inputs: readSecrets(r.inputs ?? r.outputs ?? {}) as Record<string, unknown>,
            dependencies: r.dependencies ?? [],
            propertyDependencies: r.propertyDependencies ?? {},
            protect: r.protect ?? false,
            ignoreChanges: r.ignoreChanges ?? [],
            aliases: r.aliases ?? [],
            customTimeouts: r.customTimeouts,
            additionalSecretOutputs: r.additionalSecretOutputs ?? [],
            deleteBeforeReplace: r.deleteBeforeReplace ?? false,
            retainOnDelete: r.retainOnDelete ?? false,
        };
    });
    const stack = resources[0]?.urn.split("::")[0].replace(/^urn:pulumi:/, "") ?? "stack";
    return { stack, resources };
}

/** A plan as `pulumi stack export` writes a deployment (version 3), so `pulumi` tools can read it too. */
export function stackExport(resources: RecordedResource[]): object {
    return {
        version: 3,
        deployment: {
            manifest: { time: new Date().toISOString(), magic: "", version: "preflight" },
            resources: resources.map((r) => ({
                urn: r.urn,
                custom: r.custom,
                type: r.type,
                inputs: writeSecrets(r.inputs),
                outputs: writeSecrets(r.inputs),
                ...(r.parent ? { parent: r.parent } : {}),
                ...(r.provider ? { provider: r.provider } : {}),
                ...(r.protect ? { protect: true } : {}),
                dependencies: r.dependencies,
                propertyDependencies: r.propertyDependencies,
                ...(r.ignoreChanges.length ? { ignoreChanges: r.ignoreChanges } : {}),
                ...(r.aliases.length ? { aliases: r.aliases } : {}),
                ...(r.customTimeouts ? { customTimeouts: r.customTimeouts } : {}),
                ...(r.additionalSecretOutputs.length ? { additionalSecretOutputs: r.additionalSecretOutputs } : {}),
                ...(r.deleteBeforeReplace ? { deleteBeforeReplace: true } : {}),
                ...(r.retainOnDelete ? { retainOnDelete: true } : {}),
            })),
        },
    };
}
