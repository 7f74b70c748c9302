import { PolicyResource } from "@pulumi/policy";
import { K8S } from "./types";
import { listOf, objectOf } from "./values";

/** Every kind that carries a pod template, and Pods. */
export const WORKLOADS: readonly string[] = [K8S.deployment, K8S.statefulSet, K8S.daemonSet, K8S.job, K8S.cronJob, K8S.pod];
/** Long-running workloads: they serve traffic, so they need probes, replicas, autoscaling and budgets. */
export const SERVING: readonly string[] = [K8S.deployment, K8S.statefulSet, K8S.daemonSet];
/** Workloads whose replica count is theirs to set. */
export const SCALABLE: readonly string[] = [K8S.deployment, K8S.statefulSet];

export type Spec = Record<string, any>;

/** The pod spec of a workload: spec.template.spec, a CronJob's job template's, or a Pod's own spec. */
export function podSpecOf(type: string, props: Spec): Spec | undefined {
    const spec = objectOf(props.spec);
    if (type === K8S.pod) {
        return spec;
    }
    const template = type === K8S.cronJob ? objectOf(objectOf(objectOf(spec?.jobTemplate)?.spec)?.template) : objectOf(spec?.template);
    return objectOf(template?.spec);
}

/** Pod template labels (a Pod's own labels). */
export function podLabelsOf(type: string, props: Spec): Record<string, string> {
    if (type === K8S.pod) {
        return objectOf(objectOf(props.metadata)?.labels) ?? {};
    }
    const template =
        type === K8S.cronJob ? objectOf(objectOf(objectOf(objectOf(props.spec)?.jobTemplate)?.spec)?.template) : objectOf(objectOf(props.spec)?.template);
    return objectOf(objectOf(template?.metadata)?.labels) ?? {};
}

export interface Container {
    /** e.g. `container api` or `initContainer migrate`. */
    label: string;
    init: boolean;
    spec: Spec;
}

export function containersOf(podSpec: Spec | undefined): Container[] {
    const list = (key: "containers" | "initContainers", init: boolean) =>
        (listOf(podSpec?.[key]) ?? [])
            .map(objectOf)
            .filter((c): c is Spec => !!c)
            .map((spec) => ({ label: `${init ? "initContainer" : "container"} ${spec.name ?? "(unnamed)"}`, init, spec }));
    return [...list("initContainers", true), ...list("containers", false)];
}

export function metadataOf(resource: { props: Spec }): { name?: string; namespace: string } {
    const metadata = objectOf(resource.props.metadata);
    return { name: typeof metadata?.name === "string" ? metadata.name : undefined, namespace: metadata?.namespace ?? "default" };
}

/** Whether `other` refers to `workload` by name in the same namespace, or through an output of it. */
export function refersTo(other: PolicyResource, workload: PolicyResource, name: unknown): boolean {
    const { name: workloadName, namespace } = metadataOf(workload);
    if (metadataOf(other).namespace !== namespace) {
        return false;
    }
    const byName = workloadName !== undefined && name === workloadName;
    const byOutput = Object.values(other.propertyDependencies)
        .flat()
        .some((r) => r.urn === workload.urn);
    return byName || byOutput;
}

/** The value at `path` inside `value`, or undefined where the shape does not hold (a value unknown in a preview throws). */
export function valueAt(value: unknown, ...path: string[]): unknown {
    return path.reduce<unknown>((current, key) => objectOf(current)?.[key], value);
}

/**
 * The label a workload carries to declare that it is a platform service (components/service.ts sets it on
 * the workload and its pods): the rules about this platform's Node.js API conventions apply to it only.
 */
export const PLATFORM_SERVICE_SELECTOR: Record<string, string> = { "platform.checklist/profile": "node-api" };

/** JSON schema of a label selector in a rule's config: label name to value, all of which must match. */
export const SELECTOR_SCHEMA = {
    type: "object",
    additionalProperties: { type: "string" },
    default: PLATFORM_SERVICE_SELECTOR,
    description: "Labels (on the workload or its pod template) that mark a platform service; {} selects every workload.",
} as const;

/** Whether the workload or its pod template carries every label of `selector`. */
export function isSelected(type: string, props: Spec, selector: Record<string, string>): boolean {
    const own = objectOf(objectOf(props.metadata)?.labels) ?? {};
    const pod = podLabelsOf(type, props);
    const wanted = Object.entries(selector ?? {});
    return [own, pod].some((labels) => wanted.every(([key, value]) => labels[key] === value));
}

/** The tag and digest of an image reference like registry:5000/team/name:1.2.3@sha256:…, either may be absent. */
export function imageParts(image: string): { tag?: string; digest?: string } {
    const [reference, digest] = image.split("@");
    const lastSegment = reference.slice(reference.lastIndexOf("/") + 1);
    const tag = /:([\w][\w.-]{0,127})$/.exec(lastSegment)?.[1];
    return { tag, digest: digest || undefined };
}

// @pulumi/policy exports UnknownValueError at runtime, but its proxy.d.ts does not declare it.
const { UnknownValueError } = require("@pulumi/policy") as { UnknownValueError: new (...args: any[]) => Error };

/**
 * What a stack rule could not read because a preview does not know it yet. One resource's unknown
 * value stops only the check that needed it; `settle` then reports it the way @pulumi/policy
 * reports any unknown value ("can't run ... during preview"), after the other checks have reported.
 */
export class PreviewUnknowns {
    private first: Error | undefined;

    /** Runs `check`; an unknown value it meets is kept for `settle` instead of ending the rule. */
    attempt(check: () => void): void {
        try {
            check();
        } catch (err) {
            if (!(err instanceof UnknownValueError)) {
                throw err;
            }
            this.first ??= err;
        }
    }

    each<T>(items: readonly T[], check: (item: T) => void): void {
        items.forEach((item) => this.attempt(() => check(item)));
    }

    settle(): void {
        if (this.first) {
            throw this.first;
        }
    }
}
