import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { RULE_FILES } from "../../policies/rules";
import { CaseTable } from "./cases";
import { CASE_TABLES } from "./tables";

const RULES_DIR = path.join(__dirname, "..", "..", "policies", "rules");
const TABLES_DIR = path.join(__dirname, "tables");
const namesIn = (dir: string) =>
    fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(".ts") && f !== "index.ts")
        .map((f) => f.replace(/\.ts$/, ""))
        .sort();

/** The case table a table file exports. */
function tableOf(name: string): CaseTable | undefined {
    const exports: Record<string, unknown> = require(path.join(TABLES_DIR, name));
    return Object.values(exports).find((value): value is CaseTable => typeof value === "object" && value !== null && "area" in value);
}

describe("policy pack layout", () => {
    it("lists every rule file of policies/rules in RULE_FILES under its file name", () => {
        assert.deepEqual(Object.keys(RULE_FILES).sort(), namesIn(RULES_DIR));
    });

    it("has a case table file of the same name for each rule file, and none other", () => {
        assert.deepEqual(namesIn(TABLES_DIR), namesIn(RULES_DIR));
    });

    for (const [name, file] of Object.entries(RULE_FILES)) {
        it(`tests/policies/tables/${name}.ts gives each rule of rules/${name}.ts a compliant and a violating case`, () => {
            const table = tableOf(name);
            assert.ok(table, `tests/policies/tables/${name}.ts exports no case table`);
            assert.equal(table.area, name, `tests/policies/tables/${name}.ts: area is ${table.area}, not the file's name`);
            assert.ok(CASE_TABLES.includes(table), `tests/policies/tables/index.ts does not run ${name}'s cases`);
            const cases = [...table.resource, ...table.stack];
            const missing = [...file.resource, ...file.stack]
                .map((rule) => rule.name)
                .filter((rule) => !cases.some((c) => c.policy === rule && c.violating.length > 0));
            assert.deepEqual(missing, [], `rules of rules/${name}.ts without a case in tables/${name}.ts`);
            const strangers = cases.map((c) => c.policy).filter((policy) => ![...file.resource, ...file.stack].some((rule) => rule.name === policy));
            assert.deepEqual(strangers, [], `cases in tables/${name}.ts for rules of other files`);
        });
    }
});
