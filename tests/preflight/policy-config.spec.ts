import * as assert from "assert/strict";
import { PackInfo, PolicyInfo } from "../../preflight/analyzer";
import { PolicyConfigError, resolvePolicyConfig } from "../../preflight/policy-config";

function policy(name: string, enforcementLevel: PolicyInfo["enforcementLevel"], properties: Record<string, any> = {}): PolicyInfo {
    return {
        name,
        description: name,
        kind: "resource",
        enforcementLevel,
        severity: "high",
        remediationSteps: "",
        tags: [],
        configSchema: { properties, required: [] },
    };
}

const pack: PackInfo = {
    name: "platform-checklist",
    version: "0.1.0",
    policies: [
        policy("rds-backup-retention", "mandatory", { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7 } }),
        policy("rds-multi-az", "mandatory"),
        policy("budget-alert", "advisory"),
    ],
};

function refused(raw: Record<string, unknown>): string {
    try {
        resolvePolicyConfig(pack, raw, "config.json");
    } catch (err) {
        assert.ok(err instanceof PolicyConfigError);
        return err.message;
    }
    assert.fail("the config was accepted");
}

describe("policy config resolution", () => {
    it("takes each policy's own level, else `all`, else the policy's default", () => {
        assert.deepEqual(Object.fromEntries(Object.entries(resolvePolicyConfig(pack, {}, "x")).map(([n, c]) => [n, c.enforcementLevel])), {
            "rds-backup-retention": "mandatory",
            "rds-multi-az": "mandatory",
            "budget-alert": "advisory",
        });
        const resolved = resolvePolicyConfig(
            pack,
            { all: "advisory", "rds-multi-az": "disabled", "rds-backup-retention": { enforcementLevel: "mandatory" } },
            "x",
        );
        assert.equal(resolved["rds-multi-az"].enforcementLevel, "disabled");
        assert.equal(resolved["rds-backup-retention"].enforcementLevel, "mandatory");
        assert.equal(resolved["budget-alert"].enforcementLevel, "advisory");
    });

    it("fills the schema's defaults and keeps given values", () => {
        assert.deepEqual(resolvePolicyConfig(pack, {}, "x")["rds-backup-retention"].properties, { minimumDays: 7 });
        assert.deepEqual(resolvePolicyConfig(pack, { "rds-backup-retention": { minimumDays: 3 } }, "x")["rds-backup-retention"].properties, { minimumDays: 3 });
    });

    it("lists every problem: bad levels, unknown policies, values outside the schema, unknown settings", () => {
        const message = refused({
            all: "strict",
            "rds-multi-az": "sometimes",
            "rds-backup-retention": { minimumDays: 0, minimumDayz: 7 },
            "rds-mutli-az": "mandatory",
        });
        assert.match(message, /config\.json: invalid policy config \(5 problems\)/);
        assert.match(message, /- all: got "strict"; allowed: advisory, mandatory, disabled, remediate/);
        assert.match(message, /- rds-multi-az: got "sometimes"; allowed: advisory, mandatory, disabled, remediate or an object of settings/);
        assert.match(message, /- rds-backup-retention\.minimumDays: must be >= 1/);
        assert.match(message, /- rds-backup-retention: unknown setting "minimumDayz"; allowed: minimumDays/);
        assert.match(message, /- rds-mutli-az: no such policy in platform-checklist/);
    });
});
