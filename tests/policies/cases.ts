import * as assert from "assert/strict";
import { checkResource, checkStack, TestResource, Violation } from "./helpers";

/** A policy's compliant case and its violating variants, each with the message it must give. */
export interface ResourceCase {
    policy: string;
    type: string;
    compliant: Record<string, any>;
    violating: { change: Record<string, any>; message: RegExp; protect?: boolean; label?: string }[];
    config?: Record<string, any>;
    protect?: boolean;
}

/** The cases of one area's policies. */
export interface CaseTable {
    area: string;
    resource: ResourceCase[];
    stack: StackCase[];
}

export interface StackCase {
    policy: string;
    compliant: TestResource[];
    violating: { resources: TestResource[]; message: RegExp }[];
    config?: Record<string, any>;
}

function expectOne(violations: Violation[], message: RegExp) {
    assert.equal(violations.length, 1, `expected one violation, got ${JSON.stringify(violations)}`);
    assert.match(violations[0].message, message);
}

export function describeResourceCases(cases: ResourceCase[]) {
    for (const c of cases) {
        describe(c.policy, () => {
            it("stays silent on a compliant resource", async () => {
                const violations = await checkResource(c.policy, { type: c.type, name: "subject", props: c.compliant, protect: c.protect }, c.config);
                assert.deepEqual(violations, []);
            });
            for (const v of c.violating) {
                const title = v.label ?? JSON.stringify(v.change).slice(0, 100);
                it(`fires on ${title}${v.protect === false ? " (unprotected)" : ""}`, async () => {
                    const props = Object.fromEntries(Object.entries({ ...c.compliant, ...v.change }).filter(([, value]) => value !== undefined));
                    const violations = await checkResource(c.policy, { type: c.type, name: "subject", props, protect: v.protect ?? c.protect }, c.config);
                    expectOne(violations, v.message);
                    assert.equal(violations[0].urn, `urn:pulumi:test::platform::${c.type}::subject`);
                });
            }
        });
    }
}

export function describeStackCases(cases: StackCase[]) {
    for (const c of cases) {
        describe(c.policy, () => {
            it("stays silent on a compliant stack", async () => {
                assert.deepEqual(await checkStack(c.policy, c.compliant, c.config), []);
            });
            for (const [i, v] of c.violating.entries()) {
                it(`fires on violating stack ${i + 1} (${v.message.source.slice(0, 60)})`, async () => {
                    expectOne(await checkStack(c.policy, v.resources, c.config), v.message);
                });
            }
        });
    }
}

/** The resources with one of them changed (props merged; `undefined` removes a prop). */
export function changed(resources: TestResource[], name: string, change: Partial<TestResource> & { props?: Record<string, any> }): TestResource[] {
    return resources.map((r) => {
        if (r.name !== name) {
            return r;
        }
        const props = Object.fromEntries(Object.entries({ ...r.props, ...change.props }).filter(([, v]) => v !== undefined));
        return { ...r, ...change, props };
    });
}

export function without(resources: TestResource[], ...names: string[]): TestResource[] {
    return resources.filter((r) => !names.includes(r.name));
}
