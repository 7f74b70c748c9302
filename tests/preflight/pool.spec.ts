import * as assert from "assert/strict";
import * as path from "path";
import { AnalyzerPool, AnalyzerProcess, PackInfo, ResolvedPolicyConfig } from "../../preflight/analyzer";
import { evaluateStack, StackReport } from "../../preflight/evaluate";
import { PolicyPackProcess } from "../../preflight/pack-process";
import { PROJECT_DIR } from "../../preflight/plan";
import { readPolicyConfigFile, resolvePolicyConfig } from "../../preflight/policy-config";
import { legacyDataStack } from "./fixtures";

const PACK_DIR = path.join(PROJECT_DIR, "policies");

const findings = (report: StackReport) => report.violations.map((v) => `${v.policy} ${v.enforcementLevel} ${v.urn} ${v.message}`).sort();

describe("copies of the pack sharing one stack (large exports)", function () {
    this.timeout(120000);
    let single: AnalyzerProcess;
    let pool: AnalyzerPool;
    let pack: PackInfo;
    let config: ResolvedPolicyConfig;

    before(async () => {
        [single, pool] = await Promise.all([
            AnalyzerProcess.start(PACK_DIR),
            AnalyzerPool.connect([PolicyPackProcess.spawn(PACK_DIR), PolicyPackProcess.spawn(PACK_DIR)]),
        ]);
        pack = await single.info();
        config = resolvePolicyConfig(pack, readPolicyConfigFile(path.join(PACK_DIR, "config", "production.json")), "production.json");
    });
    after(() => Promise.all([single?.stop(), pool?.stop()]));

    it("finds exactly what one copy finds, each stack policy run by one copy", async () => {
        const one = await evaluateStack(single, pack, config, "production", "legacy.json", legacyDataStack());
        const two = await evaluateStack(pool, pack, config, "production", "legacy.json", legacyDataStack());
        // The stack policies are dealt out in turn: the stack's violations come from policies of both copies' shares.
        const stackPolicies = pack.policies.filter((p) => p.kind === "stack" && config[p.name]?.enforcementLevel !== "disabled").map((p) => p.name);
        const shares = new Set(one.violations.filter((v) => stackPolicies.includes(v.policy)).map((v) => stackPolicies.indexOf(v.policy) % 2));
        assert.deepEqual([...shares].sort(), [0, 1]);
        // A stack policy run by both copies would report twice; one run by neither, not at all.
        assert.deepEqual(findings(two), findings(one));
        assert.deepEqual(two.checklist, one.checklist);
        assert.deepEqual(two.errors, one.errors);
    });
});
