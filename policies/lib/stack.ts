import { PolicyResource } from "@pulumi/policy";
import { PULUMI } from "./types";

/** A stack's resources with the lookups stack rules need. */
export class StackView {
    /** The stack's root resource: where stack-wide violations are reported. */
    public readonly root: PolicyResource | undefined;

    constructor(public readonly resources: PolicyResource[]) {
        this.root = resources.find((r) => r.type === PULUMI.stack);
    }

    ofType(...types: string[]): PolicyResource[] {
        return this.resources.filter((r) => types.includes(r.type));
    }

    /** Resources of `types` whose input `property` (any input when omitted) comes from `target`. */
    referencing(target: PolicyResource, types: string[], property?: string): PolicyResource[] {
        return this.ofType(...types).filter((r) => {
            const sources = property === undefined ? Object.values(r.propertyDependencies).flat() : r.propertyDependencies[property] ?? [];
            return sources.some((s) => s.urn === target.urn);
        });
    }

    /** The resources `resource`'s input `property` comes from. */
    referencedBy(resource: PolicyResource, property: string): PolicyResource[] {
        return resource.propertyDependencies[property] ?? [];
    }
}
