import { PolicyResource } from "@pulumi/policy";
import { ResourceRule, StackRule } from "../lib/rule";
import { AWS } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, requireBoolean, show } from "../lib/values";

const isApplicationLoadBalancer = (props: Record<string, any>) =>
    props.loadBalancerType === undefined || props.loadBalancerType === null || props.loadBalancerType === "application";

export const TLS13_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

export const albHttpsTlsPolicy: ResourceRule<{ allowedPolicies: string[] }> = {
    name: "alb-https-tls-policy",
    description: "HTTPS listeners use a certificate and a TLS 1.3/1.2 security policy.",
    severity: "high",
    checklist: ["EDGE-02"],
    remediation: "Set sslPolicy to an allowed ELBSecurityPolicy-TLS13-* policy and certificateArn to the ACM certificate.",
    resourceTypes: AWS.listeners,
    config: { allowedPolicies: { type: "array", items: { type: "string" }, default: TLS13_POLICIES, description: "Security policies allowed." } },
    validate({ props }, { allowedPolicies }, report) {
        if (props.protocol !== "HTTPS") {
            return;
        }
        if (!allowedPolicies.includes(props.sslPolicy)) {
            const given = props.sslPolicy === undefined ? "not set (the ELB default allows TLS 1.0)" : show(props.sslPolicy);
            report(`sslPolicy is ${given}; use one of ${allowedPolicies.join(", ")}`);
        }
        if (!isSet(props, "certificateArn")) {
            report("certificateArn is not set; attach the ACM certificate of the domain");
        }
    },
};

export const albHttpRedirectsToHttps: ResourceRule = {
    name: "alb-http-redirects-to-https",
    description: "Plain-HTTP listeners only redirect to HTTPS.",
    severity: "high",
    checklist: ["EDGE-03"],
    remediation: "Give the HTTP listener one default action: redirect with protocol HTTPS, port 443, status HTTP_301.",
    resourceTypes: AWS.listeners,
    validate({ props }, _config, report) {
        if (props.protocol !== "HTTP") {
            return;
        }
        const actions = (listOf(props.defaultActions) ?? []).map(objectOf);
        const redirectsToHttps = (a: Record<string, any> | undefined) => a?.type === "redirect" && objectOf(a.redirect)?.protocol === "HTTPS";
        if (actions.length !== 1 || !redirectsToHttps(actions[0])) {
            const kinds = actions.map((a) => a?.type ?? "?").join(", ") || "none";
            report(`the HTTP listener's actions are [${kinds}]; its only action must redirect to HTTPS`);
        }
    },
};

export const albDropInvalidHeaders: ResourceRule = {
    name: "alb-drop-invalid-headers",
    description: "The load balancer drops HTTP headers that are not valid.",
    severity: "medium",
    checklist: ["EDGE-04"],
    remediation: "Set dropInvalidHeaderFields: true.",
    resourceTypes: AWS.loadBalancers,
    validate(resource, config, report) {
        if (isApplicationLoadBalancer(resource.props)) {
            requireBoolean("dropInvalidHeaderFields", true, false)(resource, config, report);
        }
    },
};

export const albAccessLogs: ResourceRule = {
    name: "alb-access-logs",
    description: "The load balancer writes access logs to S3.",
    severity: "medium",
    checklist: ["EDGE-01"],
    remediation: "Set accessLogs: { enabled: true, bucket: <hardened log bucket> }.",
    resourceTypes: AWS.loadBalancers,
    validate({ props }, _config, report) {
        if (!isApplicationLoadBalancer(props)) {
            return;
        }
        const logs = objectOf(props.accessLogs);
        if (logs?.enabled !== true || !isSet(logs, "bucket")) {
            report(`accessLogs is ${show(props.accessLogs)}; enable them to an S3 bucket`);
        }
    },
};

export const albDeletionProtection: ResourceRule = {
    name: "alb-deletion-protection",
    description: "The load balancer cannot be deleted until deletion protection is turned off.",
    severity: "medium",
    checklist: ["EDGE-01"],
    remediation: "Set enableDeletionProtection: true.",
    resourceTypes: AWS.loadBalancers,
    validate: requireBoolean("enableDeletionProtection", true, false),
};

