import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { catalog, CatalogError, CHECKLISTS_DIR, loadCatalog } from "../../policies/catalog";
import { RULES } from "../../policies/rules";

const CHECKBOX = /^\s*[-*] \[ \]\s*(.*)$/;

/** Checkbox lines of each source checklist: file -> line number -> text. */
function checkboxLines(): Map<string, Map<number, string>> {
    const files = fs.readdirSync(CHECKLISTS_DIR).filter((f) => f.endsWith(".md"));
    return new Map(
        files.map((file) => {
            const lines = fs.readFileSync(path.join(CHECKLISTS_DIR, file), "utf8").split("\n");
            const boxes = new Map<number, string>();
            lines.forEach((line, i) => {
                const match = CHECKBOX.exec(line);
                if (match) {
                    boxes.set(i + 1, match[1]);
                }
            });
            return [file, boxes];
        }),
    );
}

const normalize = (text: string) =>
    text
        .toLowerCase()
        .replace(/[*`_]/g, "")
        .replace(/[^a-z0-9]+/g, " ")
        .trim();

/** A copy of the catalog's directory with one requirements file replaced, to load. */
function catalogWith(file: string, content: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "catalog-"));
    fs.cpSync(CHECKLISTS_DIR, dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "requirements", file), content);
    return dir;
}

describe("checklist catalog", () => {
    const boxes = checkboxLines();
    const ids = catalog().map((r) => r.id);

    it("has the five source checklists, named for their systems, and their checkbox lines", () => {
        assert.deepEqual([...boxes.keys()].sort(), [
            "docker-kubernetes-api.md",
            "dynamic-providers.md",
            "llm-valuecanvas.md",
            "mcp-credits-api.md",
            "template-system.md",
        ]);
        const total = [...boxes.values()].reduce((n, lines) => n + lines.size, 0);
        assert.ok(total > 600, `${total} checkbox lines`);
    });

    it("gives every requirement a unique, stable id and a text", () => {
        assert.equal(new Set(ids).size, ids.length);
        for (const requirement of catalog()) {
            assert.match(requirement.id, /^[A-Z]+-\d{2}$/);
            assert.ok(requirement.text.length > 10, requirement.id);
        }
    });

    it("covers every checkbox line of the five checklists", () => {
        const covered = new Set(catalog().flatMap((r) => r.sources.flatMap((s) => s.lines.map((line) => `${s.file}:${line}`))));
        const missing = [...boxes].flatMap(([file, lines]) => [...lines.keys()].map((line) => `${file}:${line}`)).filter((key) => !covered.has(key));
        assert.deepEqual(missing, []);
    });

    it("derives each source's section from the checklist's headings and parent items", () => {
        const sections = (id: string) =>
            catalog()
                .find((r) => r.id === id)!
                .sources.map((s) => `${s.file}: ${s.section}`);
        assert.ok(sections("DB-01").includes("template-system.md: Pre-Deployment Checklist > Infrastructure Requirements > Database Setup"));
        // A checkbox under a numbered item, below headings with emoji.
        assert.ok(sections("PROC-04").includes("mcp-credits-api.md: Deployment Procedure > Deployment Steps > Deployment Execution"));
        assert.ok(catalog().every((r) => r.sources.every((s) => s.section.length > 0)));
    });

    it("restates the checklist lines instead of copying them", () => {
        for (const requirement of catalog()) {
            for (const source of requirement.sources) {
                for (const line of source.lines) {
                    assert.notEqual(
                        normalize(requirement.text),
                        normalize(boxes.get(source.file)!.get(line)!),
                        `${requirement.id} copies ${source.file}:${line}`,
                    );
                }
            }
        }
    });

    it("links plan requirements to policies only through the rules' own metadata, both ways", () => {
        const plan = new Set(
            catalog()
                .filter((r) => r.verifiedBy === "plan")
                .map((r) => r.id),
        );
        // release-evidence judges the catalog's evidence, live and attestation requirements, none of them its own.
        for (const rule of RULES.filter((r) => r.name !== "release-evidence")) {
            assert.ok(
                rule.checklist.length > 0 || rule.beyondChecklist,
                `${rule.name} names no requirement and does not say why it checks beyond the checklists`,
            );
            for (const id of rule.checklist) {
                assert.ok(plan.has(id), `${rule.name} names ${id}, which is not a plan requirement of the catalog`);
            }
        }
        const enforced = new Set(RULES.flatMap((rule) => rule.checklist));
        assert.deepEqual(
            [...plan].filter((id) => !enforced.has(id)),
            [],
            "plan requirements no rule enforces",
        );
    });

    it("says how every requirement is verified, and verifies at least 80 % by the plan or by evidence", () => {
        for (const requirement of catalog().filter((r) => r.verifiedBy !== "plan")) {
            assert.ok(requirement.sources.length > 0, `${requirement.id}: a requirement the plan does not check comes from a checklist`);
        }
        const machine = catalog().filter((r) => r.verifiedBy === "plan" || r.verifiedBy === "evidence").length;
        assert.ok(machine / catalog().length >= 0.8, `${machine} of ${catalog().length}`);
        assert.ok(catalog().filter((r) => r.verifiedBy === "out-of-scope").length <= 5, "out of scope is for the few lines not about deployment");
    });

    it("refuses data files that break the schema, naming the file and the key", () => {
        const refused = (content: string) => assert.throws(() => loadCatalog(catalogWith("99-bad.yaml", content)), CatalogError);
        refused(
            "area: X\nrequirements:\n  - id: X-01\n    text: A requirement text here\n    verifiedBy: evidence\n    evidence: [{ kind: k6, criteria: { maxP95: 2 } }]\n",
        );
        assert.throws(
            () => loadCatalog(catalogWith("99-bad.yaml", "area: X\nrequirements:\n  - id: X-01\n    text: A requirement text here\n    verifiedBy: manual\n")),
            /99-bad\.yaml: requirements\.0\.verifiedBy/,
        );
        assert.throws(
            () => loadCatalog(catalogWith("99-bad.yaml", "area: X\nrequirements:\n  - id: DB-01\n    text: A requirement text here\n    verifiedBy: plan\n")),
            /DB-01 is defined twice/,
        );
        assert.throws(
            () =>
                loadCatalog(
                    catalogWith(
                        "99-bad.yaml",
                        "area: X\nrequirements:\n  - id: X-01\n    text: A requirement text here\n    sources: { template-system.md: [1] }\n    verifiedBy: plan\n",
                    ),
                ),
            /X-01: template-system\.md:1 is not a checkbox line/,
        );
    });
});
