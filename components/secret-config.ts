import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";

/** A place in the stack config: the config key (`platform:services`), then the keys and list indexes inside its value. */
export type ConfigPath = [string, ...string[]];

/** A stack file's encrypted value (`pulumi config set --secret`): `{ secure: <ciphertext> }`. */
export function isSecureValue(value: unknown): value is { secure: unknown } {
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
        return false;
    }
    const keys = Object.keys(value);
    return keys.length === 1 && keys[0] === "secure";
}

/**
 * Where a stack file's `config` map holds `secure:` values. The engine only tells a program which
 * top-level keys hold a secret somewhere; the stack file says exactly where.
 */
export function securePathsOf(config: Record<string, unknown>, project: string): ConfigPath[] {
    const found: ConfigPath[] = [];
    // An explicit stack, not recursion: a stack file is user input and may nest deeply.
    const pending: { value: unknown; at: ConfigPath }[] = Object.entries(config).map(([key, value]) => ({ value, at: [qualifiedKey(key, project)] }));
    while (pending.length > 0) {
        const { value, at } = pending.pop()!;
        if (isSecureValue(value)) {
            found.push(at);
        } else if (value !== null && typeof value === "object") {
            for (const [key, inner] of Object.entries(value)) {
                pending.push({ value: inner, at: [...at, key] });
            }
        }
    }
    return found;
}

/** A key without a namespace belongs to the project, as `pulumi config` reads it. */
export function qualifiedKey(key: string, project: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

/**
 * The paths of the secret config values: for each key the engine marks secret, the `secure:` places
 * the stack file gives under it; a secret key whose stack-file value shows none (it came from a Pulumi
 * ESC environment, or the file is out of reach) is secret as a whole.
 */
export function secretConfigPaths(secretKeys: string[], stackFileSecurePaths: ConfigPath[]): ConfigPath[] {
    return secretKeys.flatMap((key) => {
        const precise = stackFileSecurePaths.filter((p) => p[0] === key);
        return precise.length > 0 ? precise : [[key] as ConfigPath];
    });
}

/** The `secure:` places of the current stack's file (`Pulumi.<stack>.yaml` beside Pulumi.yaml, or in its `stackConfigDir`). */
export function currentStackFileSecurePaths(): ConfigPath[] {
    const root = pulumi.runtime.getRootDirectory();
    const projectFile = readYamlIfPresent(path.join(root, "Pulumi.yaml"));
    if (!projectFile) {
        return [];
    }
    const dir = path.resolve(root, typeof projectFile.stackConfigDir === "string" ? projectFile.stackConfigDir : ".");
    // A fully qualified stack (org/project/stack) keeps its file under the short name.
    const stack = pulumi.getStack().split("/").pop();
    const config = readYamlIfPresent(path.join(dir, `Pulumi.${stack}.yaml`))?.config;
    const project = typeof projectFile.name === "string" ? projectFile.name : pulumi.getProject();
    return config && typeof config === "object" ? securePathsOf(config as Record<string, unknown>, project) : [];
}

function readYamlIfPresent(file: string): Record<string, unknown> | undefined {
    try {
        const document: unknown = parse(fs.readFileSync(file, "utf8"));
        return document && typeof document === "object" ? (document as Record<string, unknown>) : undefined;
    } catch {
        // Unreadable here: the engine's secret keys still count, each key as a whole.
        return undefined;
    }
}
