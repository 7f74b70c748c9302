import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";
import { CHECKLIST } from "../../policies/checklist";
import { RULES } from "../../policies/rules";

const CHECKLISTS_DIR = path.resolve(__dirname, "../../policies/checklists");
const CHECKBOX = /^\s*[-*] \[ \]\s*(.*)$/;

/** Checkbox lines of each source checklist: file -> line number -> text. */
function checkboxLines(): Map<string, Map<number, string>> {
    const files = fs.readdirSync(CHECKLISTS_DIR).filter((f) => f.endsWith(".txt"));
    return new Map(files.map((file) => {
        const lines = fs.readFileSync(path.join(CHECKLISTS_DIR, file), "utf8").split("\n");
        const boxes = new Map<number, string>();
        lines.forEach((line, i) => {
            const match = CHECKBOX.exec(line);
            if (match) {
                boxes.set(i + 1, match[1]);
            }
        });
        return [file, boxes];
    }));
}

const normalize = (text: string) => text.toLowerCase().replace(/[*`_]/g, "").replace(/[^a-z0-9]+/g, " ").trim();

describe("checklist catalog", () => {
    const boxes = checkboxLines();
    const ids = CHECKLIST.map((r) => r.id);

    it("has the five source checklists and their checkbox lines", () => {
        assert.equal(boxes.size, 5);
        const total = [...boxes.values()].reduce((n, lines) => n + lines.size, 0);
        assert.ok(total > 600, `${total} checkbox lines`);
    });

    it("gives every requirement a unique, stable id and a text", () => {
        assert.equal(new Set(ids).size, ids.length);
        for (const requirement of CHECKLIST) {
            assert.match(requirement.id, /^[A-Z]+-\d{2}$/);
            assert.ok(requirement.text.length > 10, requirement.id);
        }
    });

    it("covers every checkbox line of the five checklists", () => {
        const covered = new Set(CHECKLIST.flatMap((r) => r.sources.flatMap((s) => s.lines.map((line) => `${s.file}:${line}`))));
        const missing = [...boxes].flatMap(([file, lines]) => [...lines.keys()].map((line) => `${file}:${line}`)).filter((key) => !covered.has(key));
        assert.deepEqual(missing, []);
    });

    it("cites only checkbox lines of existing checklists, with their section", () => {
        for (const requirement of CHECKLIST) {
            for (const source of requirement.sources) {
                const lines = boxes.get(source.file);
                assert.ok(lines, `${requirement.id}: no checklist ${source.file}`);
                assert.ok(source.section.length > 0, `${requirement.id}: ${source.file} without a section`);
                for (const line of source.lines) {
                    assert.ok(lines!.has(line), `${requirement.id}: ${source.file}:${line} is not a checkbox line`);
                }
            }
        }
    });

    it("restates the checklist lines instead of copying them", () => {
        for (const requirement of CHECKLIST) {
            for (const source of requirement.sources) {
                for (const line of source.lines) {
                    assert.notEqual(normalize(requirement.text), normalize(boxes.get(source.file)!.get(line)!), `${requirement.id} copies ${source.file}:${line}`);
                }
            }
        }
    });

    it("marks each requirement either enforced by policies or manual with a reason", () => {
        for (const requirement of CHECKLIST) {
            if (requirement.policies.length > 0) {
                assert.equal(requirement.manual, undefined, requirement.id);
            } else {
                assert.ok((requirement.manual ?? "").length > 10, `${requirement.id} needs a reason why it is manual`);
                assert.ok(requirement.sources.length > 0, `${requirement.id}: a manual requirement comes from a checklist`);
            }
        }
    });

    it("names only policies that exist, and every policy names requirements that name it back", () => {
        const rules = new Map(RULES.map((rule) => [rule.name, rule]));
        for (const requirement of CHECKLIST) {
            for (const name of requirement.policies) {
                const rule = rules.get(name);
                assert.ok(rule, `${requirement.id} names ${name}, which does not exist`);
                assert.ok(rule!.checklist.includes(requirement.id), `${name} does not list ${requirement.id}`);
            }
        }
        for (const rule of RULES) {
            assert.ok(rule.checklist.length > 0, `${rule.name} names no requirement`);
            for (const id of rule.checklist) {
                const requirement = CHECKLIST.find((r) => r.id === id);
                assert.ok(requirement, `${rule.name} names ${id}, which is not in the catalog`);
                assert.ok(requirement!.policies.includes(rule.name), `${id} does not list ${rule.name}`);
            }
        }
    });
});
