import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as path from "node:path";
import { inspect } from "node:util";
import { Evidence, EvidenceError, EvidenceKind, recognise } from "../../policies/evidence";

export const FIXTURES = path.join(__dirname, "fixtures");

/** Every malformed fixture carries this marker in a value; no message may repeat it. */
export const CANARY = "CANARY";

export function fixtureText(name: string): string {
    return fs.readFileSync(path.join(FIXTURES, name), "utf8");
}

/** Recognises a fixture, named as given (a relative path, like the CLI would pass). */
export function read(name: string): Evidence | undefined {
    return recognise(name, fixtureText(name));
}

/** Recognises a fixture and checks its kind. */
export function readAs<K extends EvidenceKind>(name: string, kind: K): Evidence<K> {
    const evidence = read(name);
    assert.ok(evidence, `${name} was not recognised`);
    assert.equal(evidence.kind, kind);
    return evidence as Evidence<K>;
}

/**
 * Asserts that recognising `text` as `file` throws an EvidenceError whose message names the file, matches
 * `problem`, and repeats nothing of the content marked with CANARY. Returns the message.
 */
export function assertEvidenceError(file: string, text: string, problem: RegExp): string {
    let caught: unknown;
    try {
        recognise(file, text);
    } catch (error) {
        caught = error;
    }
    assert.ok(caught instanceof EvidenceError, `${file}: expected an EvidenceError, got ${caught === undefined ? "no error" : inspect(caught)}`);
    assert.equal(caught.file, file);
    assert.ok(caught.message.startsWith(`${file}: `), `the message names the file: ${caught.message}`);
    assert.match(caught.message, problem);
    assert.ok(!caught.message.includes(CANARY), `the message echoes content: ${caught.message}`);
    return caught.message;
}

export function assertFixtureError(name: string, problem: RegExp): string {
    return assertEvidenceError(name, fixtureText(name), problem);
}

/** A fixture's JSON, to derive variants from. */
export function fixtureJson(name: string): any {
    return JSON.parse(fixtureText(name));
}
