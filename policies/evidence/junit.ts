/**
 * JUnit XML, as mocha-junit-reporter, jest-junit, Playwright's junit reporter and Schemathesis (`--junit-xml`,
 * via the junit_xml library) write it: a root `<testsuites>` holding `<testsuite>`s, or a single root `<testsuite>`.
 *
 * Totals are summed over the `<testsuite>`s; a suite without a `tests` attribute has its `<testcase>`s counted,
 * one without `failures`/`errors`/`skipped` has its `<failure>`/`<error>`/`<skipped>` children counted.
 * The root's own attributes (jest-junit and mocha-junit-reporter write them, the jest-junit README omits them)
 * are used only when it holds no suite. Suites nested in suites are not read: no reporter above writes them.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";
import { Evidence, EvidenceError, JUnitFacts } from "./types";
import { isIsoDateTime, plural } from "./util";

/**
 * The root element's name, skipping the XML declaration, comments, processing instructions and a DOCTYPE
 * (so that a JUnit file with one is recognised, then refused); undefined when none is found near the start.
 */
export function xmlRootName(text: string): string | undefined {
    const prolog = /^\s*(?:<\?[\s\S]*?\?>\s*|<!--[\s\S]*?-->\s*|<!DOCTYPE[^[>]*(?:\[[\s\S]*?\])?\s*>\s*)*<([A-Za-z_][\w.:-]*)/i;
    const match = prolog.exec(text.slice(0, 64 * 1024));
    return match ? match[1] : undefined;
}

const LABEL = "JUnit XML";

const PARSER = new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: "@",
    // No entity expansion (no billion laughs, no external entities); attribute values are decoded below, five entities only.
    processEntities: false,
    htmlEntities: false,
    parseTagValue: false,
    parseAttributeValue: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    // JUnit nests testsuites > testsuite > testcase > failure: a handful of levels.
    maxNestedTags: 32,
    isArray: (name) => ["testsuite", "testcase", "failure", "error", "skipped"].includes(name),
});

type Node = Record<string, unknown>;

/** The five predefined entities and character references, nothing else (no DOCTYPE entities, no expansion). */
function decodeText(value: string): string {
    return value.replace(/&(?:(lt|gt|amp|quot|apos)|#(\d{1,7})|#x([0-9a-fA-F]{1,6}));/g, (match, name?: string, decimal?: string, hex?: string) => {
        if (name) {
            return ({ lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" } as Record<string, string>)[name];
        }
        const code = decimal !== undefined ? Number(decimal) : parseInt(hex!, 16);
        return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : match;
    });
}

function nodeOf(value: unknown): Node {
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Node) : {};
}

function listOf(value: unknown): unknown[] {
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
}

/** A count attribute: absent gives undefined; anything but a non-negative integer is an error. */
function countAttribute(file: string, node: Node, name: string, where: string): number | undefined {
    const raw = node[`@${name}`];
    if (raw === undefined) {
        return undefined;
    }
    const text = typeof raw === "string" ? raw.trim() : "";
    if (!/^\d+$/.test(text)) {
        throw new EvidenceError(file, `${LABEL} is malformed: ${where} attribute "${name}" is not a non-negative integer`);
    }
    return Number(text);
}

export function readJUnit(file: string, text: string): Evidence<"junit"> {
    if (/<!DOCTYPE/i.test(text)) {
        throw new EvidenceError(file, `${LABEL} has a DOCTYPE declaration; JUnit reports have none and it is not read`);
    }
    const valid = XMLValidator.validate(text, { allowBooleanAttributes: true });
    if (valid !== true) {
        throw new EvidenceError(file, `${LABEL} is not well-formed XML (${valid.err.code}) at line ${valid.err.line}, column ${valid.err.col}`);
    }
    let document: Node;
    try {
        document = nodeOf(PARSER.parse(text));
    } catch {
        throw new EvidenceError(file, `${LABEL} could not be read: it is nested deeper than a JUnit report`);
    }
    let suites: unknown[];
    let root: Node | undefined;
    if (document.testsuites !== undefined) {
        root = nodeOf(document.testsuites);
        suites = listOf(root.testsuite);
    } else if (document.testsuite !== undefined) {
        suites = listOf(document.testsuite);
    } else {
        throw new EvidenceError(file, `${LABEL} has neither a <testsuites> nor a <testsuite> root element`);
    }

    const facts: JUnitFacts = { tests: 0, failures: 0, errors: 0, skipped: 0, suites: [] };
    let date: string | undefined;
    suites.forEach((raw, index) => {
        const suite = nodeOf(raw);
        const where = `<testsuite> #${index + 1}`;
        const cases = listOf(suite.testcase).map(nodeOf);
        const withChild = (child: string) => cases.filter((testcase) => testcase[child] !== undefined).length;
        const name = suite["@name"];
        const counts = {
            name: typeof name === "string" ? decodeText(name) : "",
            tests: countAttribute(file, suite, "tests", where) ?? cases.length,
            failures: countAttribute(file, suite, "failures", where) ?? withChild("failure"),
            errors: countAttribute(file, suite, "errors", where) ?? withChild("error"),
            skipped: countAttribute(file, suite, "skipped", where) ?? countAttribute(file, suite, "skip", where) ?? withChild("skipped"),
        };
        facts.tests += counts.tests;
        facts.failures += counts.failures;
        facts.errors += counts.errors;
        facts.skipped += counts.skipped;
        facts.suites.push(counts);
        const rawTimestamp = suite["@timestamp"];
        if (typeof rawTimestamp === "string" && rawTimestamp.trim() !== "") {
            // Some producers separate date and time with a space; ISO 8601 wants a T.
            const timestamp = rawTimestamp.trim().replace(/^(\d{4}-\d{2}-\d{2}) (?=\d)/, "$1T");
            if (!isIsoDateTime(timestamp)) {
                throw new EvidenceError(file, `${LABEL} is malformed: ${where} attribute "timestamp" is not an ISO 8601 date-time`);
            }
            // The latest suite start; all timestamps of one report share a format, so text order is time order.
            date = date === undefined || timestamp > date ? timestamp : date;
        }
    });
    if (suites.length === 0 && root) {
        facts.tests = countAttribute(file, root, "tests", "<testsuites>") ?? 0;
        facts.failures = countAttribute(file, root, "failures", "<testsuites>") ?? 0;
        facts.errors = countAttribute(file, root, "errors", "<testsuites>") ?? 0;
        facts.skipped = countAttribute(file, root, "skipped", "<testsuites>") ?? 0;
    }
    return {
        kind: "junit",
        file,
        date,
        summary: `${plural(facts.tests, "test")}, ${facts.failures} failed, ${plural(facts.errors, "error")}, ${facts.skipped} skipped (${plural(facts.suites.length, "suite")})`,
        facts,
    };
}
