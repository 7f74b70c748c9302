import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyWithoutTls, makePrivate } from "./bucket";
import { Tags, tagsNamed } from "./tags";
import { MONITORING_DEFAULTS } from "./monitoring";
import { createWebAcl, WAF_DEFAULTS } from "./waf";
import { dnsValidatedCertificate } from "./certificate";

/** The static site's defaults (the stack file's `frontend` section). */
export const FRONTEND_DEFAULTS = {
    /** North America and Europe edge locations: the cheapest class that covers the users. */
    priceClass: "PriceClass_100",
    rateLimitPerFiveMinutes: WAF_DEFAULTS.rateLimitPerFiveMinutes,
    /** Only the site's own scripts, styles and images; no plugins, no framing, no foreign base URL. */
    contentSecurityPolicy: "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'",
    /** 90 days of access logs: long enough to trace an incident found weeks later. */
    logRetentionDays: 90,
} as const satisfies Partial<StaticSiteArgs>;

/** The stack file's `frontend` section, plus the alerting it shares. Defaults: FRONTEND_DEFAULTS. */
export interface StaticSiteArgs {
    /** The frontend's domain, e.g. app.example.com. */
    domainName: string;
    /** The public hosted zone of the domain. Default: the domain without its first label. */
    hostedZoneName?: string;
    /** CloudFront's price class: which edge locations serve the site. */
    priceClass?: string;
    /** Requests per 5 minutes one client may make before the WAF blocks it. */
    rateLimitPerFiveMinutes?: number;
    /** The Content-Security-Policy header every response carries. */
    contentSecurityPolicy?: string;
    /** Days CloudFront's access logs are kept. */
    logRetentionDays?: number;
    /** Who hears of a surge of blocked requests (the WAF's metrics live in us-east-1, so its alarm and topic do too). */
    alertEmails: string[];
    /** Requests blocked in 5 minutes before the alarm fires (the stack file's `alerts.thresholds.wafBlockedRequests`). */
    wafBlockedRequests?: number;
    /** Where the runbook is: the alarm's description links `<runbookBaseUrl>#frontend-waf-blocked-requests`. */
    runbookBaseUrl?: string;
    protect?: boolean;
    tags?: Tags;
}

/** CloudFront's managed cache policy "CachingOptimized". */
const CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6";
const ORIGIN_ID = "site-bucket";
/** CloudFront's certificates and web ACLs live in us-east-1, whatever the stack's region. */
const CLOUDFRONT_REGION = "us-east-1";

/**
 * A static frontend (a single-page app's build): a private, encrypted, versioned bucket that only the
 * distribution reads (origin access control); CloudFront under the frontend's domain with an ACM
 * certificate (us-east-1, DNS-validated) and alias records, HTTPS only with TLS 1.2 (2021 ciphers),
 * HTTP/2 and HTTP/3, security headers on every response, `index.html` for the app's routes, access
 * logs in a bucket of their own and a WAF web ACL with a per-client rate limit.
 */
export class StaticSite extends pulumi.ComponentResource {
    /** `https://<domain>`: the origin browsers load the app from (the API's CORS list names it). */
    public readonly origin: string;
    public readonly bucketName: pulumi.Output<string>;
    public readonly distributionId: pulumi.Output<string>;
    public readonly distributionDomainName: pulumi.Output<string>;

