/**
 * Recognising secret settings by name, and judging secret values that a program wrote out itself (a literal in the
 * code or a config value) rather than took from a generator. A policy sees secrets unwrapped, so a written value is
 * judged by what it is: long and random enough, or a password a person typed.
 */

/** Names of settings that hold secrets (matched against the name in UPPER_SNAKE_CASE). */
export const SECRET_NAME_PATTERN = "(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL|DSN|CREDENTIALS)";

/** "dbPassword", "db-password", "/app/prod/db.password" → "DB_PASSWORD" (the last path segment). */
export function settingName(name: string): string {
    const last = name.split("/").filter(Boolean).pop() ?? name;
    return last
        .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
        .replace(/[^A-Za-z0-9]+/g, "_")
        .toUpperCase();
}

/** Names that hold where a secret is (an ARN, a name, a path), not the secret: DB_SECRET_ARN, JWT_SECRET_NAME. */
const REFERENCE_NAME = /_(ARN|NAME|ID|PATH|PARAM|PARAMETER|REF|FILE|VERSION|ENDPOINT|HOST|PORT|REGION|ROTATION|TTL)$/;

/** Whether a setting's name says it holds a secret value. */
export function isSecretSetting(name: string, pattern: string = SECRET_NAME_PATTERN): boolean {
    const normalized = settingName(name);
    return new RegExp(pattern, "i").test(normalized) && !REFERENCE_NAME.test(normalized);
}

/** Settings whose values are connection strings: secret only when they carry credentials. */
const CONNECTION_STRING_NAME = /(DATABASE_URL|REDIS_URL|DSN|_URI|_URL)$/;

/** Whether a URL carries a password (scheme://user:password@host). */
export const urlHasCredentials = (value: string) => /^[a-z][a-z0-9+.-]*:\/\/[^/\s@]*:[^/\s@]+@/i.test(value);

/**
 * Whether a plain setting (name and literal value) hands a secret out in the clear: a secret name with a value
 * other than a pointer to a secret store; a connection string only when it holds a password.
 */
export function exposesSecret(name: string, value: unknown, pattern: string = SECRET_NAME_PATTERN): boolean {
    if (!isSecretSetting(name, pattern) || value === undefined || value === null || value === "") {
        return false;
    }
    if (typeof value === "string") {
        if (/^arn:aws[\w-]*:(secretsmanager|ssm|kms):/.test(value)) {
            return false;
        }
        if (CONNECTION_STRING_NAME.test(settingName(name)) && /^[a-z][a-z0-9+.-]*:\/\//i.test(value)) {
            return urlHasCredentials(value);
        }
    }
    return true;
}

/** What a preflight shows for a secret it cannot decrypt (as the Pulumi CLI displays one): it cannot be judged. */
export const REDACTED_SECRET = "[secret]";

/** Fragments of passwords people type (after undoing leetspeak): a value holding one was not generated. */
const TYPED_PASSWORD_WORDS = [
    "password",
    "passwd",
    "secret",
    "changeme",
    "change_me",
    "letmein",
    "admin",
    "qwerty",
    "123456",
    "example",
    "default",
    "welcome",
    "test",
    "demo",
    "dummy",
    "sample",
    "foobar",
    "hunter",
];

const unLeet = (text: string) =>
    text.toLowerCase().replace(/0/g, "o").replace(/[1!]/g, "i").replace(/3/g, "e").replace(/[4@]/g, "a").replace(/[5$]/g, "s").replace(/7/g, "t");

/** Shannon entropy, bits per character. */
function entropyPerCharacter(text: string): number {
    const counts = new Map<string, number>();
    for (const c of text) {
        counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    return [...counts.values()].reduce((bits, n) => bits - (n / text.length) * Math.log2(n / text.length), 0);
}

/**
 * Why a written secret value is weak, or undefined when it looks generated: long enough, varied, and free of the
 * words people put in passwords. The reason never quotes the value.
 */
export function weakSecretReason(value: string, minimumCharacters: number): string | undefined {
    const length = [...value].length;
    if (length < minimumCharacters) {
        return `it is ${length} characters long (at least ${minimumCharacters} required)`;
    }
    const word = TYPED_PASSWORD_WORDS.find((w) => value.toLowerCase().includes(w) || unLeet(value).includes(w));
    if (word) {
        return `it contains "${word}", so a person chose it`;
    }
    if (entropyPerCharacter(value) < 3) {
        return "its characters repeat too much to be random";
    }
    return undefined;
}

/**
 * The weak secrets in a written value: the value itself, or, for a JSON object (credentials as Secrets Manager stores
 * them), each of its secret-named fields. Each entry names where the weak secret is and why.
 */
export function weakSecretsIn(value: string, minimumCharacters: number): string[] {
    if (value === REDACTED_SECRET) {
        return [];
    }
    let parsed: unknown;
    try {
        parsed = JSON.parse(value);
    } catch {
        parsed = undefined;
    }
    if (parsed !== null && typeof parsed === "object" && !Array.isArray(parsed)) {
        return Object.entries(parsed as Record<string, unknown>)
            .filter(([key, field]) => typeof field === "string" && isSecretSetting(key) && field !== REDACTED_SECRET)
            .flatMap(([key, field]) => {
                const reason = weakSecretReason(field as string, minimumCharacters);
                return reason ? [`its field ${key}: ${reason}`] : [];
            });
    }
    const reason = weakSecretReason(value, minimumCharacters);
    return reason ? [reason] : [];
}
