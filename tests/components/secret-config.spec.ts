import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { ConfigError, parsePlatformConfig, platformConfigSchema } from "../../components/config";
import { ConfigPath, securePathsOf, secretConfigPaths } from "../../components/secret-config";
import { PROJECT_DIR } from "../../preflight/plan";
import { ProgramError, RecordedResource, runProgram } from "../../preflight/program";
import { readStackConfig } from "../../preflight/stack-config";
import { stackExport } from "../../preflight/stack-export";
import { isSecretValue } from "../helpers";
import { K8S, PULUMI } from "../../policies/lib/types";

/** A secret set with `pulumi config set --secret --path`: where it goes and its plaintext. */
interface SecretCase {
    path: ConfigPath;
    plaintext: string;
}

const marker = (name: string) => `s3cr3t-${name}-9f2c`;

/** Secrets under every top-level key that takes strings, where the platform can keep them secret. */
const ACCEPTED: SecretCase[] = [
    { path: ["platform:apiKeys", "OPENAI_API_KEY"], plaintext: marker("openai") },
    { path: ["platform:services", "0", "env", "PAYMENTS_API_TOKEN"], plaintext: marker("payments") },
    {
        path: ["platform:kubeconfig"],
        plaintext: JSON.stringify({ apiVersion: "v1", kind: "Config", users: [{ name: "ci", user: { token: marker("kube") } }] }),
    },
    { path: ["platform:alertWebhooks", "0"], plaintext: `https://events.pagerduty.com/integration/${marker("webhook")}/enqueue` },
];

/** Secrets where the value would reach AWS or Kubernetes in plaintext: each one refused. */
const REFUSED: SecretCase[] = [
    ["platform:environment"],
    ["platform:domainName"],
    ["platform:tags", "BillingRef"],
    ["platform:network", "cidrBlock"],
    ["platform:database", "instanceClass"],
    ["platform:cache", "nodeType"],
    ["platform:edge", "hostedZoneName"],
    ["platform:kubernetes", "namespace"],
    ["platform:release"],
    ["platform:migrations", "command", "0"],
    ["platform:backup", "copyRegion"],
    ["platform:observability", "namespace"],
    ["platform:alerts", "emails", "0"],
    ["platform:services", "0", "image"],
    ["platform:frontend", "domainName"],
    ["platform:registry", "pushRoleNames", "0"],
].map((p, i) => ({ path: p as ConfigPath, plaintext: marker(`refused${i}`) }));

/** Top-level keys with no string anywhere in them: nothing secret can be set there. */
const WITHOUT_STRINGS = ["budget", "secrets"];

function productionConfig(): Record<string, string> {
    return readStackConfig(PROJECT_DIR, "production").config;
}

/** The raw config with `plaintext` at `path`, as the engine hands a decrypted value to the program. */
function withValue(config: Record<string, string>, [key, ...inner]: ConfigPath, plaintext: string): Record<string, string> {
    if (inner.length === 0) {
        return { ...config, [key]: plaintext };
    }
    const root = config[key] === undefined ? (/^\d+$/.test(inner[0]) ? [] : {}) : JSON.parse(config[key]);
    let node: any = root;
    inner.slice(0, -1).forEach((part, i) => {
        node[part] ??= /^\d+$/.test(inner[i + 1]) ? [] : {};
        node = node[part];
    });
    node[inner[inner.length - 1]] = plaintext;
    return { ...config, [key]: JSON.stringify(root) };
}

/** A project directory whose stack file marks `paths` as `secure:`, as `pulumi config set --secret --path` writes it. */
function projectWithSecrets(stack: string, config: Record<string, string>, paths: ConfigPath[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "secret-config-"));
    let file: Record<string, string> = { ...config };
    for (const p of paths) {
        file = withValue(file, p, "SECURE");
    }
    const document = Object.fromEntries(
        Object.entries(file).map(([key, value]) => {
            const parsed = (() => {
                try {
                    return JSON.parse(value);
                } catch {
                    return value;
                }
            })();
            return [key, JSON.parse(JSON.stringify(parsed), (_k, v) => (v === "SECURE" ? { secure: "v1:AAAAAAAAAAAAAAAA:c2VjcmV0" } : v))];
        }),
    );
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: platform\nruntime: nodejs\n");
    fs.writeFileSync(path.join(dir, `Pulumi.${stack}.yaml`), stringify({ config: document }));
    return dir;
}

