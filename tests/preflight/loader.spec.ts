import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import { PROJECT_DIR } from "../../preflight/plan";

/** Runs `script` in a fresh node under the preflight's loader, from the project directory; returns what it printed as JSON. */
function underLoader(script: string): Record<string, unknown> {
    const result = spawnSync(process.execPath, ["-r", "./preflight/register.js", "-e", script], { cwd: PROJECT_DIR, encoding: "utf8", timeout: 60000 });
    assert.equal(result.status, 0, result.stderr);
    return JSON.parse(result.stdout) as Record<string, unknown>;
}

/** Script text: the packages among `names` that are loaded in the running process. */
const loadedOf = (names: string[]) =>
    `${JSON.stringify(names)}.filter((name) => Object.keys(require.cache).some((file) => file.includes("/node_modules/" + name + "/")))`;

describe("the preflight's loader (preflight/register.js)", function () {
    this.timeout(120000);

    it("leaves the SDK's closure-serialization and Automation API packages unloaded until they are used", () => {
        const deferred = ["typescript", "@npmcli/arborist", "execa", "js-yaml"];
        const seen = underLoader(`
            const pulumi = require("@pulumi/pulumi");
            require(require.resolve("@pulumi/policy", { paths: ["policies"] }));
            const atStart = ${loadedOf(deferred)};
            const x = 41;
            pulumi.runtime.serializeFunction(() => x + 1).then((serialized) => {
                console.log(JSON.stringify({ atStart, afterUse: ${loadedOf(["typescript"])}, text: serialized.text }));
            });
        `);
        assert.deepEqual(seen.atStart, []);
        // Serializing a function still works: the stand-in loaded TypeScript when the SDK reached for it.
        assert.deepEqual(seen.afterUse, ["typescript"]);
        assert.match(String(seen.text), /x \+ 1/);
    });

    it("gives deferred packages to TypeScript's import helpers as they would be loaded at once", () => {
        // The SDK's compiled code reaches execa through `__importDefault` and js-yaml through `__importStar`.
        const seen = underLoader(`
            require("@pulumi/pulumi");
            const sdkFile = require.resolve("@pulumi/pulumi/automation/cmd.js");
            const fromSdk = (name) => require("module").createRequire(sdkFile)(name);
            const execa = fromSdk("execa");
            const yaml = fromSdk("js-yaml");
            console.log(JSON.stringify({
                esModule: execa.__esModule === true,
                // Required from here (not the SDK), the package itself.
                defaultIsModule: execa.default.sync === require(require.resolve("execa", { paths: [sdkFile] })).sync,
                runs: execa.default.sync(process.execPath, ["-e", "process.stdout.write('ok')"]).stdout,
                yaml: yaml.load("a: [1, 2]"),
                keys: Object.keys(yaml).includes("dump"),
            }));
        `);
        assert.deepEqual(seen, { esModule: true, defaultIsModule: true, runs: "ok", yaml: { a: [1, 2] }, keys: true });
    });

    it("loads the policy pack without the requirement catalog and its schemas, which the pack only needs to judge release evidence", () => {
        const seen = underLoader(`
            const fs = require("fs");
            const read = [];
            const readFileSync = fs.readFileSync;
            fs.readFileSync = (file, ...rest) => (read.push(String(file)), readFileSync(file, ...rest));
            const catalogFiles = () => read.filter((file) => file.includes("/checklists/")).length;
            require("./policies/rules");
            const before = catalogFiles();
            const schemas = ${loadedOf(["zod", "yaml"])};
            require("./policies/catalog").catalog();
            console.log(JSON.stringify({ before, schemas, after: catalogFiles() }));
        `);
        assert.equal(seen.before, 0);
        assert.deepEqual(seen.schemas, []);
        assert.ok(Number(seen.after) > 10, `read ${String(seen.after)} catalog files`);
    });
});
