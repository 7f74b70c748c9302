import * as assert from "assert/strict";
import { PolicyResource } from "@pulumi/policy";
import { StackView } from "../../policies/lib/stack";
import { AWS } from "../../policies/lib/types";

/** A stack of `count` resources of three types, each input of a resource coming from some earlier ones. */
function stack(count: number): PolicyResource[] {
    const types = [AWS.securityGroup, AWS.ingressRule, AWS.metricAlarm];
    const resources: PolicyResource[] = [];
    for (let i = 0; i < count; i++) {
        const from = (step: number) => (i >= step ? [resources[i - step], resources[Math.floor((i - step) / 2)]] : []);
        resources.push({
            type: types[i % types.length],
            urn: `urn:pulumi:production::platform::${types[i % types.length]}::r${i}`,
            name: `r${i}`,
            props: {},
            dependencies: [],
            propertyDependencies: { securityGroupId: from(1), dimensions: from(3), tags: from(1) },
        } as unknown as PolicyResource);
    }
    return resources;
}

/** What `referencing` answered before it had an index: a scan of the stack. */
function scanned(resources: PolicyResource[], target: PolicyResource, types: string[], property?: string): PolicyResource[] {
    return resources
        .filter((r) => types.includes(r.type))
        .filter((r) => {
            const sources = property === undefined ? Object.values(r.propertyDependencies).flat() : (r.propertyDependencies[property] ?? []);
            return sources.some((s) => s.urn === target.urn);
        });
}

describe("StackView", () => {
    const resources = stack(300);
    const view = new StackView(resources);
    const [group, ingress, alarm] = resources.slice(0, 3).map((r) => r.type);

    it("finds the resources that reference one, by input or any input, in the stack's order, each once", () => {
        for (const target of resources.filter((_, i) => i % 7 === 0)) {
            for (const types of [[ingress], [alarm, ingress], [group, ingress, alarm]]) {
                for (const property of [undefined, "securityGroupId", "dimensions", "absent"]) {
                    assert.deepEqual(
                        view.referencing(target, types, property),
                        scanned(resources, target, types, property),
                        `${target.name} ${types.join(",")} ${property}`,
                    );
                }
            }
        }
    });

    it("lists resources of several types in the stack's order, and a copy the caller may change", () => {
        assert.deepEqual(
            view.ofType(alarm, group),
            resources.filter((r) => r.type === alarm || r.type === group),
        );
        view.ofType(group).pop();
        assert.equal(view.ofType(group).length, 100);
        assert.deepEqual(view.ofType(AWS.buckets[0]), []);
    });

    it("answers a lookup for every resource of a large stack in linear time", () => {
        const large = stack(20000);
        const largeView = new StackView(large);
        const started = Date.now();
        const found = large.reduce((n, target) => n + largeView.referencing(target, [ingress, alarm]).length, 0);
        const elapsed = Date.now() - started;
        assert.ok(found > 20000);
        // A scan per lookup is 400 million checks here: minutes, where the index takes well under a second.
        assert.ok(elapsed < 15000, `${elapsed} ms`);
    });
});
