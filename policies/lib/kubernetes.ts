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
    const template = type === K8S.cronJob
        ? objectOf(objectOf(objectOf(objectOf(props.spec)?.jobTemplate)?.spec)?.template)
        : objectOf(objectOf(props.spec)?.template);
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
        (listOf(podSpec?.[key]) ?? []).map(objectOf).filter((c): c is Spec => !!c)
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
    const byOutput = Object.values(other.propertyDependencies).flat().some((r) => r.urn === workload.urn);
    return byName || byOutput;
}
