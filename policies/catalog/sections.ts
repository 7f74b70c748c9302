/**
 * The section a checklist line sits in, from the Markdown itself: the headings above it below the
 * document's title ("Pre-Deployment > Database Setup"), and for a nested checkbox its parent's label.
 */
export function sectionsOf(markdown: string): Map<number, string> {
    const sections = new Map<number, string>();
    const headings: string[] = [];
    let parentItem: { indent: number; label: string } | undefined;
    markdown.split("\n").forEach((line, index) => {
        const heading = /^(#{2,6})\s+(.*?)\s*#*\s*$/.exec(line);
        if (heading) {
            headings.length = heading[1].length - 2;
            headings.push(clean(heading[2]));
            parentItem = undefined;
            return;
        }
        // A list item (a checkbox, or a plain or numbered item) is the parent of the checkboxes indented under it.
        const item = /^(\s*)(?:[-*]|\d+\.)\s+(\[[ xX]\]\s*)?(.*)$/.exec(line);
        if (!item) {
            return;
        }
        const indent = item[1].length;
        const nested = parentItem !== undefined && indent > parentItem.indent;
        if (item[2] !== undefined) {
            sections.set(index + 1, [...headings.filter(Boolean), ...(nested ? [parentItem!.label] : [])].join(" > "));
        }
        if (!nested) {
            parentItem = { indent, label: clean(item[3]) };
        }
    });
    return sections;
}

/** Heading text without Markdown emphasis, code marks or emoji. */
function clean(text: string): string {
    return text
        .replace(/[*_`]/g, "")
        .replace(/[^\p{L}\p{N}\p{P}\p{Zs}+<>=]/gu, "")
        .trim();
}
