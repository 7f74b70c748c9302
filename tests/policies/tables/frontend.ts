import { AWS } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase } from "../cases";
import { TestResource } from "../helpers";

const CF = AWS.cloudfrontDistribution;

/** As components/frontend.ts registers it. */
const distribution = {
    enabled: true,
    aliases: ["app.acme-example.com"],
    httpVersion: "http2and3",
    origins: [{ originId: "site-bucket", domainName: "site.s3.eu-west-1.amazonaws.com", originAccessControlId: "E2OAC" }],
    defaultCacheBehavior: { targetOriginId: "site-bucket", viewerProtocolPolicy: "redirect-to-https", responseHeadersPolicyId: "hp-1" },
    viewerCertificate: {
        acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c",
        sslSupportMethod: "sni-only",
        minimumProtocolVersion: "TLSv1.2_2021",
    },
    loggingConfig: { bucket: "logs.s3.amazonaws.com", prefix: "cloudfront/" },
    webAclId: "arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/1",
};

const headers = {
    securityHeadersConfig: {
        strictTransportSecurity: { accessControlMaxAgeSec: 63072000, includeSubdomains: true, override: true },
        contentSecurityPolicy: { contentSecurityPolicy: "default-src 'self'", override: true },
        contentTypeOptions: { override: true },
        frameOptions: { frameOption: "DENY", override: true },
        referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin", override: true },
    },
};

const site: TestResource[] = [
    { type: AWS.cloudfrontResponseHeadersPolicy, name: "headers", props: headers },
    { type: AWS.webAcl, name: "waf", props: { scope: "CLOUDFRONT" } },
    { type: CF, name: "cdn", props: distribution, deps: { defaultCacheBehavior: ["headers"], webAclId: ["waf"] } },
];

const resource: ResourceCase[] = [
    {
        policy: "cloudfront-viewer-https",
        type: CF,
        compliant: distribution,
        violating: [
            {
                change: { defaultCacheBehavior: { ...distribution.defaultCacheBehavior, viewerProtocolPolicy: "allow-all" } },
                message: /defaultCacheBehavior: viewerProtocolPolicy is "allow-all", so pages load over plain HTTP/,
            },
            {
                change: { orderedCacheBehaviors: [{ pathPattern: "/assets/*", viewerProtocolPolicy: "allow-all" }] },
                message: /behaviour "\/assets\/\*": viewerProtocolPolicy/,
            },
        ],
    },
    {
        policy: "cloudfront-minimum-tls",
        type: CF,
        compliant: distribution,
        violating: [
            {
                change: { viewerCertificate: { ...distribution.viewerCertificate, minimumProtocolVersion: "TLSv1_2016" } },
                message: /minimumProtocolVersion is "TLSv1_2016"; use one of TLSv1\.2_2021/,
            },
            {
                change: { viewerCertificate: { cloudfrontDefaultCertificate: true } },
                message: /default \*\.cloudfront\.net certificate, which allows TLS 1\.0/,
            },
        ],
    },
    {
        policy: "cloudfront-origin-access",
        type: CF,
        compliant: distribution,
        violating: [
            {
                change: { origins: [{ originId: "site", domainName: "site.s3-website-eu-west-1.amazonaws.com" }] },
                message: /website endpoint .* only serves a public bucket/,
            },
            {
                change: {
                    origins: [
                        {
                            originId: "site",
                            domainName: "site.s3.eu-west-1.amazonaws.com",
                            s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1" },
                        },
                    ],
                },
                message: /reads a bucket without origin access control \(an origin access identity is the legacy way\)/,
            },
        ],
    },
    {
        policy: "cloudfront-logging",
        type: CF,
        compliant: distribution,
        violating: [{ change: { loggingConfig: undefined }, message: /loggingConfig is not set: nobody could tell who requested what/ }],
    },
];

const stack: StackCase[] = [
    {
        policy: "cloudfront-security-headers",
        compliant: site,
        violating: [
            {
                resources: changed(site, "headers", {
                    props: { securityHeadersConfig: { ...headers.securityHeadersConfig, contentSecurityPolicy: undefined } },
                }),
                message: /headers \(used by cdn\) sets no Content-Security-Policy/,
            },
            {
                resources: changed(site, "headers", {
                    props: {
                        securityHeadersConfig: { ...headers.securityHeadersConfig, strictTransportSecurity: { accessControlMaxAgeSec: 300, override: true } },
                    },
                }),
                message: /HSTS max-age is 300 seconds; at least 31536000/,
            },
            {
                resources: changed(site, "cdn", {
                    props: { defaultCacheBehavior: { ...distribution.defaultCacheBehavior, responseHeadersPolicyId: undefined } },
                }),
                message: /defaultCacheBehavior has no responseHeadersPolicyId/,
            },
        ],
    },
    {
        policy: "cloudfront-waf",
        compliant: site,
        violating: [
            {
                resources: changed(site, "cdn", { props: { webAclId: undefined }, deps: { defaultCacheBehavior: ["headers"] } }),
                message: /cdn has no webAclId/,
            },
            {
                resources: changed(site, "waf", { props: { scope: "REGIONAL" } }),
                message: /web ACL waf has scope "REGIONAL"; CloudFront takes only CLOUDFRONT/,
            },
        ],
    },
];

export const frontendCases: CaseTable = { area: "frontend", resource, stack };
