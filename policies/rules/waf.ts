import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { isApplicationLoadBalancer } from "../lib/load-balancers";
import { AWS } from "../lib/types";
import { listOf, numberOf, objectOf, show } from "../lib/values";

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
        return (
            `rate-based rule ${blocking.map((r) => r.name).join(", ")} counts with aggregateKeyType ${show(rateOf(blocking[0]).aggregateKeyType)}, ` +
            "all clients together, not per client; use IP (or FORWARDED_IP)"
        );
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
    references: [
        "https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-type-rate-based.html",
        "https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html",
    ],
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
                ...(listOf(group.ruleActionOverrides) ?? [])
                    .map(objectOf)
                    .filter((o) => objectOf(o?.actionToUse)?.block === undefined)
                    .map((o) => o?.name),
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
    references: [
        "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-baseline.html",
        "https://docs.aws.amazon.com/waf/latest/developerguide/aws-managed-rule-groups-use-case.html",
    ],
    remediation:
        "Add managedRuleGroupStatement rules for the required AWS managed rule groups, with overrideAction none, and no ruleActionOverrides " +
        "(or excludedRules) that count their SQLi_* and CrossSiteScripting_* rules.",
    resourceTypes: [AWS.webAcl],
    config: {
        requiredRuleGroups: {
            type: "array",
            items: { type: "string" },
            default: DEFAULT_RULE_GROUPS,
            description: "AWS managed rule groups that must be in the web ACL.",
        },
    },
    validate({ props }, { requiredRuleGroups }, report) {
        const problem = managedRulesProblem(props, requiredRuleGroups);
        if (problem) {
            report(problem);
        }
    },
};

export const albWafAttached: StackRule = {
    name: "alb-waf-attached",
    appliesTo: AWS.loadBalancers,
    description: "Every internet-facing application load balancer has a WAF web ACL.",
    severity: "high",
    checklist: ["EDGE-05", "EDGE-06"],
    references: ["https://docs.aws.amazon.com/waf/latest/developerguide/web-acl-associating-aws-resource.html"],
    equivalents: ["CKV2_AWS_28"],
    remediation:
        "Associate the WAFv2 web ACL (scope REGIONAL) that holds the per-client rate rule and the managed rule groups with the load balancer " +
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

export const wafRules: RuleFile = {
    title: "AWS WAF",
    resource: [wafRateLimitRule, wafManagedRulesSqliXss] as ResourceRule<any>[],
    stack: [albWafAttached] as StackRule<any>[],
};
