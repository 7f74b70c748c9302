/**
 * Reads every regular file under evidence directories and recognises each by its content.
 */
import * as fs from "fs";
import * as path from "path";
import { recognise } from "./recognise";
import { Evidence, EvidenceError } from "./types";
import { compareText } from "./util";

/** Files larger than this are refused: no release artifact we read comes near it. */
export const MAX_EVIDENCE_BYTES = 50 * 1024 * 1024;

function reason(error: unknown): string {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    switch (code) {
        case "ENOENT":
            return "does not exist";
        case "EACCES":
        case "EPERM":
            return "cannot be read: permission denied";
        case "ENOTDIR":
            return "is not a directory";
        default:
            return `cannot be read${code ? ` (${code})` : ""}`;
    }
}

/**
 * Every entry under `dir`, walked without recursion: regular files to read, and anything else that is not a
 * directory (symbolic links, sockets...) to list as ignored. Symbolic links are not followed.
 */
function walk(dir: string): { files: string[]; others: string[] } {
    const files: string[] = [];
    const others: string[] = [];
    const pending = [dir];
    while (pending.length > 0) {
        const current = pending.pop()!;
        let entries: fs.Dirent[];
        try {
            entries = fs.readdirSync(current, { withFileTypes: true });
        } catch (error) {
            throw new EvidenceError(current, `evidence directory ${reason(error)}`);
        }
        for (const entry of entries) {
            const full = path.join(current, entry.name);
            if (entry.isDirectory()) {
                pending.push(full);
            } else if (entry.isFile()) {
                files.push(full);
            } else {
                others.push(full);
            }
        }
    }
    return { files: files.sort(compareText), others: others.sort(compareText) };
}

/** UTF-8 (with or without a BOM) or UTF-16 with a BOM, as Windows shells write redirected output. */
function decode(buffer: Buffer): string {
    if (buffer.length >= 2 && buffer[0] === 0xff && buffer[1] === 0xfe) {
        return buffer.subarray(2).toString("utf16le");
    }
    if (buffer.length >= 2 && buffer[0] === 0xfe && buffer[1] === 0xff) {
        const body = Buffer.from(buffer.subarray(2, 2 + ((buffer.length - 2) & ~1)));
        return body.swap16().toString("utf16le");
    }
    return buffer.toString("utf8");
}

/** Reads one file's evidence; undefined when the file is not a known kind. */
export function readEvidenceFile(file: string): Evidence | undefined {
    let size: number;
    try {
        size = fs.statSync(file).size;
    } catch (error) {
        throw new EvidenceError(file, `evidence file ${reason(error)}`);
    }
    if (size > MAX_EVIDENCE_BYTES) {
        throw new EvidenceError(file, `evidence file is ${Math.ceil(size / (1024 * 1024))} MB, larger than the 50 MB read`);
    }
    let buffer: Buffer;
    try {
        buffer = fs.readFileSync(file);
    } catch (error) {
        throw new EvidenceError(file, `evidence file ${reason(error)}`);
    }
    return recognise(file, decode(buffer));
}

/**
 * Reads every regular file (recursively, sorted) in each directory. A directory that is missing or unreadable,
 * and a file over 50 MB, are EvidenceErrors naming them. Files that are not a known kind, and entries that are
 * not regular files, are listed in `ignored`. A file reached twice (the same directory given twice) is read once.
 */
export function readEvidence(dirs: string[]): { evidence: Evidence[]; ignored: string[] } {
    const evidence: Evidence[] = [];
    const ignored: string[] = [];
    const seen = new Set<string>();
    for (const dir of dirs) {
        let stat: fs.Stats;
        try {
            stat = fs.statSync(dir);
        } catch (error) {
            throw new EvidenceError(dir, `evidence directory ${reason(error)}`);
        }
        if (!stat.isDirectory()) {
            throw new EvidenceError(dir, "is not a directory: give the directory that holds the evidence");
        }
        const { files, others } = walk(dir);
        for (const file of files) {
            const key = path.resolve(file);
            if (seen.has(key)) {
                continue;
            }
            seen.add(key);
            const found = readEvidenceFile(file);
            if (found) {
                evidence.push(found);
            } else {
                ignored.push(file);
            }
        }
        for (const other of others) {
            if (!seen.has(path.resolve(other))) {
                seen.add(path.resolve(other));
                ignored.push(other);
            }
        }
    }
    return { evidence, ignored };
}
