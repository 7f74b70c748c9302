import { describeResourceCases, describeStackCases } from "./cases";
import { CASE_TABLES } from "./tables";

for (const table of CASE_TABLES) {
    describe(`policies: ${table.area}`, () => {
        describeResourceCases(table.resource);
        describeStackCases(table.stack);
    });
}
