import { PolicyResource } from "@pulumi/policy";
import { worldOpenCidrs } from "../lib/cidr";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, AWS_DATA } from "../lib/types";
import { listOf, numberOf, objectOf, peek, show } from "../lib/values";

export const noUnrestrictedIngress: ResourceRule<{ allowedPorts: number[] }> = {
    name: "no-unrestricted-ingress",
    description: "Nothing is open to the whole internet except the allowed ports (HTTP and HTTPS of the load balancer).",
    severity: "critical",
    checklist: ["EDGE-07"],
    references: [
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
        "https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/security-group-rules-reference.html",
    ],
    equivalents: ["CKV_AWS_24", "CKV_AWS_25", "CKV_AWS_277", "AVD-AWS-0107"],
    remediation: "Narrow the source to a security group or known ranges, or limit the rule to an allowed port.",
    resourceTypes: [AWS.securityGroup, AWS.ingressRule, AWS.securityGroupRule],
    config: { allowedPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "Ports that may be open to the internet." } },
    validate({ type, props }, { allowedPorts }, report) {
        // Only the fields that matter are read: a source group id may be unknown during a preview.
        const cidrsOf = (r: Record<string, any>) => [...(listOf(r.cidrBlocks) ?? []), ...(listOf(r.ipv6CidrBlocks) ?? [])];
        const rule = (r: Record<string, any>, protocol: unknown, cidrs: unknown[]) => ({ protocol, fromPort: r.fromPort, toPort: r.toPort, cidrs });
        let rules: { protocol: unknown; fromPort: unknown; toPort: unknown; cidrs: unknown[] }[];
        if (type === AWS.securityGroup) {
            rules = (listOf(props.ingress) ?? [])
                .map(objectOf)
                .filter((r): r is Record<string, any> => !!r)
                .map((r) => rule(r, r.protocol, cidrsOf(r)));
        } else if (type === AWS.ingressRule) {
            rules = [rule(props, props.ipProtocol, [props.cidrIpv4, props.cidrIpv6])];
        } else {
            rules = props.type === "ingress" ? [rule(props, props.protocol, cidrsOf(props))] : [];
        }
        for (const rule of rules) {
            // Not only 0.0.0.0/0: any set of ranges that covers a /8's worth of public addresses is the internet.
            const open = worldOpenCidrs(rule.cidrs);
            if (open.length === 0) {
                continue;
            }
            const from = numberOf(rule.fromPort);
            const to = numberOf(rule.toPort);
            const allProtocols = rule.protocol === "-1" || rule.protocol === -1 || rule.protocol === "all";
            if (allProtocols || from === undefined || from !== to || !allowedPorts.includes(from)) {
                const ports = allProtocols ? "all ports" : from === to ? `port ${show(from)}` : `ports ${show(from)}-${show(to)}`;
                report(`${ports} open to ${open.join(", ")}; only ports ${allowedPorts.join(", ")} may be open to everyone`);
            }
        }
    },
};

interface IngressSource {
    rule: string;
    cidrs: string[];
}

/** Every ingress source of a security group: inline rules and rule resources attached to it. */
export function ingressSources(stack: StackView, group: PolicyResource): IngressSource[] {
    const inline = (listOf(group.props.ingress) ?? [])
        .map(objectOf)
        .filter((r): r is Record<string, any> => !!r)
        .map((r, i) => ({
            rule: `${group.name} ingress[${i}]`,
            cidrs: [...(listOf(r.cidrBlocks) ?? []), ...(listOf(r.ipv6CidrBlocks) ?? [])].map(String),
        }));
    const attached = stack
        .referencing(group, [AWS.ingressRule, AWS.securityGroupRule], "securityGroupId")
        .filter((r) => r.type === AWS.ingressRule || r.props.type === "ingress")
        .map((r) => ({
            rule: r.name,
            cidrs: [r.props.cidrIpv4, r.props.cidrIpv6, ...(listOf(r.props.cidrBlocks) ?? []), ...(listOf(r.props.ipv6CidrBlocks) ?? [])].filter(
                (c) => typeof c === "string",
            ),
        }));
    return [...inline, ...attached];
}

/** Each data store with the security groups of its own that the stack defines (and the key that names them). */
function dataStoreGroups(stack: StackView): { store: PolicyResource; key: string; ids: unknown[]; groups: PolicyResource[] }[] {
    const stores: [PolicyResource, string][] = [
        ...stack.ofType(AWS.rdsInstance, AWS.rdsCluster, AWS.rdsProxy).map((r): [PolicyResource, string] => [r, "vpcSecurityGroupIds"]),
        ...stack.ofType(AWS.replicationGroup, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster).map((r): [PolicyResource, string] => [r, "securityGroupIds"]),
        // A cache cluster in a replication group takes the group's security groups.
        ...stack
            .ofType(AWS.cacheCluster)
            .filter((r) => !r.props.replicationGroupId)
            .map((r): [PolicyResource, string] => [r, "securityGroupIds"]),
    ];
    return stores.map(([store, key]) => ({
        store,
        key,
        ids: listOf(store.props[key]) ?? [],
        groups: stack.referencedBy(store, key).filter((r) => r.type === AWS.securityGroup),
    }));
}

