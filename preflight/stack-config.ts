import * as path from "path";
import { parse } from "yaml";
import { isSecureValue, qualifiedKey, securePathsOf } from "../components/secret-config";
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

/**
 * Stands in for a `secure:` value, which only the Pulumi CLI can decrypt. It is a valid value for every
 * place a secret may go (an API key, an env value, a kubeconfig, an HTTPS webhook), so a stack whose
 * secrets are only known encrypted still plans.
 */
export const SECRET_PLACEHOLDER = "https://preflight-placeholder-secret.invalid/";

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
    for (const [rawKey, rawValue] of Object.entries(entries as Record<string, unknown>)) {
        const value = replaceSecrets(rawValue);
        config[qualifiedKey(rawKey, project)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    const secretKeys = [...new Set(securePathsOf(entries as Record<string, unknown>, project).map(([key]) => key))];
    return { project, stack, config, secretKeys };
}

function replaceSecrets(value: unknown): unknown {
    if (isSecureValue(value)) {
        return SECRET_PLACEHOLDER;
    }
    if (Array.isArray(value)) {
        return value.map(replaceSecrets);
    }
    if (value !== null && typeof value === "object") {
        return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, replaceSecrets(v)]));
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
