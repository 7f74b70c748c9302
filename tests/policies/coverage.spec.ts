import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { RESOURCE_RULES, RULES, STACK_RULES } from "../../policies/rules";
import { AWS } from "../../policies/lib/types";

const PAGE = path.join(__dirname, "..", "..", "docs", "policy-pack.md");
const PAGE_NAME = "docs/policy-pack.md";
/** The type of the entry for stack rules that every stack needs (no `appliesTo`). */
const ANY_STACK = "any stack";

interface Row {
    line: number;
    concept: string;
    type: string;
    rules: string[];
}

/**
 * The entries under `## Coverage`: a `### <concept>` heading, then one list item per resource type,
 * "- `<type>`: `<rule>`, `<rule>`, …", wrapped onto indented continuation lines.
 */
function coverageRows(markdown: string): Row[] {
    const lines = markdown.split("\n");
    const start = lines.findIndex((l) => /^## Coverage\s*$/.test(l));
    assert.ok(start >= 0, `${PAGE_NAME} has no \`## Coverage\` section`);
    const end = lines.findIndex((l, i) => i > start && /^#{1,2} /.test(l));
    const items: { line: number; concept: string; text: string }[] = [];
    let concept = "";
    lines.slice(start + 1, end < 0 ? undefined : end).forEach((text, offset) => {
        const line = start + offset + 2;
        const heading = /^### (.+?)\s*$/.exec(text);
        if (heading) {
            concept = heading[1];
        } else if (text.startsWith("- ")) {
            assert.ok(concept !== "", `${PAGE_NAME} line ${line}: a coverage entry before any \`### <concept>\` heading`);
            items.push({ line, concept, text: text.slice(2) });
        } else if (/^\s+\S/.test(text) && items.length > 0) {
            items[items.length - 1].text += ` ${text.trim()}`;
        }
    });
    return items.map(({ line, concept, text }) => {
        const colon = text.indexOf(": ");
        assert.ok(colon > 0, `${PAGE_NAME} line ${line}: a coverage entry reads "<type>: <rules>": ${text}`);
        return {
            line,
            concept,
            type: text.slice(0, colon).trim().replace(/^`|`$/g, ""),
            rules: text
                .slice(colon + 2)
                .split(",")
                .map((r) => r.trim().replace(/^`|`$/g, ""))
                .filter((r) => r !== ""),
        };
    });
}

/** The types a rule declares: a resource rule's `resourceTypes`, a stack rule's `appliesTo`. */
const declared = new Map<string, readonly string[]>([
    ...RESOURCE_RULES.map((r): [string, readonly string[]] => [r.name, r.resourceTypes]),
    ...STACK_RULES.map((r): [string, readonly string[]] => [r.name, r.appliesTo]),
]);

describe("the coverage list of docs/policy-pack.md", () => {
    const rows = coverageRows(fs.readFileSync(PAGE, "utf8"));

    it("has rows for the checklist's concepts", () => {
        const concepts = new Set(rows.map((r) => r.concept));
        for (const concept of ["Databases", "Redis", "Secrets", "Edge", "Workloads", "Access", "Data at rest and recovery", "Observability"]) {
            assert.ok(concepts.has(concept), `no row for ${concept}`);
        }
    });

    it("names only rules of the pack, each with a type it declares", () => {
        const problems = rows.flatMap((row) =>
            row.rules.flatMap((rule) => {
                const types = declared.get(rule);
                if (!types) {
                    return [`line ${row.line}: ${rule} is not a rule of the pack`];
                }
                const declares = row.type === ANY_STACK ? types.length === 0 : types.includes(row.type);
                return declares ? [] : [`line ${row.line}: ${rule} does not declare ${row.type} (it declares ${types.join(", ") || ANY_STACK})`];
            }),
        );
        assert.deepEqual(problems, []);
    });

    it("has every rule of the pack in a row, and every type a rule declares", () => {
        const named = new Set(rows.flatMap((r) => r.rules));
        assert.deepEqual(
            RULES.map((r) => r.name).filter((name) => !named.has(name)),
            [],
            "rules in no row",
        );
        const listed = new Set(rows.map((r) => r.type));
        const types = new Set([...declared.values()].flatMap((t) => (t.length === 0 ? [ANY_STACK] : [...t])));
        assert.deepEqual([...types].filter((type) => !listed.has(type)).sort(), [], "declared types in no row");
    });

    it("reads an entry as concept, type and rules, so a rule under a type it does not declare is caught", () => {
        const wrong = coverageRows("## Coverage\n\n### Edge\n\n- `aws:s3/bucket:Bucket`: `required-tags`,\n  `alb-access-logs`\n## Next\n- `x`: `y`\n");
        assert.deepEqual(wrong, [{ line: 5, concept: "Edge", type: AWS.buckets[0], rules: ["required-tags", "alb-access-logs"] }]);
        assert.ok(!declared.get("alb-access-logs")!.includes(wrong[0].type));
    });
});
