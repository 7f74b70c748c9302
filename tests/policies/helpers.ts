/**
 * Builds the arguments the analyzer hands a policy, for one resource or a whole stack, and
 * collects what the policy reports.
 */
import { PolicyResource, ResourceValidation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { POLICIES } from "../../policies/rules";
import { PULUMI } from "../../policies/lib/types";

export interface Violation {
    message: string;
    urn?: string;
    enforcementLevel: string;
}

/** A resource of a test stack. `deps` names, per input, the resources (by name) it comes from. */
export interface TestResource {
    type: string;
    name: string;
    props?: Record<string, any>;
    protect?: boolean;
    deps?: Record<string, string[]>;
}

export const STACK_URN = "urn:pulumi:test::platform::pulumi:pulumi:Stack::platform-test";

export function urnOf(type: string, name: string): string {
    return `urn:pulumi:test::platform::${type}::${name}`;
}

export function policy(name: string): ResourceValidationPolicy & StackValidationPolicy {
    const found = POLICIES.find((p) => p.name === name);
    if (!found) {
        throw new Error(`no policy ${name}`);
    }
    return found as ResourceValidationPolicy & StackValidationPolicy;
}

function collector(levelOf: () => string) {
    const violations: Violation[] = [];
    const report = (message: string | { message: string; urn?: string; enforcementLevel?: string }, urn?: string) => {
        if (typeof message === "string") {
            violations.push({ message, urn, enforcementLevel: levelOf() });
        } else {
            violations.push({ message: message.message, urn: message.urn, enforcementLevel: message.enforcementLevel ?? levelOf() });
        }
    };
    return { violations, report };
}

const options = (protect = false) => ({
    protect,
    ignoreChanges: [],
    aliases: [],
    additionalSecretOutputs: [],
    customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
});

/** Runs a resource policy on one resource with the given policy config. */
export async function checkResource(name: string, resource: TestResource, config: Record<string, any> = {}): Promise<Violation[]> {
    const p = policy(name);
    const { enforcementLevel, ...properties } = config;
    const { violations, report } = collector(() => enforcementLevel ?? p.enforcementLevel);
    const args = {
        type: resource.type,
        name: resource.name,
        urn: urnOf(resource.type, resource.name),
        props: resource.props ?? {},
        opts: options(resource.protect),
        stackTags: new Map(),
        getConfig: () => properties,
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
    await (p.validateResource as ResourceValidation)(args as any, report);
    return violations;
}

/** Builds the stack's PolicyResources, with dependencies resolved to the resources they name. */
export function stackResources(resources: TestResource[]): PolicyResource[] {
    const all: TestResource[] = [{ type: PULUMI.stack, name: "platform-test" }, ...resources];
    const built = all.map((r) => ({
        type: r.type,
        name: r.name,
        urn: r.type === PULUMI.stack ? STACK_URN : urnOf(r.type, r.name),
        props: r.props ?? {},
        opts: options(r.protect),
        dependencies: [] as PolicyResource[],
        propertyDependencies: {},
    })) as unknown as PolicyResource[];
    const byName = new Map(built.map((r) => [r.name, r]));
    all.forEach((r, i) => {
        for (const [key, names] of Object.entries(r.deps ?? {})) {
            built[i].propertyDependencies[key] = names.map((n) => {
                const target = byName.get(n);
                if (!target) {
                    throw new Error(`${r.name} depends on unknown ${n}`);
                }
                return target;
            });
            built[i].dependencies.push(...built[i].propertyDependencies[key]);
        }
    });
    return built;
}

/** Runs a stack policy over the resources with the given policy config. */
export async function checkStack(name: string, resources: TestResource[], config: Record<string, any> = {}): Promise<Violation[]> {
    const p = policy(name);
    const { enforcementLevel, ...properties } = config;
    const { violations, report } = collector(() => enforcementLevel ?? p.enforcementLevel);
    const args = {
        resources: stackResources(resources),
        stackTags: new Map(),
        getConfig: () => properties,
        notApplicable: (reason?: string) => {
            throw new Error(`not applicable: ${reason}`);
        },
    };
    await p.validateStack(args as any, report);
    return violations;
}