    constructor(name: string, args: StaticSiteArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:StaticSite", name, {}, opts);
        const parent = { parent: this };
        const usEast1 = new aws.Provider(`${name}-us-east-1`, { region: CLOUDFRONT_REGION }, parent);
        const global = { parent: this, provider: usEast1 };

        const bucket = new aws.s3.Bucket(`${name}-site`, { forceDestroy: false, tags: tagsNamed(args.tags, `${name}-site`) }, parent);
        makePrivate(`${name}-site`, bucket, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-site`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" }, bucketKeyEnabled: true }],
            },
            parent,
        );
        new aws.s3.BucketVersioning(`${name}-site`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
        const logs = this.createLogBucket(name, args);

        const certificate = dnsValidatedCertificate(name, args, this, global);
        const webAcl = createWebAcl(
            name,
            { scope: "CLOUDFRONT", domainName: args.domainName, rateLimitPerFiveMinutes: args.rateLimitPerFiveMinutes, tags: args.tags },
            global,
        );
        this.alarmOnBlockedRequests(name, args, webAcl, global);
        const accessControl = new aws.cloudfront.OriginAccessControl(
            `${name}-oac`,
            {
                description: `Signed requests from the ${args.domainName} distribution to its bucket`,
                originAccessControlOriginType: "s3",
                signingBehavior: "always",
                signingProtocol: "sigv4",
            },
            parent,
        );
        const headers = new aws.cloudfront.ResponseHeadersPolicy(
            `${name}-security-headers`,
            {
                comment: `Security headers of ${args.domainName}`,
                securityHeadersConfig: {
                    strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, preload: true, override: true },
                    contentSecurityPolicy: { contentSecurityPolicy: args.contentSecurityPolicy ?? FRONTEND_DEFAULTS.contentSecurityPolicy, override: true },
                    contentTypeOptions: { override: true },
                    frameOptions: { frameOption: "DENY", override: true },
                    referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
                },
            },
            parent,
        );

        const distribution = new aws.cloudfront.Distribution(
            `${name}-cdn`,
            {
                enabled: true,
                comment: args.domainName,
                aliases: [args.domainName],
                isIpv6Enabled: true,
                httpVersion: "http2and3",
                priceClass: args.priceClass ?? FRONTEND_DEFAULTS.priceClass,
                defaultRootObject: "index.html",
                origins: [{ originId: ORIGIN_ID, domainName: bucket.bucketRegionalDomainName, originAccessControlId: accessControl.id }],
                defaultCacheBehavior: {
                    targetOriginId: ORIGIN_ID,
                    viewerProtocolPolicy: "redirect-to-https",
                    allowedMethods: ["GET", "HEAD", "OPTIONS"],
                    cachedMethods: ["GET", "HEAD"],
                    compress: true,
                    cachePolicyId: CACHING_OPTIMIZED,
                    responseHeadersPolicyId: headers.id,
                },
                // The app routes in the browser: a path with no object (S3 answers 403 through OAC) gets index.html.
                customErrorResponses: [403, 404].map((errorCode) => ({
                    errorCode,
                    responseCode: 200,
                    responsePagePath: "/index.html",
                    errorCachingMinTtl: 10,
                })),
                restrictions: { geoRestriction: { restrictionType: "none" } },
                viewerCertificate: { acmCertificateArn: certificate.arn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
                loggingConfig: { bucket: logs.bucketDomainName, prefix: "cloudfront/", includeCookies: false },
                webAclId: webAcl.arn,
                tags: tagsNamed(args.tags, `${name}-cdn`),
            },
            { parent: this, dependsOn: [logs.policy] },
        );

        new aws.s3.BucketPolicy(
            `${name}-site`,
            {
                bucket: bucket.id,
                policy: pulumi.all([bucket.arn, distribution.arn]).apply(([bucketArn, distributionArn]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "CloudFrontReadsThroughOriginAccessControl",
                                Effect: "Allow",
                                Principal: { Service: "cloudfront.amazonaws.com" },
                                Action: "s3:GetObject",
                                Resource: `${bucketArn}/*`,
                                Condition: { StringEquals: { "AWS:SourceArn": distributionArn } },
                            },
                            denyWithoutTls(bucketArn),
                        ],
                    }),
                ),
            },
            parent,
        );

        for (const type of ["A", "AAAA"]) {
            new aws.route53.Record(
                `${name}-alias-${type.toLowerCase()}`,
                {
                    zoneId: certificate.zoneId,
                    name: args.domainName,
                    type,
                    aliases: [{ name: distribution.domainName, zoneId: distribution.hostedZoneId, evaluateTargetHealth: false }],
                },
                parent,
            );
        }

        this.origin = `https://${args.domainName}`;
        this.bucketName = bucket.bucket;
        this.distributionId = distribution.id;
        this.distributionDomainName = distribution.domainName;
        this.registerOutputs({ origin: this.origin, bucketName: this.bucketName, distributionId: this.distributionId });
    }

    /**
     * CloudFront's standard logs need a bucket that accepts ACLs (its log delivery account writes with one);
     * nothing in it is public, it is encrypted, and logs expire.
     */
    private createLogBucket(name: string, args: StaticSiteArgs) {
        const parent = { parent: this };
        const bucket = new aws.s3.Bucket(
            `${name}-logs`,
            { forceDestroy: false, tags: tagsNamed(args.tags, `${name}-logs`, { Purpose: "access-logs" }) },
            parent,
        );
        const ownership = new aws.s3.BucketOwnershipControls(`${name}-logs`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerPreferred" } }, parent);
        new aws.s3.BucketPublicAccessBlock(
            `${name}-logs`,
            {
                bucket: bucket.id,
                blockPublicAcls: true,
                blockPublicPolicy: true,
                ignorePublicAcls: true,
                restrictPublicBuckets: true,
            },
            parent,
        );
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-logs`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-logs`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.logRetentionDays ?? FRONTEND_DEFAULTS.logRetentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            parent,
        );
        const policy = new aws.s3.BucketPolicy(
            `${name}-logs`,
            {
                bucket: bucket.id,
                policy: bucket.arn.apply((arn) => JSON.stringify({ Version: "2012-10-17", Statement: [denyWithoutTls(arn)] })),
            },
            { parent: this, dependsOn: [ownership] },
        );
        return { bucketDomainName: bucket.bucketDomainName, policy };
    }

    /**
     * An alarm on the requests the WAF blocks, with its topic in us-east-1 (where CloudFront's WAF metrics are),
     * encrypted with a key of its own that CloudWatch may use.
     */
    private alarmOnBlockedRequests(name: string, args: StaticSiteArgs, webAcl: aws.wafv2.WebAcl, global: pulumi.CustomResourceOptions) {
        const identity = aws.getCallerIdentityOutput({}, { parent: this });
        const key = new aws.kms.Key(
            `${name}-alerts`,
            {
                description: `Encrypts the ${args.domainName} WAF alert topic`,
                enableKeyRotation: true,
                deletionWindowInDays: 30,
                policy: identity.accountId.apply((account) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Sid: "AccountAdministers", Effect: "Allow", Principal: { AWS: `arn:aws:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
                            {
                                Sid: "CloudWatchPublishes",
                                Effect: "Allow",
                                Principal: { Service: "cloudwatch.amazonaws.com" },
                                Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
                                Resource: "*",
                            },
                        ],
                    }),
                ),
                tags: tagsNamed(args.tags, `${name}-alerts`),
            },
            { ...global, protect: args.protect },
        );
        const topic = new aws.sns.Topic(`${name}-alerts`, { kmsMasterKeyId: key.arn, tags: tagsNamed(args.tags, `${name}-alerts`) }, global);
        args.alertEmails.forEach(
            (email, i) => new aws.sns.TopicSubscription(`${name}-alerts-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, global),
        );
        new aws.cloudwatch.MetricAlarm(
            `${name}-waf-blocked-requests`,
            {
                alarmDescription:
                    `The ${args.domainName} WAF blocked more than ${args.wafBlockedRequests ?? MONITORING_DEFAULTS.thresholds.wafBlockedRequests} requests in 5 minutes: ` +
                    "an attack, or a rule blocking real users (see its sampled requests)" +
                    (args.runbookBaseUrl ? `. Runbook: ${args.runbookBaseUrl}#frontend-waf-blocked-requests` : ""),
                namespace: "AWS/WAFV2",
                metricName: "BlockedRequests",
                dimensions: { WebACL: webAcl.name, Rule: "ALL" },
                statistic: "Sum",
                period: 300,
                evaluationPeriods: 1,
                comparisonOperator: "GreaterThanThreshold",
                threshold: args.wafBlockedRequests ?? MONITORING_DEFAULTS.thresholds.wafBlockedRequests,
                treatMissingData: "notBreaching",
                alarmActions: [topic.arn],
                okActions: [topic.arn],
                tags: tagsNamed(args.tags, `${name}-waf-blocked-requests`),
            },
            global,
        );
    }
}