export const albWafAttached: StackRule = {
    name: "alb-waf-attached",
    appliesTo: AWS.loadBalancers,
    description: "Every internet-facing application load balancer has a WAF web ACL.",
    severity: "high",
    checklist: ["EDGE-05", "EDGE-06"],
    remediation: "Associate a WAFv2 web ACL (scope REGIONAL) with the load balancer through a WebAclAssociation.",
    validate(stack, _config, report) {
        const exposed = stack.ofType(...AWS.loadBalancers).filter((lb) => lb.props.internal !== true && isApplicationLoadBalancer(lb.props));
        for (const lb of exposed) {
            const associations = stack.referencing(lb, [AWS.webAclAssociation], "resourceArn");
            if (associations.length === 0) {
                report(`${lb.name} is internet-facing and has no WAF web ACL associated`, lb);
            }
        }
    },
};

/** A DNS name as Route 53 and the load balancer spell it: lower case, no final dot, no "dualstack." prefix. */
const hostName = (name: unknown) => typeof name === "string" ? name.toLowerCase().replace(/\.$/, "").replace(/^dualstack\./, "") : undefined;

export const dnsAliasRecord: StackRule = {
    name: "dns-alias-record",
    appliesTo: [...AWS.loadBalancers, AWS.classicLoadBalancer],
    description: "Every internet-facing load balancer is reached through a Route 53 alias record of the service's domain.",
    severity: "medium",
    checklist: ["EDGE-10"],
    remediation: "Add an aws.route53.Record (type A, and AAAA when dualstack) in the domain's hosted zone with aliases [{ name: <load balancer>.dnsName, " +
        "zoneId: <load balancer>.zoneId, evaluateTargetHealth: true }].",
    validate(stack, _config, report) {
        const records = stack.ofType(AWS.route53Record);
        const pointsAt = (record: PolicyResource, key: string, lb: PolicyResource) => stack.referencedBy(record, key).some((r) => r.urn === lb.urn);
        const aliasNames = (record: PolicyResource) =>
            (listOf(peek(record.props, "aliases")) ?? []).map((alias) => hostName(peek(objectOf(alias), "name")));
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
                report(`${lb.name} is internet-facing, but no Route 53 alias record points at it${found}; clients would depend on its generated ` +
                    "*.elb.amazonaws.com name", lb);
            }
        }
    },
};

export const targetGroupNoStickiness: ResourceRule = {
    name: "target-group-no-stickiness",
    description: "Target groups spread requests over every target: no sticky sessions.",
    severity: "medium",
    checklist: ["EDGE-08"],
    remediation: "Remove the stickiness block or set stickiness.enabled: false, and keep session state in a shared store (Redis) instead of one pod.",
    resourceTypes: AWS.targetGroups,
    validate({ props }, _config, report) {
        const stickiness = objectOf(props.stickiness);
        // No block: the provider leaves stickiness off. In a block, enabled defaults to true.
        if (stickiness && stickiness.enabled !== false) {
            const enabled = stickiness.enabled === undefined ? "not set (true in a stickiness block)" : show(stickiness.enabled);
            report(`stickiness.enabled is ${enabled} (type ${show(stickiness.type)}), so each client stays on one target: ` +
                "load is uneven and its session is lost when that target goes; set it to false");
        }
    },
};

/** Every statement of a rule, nested ones included. */
function statementsOf(statement: unknown): Record<string, any>[] {
    const s = objectOf(statement);
    if (!s) {
        return [];
    }
    const nested = ["andStatement", "orStatement"].flatMap((k) => (listOf(objectOf(s[k])?.statements) ?? []).flatMap(statementsOf));
    const inner = [objectOf(s.notStatement)?.statement, objectOf(s.rateBasedStatement)?.scopeDownStatement].flatMap(statementsOf);
    return [s, ...nested, ...inner];
}

const rulesOf = (props: Record<string, any>) => (listOf(props.rules) ?? []).map(objectOf).filter((r): r is Record<string, any> => !!r);

