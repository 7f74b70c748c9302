import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, tagsNamed } from "./tags";

/** AWS managed rule groups every web ACL of the platform runs, in priority order after the rate limit. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"];

/** A web ACL's defaults. */
export const WAF_DEFAULTS = {
    /** 2,000 requests per client IP per 5 minutes (about 7 a second): far above a person's use, low enough to stop a flood. */
    rateLimitPerFiveMinutes: 2000,
} as const;

export interface WebAclArgs {
    /** REGIONAL (a load balancer's) or CLOUDFRONT (a distribution's, created in us-east-1). */
    scope: "REGIONAL" | "CLOUDFRONT";
    /** The domain it protects, for its description. */
    domainName: pulumi.Input<string>;
    /** Requests per client IP per 5 minutes before it blocks. */
    rateLimitPerFiveMinutes?: pulumi.Input<number>;
    tags?: Tags;
}

/** A web ACL: a per-IP rate limit that blocks, then the AWS managed rule groups, each with metrics and sampled requests. */
export function createWebAcl(name: string, args: WebAclArgs, opts: pulumi.CustomResourceOptions): aws.wafv2.WebAcl {
    const metric = (suffix: string) => ({
        cloudwatchMetricsEnabled: true,
        sampledRequestsEnabled: true,
        metricName: `${name}-${suffix}`.replace(/[^A-Za-z0-9_-]/g, "-").slice(0, 128),
    });
    return new aws.wafv2.WebAcl(
        `${name}-waf`,
        {
            scope: args.scope,
            description: pulumi.interpolate`Rate limit and AWS managed protections for ${args.domainName}`,
            defaultAction: { allow: {} },
            rules: [
                {
                    name: "rate-limit-per-ip",
                    priority: 0,
                    action: { block: {} },
                    statement: { rateBasedStatement: { limit: args.rateLimitPerFiveMinutes ?? WAF_DEFAULTS.rateLimitPerFiveMinutes, aggregateKeyType: "IP" } },
                    visibilityConfig: metric("rate-limit"),
                },
                ...MANAGED_RULE_GROUPS.map((group, i) => ({
                    name: group,
                    priority: i + 1,
                    overrideAction: { none: {} },
                    statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
                    visibilityConfig: metric(group),
                })),
            ],
            visibilityConfig: metric("waf"),
            tags: tagsNamed(args.tags, `${name}-waf`),
        },
        opts,
    );
}