/** Runs the real program as the engine would with these secrets, the project's stack file telling where they are. */
async function runWithSecrets(cases: SecretCase[], preview = false) {
    let config = productionConfig();
    for (const c of cases) {
        config = withValue(config, c.path, c.plaintext);
    }
    const rootDirectory = projectWithSecrets(
        "production",
        config,
        cases.map((c) => c.path),
    );
    const secretKeys = [...new Set(cases.map((c) => c.path[0]))];
    const entryPoint = require.resolve(PROJECT_DIR);
    try {
        return await runProgram({ project: "platform", stack: "production", config, secretKeys, preview, rootDirectory }, () => {
            delete require.cache[entryPoint];
            return require(entryPoint);
        });
    } finally {
        fs.rmSync(rootDirectory, { recursive: true, force: true });
    }
}

/** Every plaintext string found in `value` outside a Pulumi secret, with where it was. */
function plaintextLeaks(value: unknown, needles: string[], at: string, found: string[] = []): string[] {
    if (isSecretValue(value)) {
        return found;
    }
    if (typeof value === "string") {
        found.push(...needles.filter((n) => value.includes(n)).map((n) => `${at}: ${n}`));
    } else if (value !== null && typeof value === "object") {
        for (const [key, inner] of Object.entries(value)) {
            plaintextLeaks(inner, needles, `${at}.${key}`, found);
        }
    }
    return found;
}

function secretValuesOf(resources: RecordedResource[]): string {
    const secrets: unknown[] = [];
    const visit = (value: unknown) => {
        if (isSecretValue(value)) {
            secrets.push(value);
        } else if (value !== null && typeof value === "object") {
            Object.values(value).forEach(visit);
        }
    };
    resources.forEach((r) => visit(r.inputs));
    return JSON.stringify(secrets);
}

