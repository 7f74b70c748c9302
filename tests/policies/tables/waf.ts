import { AWS } from "../../../policies/lib/types";
import { CaseTable, ResourceCase, StackCase } from "../cases";
import { TestResource } from "../helpers";
import { alb, LB } from "../fixtures";

const webAcl = {
    scope: "REGIONAL",
    rules: [
        { name: "rate", priority: 1, action: { block: {} }, statement: { rateBasedStatement: { limit: 1000, aggregateKeyType: "IP" } } },
        {
            name: "common",
            priority: 2,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
        },
        {
            name: "sqli",
            priority: 3,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesSQLiRuleSet" } },
        },
    ],
};

const edge: TestResource[] = [
    { type: LB, name: "alb", props: alb },
    { type: AWS.webAcl, name: "waf", props: webAcl },
    { type: AWS.webAclAssociation, name: "waf-alb", deps: { resourceArn: ["alb"], webAclArn: ["waf"] } },
];

const resource: ResourceCase[] = [
    {
        policy: "waf-rate-limit-rule",
        type: AWS.webAcl,
        compliant: webAcl,
        violating: [
            { change: { rules: webAcl.rules.slice(1) }, message: /the web ACL has no rate-based rule/ },
            { change: { rules: [{ ...webAcl.rules[0], action: { count: {} } }] }, message: /rate-based rule rate does not block/ },
            {
                change: { rules: [{ ...webAcl.rules[0], statement: { rateBasedStatement: { limit: 100000 } } }] },
                message: /the rate limit is 100000 requests per 5 minutes; at most 2000/,
            },
            {
                label: "a CONSTANT rate rule (all clients together)",
                change: {
                    rules: [
                        {
                            ...webAcl.rules[0],
                            statement: {
                                rateBasedStatement: {
                                    limit: 1000,
                                    aggregateKeyType: "CONSTANT",
                                    scopeDownStatement: {
                                        byteMatchStatement: {
                                            positionalConstraint: "STARTS_WITH",
                                            searchString: "/api",
                                            fieldToMatch: { uriPath: {} },
                                            textTransformations: [{ priority: 0, type: "NONE" }],
                                        },
                                    },
                                },
                            },
                        },
                    ],
                },
                message: /rate-based rule rate counts with aggregateKeyType "CONSTANT", all clients together, not per client/,
            },
        ],
    },
    {
        policy: "waf-managed-rules-sqli-xss",
        type: AWS.webAcl,
        compliant: webAcl,
        violating: [
            { change: { rules: webAcl.rules.slice(0, 2) }, message: /does not enforce AWSManagedRulesSQLiRuleSet/ },
            {
                change: { rules: [webAcl.rules[1], { ...webAcl.rules[2], overrideAction: { count: {} } }] },
                message: /does not enforce AWSManagedRulesSQLiRuleSet \(a group in count mode/,
            },
            {
                label: "the SQLi group with its body and query rules overridden to count",
                change: {
                    rules: [
                        webAcl.rules[1],
                        {
                            ...webAcl.rules[2],
                            statement: {
                                managedRuleGroupStatement: {
                                    vendorName: "AWS",
                                    name: "AWSManagedRulesSQLiRuleSet",
                                    ruleActionOverrides: [
                                        { name: "SQLi_BODY", actionToUse: { count: {} } },
                                        { name: "SQLi_QUERYARGUMENTS", actionToUse: { count: {} } },
                                    ],
                                },
                            },
                        },
                    ],
                },
                message:
                    /does not enforce AWSManagedRulesSQLiRuleSet .*: AWSManagedRulesSQLiRuleSet \(ruleActionOverrides count SQLi_BODY, SQLi_QUERYARGUMENTS\)/,
            },
        ],
    },
    {
        // Counting a size rule of the common group (large uploads) leaves its XSS rules blocking.
        policy: "waf-managed-rules-sqli-xss",
        type: AWS.webAcl,
        compliant: {
            ...webAcl,
            rules: [
                webAcl.rules[2],
                {
                    ...webAcl.rules[1],
                    statement: {
                        managedRuleGroupStatement: {
                            vendorName: "AWS",
                            name: "AWSManagedRulesCommonRuleSet",
                            ruleActionOverrides: [{ name: "SizeRestrictions_BODY", actionToUse: { count: {} } }],
                        },
                    },
                },
            ],
        },
        violating: [
            {
                change: {
                    rules: [
                        webAcl.rules[2],
                        {
                            ...webAcl.rules[1],
                            statement: {
                                managedRuleGroupStatement: {
                                    vendorName: "AWS",
                                    name: "AWSManagedRulesCommonRuleSet",
                                    ruleActionOverrides: [{ name: "CrossSiteScripting_BODY", actionToUse: { count: {} } }],
                                },
                            },
                        },
                    ],
                },
                message: /does not enforce AWSManagedRulesCommonRuleSet/,
            },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "alb-waf-attached",
        compliant: edge,
        violating: [
            { resources: edge.slice(0, 2), message: /alb is internet-facing and has no WAF web ACL associated/ },
            // The rules live in one ACL, and another, empty one is attached.
            {
                resources: [
                    ...edge.slice(0, 2),
                    { type: AWS.webAcl, name: "empty-waf", props: { scope: "REGIONAL", defaultAction: { allow: {} }, rules: [] } },
                    { type: AWS.webAclAssociation, name: "waf-alb", deps: { resourceArn: ["alb"], webAclArn: ["empty-waf"] } },
                ],
                message: /alb's web ACL empty-waf: the web ACL has no rate-based rule/,
            },
        ],
    },
];

export const wafCases: CaseTable = { area: "waf", resource, stack };
