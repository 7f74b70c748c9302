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
    const name = valueAt(readYaml(path.join(projectDir, "Pulumi.yaml")), "name");
    if (typeof name !== "string" || name === "") {
        throw new StackFileError(`${path.join(projectDir, "Pulumi.yaml")}: the key "name" must name the project`);
    }
    return name;
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
    const project = readProjectName(projectDir);
    const file = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const entries = valueAt(readYaml(file), "config") ?? {};
    if (typeof entries !== "object" || Array.isArray(entries)) {
        throw new StackFileError(`${file}: "config" must be a map of config keys to values`);
    }
    const secretKeys = [...new Set(securePathsOf(entries as Record<string, unknown>, project).map(([key]) => key))];
    const config: Record<string, string> = {};
    for (const [rawKey, rawValue] of Object.entries(entries as Record<string, unknown>)) {
        const value = replaceSecrets(file, rawKey, rawValue);
        config[qualifiedKey(rawKey, project)] = typeof value === "string" ? value : JSON.stringify(value);
    }
    return { project, stack, config, secretKeys };
}

/**
 * What `pulumi config set --secret` writes: `v1:<nonce>:<ciphertext>` (passphrase provider) or base64
 * (cloud providers' envelopes). Anything else, a plaintext above all, is not a secret at rest.
 */
const CIPHERTEXT = /^(v1:[A-Za-z0-9+/]+={0,2}:[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9+/]{16,}={0,2})$/;

/** Nesting a stack file's config may have: far more than any program reads, and the limit keeps the walk bounded. */
const MAX_CONFIG_DEPTH = 64;

/**
 * The config value with every `secure:` value replaced by the placeholder, each checked to be a
 * ciphertext. An explicit stack, not recursion: a stack file is input and may nest without end.
 */
function replaceSecrets(file: string, key: string, value: unknown): unknown {
    const wrapper: Record<string, unknown> = { value };
    const pending: { container: Record<string, unknown> | unknown[]; path: string; depth: number }[] = [{ container: wrapper, path: key, depth: 0 }];
    while (pending.length > 0) {
        const { container, path, depth } = pending.pop()!;
        if (depth > MAX_CONFIG_DEPTH) {
            throw new StackFileError(`${file}: config ${path.slice(0, 120)} nests deeper than ${MAX_CONFIG_DEPTH} levels`);
        }
        const entries = container as Record<string, unknown>;
        for (const k of Object.keys(entries)) {
            const inner = entries[k];
            const at = container === wrapper ? path : Array.isArray(container) ? `${path}[${k}]` : `${path}.${k}`;
            if (isSecureValue(inner)) {
                if (typeof inner.secure !== "string" || !CIPHERTEXT.test(inner.secure)) {
                    const got =
                        typeof inner.secure === "string"
                            ? `a ${inner.secure.length}-character string that is no ciphertext`
                            : `a ${inner.secure === null ? "null" : typeof inner.secure}`;
                    throw new StackFileError(
                        `${file}: config ${at}: "secure" holds ${got}; expected the ciphertext \`pulumi config set --secret\` writes ` +
                            `("v1:<nonce>:<ciphertext>" or base64)`,
                    );
                }
                entries[k] = SECRET_PLACEHOLDER;
            } else if (inner !== null && typeof inner === "object") {
                pending.push({ container: inner as Record<string, unknown>, path: at, depth: depth + 1 });
            }
        }
    }
    return wrapper.value;
}

/** A key's value in a YAML mapping; undefined when the document is no mapping. */
function valueAt(document: unknown, key: string): unknown {
    return document !== null && typeof document === "object" ? (document as Record<string, unknown>)[key] : undefined;
}

function readYaml(file: string): unknown {
    const text = readInputFile(file, (reason) => new StackFileError(`cannot read ${file}: ${reason}`));
    try {
        return parse(text);
    } catch (err) {
        throw new StackFileError(`${file} is not valid YAML: ${(err as Error).message.split("\n")[0]}`);
    }
}
