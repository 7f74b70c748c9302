import * as fs from "fs";

/** The text of a file the user named, or the error `fail` makes of the reason it cannot be read. */
export function readInputFile(file: string, fail: (reason: string) => Error): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        throw fail(code === "ENOENT" ? "no such file" : code === "EISDIR" ? "it is a directory" : (code ?? (err as Error).message));
    }
}

/** Line and column (from 1) of an offset in `text`. */
function lineAndColumn(text: string, offset: number): string {
    const before = text.slice(0, offset);
    const line = before.split("\n").length;
    return `line ${line}, column ${offset - before.lastIndexOf("\n")}`;
}

/**
 * Where the first JSON syntax error of `text` is: V8's own message quotes the text around it, which
 * may be a secret, so only the position is reported. A scan with an explicit stack, no recursion.
 */
function syntaxErrorOffset(text: string): number {
    let i = 0;
    const space = () => {
        while (i < text.length && " \t\n\r".includes(text[i])) i++;
    };
    const literal = (): boolean => {
        if (text[i] === '"') {
            for (i++; i < text.length && text[i] !== '"'; i++) {
                if (text[i] === "\\") i++;
                else if (text.charCodeAt(i) < 0x20) return false;
            }
            if (i >= text.length) return false;
            i++;
            return true;
        }
        const match = /^(-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 400));
        if (!match) return false;
        i += match[0].length;
        return true;
    };
    // What each open container expects next.
    const stack: ("array" | "object")[] = [];
    let expectValue = true;
    for (;;) {
        space();
        if (expectValue) {
            if (text[i] === "[" || text[i] === "{") {
                stack.push(text[i] === "[" ? "array" : "object");
                i++;
                space();
                if ((stack[stack.length - 1] === "array" && text[i] === "]") || (stack[stack.length - 1] === "object" && text[i] === "}")) {
                    stack.pop();
                    i++;
                    expectValue = false;
                    continue;
                }
                if (stack[stack.length - 1] === "object") {
                    if (text[i] !== '"' || !literal()) return i;
                    space();
                    if (text[i] !== ":") return i;
                    i++;
                }
                continue;
            }
            if (!literal()) return i;
            expectValue = false;
            continue;
        }
        const open = stack[stack.length - 1];
        if (open === undefined) {
            return i < text.length ? i : -1;
        }
        if (text[i] === ",") {
            i++;
            if (open === "object") {
                space();
                if (text[i] !== '"' || !literal()) return i;
                space();
                if (text[i] !== ":") return i;
                i++;
            }
            expectValue = true;
        } else if ((open === "array" && text[i] === "]") || (open === "object" && text[i] === "}")) {
            stack.pop();
            i++;
        } else {
            return i;
        }
    }
}

/** Parses JSON; a syntax error is reported by line and column only, never with the text around it. */
export function parseJson(text: string, fail: (reason: string) => Error): unknown {
    try {
        return JSON.parse(text);
    } catch {
        const offset = syntaxErrorOffset(text);
        throw fail(offset < 0 || offset >= text.length ? "the text ends too early" : `syntax error at ${lineAndColumn(text, offset)}`);
    }
}