/** The security groups a group admits by reference: attached ingress rules' sources and inline ingress `securityGroups`. */
function admittedGroups(stack: StackView, group: PolicyResource): PolicyResource[] {
    const rules = stack
        .referencing(group, [AWS.ingressRule, AWS.securityGroupRule], "securityGroupId")
        .filter((r) => r.type === AWS.ingressRule || r.props.type === "ingress");
    const sources = [
        ...rules.flatMap((r) => stack.referencedBy(r, r.type === AWS.ingressRule ? "referencedSecurityGroupId" : "sourceSecurityGroupId")),
        ...stack.referencedBy(group, "ingress"),
    ];
    return sources.filter((r) => r.type === AWS.securityGroup && r.urn !== group.urn);
}

const ALL_PROTOCOLS = ["-1", -1, "all"];

/** The egress rules of a group that send every protocol to the whole internet: inline, rule resources and legacy rules. */
function openEgress(stack: StackView, group: PolicyResource): string[] {
    const inline = (listOf(group.props.egress) ?? [])
        .map(objectOf)
        .flatMap((r, i) =>
            r && ALL_PROTOCOLS.includes(r.protocol) && worldOpenCidrs([...(listOf(r.cidrBlocks) ?? []), ...(listOf(r.ipv6CidrBlocks) ?? [])]).length > 0
                ? [`${group.name} egress[${i}]`]
                : [],
        );
    const attached = stack
        .referencing(group, [AWS.egressRule, AWS.securityGroupRule], "securityGroupId")
        .filter((r) => {
            if (r.type === AWS.egressRule) {
                // A destination a preview cannot know yet (a VPC's range) is not the world: read it without failing.
                return ALL_PROTOCOLS.includes(r.props.ipProtocol) && worldOpenCidrs(["cidrIpv4", "cidrIpv6"].map((k) => peek(r.props, k))).length > 0;
            }
            return (
                r.props.type === "egress" &&
                ALL_PROTOCOLS.includes(r.props.protocol) &&
                worldOpenCidrs([...(listOf(r.props.cidrBlocks) ?? []), ...(listOf(r.props.ipv6CidrBlocks) ?? [])]).length > 0
            );
        })
        .map((r) => r.name);
    return [...inline, ...attached];
}

export const dataClientEgressRestricted: StackRule = {
    name: "data-client-egress-restricted",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.rdsProxy, AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster],
    description: "Security groups the data stores admit do not send every protocol to the whole internet.",
    severity: "high",
    checklist: ["EDGE-07"],
    references: ["https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html"],
    equivalents: ["CKV_AWS_382", "AVD-AWS-0104"],
    remediation:
        "Replace the all-protocol egress to 0.0.0.0/0 with the ports the workload needs: DNS to the VPC resolver, 443, and the data stores' ports to their security groups.",
    validate(stack, _config, report) {
        const reported = new Set<string>();
        for (const { store, groups } of dataStoreGroups(stack)) {
            for (const client of groups.flatMap((g) => admittedGroups(stack, g))) {
                const open = openEgress(stack, client);
                if (open.length > 0 && !reported.has(client.urn)) {
                    reported.add(client.urn);
                    report(
                        `${client.name}, which ${store.name} admits, sends all protocols to the internet (${open.join(", ")}); ` +
                            "a compromised workload could reach anywhere from beside the data",
                        client,
                    );
                }
            }
        }
    },
};

export const dataStoreIngressRestricted: StackRule = {
    name: "data-store-ingress-restricted",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster],
    description: "Databases and caches admit traffic only from named security groups, never from address ranges.",
    severity: "critical",
    checklist: ["DB-08", "CACHE-09", "EDGE-07"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.RDSSecurityGroups.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/security-group-rules.html",
    ],
    remediation: "Give each data store its own security group whose ingress references the application's (and the proxy's) security group only.",
    validate(stack, _config, report) {
        for (const { store, key, ids, groups } of dataStoreGroups(stack).filter(({ store }) => store.type !== AWS.rdsProxy)) {
            if (ids.length === 0) {
                report(`${store.name} sets no ${key}, so it gets the VPC's default security group`, store);
                continue;
            }
            if (groups.length < ids.length) {
                report(`${store.name} uses security groups not defined in this stack (${key} = ${show(ids)}); their ingress cannot be checked`, store);
            }
            for (const group of groups) {
                for (const source of ingressSources(stack, group).filter((s) => s.cidrs.length > 0)) {
                    const world = worldOpenCidrs(source.cidrs).length > 0 ? " (the internet)" : "";
                    report(`${store.name}: ${source.rule} admits address ranges ${source.cidrs.join(", ")}${world}; admit security groups only`, store);
                }
            }
        }
    },
};

export const securityGroupRules: RuleFile = {
    title: "VPC security groups",
    resource: [noUnrestrictedIngress] as ResourceRule<any>[],
    stack: [dataStoreIngressRestricted, dataClientEgressRestricted] as StackRule<any>[],
};
