import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { STAGING_RELAXATIONS, stagingPolicySettings } from "../../components/relaxations";

const policyConfig = (stack: string): Record<string, unknown> =>
    JSON.parse(fs.readFileSync(path.join(__dirname, "../../policies/config", `${stack}.json`), "utf8"));

describe("staging relaxations", () => {
    const staging = policyConfig("staging");
    const production = policyConfig("production");

    it("policies/config/staging.json sets what the relaxations table says for each policy it names", () => {
        for (const [policy, settings] of Object.entries(stagingPolicySettings())) {
            assert.deepEqual(staging[policy], settings, `${policy} in policies/config/staging.json`);
        }
    });

    it("every policy staging judges unlike production is in the relaxations table", () => {
        const relaxed = stagingPolicySettings();
        const differing = Object.keys(staging).filter((policy) => JSON.stringify(staging[policy]) !== JSON.stringify(production[policy]));
        assert.deepEqual(
            differing.filter((policy) => !(policy in relaxed)),
            [],
            "a staging policy setting that differs from production's belongs in components/relaxations.ts",
        );
    });

    it("names one config key at most once, and each guarded key with what production needs", () => {
        const keys = STAGING_RELAXATIONS.flatMap((r) => (r.production ? [r.production.path.join(".")] : []));
        assert.equal(new Set(keys).size, keys.length);
        assert.ok(
            STAGING_RELAXATIONS.every((r) => r.production || r.stagingPolicies),
            "a relaxation guards a key or relaxes a policy",
        );
    });
});