describe("secret config", () => {
    it("classifies every top-level key: a string-taking key has a secret case", () => {
        const covered = new Set([...ACCEPTED, ...REFUSED].map((c) => c.path[0].replace(/^platform:/, "")));
        const keys = Object.keys(platformConfigSchema.shape).filter((k) => !WITHOUT_STRINGS.includes(k));
        assert.deepEqual(
            keys.filter((k) => !covered.has(k)),
            [],
        );
    });

    describe("secrets where the platform keeps them secret", function () {
        this.timeout(120000);
        let resources: RecordedResource[];
        let outputs: Record<string, unknown>;
        const needles = ACCEPTED.map((c) => (c.path[0] === "platform:kubeconfig" ? marker("kube") : c.plaintext));
        before(async () => {
            ({ resources, outputs } = await runWithSecrets(ACCEPTED));
        });

        it("appear in no registered input or stack output outside a Pulumi secret", () => {
            const leaks = resources.flatMap((r) => plaintextLeaks(r.inputs, needles, `${r.type} ${r.name}`));
            assert.deepEqual(leaks, []);
            assert.deepEqual(plaintextLeaks(outputs, needles, "outputs"), []);
        });

        it("do reach their resources, as secrets", () => {
            const inSecrets = secretValuesOf(resources);
            for (const needle of needles) {
                assert.ok(inSecrets.includes(needle), `${needle} reached no resource`);
            }
        });

        it("put a secret env value in the service's Secret, not its ConfigMap", () => {
            const configMap = resources.find((r) => r.type === K8S.configMap && r.name === "api-env")!;
            assert.equal((configMap.inputs.data as Record<string, unknown>).PAYMENTS_API_TOKEN, undefined);
            const secret = resources.find((r) => r.type === K8S.secret && r.name === "api-secrets")!;
            assert.ok(JSON.stringify(secret.inputs.stringData).includes(marker("payments")));
            const worker = resources.find((r) => r.type === K8S.secret && r.name === "worker-secrets")!;
            assert.ok(!JSON.stringify(worker.inputs.stringData).includes(marker("payments")), "another service's secret");
        });

        it("leave no plaintext in what the preflight's --export writes", async () => {
            const planned = await runWithSecrets(ACCEPTED, true);
            const exported = JSON.stringify(stackExport(planned.resources));
            for (const needle of needles) {
                assert.ok(!exported.includes(needle), `${needle} in the export`);
            }
            assert.match(exported, /"ciphertext"/);
        });
    });

    it("refuses each secret whose destination is plaintext, naming it and never echoing it", async function () {
        this.timeout(60000);
        const error = await runWithSecrets(REFUSED).then(
            () => assert.fail("the config was accepted"),
            (err) => err,
        );
        assert.ok(error instanceof ProgramError, String(error));
        const message = error.message;
        assert.match(message, /platform:tags\.BillingRef is secret; tags are stored in plaintext by AWS, so secrets cannot go there/);
        for (const c of REFUSED) {
            const key = c.path.slice(1).reduce((text, part) => (/^\d+$/.test(part) ? `${text}[${part}]` : `${text}.${part}`), c.path[0]);
            assert.ok(message.includes(`${key} is secret`), `${key} not refused`);
            assert.ok(!message.includes(c.plaintext), `${c.plaintext} echoed`);
        }
        assert.equal(error.resources.filter((r) => r.type !== PULUMI.stack).length, 0, "nothing registered");
    });

    it("refuses a structured key that is secret as a whole, telling how to mark only the secret values", () => {
        assert.throws(
            () => parsePlatformConfig(productionConfig(), [["platform:services"]]),
            (err: ConfigError) => {
                assert.match(
                    err.message,
                    /platform:services is secret; service names, images and sizes are plain Kubernetes fields .*the whole key is secret: mark only the secret values/,
                );
                assert.doesNotMatch(err.message, /ghcr\.io/);
                return true;
            },
        );
        // A whole key whose every value can be secret is fine.
        assert.doesNotThrow(() => parsePlatformConfig(productionConfig(), [["platform:apiKeys"]]));
    });

    it("plans offline a stack whose secrets only the CLI can decrypt, wherever secrets may go", () => {
        const paths = ACCEPTED.map((c) => c.path);
        const dir = projectWithSecrets("production", productionConfig(), paths);
        try {
            const stack = readStackConfig(dir, "production");
            assert.deepEqual(stack.secretKeys.sort(), ["platform:alertWebhooks", "platform:apiKeys", "platform:kubeconfig", "platform:services"]);
            const config = parsePlatformConfig(stack.config, secretConfigPaths(stack.secretKeys, paths));
            assert.deepEqual(Object.keys(config.services[0].secretEnv), ["PAYMENTS_API_TOKEN"]);
            assert.equal(config.alertWebhooks.length, 1);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    describe("where the engine's secret keys hold their secrets", () => {
        it("takes the stack file's secure: places, and a key the file shows none in as a whole", () => {
            const file = { "platform:services": [{ name: "api", env: { A: "x", B: { secure: "v1:..." } } }], "aws:region": "eu-west-1" };
            const securePaths = securePathsOf(file, "platform");
            assert.deepEqual(securePaths, [["platform:services", "0", "env", "B"]]);
            assert.deepEqual(secretConfigPaths(["platform:services", "platform:apiKeys"], securePaths), [
                ["platform:services", "0", "env", "B"],
                ["platform:apiKeys"],
            ]);
        });

        it("hides a secret's value in a validation error of its own or of anything around it", () => {
            const config = withValue(productionConfig(), ["platform:services", "0", "env", "lower_case"], "s3cr3t-env");
            assert.throws(
                () => parsePlatformConfig(config, [["platform:services", "0", "env", "lower_case"]]),
                (err: ConfigError) => {
                    assert.match(err.message, /platform:services\[0\]\.env\.lower_case/);
                    assert.doesNotMatch(err.message, /s3cr3t-env/);
                    return true;
                },
            );
        });
    });
});
