// What reaches a text or Markdown report from the input (names, types, messages, file names) is shown,
// never obeyed: a terminal or a Markdown renderer must not take it for its own control or structure.

/** C0 and C1 control characters, DEL, and the bidirectional overrides that reorder what a reader sees. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const escapeControl = (char: string) => {
    const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };
    return named[char] ?? `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
};

/** One line of plain text: control characters (newlines included) written as escapes. */
export function plain(text: string): string {
    return text.replace(CONTROL, escapeControl);
}

/** Plain text over several lines: each line's control characters escaped, the line breaks kept. */
export function plainLines(text: string): string[] {
    return text.split("\n").map(plain);
}

/** Markdown inline text: plain, with every character that could start Markdown or HTML structure escaped. */
export function markdownText(text: string): string {
    return plain(text.replace(/\r?\n/g, " ")).replace(/([\\`*_[\]<>|~&#!])/g, "\\$1");
}

/** A Markdown code span of `text`: fenced with more backticks than it holds, pipes escaped for table cells. */
export function markdownCode(text: string): string {
    const content = plain(text.replace(/\r?\n/g, " ")).replace(/\|/g, "\\|");
    const longest = Math.max(0, ...(content.match(/`+/g) ?? []).map((run) => run.length));
    const fence = "`".repeat(longest + 1);
    const padded = content.startsWith("`") || content.endsWith("`") ? ` ${content} ` : content;
    return `${fence}${padded}${fence}`;
}
