import { PolicyResource } from "@pulumi/policy";
import { alarmsOn, metricsOf, notifies } from "../lib/alarms";
import { RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { AWS, AWS_EDGE } from "../lib/types";
import { isSet, listOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

/** A DNS name as Route 53 and the load balancer spell it: lower case, no final dot, no "dualstack." prefix. */
const hostName = (name: unknown) =>
    typeof name === "string"
        ? name
              .toLowerCase()
              .replace(/\.$/, "")
              .replace(/^dualstack\./, "")
        : undefined;

export const dnsAliasRecord: StackRule = {
    name: "dns-alias-record",
    appliesTo: [...AWS.loadBalancers, AWS.classicLoadBalancer],
    description: "Every internet-facing load balancer is reached through a Route 53 alias record of the service's domain.",
    severity: "medium",
    checklist: ["EDGE-10"],
    references: [
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/routing-to-elb-load-balancer.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html",
    ],
    remediation:
        "Add an aws.route53.Record (type A, and AAAA when dualstack) in the domain's hosted zone with aliases [{ name: <load balancer>.dnsName, " +
        "zoneId: <load balancer>.zoneId, evaluateTargetHealth: true }].",
    validate(stack, _config, report) {
        const records = stack.ofType(AWS.route53Record);
        const pointsAt = (record: PolicyResource, key: string, lb: PolicyResource) => stack.referencedBy(record, key).some((r) => r.urn === lb.urn);
        const aliasNames = (record: PolicyResource) => (listOf(peek(record.props, "aliases")) ?? []).map((alias) => hostName(peek(objectOf(alias), "name")));
        for (const lb of stack.ofType(...AWS.loadBalancers, AWS.classicLoadBalancer)) {
            // Internal and gateway load balancers are not reached from the internet by name.
            const internal = peek(lb.props, "internal");
            if ((internal !== undefined && internal !== null && internal !== false) || peek(lb.props, "loadBalancerType") === "gateway") {
                continue;
            }
            const dnsName = hostName(peek(lb.props, "dnsName"));
            const aliased = records.some((r) => pointsAt(r, "aliases", lb) || (dnsName !== undefined && aliasNames(r).includes(dnsName)));
            if (!aliased) {
                const cnames = records.filter((r) => pointsAt(r, "records", lb)).map((r) => r.name);
                const found = cnames.length > 0 ? ` (only the record ${cnames.join(", ")} names it, which is not an alias)` : "";
                report(
                    `${lb.name} is internet-facing, but no Route 53 alias record points at it${found}; clients would depend on its generated ` +
                        "*.elb.amazonaws.com name",
                    lb,
                );
            }
        }
    },
};

/** The stack's public endpoints: internet-facing load balancers, and Elastic IPs of instances (a NAT gateway's are not endpoints). */
function publicEndpoints(stack: StackView): PolicyResource[] {
    const balancers = stack
        .ofType(...AWS.loadBalancers, AWS.classicLoadBalancer)
        .filter((lb) => peek(lb.props, "internal") !== true && peek(lb.props, "loadBalancerType") !== "gateway");
    const associated = new Set(stack.ofType(AWS_EDGE.eipAssociation).flatMap((a) => stack.referencedBy(a, "allocationId").map((r) => r.urn)));
    const addresses = stack
        .ofType(AWS_EDGE.eip)
        .filter((eip) => isSet(eip.props, "instance") || isSet(eip.props, "networkInterface") || associated.has(eip.urn));
    return [...balancers, ...addresses];
}

/** A list's items, each read on its own: an item unknown in a preview (a validation record's value) stands as UNKNOWN instead of throwing. */
const itemsOf = (value: unknown): unknown[] => {
    const list = listOf(value) ?? [];
    return Array.from({ length: list.length }, (_, i) => peek(list as unknown as Record<string, unknown>, String(i)));
};

/** The names and addresses a client reaches the endpoints by: their own DNS names and IPs, and the Route 53 records that point at them. */
function endpointHosts(stack: StackView, endpoints: PolicyResource[]): { hosts: Set<string>; records: PolicyResource[] } {
    const own = endpoints.flatMap((e) => [hostName(peek(e.props, "dnsName")), peek(e.props, "publicIp")]).filter((h): h is string => typeof h === "string");
    const records = stack.ofType(AWS.route53Record).filter((record) => {
        const targets = [...stack.referencedBy(record, "aliases"), ...stack.referencedBy(record, "records")];
        const values = [
            ...itemsOf(peek(record.props, "aliases")).map((a) => hostName(peek(objectOf(a), "name"))),
            ...itemsOf(peek(record.props, "records")).map(hostName),
        ];
        return targets.some((t) => endpoints.some((e) => e.urn === t.urn)) || values.some((v) => v !== undefined && own.includes(v));
    });
    const names = records.map((r) => hostName(peek(r.props, "name"))).filter((h): h is string => !!h);
    return { hosts: new Set([...own, ...names]), records };
}

const HTTP_CHECK_TYPES = ["HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH"];

export const uptimeCheck: StackRule = {
    name: "uptime-check",
    appliesTo: [...AWS.loadBalancers, AWS.classicLoadBalancer, AWS_EDGE.eip],
    description: "The public endpoint has an uptime check from outside, of its own host and health path, that raises an alarm someone receives.",
    severity: "medium",
    checklist: ["OBS-12"],
    references: [
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/health-checks-creating.html",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html",
    ],
    remediation:
        "Add an aws.route53.HealthCheck whose fqdn is the endpoint's public name (or ipAddress its Elastic IP) and whose resourcePath is the " +
        "health path the target group checks, and a CloudWatch alarm (in us-east-1) on its HealthCheckStatus with alarmActions.",
    validate(stack, _config, report) {
        const endpoints = publicEndpoints(stack);
        if (endpoints.length === 0) {
            return;
        }
        const { hosts, records } = endpointHosts(stack, endpoints);
        const targets = new Set([...endpoints, ...records].map((r) => r.urn));
        const checks = stack.ofType(AWS.healthCheck);
        const probesEndpoint = (check: PolicyResource) => {
            const byReference = [...stack.referencedBy(check, "fqdn"), ...stack.referencedBy(check, "ipAddress")].some((r) => targets.has(r.urn));
            const fqdn = peek(check.props, "fqdn");
            const ip = peek(check.props, "ipAddress");
            // A name this preview cannot know yet is given the benefit of the doubt.
            return byReference || fqdn === UNKNOWN || ip === UNKNOWN || [hostName(fqdn), ip].some((h) => typeof h === "string" && hosts.has(h));
        };
        const probing = checks.filter(probesEndpoint);
        const names = endpoints.map((e) => e.name).join(", ");
        if (probing.length === 0) {
            const others = checks.map((c) => `${c.name} probes ${show(peek(c.props, "fqdn") ?? peek(c.props, "ipAddress"))}`).join(", ");
            report(`no Route 53 health check probes the public endpoint ${names} (${[...hosts].join(", ") || "its name"})` + (others ? `; ${others}` : ""));
            return;
        }
        // A set of unknown so that a check's resourcePath, whatever its type, can be looked up: only a string matches.
        const healthPaths = new Set<unknown>(
            stack
                .ofType(...AWS.targetGroups)
                .map((tg) => peek(objectOf(peek(tg.props, "healthCheck")), "path"))
                .filter((p): p is string => typeof p === "string"),
        );
        const wrongPath = probing.filter(
            (c) => HTTP_CHECK_TYPES.includes(String(peek(c.props, "type"))) && healthPaths.size > 0 && !healthPaths.has(peek(c.props, "resourcePath") ?? "/"),
        );
        if (wrongPath.length === probing.length && wrongPath.length > 0) {
            report(
                `${wrongPath.map((c) => `${c.name} probes resourcePath ${show(peek(c.props, "resourcePath") ?? "/")}`).join(", ")}, not the health path ` +
                    `${[...healthPaths].join(" or ")} that the target group checks`,
                wrongPath[0],
            );
        }
        for (const check of probing) {
            const alarms = alarmsOn(stack, check, "HealthCheckId", undefined).filter((a) => metricsOf(a).includes("HealthCheckStatus"));
            if (alarms.length === 0) {
                report(`${check.name} has no alarm on HealthCheckStatus`, check);
            } else if (!alarms.some((a) => notifies(a, stack))) {
                report(
                    `${check.name}'s HealthCheckStatus alarm ${alarms.map((a) => a.name).join(", ")} notifies nobody (no alarmActions, or only topics without a subscription)`,
                    check,
                );
            }
        }
    },
};

export const route53Rules: RuleFile = {
    title: "Amazon Route 53",
    resource: [],
    stack: [dnsAliasRecord, uptimeCheck] as StackRule<any>[],
};
