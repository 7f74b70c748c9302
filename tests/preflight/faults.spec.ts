import * as assert from "assert/strict";
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AnalyzerProcess } from "../../preflight/analyzer";
import { PROJECT_DIR } from "../../preflight/plan";
import { stackExport } from "../../preflight/stack-export";
import { preflightInProcess } from "../helpers";
import { legacyDataStack } from "./fixtures";
import { AWS, AWS_DATA, PULUMI } from "../../policies/lib/types";

const CLI = [path.join(PROJECT_DIR, "preflight", "register.js"), path.join(PROJECT_DIR, "preflight", "cli.ts")];

/** The CLI as a process: for what a process does (timeouts, a pack that fails, signals); the rest runs in-process. */
function preflight(...args: string[]) {
    const result = spawnSync(process.execPath, ["-r", ...CLI, ...args], {
        cwd: PROJECT_DIR,
        env: { ...process.env, NO_COLOR: "1" },
        encoding: "utf8",
        maxBuffer: 64 * 1024 * 1024,
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Processes whose command line names `dir`: the packs started from a copy there. */
function processesIn(dir: string): number[] {
    return fs
        .readdirSync("/proc")
        .filter((entry) => /^\d+$/.test(entry))
        .filter((pid) => {
            try {
                return fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(dir);
            } catch {
                return false;
            }
        })
        .map(Number);
}

/**
 * A temporary copy of the pack with `faulty` (TypeScript exporting `FAULTY`, a list of policies) added to
 * its policies, and `index` lines run first: never the real pack.
 */
function packCopy(root: string, faulty: string, prelude = ""): string {
    const dir = fs.mkdtempSync(path.join(root, "pack-"));
    const source = path.join(PROJECT_DIR, "policies");
    fs.cpSync(source, dir, { recursive: true, filter: (from) => !/[\\/](node_modules|bin)$/.test(from) });
    fs.symlinkSync(path.join(PROJECT_DIR, "node_modules"), path.join(dir, "node_modules"));
    fs.writeFileSync(path.join(dir, "faulty.ts"), faulty);
    const index = fs.readFileSync(path.join(dir, "index.ts"), "utf8").replace("policies: POLICIES", 'policies: [...POLICIES, ...require("./faulty").FAULTY]');
    fs.writeFileSync(path.join(dir, "index.ts"), `${prelude}${index}`);
    return dir;
}

const policy = (name: string, body: string) => `{
    name: "${name}", description: "injected fault", enforcementLevel: "mandatory", tags: ["checklist:DB-07"],
    validateResource: (args: any, report: any) => { ${body} },
}`;

describe("preflight under faults (a copy of the pack)", function () {
    this.timeout(180000);
    let dir: string;
    let exportFile: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-faults-"));
        exportFile = path.join(dir, "legacy.json");
        fs.writeFileSync(exportFile, JSON.stringify(stackExport(legacyDataStack())));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("gives up on a policy that never returns after --call-timeout, names what did not answer, exits 2 and leaves no process", () => {
        const pack = packCopy(dir, `export const FAULTY = [${policy("never-returns", "return new Promise(() => undefined);")}];`);
        const { code, stdout, stderr } = preflight("--file", exportFile, "--policy-pack", pack, "--call-timeout", "3", "--format", "json");
        assert.equal(code, 2, stderr);
        assert.match(stderr, /the policy pack did not answer within 3 s: urn:pulumi:production::platform::[^ ]+ \(policies that check [^)]*never-returns/);
        assert.match(JSON.parse(stdout).stacks[0].error, /did not answer within 3 s/);
        assert.deepEqual(processesIn(pack), []);
    });

    it("reports a policy that throws as an error in every format, never as a pass, and exits 2", async () => {
        const pack = packCopy(dir, `export const FAULTY = [${policy("always-throws", 'if (args.type.startsWith("aws:rds")) { throw new Error("boom"); }')}];`);
        const json = preflight("--file", exportFile, "--policy-pack", pack, "--format", "json");
        assert.equal(json.code, 2, json.stderr);
        const stack = JSON.parse(json.stdout).stacks[0];
        assert.match(stack.errors.join("\n"), /always-throws.*boom/);
        assert.equal(stack.checklist.find((l: any) => l.id === "DB-07").status, "error");
        const markdown = await preflightInProcess("--file", exportFile, "--policy-pack", pack, "--format", "markdown");
        assert.equal(markdown.code, 2);
        assert.match(markdown.stdout, /- \*\*ERROR\*\* DB-07: .*could not run: .*always-throws/);
        assert.doesNotMatch(markdown.stdout, /\*\*PASS\*\* DB-07/);
        const junit = await preflightInProcess("--file", exportFile, "--policy-pack", pack, "--format", "junit");
        assert.match(junit.stdout, /<testcase [^>]*name="always-throws">\n\s*<error type="policy-error" message="always-throws could not run: [^"]*boom/);
        const sarif = JSON.parse((await preflightInProcess("--file", exportFile, "--policy-pack", pack, "--format", "sarif")).stdout);
        const notes = sarif.runs[0].invocations[0].toolExecutionNotifications;
        assert.equal(sarif.runs[0].invocations[0].executionSuccessful, false);
        assert.ok(notes.some((n: any) => n.level === "error" && /boom/.test(n.message.text)));
        const text = await preflightInProcess("--file", exportFile, "--policy-pack", pack);
        assert.equal(text.code, 2);
        assert.match(text.stdout, /INCOMPLETE for plan/);
        assert.match(text.stdout, /error .*always-throws.*boom/);
        assert.deepEqual(processesIn(pack), []);
    });

    it("shows a pack's first error line when it fails at start, without its stack trace", () => {
        const pack = packCopy(dir, "export const FAULTY = [];", 'throw new TypeError("the pack is broken");\n');
        const { code, stderr } = preflight("--file", exportFile, "--policy-pack", pack);
        assert.equal(code, 2);
        assert.match(stderr, /^preflight: the policy pack exited with code 1 before serving: TypeError: the pack is broken$/m);
        assert.doesNotMatch(stderr, /\n\s+at /);
        assert.equal(stderr.trim().split("\n").length, 1);
    });

    it("names output on stdout that is not the pack's port as unexpected", () => {
        const pack = packCopy(dir, "export const FAULTY = [];", 'console.log("hello from the pack");\n');
        const { code, stderr } = preflight("--file", exportFile, "--policy-pack", pack);
        assert.equal(code, 2);
        assert.match(stderr, /^preflight: the policy pack wrote unexpected output on stdout instead of its port: "hello from the pack"$/m);
        assert.deepEqual(processesIn(pack), []);
    });

    it("says once that the pack died, with its exit code and the end of its stderr", () => {
        const pack = packCopy(dir, `export const FAULTY = [${policy("exits", 'console.error("out of coffee"); process.exit(7);')}];`);
        const { code, stdout, stderr } = preflight("--file", exportFile, "--policy-pack", pack, "--format", "json");
        assert.equal(code, 2);
        const message = JSON.parse(stdout).stacks[0].error;
        assert.match(message, /the policy pack exited with code 7 during the analysis; its stderr ends: .*out of coffee/);
        assert.equal(stderr.match(/exited with code 7/g)?.length, 1, stderr);
        assert.doesNotMatch(stderr, /Connection dropped/);
    });

    for (const [signal, expected] of [
        ["SIGTERM", 143],
        ["SIGINT", 130],
    ] as const) {
        it(`stops the pack and exits ${expected} on ${signal}`, async () => {
            const pack = packCopy(dir, `export const FAULTY = [${policy("slow", "return new Promise(() => undefined);")}];`);
            const child = spawn(process.execPath, ["-r", ...CLI, "--file", exportFile, "--policy-pack", pack], {
                cwd: PROJECT_DIR,
                stdio: ["ignore", "pipe", "pipe"],
            });
            let stderr = "";
            child.stderr.on("data", (chunk) => (stderr += chunk));
            // Wait until the pack runs (and is stuck in the policy), then cancel as CI does. The pack's own process, not
            // the CLI's (whose --policy-pack names the same directory): the CLI starts the pack only after its signal handlers.
            const packEntry = path.join(pack, "index.ts");
            const started = Date.now();
            while (processesIn(packEntry).length === 0 && Date.now() - started < 60000) {
                await new Promise((resolve) => setTimeout(resolve, 200));
            }
            assert.ok(processesIn(packEntry).length > 0, "the pack started");
            await new Promise((resolve) => setTimeout(resolve, 3000));
            child.kill(signal);
            const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
            assert.equal(code, expected, stderr);
            assert.deepEqual(processesIn(pack), []);
        });
    }
});

describe("preflight on bad input", function () {
    this.timeout(120000);
    let dir: string;
    before(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-input-"));
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = (name: string, content: unknown) => {
        const target = path.join(dir, name);
        fs.writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content));
        return target;
    };
    const exported = (mutate: (resources: any[]) => void) => {
        const content = stackExport(legacyDataStack()) as any;
        mutate(content.deployment.resources);
        return content;
    };
    /** JSON text nested `levels` deep: more than JSON.stringify itself can write. */
    const nested = (levels: number) => `${'{"inner":'.repeat(levels)}"bottom"${"}".repeat(levels)}`;

    const cases: [string, () => string[], RegExp][] = [
        [
            "duplicate URNs",
            () => [
                "--file",
                file(
                    "dup.json",
                    exported((r) => r.push({ ...r[1] })),
                ),
            ],
            /deployment\.resources\.3: the URN .* appears twice/,
        ],
        [
            "a URN of another stack",
            () => [
                "--file",
                file(
                    "other.json",
                    exported((r) => (r[2].urn = r[2].urn.replace("urn:pulumi:production::", "urn:pulumi:staging::"))),
                ),
            ],
            /deployment\.resources\.2: the URN .* is of stack "staging" in project "platform", the first resource's of stack "production"/,
        ],
        [
            "an export with no resources",
            () => ["--file", file("empty.json", { version: 3, deployment: { resources: [] } })],
            /holds no resources: nothing to analyze/,
        ],
        [
            "a type that contradicts the URN",
            () => [
                "--file",
                file(
                    "type.json",
                    exported((r) => (r[1].type = AWS.buckets[0])),
                ),
            ],
            /deployment\.resources\.1: type "aws:s3\/bucket:Bucket" contradicts its URN, whose type is "aws:rds\/instance:Instance"/,
        ],
        [
            "a value nested 5,000 levels deep",
            () => ["--file", file("deep.json", JSON.stringify(exported((r) => (r[1].inputs.tags = "DEEP"))).replace('"DEEP"', nested(5000)))],
            /deployment\.resources\.1: the value at tags\.inner\.inner.* nests deeper than 100 levels/,
        ],
        [
            "a JSON syntax error, by line and column and without the content",
            () => ["--file", file("syntax.json", '{\n  "version": 3,\n  "secret": "hunter2" "x"\n}')],
            /syntax\.json is not JSON: syntax error at line 3, column 23$/m,
        ],
        [
            "a policy config that disables every policy",
            () => ["--stack", "staging", "--policy-config", file("off.json", { all: "disabled" })],
            /stack staging cannot be evaluated: .*off\.json disables every policy: nothing would be checked/,
        ],
        [
            "a waiver whose date does not exist",
            () => [
                "--stack",
                "staging",
                "--policy-config",
                file("waiver.json", { "rds-storage-encrypted": { waivers: [{ resource: "x", reason: "legacy", expires: "2026-02-30" }] } }),
            ],
            /rds-storage-encrypted\.waivers\[0\]\.expires must be a date YYYY-MM-DD, got "2026-02-30"/,
        ],
        [
            "a waiver with a blank reason",
            () => [
                "--stack",
                "staging",
                "--policy-config",
                file("blank.json", { "rds-storage-encrypted": { waivers: [{ resource: "x", reason: "   ", expires: "2026-12-30" }] } }),
            ],
            /rds-storage-encrypted\.waivers\[0\]\.reason is required/,
        ],
        [
            "a regular expression that does not compile",
            () => ["--stack", "staging", "--policy-config", file("regex.json", { "k8s-no-plaintext-secrets": { secretNamePattern: "(SECRET" } })],
            /k8s-no-plaintext-secrets\.secretNamePattern: "\(SECRET" is not a regular expression/,
        ],
        [
            "a misspelt policy name",
            () => ["--stack", "staging", "--policy-config", file("typo.json", { "rds-storage-encryptd": "mandatory" })],
            /rds-storage-encryptd: no such policy in platform-checklist; did you mean "rds-storage-encrypted"\?/,
        ],
        [
            "--out into a missing directory",
            () => ["--out", path.join(dir, "missing", "report.txt")],
            /^preflight: --out .*: the directory .*missing does not exist$/m,
        ],
        [
            "--export into a missing directory",
            () => ["--stack", "staging", "--export", path.join(dir, "missing", "x.json")],
            /^preflight: --export .*: the directory .*missing does not exist$/m,
        ],
        ["a bad --call-timeout", () => ["--call-timeout", "soon"], /^preflight: --call-timeout: got "soon"; expected a number of seconds/],
    ];
    for (const [what, args, message] of cases) {
        it(`refuses ${what} with exit code 2 and one clear message`, async () => {
            const { code, stdout, stderr } = await preflightInProcess(...args());
            assert.equal(code, 2, stdout + stderr);
            assert.match(stderr, message);
            assert.doesNotMatch(stderr, /\n\s+at |hunter2/);
        });
    }

    it("refuses a stack file whose secure: value is not a ciphertext, without showing it", () => {
        const project = fs.mkdtempSync(path.join(dir, "project-"));
        for (const name of ["Pulumi.yaml", "index.ts"]) {
            fs.copyFileSync(path.join(PROJECT_DIR, name), path.join(project, name));
        }
        const { readStackConfig } = require("../../preflight/stack-config") as typeof import("../../preflight/stack-config");
        fs.writeFileSync(path.join(project, "Pulumi.staging.yaml"), "config:\n  platform:apiKey:\n    secure: hunter2 in plain text\n");
        assert.throws(
            () => readStackConfig(project, "staging"),
            (err: Error) =>
                /config platform:apiKey: "secure" holds a 21-character string that is no ciphertext/.test(err.message) && !err.message.includes("hunter2"),
        );
        fs.writeFileSync(
            path.join(project, "Pulumi.staging.yaml"),
            "config:\n  platform:apiKey:\n    secure: v1:xIexihPl8cm5FSMU:vQ1Ikj03s44hFdoRNhKx60o3eSocAxnMTfP7CevVeGEP9eetak5CCw==\n",
        );
        assert.deepEqual(readStackConfig(project, "staging").secretKeys, ["platform:apiKey"]);
    });

    it("writes control characters and Markdown structure from the input as text, never as terminal codes or Markdown", async () => {
        // A URN holds no line breaks; the sanitiser's own test covers them.
        const evil = "db\x1b[2J\x1b[32mALL READY\x07\x00| x | `y` **z**";
        const content = exported((r) => {
            r[1].urn = r[1].urn.replace(/legacy-db$/, evil);
        });
        const input = file("evil.json", content);
        const text = await preflightInProcess("--file", input);
        assert.equal(text.code, 1, text.stderr);
        assert.doesNotMatch(text.stdout, /[\x00-\x08\x0b-\x1f\x7f]/);
        assert.match(text.stdout, /db\\u001b\[2J\\u001b\[32mALL READY\\u0007\\u0000\| x \|/);
        const markdown = (await preflightInProcess("--file", input, "--format", "markdown")).stdout;
        assert.ok(markdown.includes("``db\\u001b[2J\\u001b[32mALL READY\\u0007\\u0000\\| x \\| `y` **z**``"), "the name as a code span, escaped");
        assert.doesNotMatch(markdown, /[\x00-\x08\x0b-\x1f\x7f]/);
        assert.ok(!markdown.split("\n").some((line) => line.startsWith("| x")), "no table row forged");
        const json = JSON.parse((await preflightInProcess("--file", input, "--format", "json")).stdout);
        assert.ok(
            json.stacks[0].violations.some((v: any) => v.name === evil),
            "JSON keeps the exact name",
        );
    });

    it("escapes line breaks and Markdown structure in the sanitiser itself", () => {
        const { plain, markdownText, markdownCode } = require("../../preflight/reports/sanitise") as typeof import("../../preflight/reports/sanitise");
        assert.equal(plain("a\rb\nc\x1b"), "a\\rb\\nc\\u001b");
        assert.equal(markdownText("# [x](y) <b> | *z*"), "\\# \\[x\\](y) \\<b\\> \\| \\*z\\*");
        assert.equal(markdownCode("a ` b | c"), "``a ` b \\| c``");
    });

    it("counts resource types named like Object's own properties", async () => {
        const types = ["constructor", "toString", "__proto__"];
        const content = exported((r) => {
            types.forEach((type, i) =>
                r.push({ ...r[0], urn: `urn:pulumi:production::platform::pulumi:pulumi:Stack$${type}::odd-${i}`, type, custom: false, parent: r[0].urn }),
            );
        });
        const { code, stdout } = await preflightInProcess("--file", file("odd.json", content), "--format", "markdown");
        assert.equal(code, 1);
        for (const type of types) {
            assert.ok(stdout.includes(`| \`${type}\` | 1 |`), type);
        }
    });
});

describe("resource references through the analyzer protocol", function () {
    this.timeout(180000);
    const REF = "5cf8f73096256a8f31e491e813e4eb8e";
    const SIG = "4dabf18193072939515e22adb298388d";
    const roleUrn = "urn:pulumi:production::platform::aws:iam/role:Role::app";
    const componentUrn = "urn:pulumi:production::platform::platform:data:Database::db";
    let dir: string;
    let analyzer: AnalyzerProcess;
    before(async () => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "preflight-refs-"));
        // A policy that reports what it was given, and a stack policy that counts the resources it saw.
        const pack = packCopy(
            dir,
            `export const FAULTY = [
            { name: "echo", description: "echo", enforcementLevel: "advisory",
              validateResource: (args: any, report: any) => { if (args.props.role !== undefined) report(JSON.stringify([args.props.role, args.props.owner, args.props.pending])); } },
            { name: "reads-only-strings", description: "throws on anything else", enforcementLevel: "mandatory",
              validateResource: (args: any) => { if (typeof args.props.role !== "string" && args.props.role !== undefined) throw new Error("not a string"); } },
            { name: "counts", description: "counts", enforcementLevel: "advisory",
              validateStack: (args: any, report: any) => report(String(args.resources.length)) },
        ];`,
        );
        analyzer = await AnalyzerProcess.start(pack);
        await analyzer.configure({});
    });
    after(async () => {
        await analyzer?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const withReferences = {
        urn: "urn:pulumi:production::platform::aws:lambda/function:Function::fn",
        type: AWS_DATA.lambdaFunction,
        name: "fn",
        properties: {
            role: { [SIG]: REF, urn: roleUrn, id: "app-role-id", packageVersion: "7.48.0" },
            owner: { [SIG]: REF, urn: componentUrn, packageVersion: "" },
            pending: { [SIG]: REF, urn: roleUrn, id: "" },
        },
    };

    it("sends a custom resource's id, a component's URN and an unknown id as the engine does, never the reference", async () => {
        const diagnostics = await analyzer.analyze(withReferences);
        assert.ok(!diagnostics.some((d) => d.policyName === "reads-only-strings"), "the policy read a string");
        const echo = diagnostics.find((d) => d.policyName === "echo");
        // The unknown id reaches the policy as the engine's unknown value, which @pulumi/policy reports for preview.
        assert.ok(echo, JSON.stringify(diagnostics));
        assert.match(echo.message, /app-role-id|can't be known during preview/);
        const { encodeStruct } = require("../../preflight/wire") as typeof import("../../preflight/wire");
        const { Struct } = require("google-protobuf/google/protobuf/struct_pb") as typeof import("google-protobuf/google/protobuf/struct_pb");
        assert.deepEqual(Struct.deserializeBinary(encodeStruct(withReferences.properties, "test")).toJavaScript(), {
            role: "app-role-id",
            owner: componentUrn,
            pending: "04da6b54-80e4-46f7-96ec-b56ff0331ba9",
        });
    });

    it("keeps the stack policies running over a stack that holds references", async () => {
        const stackRoot = {
            urn: "urn:pulumi:production::platform::pulumi:pulumi:Stack::platform-production",
            type: PULUMI.stack,
            name: "platform-production",
            properties: {},
        };
        const diagnostics = await analyzer.analyzeStack([stackRoot, withReferences]);
        assert.equal(
            diagnostics
                .find((d) => d.policyName === "counts")
                ?.message.split("\n")
                .pop(),
            "2",
        );
    });
});
