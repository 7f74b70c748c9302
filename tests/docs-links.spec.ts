import * as assert from "assert/strict";
import * as fs from "fs";
import * as path from "path";

const root = path.join(__dirname, "..");
/** The front page stays a front page: the reference material lives in docs/. */
const README_MAX_BYTES = 10_000;

const pages = [
    "README.md",
    ...fs
        .readdirSync(path.join(root, "docs"))
        .filter((f) => f.endsWith(".md"))
        .map((f) => `docs/${f}`),
];

/** The text GitHub renders links from: fenced code blocks and inline code hold no links. */
function withoutCode(markdown: string): string {
    return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "").replace(/`[^`\n]*`/g, "");
}

/** The targets of inline links `[text](target)` and reference definitions `[id]: target`. */
function linkTargets(markdown: string): string[] {
    const text = withoutCode(markdown);
    const inline = [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);
    const references = [...text.matchAll(/^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s.*)?$/gm)].map((m) => m[1]);
    return [...inline, ...references];
}

/** A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
    const rendered = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, "$1").replace(/[`*]/g, "");
    return rendered
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{M}\p{N}\p{Pc}\- ]/gu, "")
        .replace(/ /g, "-");
}

/** Every anchor a page offers: its headings (repeats get -1, -2, … as on GitHub) and `<a id|name="…">`. */
function anchors(markdown: string): Set<string> {
    const found = new Set<string>();
    const seen = new Map<string, number>();
    const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, "");
    for (const [, heading] of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
        const base = slug(heading);
        const repeats = seen.get(base) ?? 0;
        seen.set(base, repeats + 1);
        found.add(repeats === 0 ? base : `${base}-${repeats}`);
    }
    for (const [, id] of text.matchAll(/<a\s+(?:id|name)="([^"]+)"/g)) {
        found.add(id);
    }
    return found;
}

/** What is wrong with the relative links of `page` (a path from the root), one line each. */
function brokenLinks(page: string, markdown: string, read: (file: string) => string | undefined): string[] {
    return linkTargets(markdown).flatMap((target) => {
        if (/^[a-z][a-z0-9+.-]*:/i.test(target)) {
            return []; // https:, mailto: and the like leave the repository
        }
        const [file, anchor] = target.split("#", 2);
        const resolved = file === "" ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURI(file)));
        const content = read(resolved);
        if (content === undefined) {
            return [`${page}: ${target} points to ${resolved}, which does not exist`];
        }
        if (anchor && resolved.endsWith(".md") && !anchors(content).has(decodeURIComponent(anchor))) {
            return [`${page}: ${target}: ${resolved} has no heading or anchor "${anchor}"`];
        }
        return [];
    });
}

function readFromRepository(file: string): string | undefined {
    const absolute = path.join(root, file);
    if (!fs.existsSync(absolute)) {
        return undefined;
    }
    return fs.statSync(absolute).isDirectory() ? "" : fs.readFileSync(absolute, "utf8");
}

describe("README and docs/ stay navigable", () => {
    it(`README.md is a front page of at most ${README_MAX_BYTES} bytes`, () => {
        const size = fs.statSync(path.join(root, "README.md")).size;
        assert.ok(size <= README_MAX_BYTES, `README.md is ${size} bytes; move reference material to a page in docs/ and link it`);
    });

    it("README.md links every hand-written page of docs/", () => {
        const linked = new Set(linkTargets(fs.readFileSync(path.join(root, "README.md"), "utf8")).map((t) => t.split("#")[0]));
        assert.deepEqual(
            pages.filter((p) => p.startsWith("docs/") && !linked.has(p)),
            [],
        );
    });

    for (const page of pages) {
        it(`${page}: every relative link reaches an existing file and heading`, () => {
            assert.deepEqual(brokenLinks(page, fs.readFileSync(path.join(root, page), "utf8"), readFromRepository), []);
        });
    }

    describe("the link check", () => {
        const files: Record<string, string> = {
            "docs/a.md": '# Page A\n\n## Static frontend (`platform:frontend`)\n## Notes\n## Notes\n| <a id="db-cpu"></a>`db-cpu` |\n',
        };
        const read = (file: string) => files[file];

        it("finds headings as GitHub anchors them, repeats and explicit anchors included", () => {
            assert.deepEqual([...anchors(files["docs/a.md"])], ["page-a", "static-frontend-platformfrontend", "notes", "notes-1", "db-cpu"]);
        });

        it("reports a missing file, a missing heading, and nothing for good, external or code links", () => {
            const markdown = [
                "[ok](a.md#notes-1) [self](#x) [out](https://example.com/x.md) `[code](gone.md)`",
                "[gone](gone.md) [bad anchor](a.md#nowhere)",
                "```sh\n[fenced](gone-too.md)\n```",
                "[ref]: ./a.md#db-cpu",
            ].join("\n");
            assert.deepEqual(
                brokenLinks("docs/b.md", `# X\n${markdown}`, (f) => (f === "docs/b.md" ? `# X\n${markdown}` : read(f))),
                ["docs/b.md: gone.md points to docs/gone.md, which does not exist", 'docs/b.md: a.md#nowhere: docs/a.md has no heading or anchor "nowhere"'],
            );
        });

        it("reports a link to a page that does not exist", () => {
            assert.deepEqual(
                brokenLinks("README.md", "[other](docs/other.md)", () => undefined),
                ["README.md: docs/other.md points to docs/other.md, which does not exist"],
            );
        });
    });
});
