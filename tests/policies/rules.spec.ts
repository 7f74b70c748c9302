import * as assert from "assert/strict";
import { AWS } from "../../policies/lib/types";
import { RULES } from "../../policies/rules";
import { describeResourceCases, describeStackCases } from "./cases";
import { checkStack, TestResource } from "./helpers";
import { CASE_TABLES } from "./tables";

for (const table of CASE_TABLES) {
    describe(`policies: ${table.area}`, () => {
        describeResourceCases(table.resource);
        describeStackCases(table.stack);
    });
}

describe("policy cases", () => {
    it("give every rule of the pack a compliant case and at least one violating case", () => {
        const violating = new Map<string, number>();
        for (const c of CASE_TABLES.flatMap((t) => [...t.resource, ...t.stack])) {
            violating.set(c.policy, (violating.get(c.policy) ?? 0) + c.violating.length);
        }
        assert.deepEqual(
            RULES.map((rule) => rule.name).filter((name) => !violating.get(name)),
            [],
        );
    });
});

describe("secrets-manager-rotation", () => {
    const unrotated: TestResource[] = [{ type: AWS.secret, name: "openai-api-key", props: { name: "shop/OPENAI_API_KEY" } }];

    it("reports a secret without rotation as advisory even when the pack is mandatory (an issuer-held API key cannot rotate itself)", async () => {
        const violations = await checkStack("secrets-manager-rotation", unrotated, { enforcementLevel: "mandatory" });
        assert.deepEqual(
            violations.map((v) => v.enforcementLevel),
            ["advisory"],
        );
    });

    it("reports it at the policy's level when told to enforce rotation", async () => {
        const violations = await checkStack("secrets-manager-rotation", unrotated, { enforcementLevel: "mandatory", enforce: true });
        assert.deepEqual(
            violations.map((v) => v.enforcementLevel),
            ["mandatory"],
        );
    });
});