export const wafRateLimitRule: ResourceRule<{ maximumLimit: number }> = {
    name: "waf-rate-limit-rule",
    description: "The web ACL blocks clients above a request rate.",
    severity: "high",
    checklist: ["EDGE-05"],
    remediation: "Add a rule with a rateBasedStatement (aggregateKeyType IP, limit per 5 minutes) and action block.",
    resourceTypes: [AWS.webAcl],
    config: { maximumLimit: { type: "integer", minimum: 10, default: 2000, description: "Highest allowed limit, requests per 5 minutes per client." } },
    validate({ props }, { maximumLimit }, report) {
        const rateRules = rulesOf(props).filter((rule) => objectOf(rule.statement)?.rateBasedStatement);
        const blocking = rateRules.filter((rule) => objectOf(rule.action)?.block !== undefined);
        if (rateRules.length === 0) {
            report("the web ACL has no rate-based rule");
        } else if (blocking.length === 0) {
            report(`rate-based rule ${rateRules.map((r) => r.name).join(", ")} does not block (action ${show(rateRules[0].action)})`);
        } else {
            const limits = blocking.map((rule) => numberOf(objectOf(objectOf(rule.statement)?.rateBasedStatement)?.limit));
            if (limits.every((limit) => limit === undefined || limit > maximumLimit)) {
                report(`the rate limit is ${limits.map(show).join(", ")} requests per 5 minutes; at most ${maximumLimit} is allowed`);
            }
        }
    },
};

export const wafManagedRulesSqliXss: ResourceRule<{ requiredRuleGroups: string[] }> = {
    name: "waf-managed-rules-sqli-xss",
    description: "The web ACL runs AWS managed rule groups against SQL injection and cross-site scripting.",
    severity: "high",
    checklist: ["EDGE-06"],
    remediation: "Add managedRuleGroupStatement rules for the required AWS managed rule groups, with overrideAction none.",
    resourceTypes: [AWS.webAcl],
    config: {
        requiredRuleGroups: { type: "array", items: { type: "string" }, default: ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"],
            description: "AWS managed rule groups that must be in the web ACL." },
    },
    validate({ props }, { requiredRuleGroups }, report) {
        const present = new Set<string>();
        for (const rule of rulesOf(props)) {
            const counting = objectOf(rule.overrideAction)?.count !== undefined;
            for (const statement of statementsOf(rule.statement)) {
                const group = objectOf(statement.managedRuleGroupStatement);
                if (group?.vendorName === "AWS" && typeof group.name === "string" && !counting) {
                    present.add(group.name);
                }
            }
        }
        const missing = requiredRuleGroups.filter((g) => !present.has(g));
        if (missing.length > 0) {
            report(`the web ACL does not enforce ${missing.join(", ")} (a group in count mode does not block)`);
        }
    },
};

const OPEN = ["0.0.0.0/0", "::/0"];

export const noUnrestrictedIngress: ResourceRule<{ allowedPorts: number[] }> = {
    name: "no-unrestricted-ingress",
    description: "Nothing is open to the whole internet except the allowed ports (HTTP and HTTPS of the load balancer).",
    severity: "critical",
    checklist: ["EDGE-07"],
    remediation: "Narrow the source to a security group or known ranges, or limit the rule to an allowed port.",
    resourceTypes: [AWS.securityGroup, AWS.ingressRule, AWS.securityGroupRule],
    config: { allowedPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "Ports that may be open to 0.0.0.0/0." } },
    validate({ type, props }, { allowedPorts }, report) {
        // Only the fields that matter are read: a source group id may be unknown during a preview.
        const cidrsOf = (r: Record<string, any>) => [...(listOf(r.cidrBlocks) ?? []), ...(listOf(r.ipv6CidrBlocks) ?? [])];
        const rule = (r: Record<string, any>, protocol: unknown, cidrs: unknown[]) => ({ protocol, fromPort: r.fromPort, toPort: r.toPort, cidrs });
        let rules: { protocol: unknown; fromPort: unknown; toPort: unknown; cidrs: unknown[] }[];
        if (type === AWS.securityGroup) {
            rules = (listOf(props.ingress) ?? []).map(objectOf).filter((r): r is Record<string, any> => !!r).map((r) => rule(r, r.protocol, cidrsOf(r)));
        } else if (type === AWS.ingressRule) {
            rules = [rule(props, props.ipProtocol, [props.cidrIpv4, props.cidrIpv6])];
        } else {
            rules = props.type === "ingress" ? [rule(props, props.protocol, cidrsOf(props))] : [];
        }
        for (const rule of rules) {
            const open = (rule.cidrs as unknown[]).filter((c) => OPEN.includes(String(c)));
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

export const edgeRules = {
    resource: [albHttpsTlsPolicy, albHttpRedirectsToHttps, albDropInvalidHeaders, albAccessLogs, albDeletionProtection, targetGroupNoStickiness,
        wafRateLimitRule, wafManagedRulesSqliXss, noUnrestrictedIngress] as ResourceRule<any>[],
    stack: [albWafAttached, dnsAliasRecord] as StackRule<any>[],
};
