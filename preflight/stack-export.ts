import { z } from "zod";
import { parseJson, readInputFile } from "./input-file";
import { RecordedResource } from "./program";
import { MAX_DEPTH, SECRET_SIG, SIG_KEY } from "./wire";

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
        // Each resource is checked on its own as it is read, so the export is held once.
        resources: z.array(z.unknown()).optional(),
    }),
});

/** What a stack export holds for the analysis: the stack's name and its resources. */
export interface ExportedStack {
    stack: string;
    resources: RecordedResource[];
}

/**
 * Replaces, in place, every secret in `root` (a value marked with the secret signature) by `secret`.
 * An explicit stack, not recursion, and a depth limit: an export is input, and may nest without end.
 */
function replaceSecretsInPlace(root: Record<string, unknown>, secret: Record<string, unknown>, where: string): void {
    const pending: { value: Record<string, unknown>; depth: number; path: string }[] = [{ value: root, depth: 1, path: "" }];
    while (pending.length > 0) {
        const { value, depth, path } = pending.pop()!;
        if (depth > MAX_DEPTH) {
            throw new StackExportError(`${where}: the value at ${path.slice(0, 80)}… nests deeper than ${MAX_DEPTH} levels; no provider's schema does`);
        }
        for (const key of Object.keys(value)) {
            const inner = value[key];
            if (inner === null || typeof inner !== "object") {
                continue;
            }
            if ((inner as Record<string, unknown>)[SIG_KEY] === SECRET_SIG) {
                value[key] = { [SIG_KEY]: SECRET_SIG, ...secret };
            } else {
                // The path is kept short: it only names where a value nests too deep.
                pending.push({ value: inner as Record<string, unknown>, depth: depth + 1, path: path.length < 100 ? (path ? `${path}.${key}` : key) : path });
            }
        }
    }
}

/** The parts of a URN: `urn:pulumi:<stack>::<project>::<parent types $ type>::<name>`. */
function urnParts(urn: string): { stack: string; project: string; type: string; name: string } {
    const [head, project, qualifiedType, ...name] = urn.split("::");
    return { stack: head.replace(/^urn:pulumi:/, ""), project, type: qualifiedType.split("$").pop() ?? "", name: name.join("::") };
}

const shown = (text: string) => JSON.stringify(text.length > 120 ? `${text.slice(0, 119)}…` : text);

export function readStackExport(file: string): ExportedStack {
    const text = readInputFile(file, (reason) => new StackExportError(`cannot read ${file}: ${reason}`));
    const json = parseJson(text, (reason) => new StackExportError(`${file} is not JSON: ${reason}`));
    const parsed = exportV3.safeParse(json);
    if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue.path.length > 0 ? issue.path.join(".") : "the file";
        throw new StackExportError(`${file} is not a stack export: ${where}: ${issue.message}`);
    }
    const raw = parsed.data.deployment.resources ?? [];
    if (raw.length === 0) {
        throw new StackExportError(`${file} holds no resources: nothing to analyze (the export of a stack that was never deployed?)`);
    }
    const seen = new Set<string>();
    let first: ReturnType<typeof urnParts> | undefined;
    const resources: RecordedResource[] = [];
    for (let index = 0; index < raw.length; index++) {
        const where = `deployment.resources.${index}`;
        const checked = resourceV3.safeParse(raw[index]);
        if (!checked.success) {
            const issue = checked.error.issues[0];
            throw new StackExportError(`${file} is not a stack export: ${[where, ...issue.path].join(".")}: ${issue.message}`);
        }
        const r = checked.data;
        const parts = urnParts(r.urn);
        if (seen.has(r.urn)) {
            throw new StackExportError(`${file}: ${where}: the URN ${shown(r.urn)} appears twice; an export holds each resource once`);
        }
        seen.add(r.urn);
        first ??= parts;
        if (parts.stack !== first.stack || parts.project !== first.project) {
            throw new StackExportError(
                `${file}: ${where}: the URN ${shown(r.urn)} is of stack ${shown(parts.stack)} in project ${shown(parts.project)}, ` +
                    `the first resource's of stack ${shown(first.stack)} in project ${shown(first.project)}; an export holds one stack`,
            );
        }
        if (parts.type !== r.type) {
            throw new StackExportError(`${file}: ${where}: type ${shown(r.type)} contradicts its URN, whose type is ${shown(parts.type)}`);
        }
        const inputs = r.inputs ?? r.outputs ?? {};
        // A secret as an export stores it (ciphertext or plaintext) becomes an opaque secret value for the policies.
        replaceSecretsInPlace(inputs, { value: "[secret]" }, `${file}: ${where}`);
        // Only the record below is kept of the entry.
        raw[index] = undefined;
        resources.push({
            urn: r.urn,
            type: r.type,
            name: parts.name,
            custom: r.custom ?? false,
            parent: r.parent,
            provider: r.provider,
            inputs,
            dependencies: r.dependencies ?? [],
            propertyDependencies: r.propertyDependencies ?? {},
            protect: r.protect ?? false,
            ignoreChanges: r.ignoreChanges ?? [],
            aliases: r.aliases ?? [],
            customTimeouts: r.customTimeouts,
            additionalSecretOutputs: r.additionalSecretOutputs ?? [],
            deleteBeforeReplace: r.deleteBeforeReplace ?? false,
            retainOnDelete: r.retainOnDelete ?? false,
        });
    }
    return { stack: first!.stack, resources };
}

/** Secrets leave the process only as redacted ciphertext: a copy of `value` with each one replaced. */
function writeSecrets(value: Record<string, unknown>): Record<string, unknown> {
    const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
    replaceSecretsInPlace(copy, { ciphertext: "redacted-by-preflight" }, "the planned resources");
    return copy;
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
