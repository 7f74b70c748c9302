import { PolicyResource } from "@pulumi/policy";
import { PULUMI } from "./types";

/** A resource whose input `property` comes from the resource it is filed under. */
interface Reference {
    from: PolicyResource;
    property: string;
}

/**
 * A stack's resources with the lookups stack rules need. Rules ask these for every resource of a
 * type, so the lookups go through indexes built once (by type, by the URN an input comes from)
 * instead of scanning the stack each time: a stack of 20,000 resources stays linear.
 */
export class StackView {
    /** The stack's root resource: where stack-wide violations are reported. */
    public readonly root: PolicyResource | undefined;
    private byType?: Map<string, PolicyResource[]>;
    private position?: Map<PolicyResource, number>;
    private referencesTo?: Map<string, Reference[]>;

    constructor(public readonly resources: PolicyResource[]) {
        this.root = resources.find((r) => r.type === PULUMI.stack);
    }

    /** The resources of `types`, in the stack's order. */
    ofType(...types: string[]): PolicyResource[] {
        if (!this.byType) {
            this.byType = new Map();
            for (const resource of this.resources) {
                const ofThisType = this.byType.get(resource.type);
                if (ofThisType) {
                    ofThisType.push(resource);
                } else {
                    this.byType.set(resource.type, [resource]);
                }
            }
        }
        const distinct = [...new Set(types)];
        if (distinct.length === 1) {
            return [...(this.byType.get(distinct[0]) ?? [])];
        }
        this.position ??= new Map(this.resources.map((r, i) => [r, i]));
        const position = this.position;
        return distinct.flatMap((type) => this.byType!.get(type) ?? []).sort((a, b) => position.get(a)! - position.get(b)!);
    }

    /** Resources of `types` whose input `property` (any input when omitted) comes from `target`, in the stack's order. */
    referencing(target: PolicyResource, types: string[], property?: string): PolicyResource[] {
        if (!this.referencesTo) {
            this.referencesTo = new Map();
            for (const from of this.resources) {
                for (const [inputProperty, sources] of Object.entries(from.propertyDependencies)) {
                    for (const source of sources) {
                        const references = this.referencesTo.get(source.urn);
                        if (references) {
                            references.push({ from, property: inputProperty });
                        } else {
                            this.referencesTo.set(source.urn, [{ from, property: inputProperty }]);
                        }
                    }
                }
            }
        }
        const found = new Set<PolicyResource>();
        for (const { from, property: inputProperty } of this.referencesTo.get(target.urn) ?? []) {
            if (types.includes(from.type) && (property === undefined || inputProperty === property)) {
                found.add(from);
            }
        }
        return [...found];
    }

    /** The resources `resource`'s input `property` comes from. */
    referencedBy(resource: PolicyResource, property: string): PolicyResource[] {
        return resource.propertyDependencies[property] ?? [];
    }
}
