import * as assert from "assert/strict";
import { RULES } from "../../policies/rules";
import { describeResourceCases, describeStackCases } from "./cases";
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
        assert.deepEqual(RULES.map((rule) => rule.name).filter((name) => !violating.get(name)), []);
    });
});
