import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EvidenceError, MAX_EVIDENCE_BYTES, readEvidence } from "../../policies/evidence";
import { FIXTURES } from "./helpers";

describe("evidence: readEvidence", () => {
    let dir: string;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "evidence-"));
    });
    afterEach(() => {
        fs.chmodSync(dir, 0o700);
        fs.rmSync(dir, { recursive: true, force: true });
    });
    const place = (relative: string, fixture: string) => {
        const target = path.join(dir, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(FIXTURES, fixture), target);
        return target;
    };
    const write = (relative: string, content: string | Buffer) => {
        const target = path.join(dir, relative);
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, content);
        return target;
    };
    const assertThrowsNaming = (run: () => unknown, named: string, problem: RegExp) => {
        assert.throws(run, (error: unknown) => {
            assert.ok(error instanceof EvidenceError, String(error));
            assert.equal(error.file, named);
            assert.ok(error.message.startsWith(`${named}: `), error.message);
            assert.match(error.message, problem);
            return true;
        });
    };

    it("walks directories recursively, in sorted order, recognising by content and listing what it ignored", () => {
        place("tests/results.txt", "junit/jest-fail.xml");
        place("tests/e2e/out", "junit/playwright-fail.xml");
        place("security/a-audit", "npm-audit/fail.json");
        place("security/image", "trivy/fail.json");
        place("load/summary.json", "k6/export-fail.json");
        place("records/drill.yml", "records/restore-drill.yaml");
        place("package.json", "unknown/package.json");
        place("notes.md", "unknown/notes.md");
        place("deploy/deployment.yaml", "unknown/deployment.yaml");

        const { evidence, ignored } = readEvidence([dir]);
        assert.deepEqual(
            evidence.map((item) => [path.relative(dir, item.file), item.kind]),
            [
                ["load/summary.json", "k6"],
                ["records/drill.yml", "restore-drill"],
                ["security/a-audit", "npm-audit"],
                ["security/image", "trivy"],
                ["tests/e2e/out", "junit"],
                ["tests/results.txt", "junit"],
            ],
        );
        assert.equal(evidence[0].file, path.join(dir, "load", "summary.json"));
        assert.deepEqual(
            ignored.map((file) => path.relative(dir, file)),
            ["deploy/deployment.yaml", "notes.md", "package.json"],
        );
    });

    it("reads several directories in the order given, and a directory given twice once", () => {
        place("one/verify.json", "verify/pass.json");
        place("two/history.json", "stack-history/pass.json");
        const { evidence } = readEvidence([path.join(dir, "two"), path.join(dir, "one"), path.join(dir, "two")]);
        assert.deepEqual(
            evidence.map((item) => item.kind),
            ["stack-history", "verify"],
        );
    });

    it("reads output that a Windows shell redirected as UTF-16 with a byte order mark", () => {
        const text = fs.readFileSync(path.join(FIXTURES, "npm-audit/fail.json"), "utf8");
        write("audit.json", Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, "utf16le")]));
        const { evidence } = readEvidence([dir]);
        assert.equal(evidence.length, 1);
        assert.ok(evidence[0].kind === "npm-audit");
        assert.equal(evidence[0].facts.critical, 1);
    });

    it("lists a symbolic link as ignored without following it", () => {
        place("real/history.json", "stack-history/pass.json");
        fs.symlinkSync(path.join(dir, "real"), path.join(dir, "link"));
        const { evidence, ignored } = readEvidence([dir]);
        assert.equal(evidence.length, 1);
        assert.deepEqual(ignored, [path.join(dir, "link")]);
    });

    it("fails on a missing directory, naming it", () => {
        const missing = path.join(dir, "no-such-dir");
        assertThrowsNaming(() => readEvidence([missing]), missing, /evidence directory does not exist/);
    });

    it("fails on a path that is a file, not a directory", () => {
        const file = place("history.json", "stack-history/pass.json");
        assertThrowsNaming(() => readEvidence([file]), file, /is not a directory/);
    });

    it("fails on a directory path that runs through a file, naming it", () => {
        const file = place("history.json", "stack-history/pass.json");
        const through = path.join(file, "evidence");
        assertThrowsNaming(() => readEvidence([through]), through, /evidence directory is not a directory/);
    });

    it("fails on an unreadable directory, naming it", function () {
        if (process.getuid?.() === 0) {
            this.skip(); // root reads it anyway
        }
        const locked = path.join(dir, "locked");
        place("locked/history.json", "stack-history/pass.json");
        fs.chmodSync(locked, 0o000);
        try {
            assertThrowsNaming(() => readEvidence([dir]), locked, /permission denied/);
        } finally {
            fs.chmodSync(locked, 0o700);
        }
    });

    it("fails on a file over 50 MB, naming it, before reading it", () => {
        place("small.json", "verify/pass.json");
        const big = write("big.json", "");
        fs.truncateSync(big, MAX_EVIDENCE_BYTES + 1); // sparse: nothing is written
        assertThrowsNaming(() => readEvidence([dir]), big, /larger than the 50 MB/);
    });

    it("reads a file of exactly 50 MB", () => {
        const edge = write("edge.json", "");
        fs.truncateSync(edge, MAX_EVIDENCE_BYTES);
        const { evidence, ignored } = readEvidence([dir]);
        assert.equal(evidence.length, 0);
        assert.deepEqual(ignored, [edge]); // all NUL bytes: binary, not evidence
    });

    it("fails on a malformed artifact, naming the file", () => {
        place("ok.json", "verify/pass.json");
        const broken = place("z/audit.json", "npm-audit/malformed.json");
        assertThrowsNaming(() => readEvidence([dir]), broken, /npm audit report is malformed/);
    });
});
