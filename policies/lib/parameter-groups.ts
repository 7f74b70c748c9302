import { PolicyResource } from "@pulumi/policy";
import { StackView } from "./stack";
import { listOf, objectOf } from "./values";

/** The parameter group resource an instance uses, or its name when the group is not in the stack. */
export function parameterGroupOf(stack: StackView, resource: PolicyResource, groupType: string): { group?: PolicyResource; name?: unknown } {
    return groupOf(stack, resource, groupType, "parameterGroupName");
}

/** The group a resource names under `key`: by reference, else by the `name` of a group in the stack. */
export function groupOf(stack: StackView, resource: PolicyResource, groupType: string, key: string): { group?: PolicyResource; name?: unknown } {
    const referenced = stack.referencedBy(resource, key).find((r) => r.type === groupType);
    if (referenced) {
        return { group: referenced };
    }
    const name = resource.props[key];
    const byName = stack.ofType(groupType).find((g) => g.props.name !== undefined && g.props.name === name);
    return { group: byName, name };
}

/** A parameter's value in a parameter group, as text. */
export function parameterValue(group: PolicyResource, parameter: string): string | undefined {
    const entry = (listOf(group.props.parameters) ?? []).map(objectOf).find((p) => p?.name === parameter);
    return entry?.value === undefined ? undefined : String(entry.value);
}
