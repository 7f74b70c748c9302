import { containersOf, podSpecOf, WORKLOADS } from "../lib/kubernetes";
import { AWS, K8S } from "../lib/types";
import { objectOf, peek } from "../lib/values";
import { ReleaseContext } from "./judge";

/** A resource as both the pack (PolicyResource) and the preflight (its recorded resources) see it. */
export interface PlannedResource {
    type: string;
    props: Record<string, any>;
}

/** The tags on a backup plan that declare the stack's recovery time and point objectives, in hours. */
export const RTO_TAG = "RtoHours";
export const RPO_TAG = "RpoHours";

/**
 * What the evidence of a release is judged against, read from the plan: the release its services carry
 * (`RELEASE` in their ConfigMaps), the images it deploys, the RTO its backup plan declares. Values a
 * preview cannot know yet are left out.
 */
export function contextOf(stack: string, resources: PlannedResource[], asOf: string): ReleaseContext {
    const releases = resources
        .filter((r) => r.type === K8S.configMap)
        .map((r) => peek(objectOf(peek(r.props, "data")), "RELEASE"))
        .filter((v): v is string => typeof v === "string");
    const images = resources
        .filter((r) => WORKLOADS.includes(r.type))
        .flatMap((r) => containersOf(podSpecOf(r.type, r.props)).map((c) => peek(c.spec, "image")))
        .filter((v): v is string => typeof v === "string");
    const rto = resources
        .filter((r) => r.type === AWS.backupPlan)
        .map((r) => Number(peek(objectOf(peek(r.props, "tags")), RTO_TAG)))
        .find((hours) => Number.isFinite(hours) && hours > 0);
    // The public names the stack serves: what a verify report of this stack probed.
    const hosts = resources
        .filter((r) => r.type === AWS.certificate)
        .map((r) => peek(r.props, "domainName"))
        .filter((v): v is string => typeof v === "string");
    return { stack, release: releases[0], images: [...new Set(images)].sort(), rtoHours: rto, hosts: [...new Set(hosts)].sort(), asOf };
}
