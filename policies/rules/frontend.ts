import { PolicyResource } from "@pulumi/policy";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { AWS } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, show } from "../lib/values";

/** CloudFront's viewer policies that keep the connection on TLS (TLSv1.2_2021 is the oldest with only modern ciphers). */
export const CLOUDFRONT_TLS_POLICIES = ["TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];
const HTTPS_VIEWER_POLICIES = ["redirect-to-https", "https-only"];

/** The default behaviour and every path behaviour of a distribution, labelled for messages. */
function behaviours(props: Record<string, any>): { label: string; behaviour: Record<string, any> }[] {
    const ordered = (listOf(props.orderedCacheBehaviors) ?? []).map(objectOf).filter((b): b is Record<string, any> => !!b);
    const first = objectOf(props.defaultCacheBehavior);
    return [
        ...(first ? [{ label: "defaultCacheBehavior", behaviour: first }] : []),
        ...ordered.map((behaviour) => ({ label: `behaviour ${show(behaviour.pathPattern)}`, behaviour })),
    ];
}

export const cloudfrontViewerHttps: ResourceRule = {
    name: "cloudfront-viewer-https",
    description: "CloudFront serves viewers over HTTPS only: plain HTTP is redirected.",
    severity: "high",
    checklist: ["EDGE-03"],
    references: ["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/using-https-viewers-to-cloudfront.html"],
    equivalents: ["CKV_AWS_34", "AVD-AWS-0012"],
    remediation: 'Set viewerProtocolPolicy: "redirect-to-https" on the default and every ordered cache behaviour.',
    resourceTypes: [AWS.cloudfrontDistribution],
    validate({ props }, _config, report) {
        for (const { label, behaviour } of behaviours(props)) {
            if (!HTTPS_VIEWER_POLICIES.includes(behaviour.viewerProtocolPolicy)) {
                report(`${label}: viewerProtocolPolicy is ${show(behaviour.viewerProtocolPolicy)}, so pages load over plain HTTP; use redirect-to-https`);
            }
        }
    },
};

export const cloudfrontMinimumTls: ResourceRule<{ allowedPolicies: string[] }> = {
    name: "cloudfront-minimum-tls",
    description: "CloudFront serves the site's own certificate with TLS 1.2 or newer (modern ciphers).",
    severity: "high",
    checklist: ["EDGE-02"],
    references: [
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/secure-connections-supported-viewer-protocols-ciphers.html",
        "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/cnames-and-https-requirements.html",
    ],
    equivalents: ["CKV_AWS_174", "CKV2_AWS_42", "AVD-AWS-0013"],
    remediation: 'Set viewerCertificate: { acmCertificateArn: <us-east-1 certificate>, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" }.',
    resourceTypes: [AWS.cloudfrontDistribution],
    config: {
        allowedPolicies: { type: "array", items: { type: "string" }, default: CLOUDFRONT_TLS_POLICIES, description: "Minimum protocol versions allowed." },
    },
    validate({ props }, { allowedPolicies }, report) {
        const certificate = objectOf(props.viewerCertificate) ?? {};
        if (certificate.cloudfrontDefaultCertificate === true || !isSet(certificate, "acmCertificateArn")) {
            report(
                "viewerCertificate uses CloudFront's default *.cloudfront.net certificate, which allows TLS 1.0 and no domain of the site; " +
                    "use an ACM certificate from us-east-1",
            );
            return;
        }
        if (!allowedPolicies.includes(certificate.minimumProtocolVersion)) {
            const given = certificate.minimumProtocolVersion === undefined ? "not set (TLSv1)" : show(certificate.minimumProtocolVersion);
            report(`viewerCertificate.minimumProtocolVersion is ${given}; use one of ${allowedPolicies.join(", ")}`);
        }
    },
};

/** An S3 REST endpoint (`<bucket>.s3.<region>.amazonaws.com`) or website endpoint (`<bucket>.s3-website…`). */
const S3_REST = /\.s3[.-]([a-z0-9-]+\.)?amazonaws\.com$/;
const S3_WEBSITE = /\.s3-website[.-]/;

export const cloudfrontOriginAccess: ResourceRule = {
    name: "cloudfront-origin-access",
    description: "A bucket behind CloudFront stays private: the distribution reads it through origin access control, never a public website endpoint.",
    severity: "high",
    checklist: ["EDGE-09"],
    references: ["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/private-content-restricting-access-to-s3.html"],
    equivalents: ["CKV2_AWS_46"],
    remediation:
        "Point the origin at the bucket's regional REST endpoint (bucketRegionalDomainName) with originAccessControlId of an " +
        "aws.cloudfront.OriginAccessControl (s3, sigv4, always), and allow only cloudfront.amazonaws.com with AWS:SourceArn in the bucket policy.",
    resourceTypes: [AWS.cloudfrontDistribution],
    validate({ props }, _config, report) {
        for (const origin of (listOf(props.origins) ?? []).map(objectOf)) {
            const domain = peek(origin, "domainName");
            const id = show(origin?.originId);
            if (typeof domain === "string" && S3_WEBSITE.test(domain)) {
                report(`origin ${id} is the website endpoint ${domain}, which only serves a public bucket; use the REST endpoint with origin access control`);
            } else if (
                ((typeof domain === "string" && S3_REST.test(domain)) || origin?.s3OriginConfig !== undefined) &&
                !isSet(origin, "originAccessControlId")
            ) {
                // A preview may not know a new bucket's domain yet: then only an s3OriginConfig says the origin is a bucket.
                const legacy = isSet(objectOf(origin?.s3OriginConfig), "originAccessIdentity") ? " (an origin access identity is the legacy way)" : "";
                report(`origin ${id} reads a bucket without origin access control${legacy}; the bucket would have to be public or the origin unsigned`);
            }
        }
    },
};

export const cloudfrontLogging: ResourceRule = {
    name: "cloudfront-logging",
    description: "CloudFront writes standard access logs to a bucket.",
    severity: "medium",
    checklist: ["EDGE-09"],
    references: ["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/AccessLogs.html"],
    equivalents: ["CKV_AWS_86", "AVD-AWS-0010"],
    remediation: 'Set loggingConfig: { bucket: <log bucket>.bucketDomainName, prefix: "cloudfront/", includeCookies: false }.',
    resourceTypes: [AWS.cloudfrontDistribution],
    validate({ props }, _config, report) {
        if (!isSet(objectOf(props.loggingConfig), "bucket")) {
            report(`loggingConfig is ${show(props.loggingConfig)}: nobody could tell who requested what; log to a bucket`);
        }
    },
};

/** The security headers a response headers policy must set, with what each is for. */
const REQUIRED_HEADERS: [string, string][] = [
    ["strictTransportSecurity", "HSTS"],
    ["contentSecurityPolicy", "Content-Security-Policy"],
    ["contentTypeOptions", "X-Content-Type-Options: nosniff"],
    ["frameOptions", "X-Frame-Options"],
    ["referrerPolicy", "Referrer-Policy"],
];

export const cloudfrontSecurityHeaders: StackRule<{ minimumHstsSeconds: number }> = {
    name: "cloudfront-security-headers",
    appliesTo: [AWS.cloudfrontDistribution],
    description: "Every CloudFront response carries HSTS, a Content-Security-Policy, nosniff, frame options and a referrer policy.",
    severity: "high",
    checklist: ["EDGE-09"],
    references: ["https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/understanding-response-headers-policies.html"],
    equivalents: ["CKV2_AWS_32", "CKV_AWS_259"],
    remediation:
        "Create an aws.cloudfront.ResponseHeadersPolicy whose securityHeadersConfig sets strictTransportSecurity (a year or more), " +
        "contentSecurityPolicy, contentTypeOptions, frameOptions and referrerPolicy, and set its id as responseHeadersPolicyId of every cache behaviour.",
    config: { minimumHstsSeconds: { type: "integer", minimum: 0, default: 31536000, description: "Shortest HSTS max-age allowed." } },
    validate(stack, { minimumHstsSeconds }, report) {
        const policies = stack.ofType(AWS.cloudfrontResponseHeadersPolicy);
        for (const distribution of stack.ofType(AWS.cloudfrontDistribution)) {
            // The id is an output of the policy: known only through the dependency (which does not say which behaviour, so all share it).
            const fromStack = policies.filter(
                (p) =>
                    stack.referencedBy(distribution, "defaultCacheBehavior").some((r) => r.urn === p.urn) ||
                    stack.referencedBy(distribution, "orderedCacheBehaviors").some((r) => r.urn === p.urn),
            );
            for (const { label, behaviour } of behaviours(distribution.props)) {
                if (!isSet(behaviour, "responseHeadersPolicyId")) {
                    report(`${distribution.name}: ${label} has no responseHeadersPolicyId, so responses carry no security headers`, distribution);
                } else if (fromStack.length === 0) {
                    report(
                        `${distribution.name}: ${label} uses response headers policy ${show(peek(behaviour, "responseHeadersPolicyId"))}, ` +
                            "which is not defined in this stack, so its headers cannot be checked; define one here",
                        distribution,
                    );
                }
            }
            for (const policy of fromStack) {
                const problems = headerProblems(policy, minimumHstsSeconds);
                if (problems.length > 0) {
                    report(`${policy.name} (used by ${distribution.name}) ${problems.join("; ")}`, policy);
                }
            }
        }
    },
};

function headerProblems(policy: PolicyResource, minimumHstsSeconds: number): string[] {
    const config = objectOf(policy.props.securityHeadersConfig) ?? {};
    const missing = REQUIRED_HEADERS.filter(([key]) => !objectOf(config[key])).map(([, header]) => header);
    const problems = missing.length > 0 ? [`sets no ${missing.join(", ")}`] : [];
    const maxAge = numberOf(objectOf(config.strictTransportSecurity)?.accessControlMaxAgeSec);
    if (objectOf(config.strictTransportSecurity) && (maxAge === undefined || maxAge < minimumHstsSeconds)) {
        problems.push(`HSTS max-age is ${show(maxAge)} seconds; at least ${minimumHstsSeconds}`);
    }
    return problems;
}

export const cloudfrontWaf: StackRule = {
    name: "cloudfront-waf",
    appliesTo: [AWS.cloudfrontDistribution],
    description: "Every CloudFront distribution has a WAF web ACL of scope CLOUDFRONT.",
    severity: "high",
    checklist: ["EDGE-05", "EDGE-09"],
    references: ["https://docs.aws.amazon.com/waf/latest/developerguide/cloudfront-features.html"],
    equivalents: ["CKV_AWS_68", "AVD-AWS-0011"],
    remediation:
        "Create an aws.wafv2.WebAcl with scope CLOUDFRONT (through a us-east-1 provider) with a rate-based rule and set its arn as the distribution's webAclId.",
    validate(stack, _config, report) {
        for (const distribution of stack.ofType(AWS.cloudfrontDistribution)) {
            const acls = stack.referencedBy(distribution, "webAclId").filter((r) => r.type === AWS.webAcl);
            const webAclId = peek(distribution.props, "webAclId");
            if (acls.length === 0 && (webAclId === undefined || webAclId === null || webAclId === "")) {
                report(`${distribution.name} has no webAclId: nothing limits the request rate or filters attacks in front of it`, distribution);
            }
            for (const acl of acls.filter((a) => a.props.scope !== "CLOUDFRONT")) {
                report(`${distribution.name}'s web ACL ${acl.name} has scope ${show(acl.props.scope)}; CloudFront takes only CLOUDFRONT (us-east-1)`, acl);
            }
        }
    },
};

export const frontendRules: RuleFile = {
    title: "Amazon CloudFront",
    resource: [cloudfrontViewerHttps, cloudfrontMinimumTls, cloudfrontOriginAccess, cloudfrontLogging] as ResourceRule<any>[],
    stack: [cloudfrontSecurityHeaders, cloudfrontWaf] as StackRule<any>[],
};
