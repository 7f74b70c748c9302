import * as fs from "fs";

/** The text of a file the user named, or the error `fail` makes of the reason it cannot be read. */
export function readInputFile(file: string, fail: (reason: string) => Error): string {
    try {
        return fs.readFileSync(file, "utf8");
    } catch (err) {
        throw fail((err as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : (err as Error).message);
    }
}
