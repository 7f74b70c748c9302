import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { RESOURCE_RULES, RULES, STACK_RULES } from "../../policies/rules";

const README = path.join(__dirname, "..", "..", "README.md");
/** The type cell of the row for stack rules that every stack needs (no `appliesTo`). */
const ANY_STACK = "any stack";

interface Row {
    line: number;
    concept: string;
    type: string;
    rules: string[];
}

/** The rows of the table under `### Coverage` in the README: concept, resource type, rules. */
function coverageRows(markdown: string): Row[] {
    const lines = markdown.split("\n");
    const start = lines.findIndex((l) => /^### Coverage\s*$/.test(l));
    assert.ok(start >= 0, "README.md has no `### Coverage` section");
    const end = lines.findIndex((l, i) => i > start && /^#{1,3} /.test(l));
    const rows: Row[] = [];
    lines.slice(start + 1, end < 0 ? undefined : end).forEach((text, offset) => {
        const cells = /^\|(.*)\|\s*$/.exec(text)?.[1].split("|").map((c) => c.trim());
        if (!cells || cells[0] === "Concept" || /^-+$/.test(cells[0])) {
            return;
        }
        assert.equal(cells.length, 3, `README.md line ${start + offset + 2}: a coverage row has 3 cells (concept, resource type, rules): ${text}`);
        const [concept, type, rules] = cells;
        rows.push({
            line: start + offset + 2,
            concept,
            type: type.replace(/^`|`$/g, ""),
            rules: rules.split(",").map((r) => r.trim().replace(/^`|`$/g, "")).filter((r) => r !== ""),
        });
    });
    return rows;
}

/** The types a rule declares: a resource rule's `resourceTypes`, a stack rule's `appliesTo`. */
const declared = new Map<string, readonly string[]>([
    ...RESOURCE_RULES.map((r): [string, readonly string[]] => [r.name, r.resourceTypes]),
    ...STACK_RULES.map((r): [string, readonly string[]] => [r.name, r.appliesTo]),
]);

describe("the README's coverage table", () => {
    const rows = coverageRows(fs.readFileSync(README, "utf8"));

    it("has rows for the checklist's concepts", () => {
        const concepts = new Set(rows.map((r) => r.concept));
        for (const concept of ["Databases", "Redis", "Secrets", "Edge", "Workloads", "Access", "Data at rest and recovery", "Observability"]) {
            assert.ok(concepts.has(concept), `no row for ${concept}`);
        }
    });

    it("names only rules of the pack, each with a type it declares", () => {
        const problems = rows.flatMap((row) => row.rules.flatMap((rule) => {
            const types = declared.get(rule);
            if (!types) {
                return [`line ${row.line}: ${rule} is not a rule of the pack`];
            }
            const declares = row.type === ANY_STACK ? types.length === 0 : types.includes(row.type);
            return declares ? [] : [`line ${row.line}: ${rule} does not declare ${row.type} (it declares ${types.join(", ") || ANY_STACK})`];
        }));
        assert.deepEqual(problems, []);
    });

    it("has every rule of the pack in a row, and every type a rule declares", () => {
        const named = new Set(rows.flatMap((r) => r.rules));
        assert.deepEqual(RULES.map((r) => r.name).filter((name) => !named.has(name)), [], "rules in no row");
        const listed = new Set(rows.map((r) => r.type));
        const types = new Set([...declared.values()].flatMap((t) => (t.length === 0 ? [ANY_STACK] : [...t])));
        assert.deepEqual([...types].filter((type) => !listed.has(type)).sort(), [], "declared types in no row");
    });

    it("reads a row as concept, type and rules, so a rule under a type it does not declare is caught", () => {
        const wrong = coverageRows("### Coverage\n\n| Concept | Resource type | Rules |\n| --- | --- | --- |\n| Edge | `aws:s3/bucket:Bucket` | `alb-access-logs` |\n");
        assert.deepEqual(wrong, [{ line: 5, concept: "Edge", type: "aws:s3/bucket:Bucket", rules: ["alb-access-logs"] }]);
        assert.ok(!declared.get("alb-access-logs")!.includes(wrong[0].type));
    });
});
