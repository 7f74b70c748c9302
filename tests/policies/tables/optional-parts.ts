import { AWS, K8S } from "../../../policies/lib/types";
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
    viewerCertificate: { acmCertificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/c", sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
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

const repository = { name: "platform/api", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };
const ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/api:2.0.0";
const deployment = (image: string, labels: Record<string, string> = { "app.kubernetes.io/part-of": "platform" }) => ({
    metadata: { name: "api", namespace: "app", labels },
    spec: { template: { metadata: { labels }, spec: { containers: [{ name: "api", image, envFrom: [{ configMapRef: { name: "api-env" } }] }] } } },
});
const otelEnv = {
    OTEL_EXPORTER_OTLP_ENDPOINT: "http://opentelemetry-collector.tracing.svc.cluster.local:4318",
    OTEL_SERVICE_NAME: "api",
    OTEL_RESOURCE_ATTRIBUTES: "deployment.environment=production,service.version=2.0.0",
};
const traced: TestResource[] = [
    { type: K8S.helmRelease, name: "collector", props: { name: "opentelemetry-collector", chart: "opentelemetry-collector", namespace: "tracing", version: "0.108.0" } },
    { type: K8S.helmRelease, name: "tempo", props: { name: "tempo", chart: "tempo", namespace: "tracing", version: "1.10.3" } },
    { type: K8S.configMap, name: "api-env", props: { metadata: { name: "api-env", namespace: "app" }, data: { NODE_ENV: "production", ...otelEnv } } },
    { type: K8S.deployment, name: "api", props: deployment(ECR_IMAGE) },
];

const resource: ResourceCase[] = [
    {
        policy: "cloudfront-viewer-https", type: CF, compliant: distribution,
        violating: [
            { change: { defaultCacheBehavior: { ...distribution.defaultCacheBehavior, viewerProtocolPolicy: "allow-all" } },
                message: /defaultCacheBehavior: viewerProtocolPolicy is "allow-all", so pages load over plain HTTP/ },
            { change: { orderedCacheBehaviors: [{ pathPattern: "/assets/*", viewerProtocolPolicy: "allow-all" }] }, message: /behaviour "\/assets\/\*": viewerProtocolPolicy/ },
        ],
    },
    {
        policy: "cloudfront-minimum-tls", type: CF, compliant: distribution,
        violating: [
            { change: { viewerCertificate: { ...distribution.viewerCertificate, minimumProtocolVersion: "TLSv1_2016" } },
                message: /minimumProtocolVersion is "TLSv1_2016"; use one of TLSv1\.2_2021/ },
            { change: { viewerCertificate: { cloudfrontDefaultCertificate: true } }, message: /default \*\.cloudfront\.net certificate, which allows TLS 1\.0/ },
        ],
    },
    {
        policy: "cloudfront-origin-access", type: CF, compliant: distribution,
        violating: [
            { change: { origins: [{ originId: "site", domainName: "site.s3-website-eu-west-1.amazonaws.com" }] }, message: /website endpoint .* only serves a public bucket/ },
            { change: { origins: [{ originId: "site", domainName: "site.s3.eu-west-1.amazonaws.com", s3OriginConfig: { originAccessIdentity: "origin-access-identity/cloudfront/E1" } }] },
                message: /reads a bucket without origin access control \(an origin access identity is the legacy way\)/ },
        ],
    },
    {
        policy: "cloudfront-logging", type: CF, compliant: distribution,
        violating: [{ change: { loggingConfig: undefined }, message: /loggingConfig is not set: nobody could tell who requested what/ }],
    },
    {
        policy: "ecr-scan-immutable", type: AWS.ecrRepository, compliant: repository,
        violating: [
            { change: { imageScanningConfiguration: undefined, imageTagMutability: "IMMUTABLE" }, message: /scanOnPush is not set \(false\)/ },
            { change: { imageTagMutability: undefined }, message: /imageTagMutability is not set \(MUTABLE\): a push can replace the image behind a release tag/ },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "cloudfront-security-headers", compliant: site,
        violating: [
            { resources: changed(site, "headers", { props: { securityHeadersConfig: { ...headers.securityHeadersConfig, contentSecurityPolicy: undefined } } }),
                message: /headers \(used by cdn\) sets no Content-Security-Policy/ },
            { resources: changed(site, "headers", { props: { securityHeadersConfig: { ...headers.securityHeadersConfig,
                strictTransportSecurity: { accessControlMaxAgeSec: 300, override: true } } } }), message: /HSTS max-age is 300 seconds; at least 31536000/ },
            { resources: changed(site, "cdn", { props: { defaultCacheBehavior: { ...distribution.defaultCacheBehavior, responseHeadersPolicyId: undefined } } }),
                message: /defaultCacheBehavior has no responseHeadersPolicyId/ },
        ],
    },
    {
        policy: "cloudfront-waf", compliant: site,
        violating: [
            { resources: changed(site, "cdn", { props: { webAclId: undefined }, deps: { defaultCacheBehavior: ["headers"] } }), message: /cdn has no webAclId/ },
            { resources: changed(site, "waf", { props: { scope: "REGIONAL" } }), message: /web ACL waf has scope "REGIONAL"; CloudFront takes only CLOUDFRONT/ },
        ],
    },
    {
        policy: "workload-image-registry", config: { allowedRegistries: ["ghcr.io/acme/"] },
        compliant: [
            { type: AWS.ecrRepository, name: "repo", props: repository },
            { type: K8S.deployment, name: "api", props: deployment(ECR_IMAGE) },
            { type: K8S.deployment, name: "worker", props: deployment("ghcr.io/acme/worker@sha256:" + "a".repeat(64)) },
        ],
        violating: [
            { resources: [{ type: K8S.deployment, name: "api", props: deployment("docker.io/someone/api:2.0.0") }],
                message: /image docker\.io\/someone\/api:2\.0\.0 comes from a registry that is not allowed \(allowed: an ECR repository, ghcr\.io\/acme\/\)/ },
            { resources: [{ type: K8S.deployment, name: "api", props: deployment("ghcr.io/acme/api:latest") }], message: /is not pinned \(the tag latest moves\)/ },
        ],
    },
    {
        policy: "tracing-pipeline", compliant: traced,
        violating: [
            { resources: changed(traced, "api-env", { props: { data: { NODE_ENV: "production" } } }), message: /OTEL_EXPORTER_OTLP_ENDPOINT is not set, so its traces go nowhere/ },
            { resources: changed(traced, "api-env", { props: { data: { ...otelEnv, OTEL_EXPORTER_OTLP_ENDPOINT: "http://jaeger.observability:4318" } } }),
                message: /is "http:\/\/jaeger\.observability:4318", which is not the collector's Service \(opentelemetry-collector in tracing\)/ },
            { resources: changed(traced, "api-env", { props: { data: { ...otelEnv, OTEL_RESOURCE_ATTRIBUTES: undefined } } }), message: /OTEL_RESOURCE_ATTRIBUTES not set/ },
            { resources: traced.filter((r) => r.name !== "tempo"), message: /has no trace store to export to/ },
        ],
    },
    {
        // Required by the stack's policy config (a system whose checklist asks for traces), and absent.
        policy: "tracing-pipeline", config: { required: true }, compliant: traced,
        violating: [{ resources: traced.filter((r) => r.type !== K8S.helmRelease), message: /no OpenTelemetry Collector is deployed/ }],
    },
];

/** The optional parts: static frontend, container registry and tracing. */
export const optionalPartsCases: CaseTable = { area: "optional parts", resource, stack };
