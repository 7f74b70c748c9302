import * as assert from "assert/strict";
import { spawnSync } from "child_process";
import * as path from "path";
import { PROJECT_DIR } from "../../preflight/plan";

function preflight(...args: string[]) {
    const result = spawnSync(process.execPath, ["-r", "ts-node/register", path.join("preflight", "cli.ts"), ...args], {
        cwd: PROJECT_DIR,
        env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1" },
        encoding: "utf8",
    });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("preflight CLI", () => {
    it("plans both stacks by default and exits 0", () => {
        const { code, stdout, stderr } = preflight();
        assert.equal(code, 0, stderr);
        assert.match(stdout, /^Stack staging: \d+ resources planned$/m);
        assert.match(stdout, /^Stack production: \d+ resources planned$/m);
        const natCounts = [...stdout.matchAll(/aws:ec2\/natGateway:NatGateway\s+(\d+)/g)].map((m) => Number(m[1]));
        assert.deepEqual(natCounts, [1, 3]);
    });

    it("plans only the stack asked for", () => {
        const { code, stdout } = preflight("--stack", "production");
        assert.equal(code, 0);
        assert.doesNotMatch(stdout, /Stack staging/);
        assert.match(stdout, /Stack production/);
    });

    for (const [args, message] of [
        [["--stak", "production"], /^preflight: Unknown option '--stak'; allowed: --stack/],
        [["--stack", "dev"], /^preflight: --stack: got "dev"; allowed: staging, production, all$/],
    ] as const) {
        it(`rejects ${args.join(" ")} with one line and exit code 2`, () => {
            const { code, stdout, stderr } = preflight(...args);
            assert.equal(code, 2);
            assert.equal(stdout, "");
            assert.equal(stderr.trim().split("\n").length, 1, stderr);
            assert.match(stderr.trim(), message);
        });
    }
});
