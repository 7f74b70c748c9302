import * as path from "path";
import { parse } from "yaml";
import { readInputFile } from "./input-file";

/** A stack's config as the Pulumi CLI would hand it to the program, secrets replaced by placeholders. */
export interface StackConfig {
    project: string;
    stack: string;
    config: Record<string, string>;
    secretKeys: string[];
}

/** An unreadable Pulumi.yaml or stack file: the user's input, reported with exit code 2. */
export class StackFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "StackFileError";
    }
}

/** Stands in for a `secure:` value, which only the Pulumi CLI can decrypt. */
export const SECRET_PLACEHOLDER = "preflight-placeholder-secret";

export function readProjectName(projectDir: string): string {
    const project = readYaml(path.join(projectDir, "Pulumi.yaml"));
    if (typeof project?.name !== "string" || project.name === "") {
        throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")}: the key "name" must name the project`);
    }
    return project.name;
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const project = readProjectName(projectDir);
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const document = readYaml(file);
    const entries = document?.config ?? {};
    if (typeof entries !== "object" || Array.isArray(entries)) {
        throw new StackFileError(`${file}: "config" must be a map of config keys to values`);
    }
    const config: Record<string, string> = {};
    const secretKeys: string[] = [];
    for (const [rawKey, rawValue] of Object.entries(entries as Record<string, unknown>)) {
        // A key without a namespace belongs to the project, as `pulumi config` reads it.
        const key = rawKey.includes(":") ? rawKey : `${project}:${rawKey}`;
        let secret = false;
        const value = replaceSecrets(rawValue, () => (secret = true));
        if (secret) {
            secretKeys.push(key);
        }
        config[key] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project, stack, config, secretKeys };
}

function replaceSecrets(value: unknown, onSecret: () => void): unknown {
    if (Array.isArray(value)) {
        return value.map((item) => replaceSecrets(item, onSecret));
    }
    if (value !== null && typeof value === "object") {
        const entries = Object.entries(value as Record<string, unknown>);
        if (entries.length === 1 && entries[0][0] === "secure") {
            onSecret();
            return SECRET_PLACEHOLDER;
        }
        return Object.fromEntries(entries.map(([k, v]) => [k, replaceSecrets(v, onSecret)]));
    }
    return value;
}

function readYaml(file: string): any {
    const text = readInputFile(file, (reason) => new StackFileError(`cannot read ${file}: ${reason}`));
    try {
        return parse(text);
    } catch (err) {
        throw new StackFileError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
}
