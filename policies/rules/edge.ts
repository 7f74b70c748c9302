import { PolicyResource } from "@pulumi/policy";
import { ResourceRule, StackRule } from "../lib/rule";
import { AWS, AWS_EDGE } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, requireBoolean, show } from "../lib/values";
import { worldOpenCidrs } from "../lib/cidr";

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
    description: "HTTPS (ALB) and TLS (NLB) listeners use a certificate and a TLS 1.3/1.2 security policy.",
    severity: "high",
    checklist: ["EDGE-02"],
    remediation: "Set sslPolicy to an allowed ELBSecurityPolicy-TLS13-* policy and certificateArn to the ACM certificate.",
    resourceTypes: AWS.listeners,
    config: { allowedPolicies: { type: "array", items: { type: "string" }, default: TLS13_POLICIES, description: "Security policies allowed." } },
    validate({ props }, { allowedPolicies }, report) {
        // HTTPS on an application load balancer, TLS on a network load balancer: both terminate TLS with the listener's policy.
        if (props.protocol !== "HTTPS" && props.protocol !== "TLS") {
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
    remediation: "Give the HTTP listener (protocol HTTP, or no protocol) one entry in defaultActions: type redirect with redirect.protocol HTTPS, " +
        "port 443, statusCode HTTP_301.",
    resourceTypes: [...AWS.listeners, AWS.classicLoadBalancer],
    validate({ type, props }, _config, report) {
        if (type === AWS.classicLoadBalancer) {
            // A classic load balancer cannot redirect: a plain-HTTP listener serves the site unencrypted.
            const plain = (listOf(props.listeners) ?? []).map(objectOf).filter((l) => String(l?.lbProtocol ?? "").toLowerCase() === "http");
            if (plain.length > 0) {
                report(`listeners on port ${plain.map((l) => show(l!.lbPort)).join(", ")} serve plain HTTP (lbProtocol http), and a classic load balancer ` +
                    "cannot redirect: listen with lbProtocol https only, or move to an application load balancer that redirects");
            }
            return;
        }
        // Without a protocol an application load balancer's listener serves HTTP (a network load balancer's needs one, and a
        // gateway load balancer's takes none: those have no default actions of the HTTP kinds).
        const protocol = props.protocol ?? (isSet(props, "certificateArn") ? undefined : "HTTP");
        if (protocol !== "HTTP") {
            return;
        }
        const actions = (listOf(props.defaultActions) ?? []).map(objectOf);
        const redirectsToHttps = (a: Record<string, any> | undefined) => a?.type === "redirect" && objectOf(a.redirect)?.protocol === "HTTPS";
        if (actions.length !== 1 || !redirectsToHttps(actions[0])) {
            const kinds = actions.map((a) => a?.type ?? "?").join(", ") || "none";
            const which = props.protocol === undefined ? "protocol is not set, so the listener serves plain HTTP, and its" : "the HTTP listener's";
            report(`${which} defaultActions are [${kinds}]; its only action must redirect to HTTPS`);
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
    remediation: "Associate the WAFv2 web ACL (scope REGIONAL) that holds the per-client rate rule and the managed rule groups with the load balancer " +
        "through a WebAclAssociation (resourceArn the load balancer, webAclArn that ACL).",
    validate(stack, _config, report) {
        const exposed = stack.ofType(...AWS.loadBalancers).filter((lb) => lb.props.internal !== true && isApplicationLoadBalancer(lb.props));
        for (const lb of exposed) {
            const associations = stack.referencing(lb, [AWS.webAclAssociation], "resourceArn");
            if (associations.length === 0) {
                report(`${lb.name} is internet-facing and has no WAF web ACL associated`, lb);
                continue;
            }
            // The ACL attached must be the one holding the rules; one made outside the stack cannot be read and is taken as it is.
            const acls = associations.flatMap((a) => stack.referencedBy(a, "webAclArn").filter((r) => r.type === AWS.webAcl));
            const judged = acls.map((acl) => ({ acl, problem: rateLimitProblem(acl.props) ?? managedRulesProblem(acl.props, DEFAULT_RULE_GROUPS) }));
            if (judged.length > 0 && judged.every((j) => j.problem)) {
                report(`${lb.name}'s web ACL ${judged.map((j) => `${j.acl.name}: ${j.problem}`).join("; ")}`, lb);
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

/** Custom aggregation keys that tell clients apart (an HTTP method or a URI path alone does not). */
const CLIENT_KEYS = ["ip", "forwardedIp", "header", "cookie", "queryArgument"];

/** Whether a rate-based statement counts requests per client: by IP (the default), forwarded IP, or custom keys that include a client's. */
function perClient(statement: Record<string, any>): boolean {
    const key = statement.aggregateKeyType ?? "IP";
    if (key === "IP" || key === "FORWARDED_IP") {
        return true;
    }
    return key === "CUSTOM_KEYS" && (listOf(statement.customKeys) ?? []).some((k) => CLIENT_KEYS.some((client) => objectOf(k)?.[client] !== undefined));
}

/** Why a web ACL does not block clients above a rate, or undefined when it does (at most `maximumLimit`, when given). */
function rateLimitProblem(props: Record<string, any>, maximumLimit?: number): string | undefined {
    const rateRules = rulesOf(props).filter((rule) => objectOf(rule.statement)?.rateBasedStatement);
    const rateOf = (rule: Record<string, any>) => objectOf(objectOf(rule.statement)?.rateBasedStatement)!;
    const blocking = rateRules.filter((rule) => objectOf(rule.action)?.block !== undefined);
    const clientRules = blocking.filter((rule) => perClient(rateOf(rule)));
    if (rateRules.length === 0) {
        return "the web ACL has no rate-based rule";
    }
    if (blocking.length === 0) {
        return `rate-based rule ${rateRules.map((r) => r.name).join(", ")} does not block (action ${show(rateRules[0].action)})`;
    }
    if (clientRules.length === 0) {
        return `rate-based rule ${blocking.map((r) => r.name).join(", ")} counts with aggregateKeyType ${show(rateOf(blocking[0]).aggregateKeyType)}, ` +
            "all clients together, not per client; use IP (or FORWARDED_IP)";
    }
    const limits = clientRules.map((rule) => numberOf(rateOf(rule).limit));
    if (maximumLimit !== undefined && limits.every((limit) => limit === undefined || limit > maximumLimit)) {
        return `the rate limit is ${limits.map(show).join(", ")} requests per 5 minutes; at most ${maximumLimit} is allowed`;
    }
    return undefined;
}

export const wafRateLimitRule: ResourceRule<{ maximumLimit: number }> = {
    name: "waf-rate-limit-rule",
    description: "The web ACL blocks each client above a request rate.",
    severity: "high",
    checklist: ["EDGE-05"],
    remediation: "Add a rule whose statement.rateBasedStatement has aggregateKeyType IP (or FORWARDED_IP) and a limit per 5 minutes, with action block.",
    resourceTypes: [AWS.webAcl],
    config: { maximumLimit: { type: "integer", minimum: 10, default: 2000, description: "Highest allowed limit, requests per 5 minutes per client." } },
    validate({ props }, { maximumLimit }, report) {
        const problem = rateLimitProblem(props, maximumLimit);
        if (problem) {
            report(problem);
        }
    },
};

/** Rules of the AWS managed groups that block SQL injection and cross-site scripting, which overrides must not turn to count. */
const INJECTION_RULE = /SQLi|CrossSiteScripting/i;
const DEFAULT_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet"];

/** Why a web ACL does not enforce the required managed groups, or undefined when it does. */
function managedRulesProblem(props: Record<string, any>, requiredRuleGroups: string[]): string | undefined {
    const present = new Set<string>();
    const weakened = new Map<string, string[]>();
    for (const rule of rulesOf(props)) {
        const counting = objectOf(rule.overrideAction)?.count !== undefined;
        for (const statement of statementsOf(rule.statement)) {
            const group = objectOf(statement.managedRuleGroupStatement);
            if (group?.vendorName !== "AWS" || typeof group.name !== "string" || counting) {
                continue;
            }
            // Overrides to count (or the older excludedRules) switch single rules of the group off.
            const overridden = [
                ...(listOf(group.ruleActionOverrides) ?? []).map(objectOf).filter((o) => objectOf(o?.actionToUse)?.block === undefined).map((o) => o?.name),
                ...(listOf(group.excludedRules) ?? []).map((e) => objectOf(e)?.name),
            ].filter((name): name is string => typeof name === "string" && INJECTION_RULE.test(name));
            if (overridden.length > 0) {
                weakened.set(group.name, overridden);
            } else {
                present.add(group.name);
            }
        }
    }
    const missing = requiredRuleGroups.filter((g) => !present.has(g));
    if (missing.length === 0) {
        return undefined;
    }
    const counted = missing.filter((g) => weakened.has(g)).map((g) => `${g} (ruleActionOverrides count ${weakened.get(g)!.join(", ")})`);
    return `the web ACL does not enforce ${missing.join(", ")} (a group in count mode does not block)` + (counted.length > 0 ? `: ${counted.join("; ")}` : "");
}

export const wafManagedRulesSqliXss: ResourceRule<{ requiredRuleGroups: string[] }> = {
    name: "waf-managed-rules-sqli-xss",
    description: "The web ACL runs AWS managed rule groups against SQL injection and cross-site scripting, with none of those rules set to count.",
    severity: "high",
    checklist: ["EDGE-06"],
    remediation: "Add managedRuleGroupStatement rules for the required AWS managed rule groups, with overrideAction none, and no ruleActionOverrides " +
        "(or excludedRules) that count their SQLi_* and CrossSiteScripting_* rules.",
    resourceTypes: [AWS.webAcl],
    config: {
        requiredRuleGroups: { type: "array", items: { type: "string" }, default: DEFAULT_RULE_GROUPS,
            description: "AWS managed rule groups that must be in the web ACL." },
    },
    validate({ props }, { requiredRuleGroups }, report) {
        const problem = managedRulesProblem(props, requiredRuleGroups);
        if (problem) {
            report(problem);
        }
    },
};

export const noUnrestrictedIngress: ResourceRule<{ allowedPorts: number[] }> = {
    name: "no-unrestricted-ingress",
    description: "Nothing is open to the whole internet except the allowed ports (HTTP and HTTPS of the load balancer).",
    severity: "critical",
    checklist: ["EDGE-07"],
    remediation: "Narrow the source to a security group or known ranges, or limit the rule to an allowed port.",
    resourceTypes: [AWS.securityGroup, AWS.ingressRule, AWS.securityGroupRule],
    config: { allowedPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "Ports that may be open to the internet." } },
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

/** Predefined classic ELB policies that refuse TLS 1.0 and 1.1. */
const CLASSIC_TLS12_POLICIES = /^ELBSecurityPolicy-TLS-1-2-/;

export const classicElbTlsPolicy: StackRule = {
    name: "classic-elb-tls-policy",
    appliesTo: [AWS.classicLoadBalancer],
    description: "HTTPS and SSL listeners of classic load balancers refuse TLS 1.0 and 1.1.",
    severity: "high",
    checklist: ["EDGE-02"],
    remediation: "Give each HTTPS/SSL listener an aws.elb.ListenerPolicy naming an aws.elb.LoadBalancerPolicy of type SSLNegotiationPolicyType " +
        "whose Reference-Security-Policy is ELBSecurityPolicy-TLS-1-2-2017-01 (the default, ELBSecurityPolicy-2016-08, accepts TLS 1.0).",
    validate(stack, _config, report) {
        const modernPolicies = stack.ofType(AWS_EDGE.elbLoadBalancerPolicy).filter((p) =>
            peek(p.props, "policyTypeName") === "SSLNegotiationPolicyType" &&
            (listOf(peek(p.props, "policyAttributes")) ?? []).map(objectOf)
                .some((a) => a?.name === "Reference-Security-Policy" && CLASSIC_TLS12_POLICIES.test(String(a.value))));
        for (const elb of stack.ofType(AWS.classicLoadBalancer)) {
            const encrypted = (listOf(peek(elb.props, "listeners")) ?? []).map(objectOf)
                .filter((l) => ["https", "ssl"].includes(String(l?.lbProtocol ?? "").toLowerCase()));
            const uncovered = encrypted.filter((listener) => !stack.ofType(AWS_EDGE.elbListenerPolicy).some((lp) =>
                stack.referencedBy(lp, "loadBalancerName").some((r) => r.urn === elb.urn) &&
                numberOf(peek(lp.props, "loadBalancerPort")) === numberOf(listener!.lbPort) &&
                stack.referencedBy(lp, "policyNames").some((p) => modernPolicies.some((m) => m.urn === p.urn))));
            if (uncovered.length > 0) {
                report(`${elb.name}: the listeners on port ${uncovered.map((l) => show(l!.lbPort)).join(", ")} use no TLS 1.2 negotiation policy, ` +
                    "so the default ELBSecurityPolicy-2016-08 accepts TLS 1.0 and 1.1", elb);
            }
        }
    },
};

export const edgeRules = {
    resource: [albHttpsTlsPolicy, albHttpRedirectsToHttps, albDropInvalidHeaders, albAccessLogs, albDeletionProtection, targetGroupNoStickiness,
        wafRateLimitRule, wafManagedRulesSqliXss, noUnrestrictedIngress] as ResourceRule<any>[],
    stack: [albWafAttached, dnsAliasRecord, classicElbTlsPolicy] as StackRule<any>[],
};
