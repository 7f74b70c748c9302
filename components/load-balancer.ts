import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyWithoutTls, makePrivate } from "./bucket";
import { Tags, tagsNamed } from "./tags";
import { createWebAcl, WAF_DEFAULTS } from "./waf";
import { dnsValidatedCertificate } from "./certificate";

/** A service the load balancer forwards to: its target group and health check. */
export interface LoadBalancedService {
    name: string;
    port: number;
    healthPath: string;
}

/** The load balancer's defaults (the stack file's `edge` section): the production values; a stack file relaxes them key by key. */
export const EDGE_DEFAULTS = {
    /** TLS 1.3 and 1.2 only, forward-secret ciphers: what the checklists ask of public endpoints. */
    sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
    rateLimitPerFiveMinutes: WAF_DEFAULTS.rateLimitPerFiveMinutes,
    /** Neither a console click nor an API call deletes the public entry point by mistake. */
    deletionProtection: true,
    /** 90 days of access logs: long enough to trace an incident found weeks later. */
    accessLogRetentionDays: 90,
    /** The ALB's own default: long enough for slow clients, short enough to free idle connections. */
    idleTimeoutSeconds: 60,
} as const satisfies Partial<LoadBalancerArgs>;

/** The stack file's `edge` section, plus the domain, the services and what the platform wires in. Defaults: EDGE_DEFAULTS. */
export interface LoadBalancerArgs {
    vpcId: pulumi.Input<string>;
    /** Subnets of the load balancer: the public tier. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** The security group of the application: it admits the load balancer on the services' ports. */
    targetSecurityGroupId: pulumi.Input<string>;
    /** The public DNS name, e.g. api.example.com. */
    domainName: string;
    /** The Route 53 public hosted zone of the domain. Default: the domain's parent (example.com). */
    hostedZoneName?: string;
    /** The services behind it: the first takes every request no other matches; the others `/<name>/*`. */
    services: LoadBalancedService[];
    /** HTTPS security policy. */
    sslPolicy?: pulumi.Input<string>;
    /** Requests per client IP per 5 minutes before the WAF blocks it. */
    rateLimitPerFiveMinutes?: pulumi.Input<number>;
    deletionProtection?: pulumi.Input<boolean>;
    /** Days access logs are kept. */
    accessLogRetentionDays?: pulumi.Input<number>;
    idleTimeoutSeconds?: pulumi.Input<number>;
    tags?: Tags;
}

const HTTPS = 443;
const HTTP = 80;
const ANYWHERE = "0.0.0.0/0";

/**
 * An internet-facing Application Load Balancer: HTTPS only (HTTP redirects), a DNS-validated ACM
 * certificate, invalid headers dropped, access logs in a private bucket, a target group per service,
 * and a WAF web ACL with a rate limit and AWS managed rules against common attacks and SQL injection.
 */
export class LoadBalancer extends pulumi.ComponentResource {
    public readonly arn: pulumi.Output<string>;
    public readonly arnSuffix: pulumi.Output<string>;
    public readonly dnsName: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly certificateArn: pulumi.Output<string>;
    public readonly webAclArn: pulumi.Output<string>;
    /** The web ACL's name: the WebACL dimension of its CloudWatch metrics. */
    public readonly webAclName: pulumi.Output<string>;
    public readonly accessLogBucket: pulumi.Output<string>;
    /** Target group ARNs by service name. */
    public readonly targetGroupArns: Record<string, pulumi.Output<string>>;
    /** Target group ARN suffixes by service name, as CloudWatch names them. */
    public readonly targetGroupArnSuffixes: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: LoadBalancerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:edge:LoadBalancer", name, {}, opts);
        const parent = { parent: this };
        const tags = (suffix: string) => tagsNamed(args.tags, `${name}-${suffix}`);
        if (args.services.length === 0) {
            throw new Error(`${name}: a load balancer needs at least one service to forward to`);
        }

        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-alb`,
            {
                vpcId: args.vpcId,
                description: `Load balancer of ${name}: HTTPS and HTTP (redirected) from anywhere, out to the services only`,
                tags: tags("alb"),
            },
            parent,
        );
        for (const port of [HTTPS, HTTP]) {
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-alb-${port}`,
                {
                    securityGroupId: securityGroup.id,
                    cidrIpv4: ANYWHERE,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: port === HTTPS ? "HTTPS from the internet" : "HTTP from the internet, redirected to HTTPS",
                    tags: tags(`alb-${port}`),
                },
                parent,
            );
        }
        for (const port of [...new Set(args.services.map((s) => s.port))]) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-alb-to-app-${port}`,
                {
                    securityGroupId: securityGroup.id,
                    referencedSecurityGroupId: args.targetSecurityGroupId,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `To the services on ${port}`,
                    tags: tags(`alb-to-app-${port}`),
                },
                parent,
            );
            new aws.vpc.SecurityGroupIngressRule(
                `${name}-app-from-alb-${port}`,
                {
                    securityGroupId: args.targetSecurityGroupId,
                    referencedSecurityGroupId: securityGroup.id,
                    ipProtocol: "tcp",
                    fromPort: port,
                    toPort: port,
                    description: `From the load balancer on ${port}`,
                    tags: tags(`app-from-alb-${port}`),
                },
                parent,
            );
        }

        const logs = this.createAccessLogBucket(name, args);
        const certificate = dnsValidatedCertificate(name, args, this, { parent: this });

        const alb = new aws.lb.LoadBalancer(
            `${name}-alb`,
            {
                loadBalancerType: "application",
                internal: false,
                securityGroups: [securityGroup.id],
                subnets: args.subnetIds,
                dropInvalidHeaderFields: true,
                desyncMitigationMode: "strictest",
                enableHttp2: true,
                idleTimeout: args.idleTimeoutSeconds ?? EDGE_DEFAULTS.idleTimeoutSeconds,
                enableDeletionProtection: args.deletionProtection ?? EDGE_DEFAULTS.deletionProtection,
                accessLogs: { enabled: true, bucket: logs.bucket, prefix: name },
                tags: tags("alb"),
            },
            { parent: this, dependsOn: [logs.policy] },
        );

        this.targetGroupArns = {};
        this.targetGroupArnSuffixes = {};
        const targetGroups = args.services.map((service) => {
            const group = new aws.lb.TargetGroup(
                `${name}-${service.name}`,
                {
                    vpcId: args.vpcId,
                    targetType: "ip",
                    protocol: "HTTP",
                    port: service.port,
                    deregistrationDelay: 30,
                    healthCheck: {
                        enabled: true,
                        path: service.healthPath,
                        protocol: "HTTP",
                        matcher: "200-399",
                        interval: 15,
                        timeout: 5,
                        healthyThreshold: 2,
                        unhealthyThreshold: 3,
                    },
                    tags: tags(service.name),
                },
                parent,
            );
            this.targetGroupArns[service.name] = group.arn;
            this.targetGroupArnSuffixes[service.name] = group.arnSuffix;
            return group;
        });

        const https = new aws.lb.Listener(
            `${name}-https`,
            {
                loadBalancerArn: alb.arn,
                port: HTTPS,
                protocol: "HTTPS",
                sslPolicy: args.sslPolicy ?? EDGE_DEFAULTS.sslPolicy,
                certificateArn: certificate.arn,
                defaultActions: [{ type: "forward", targetGroupArn: targetGroups[0].arn }],
                tags: tags("https"),
            },
            parent,
        );
        args.services.slice(1).forEach(
            (service, i) =>
                new aws.lb.ListenerRule(
                    `${name}-${service.name}`,
                    {
                        listenerArn: https.arn,
                        priority: 10 * (i + 1),
                        conditions: [{ pathPattern: { values: [`/${service.name}/*`] } }],
                        actions: [{ type: "forward", targetGroupArn: targetGroups[i + 1].arn }],
                        tags: tags(service.name),
                    },
                    parent,
                ),
        );
        new aws.lb.Listener(
            `${name}-http`,
            {
                loadBalancerArn: alb.arn,
                port: HTTP,
                protocol: "HTTP",
                defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: String(HTTPS), statusCode: "HTTP_301" } }],
                tags: tags("http"),
            },
            parent,
        );

        new aws.route53.Record(
            `${name}-alias`,
            {
                zoneId: certificate.zoneId,
                name: args.domainName,
                type: "A",
                aliases: [{ name: alb.dnsName, zoneId: alb.zoneId, evaluateTargetHealth: true }],
            },
            parent,
        );

        const webAcl = createWebAcl(
            name,
            { scope: "REGIONAL", domainName: args.domainName, rateLimitPerFiveMinutes: args.rateLimitPerFiveMinutes, tags: args.tags },
            { parent: this },
        );
        new aws.wafv2.WebAclAssociation(`${name}-waf`, { resourceArn: alb.arn, webAclArn: webAcl.arn }, parent);

        this.arn = alb.arn;
        this.arnSuffix = alb.arnSuffix;
        this.dnsName = alb.dnsName;
        this.securityGroupId = securityGroup.id;
        this.certificateArn = certificate.arn;
        this.webAclArn = webAcl.arn;
        this.webAclName = webAcl.name;
        this.accessLogBucket = logs.bucket;
        this.registerOutputs({
            arn: this.arn,
            dnsName: this.dnsName,
            securityGroupId: this.securityGroupId,
            certificateArn: this.certificateArn,
            webAclArn: this.webAclArn,
            accessLogBucket: this.accessLogBucket,
        });
    }

    /** A private, encrypted bucket that only the region's load balancers may write access logs to. */
    private createAccessLogBucket(name: string, args: LoadBalancerArgs) {
        const parent = { parent: this };
        const bucket = new aws.s3.Bucket(
            `${name}-access-logs`,
            {
                forceDestroy: false,
                tags: tagsNamed(args.tags, `${name}-access-logs`, { Purpose: "access-logs" }),
            },
            parent,
        );
        makePrivate(`${name}-access-logs`, bucket, parent);
        // Load balancers can deliver access logs only to buckets encrypted with S3-managed keys.
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-access-logs`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }],
            },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-access-logs`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "expire-access-logs",
                        status: "Enabled",
                        filter: {},
                        expiration: { days: args.accessLogRetentionDays ?? EDGE_DEFAULTS.accessLogRetentionDays },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            parent,
        );
        const elbAccount = aws.elb.getServiceAccountOutput({}, parent);
        const identity = aws.getCallerIdentityOutput({}, parent);
        const policy = new aws.s3.BucketPolicy(
            `${name}-access-logs`,
            {
                bucket: bucket.id,
                policy: pulumi.all([bucket.arn, elbAccount.arn, identity.accountId]).apply(([arn, elb, account]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Sid: "LoadBalancerWritesAccessLogs",
                                Effect: "Allow",
                                Principal: { AWS: elb },
                                Action: "s3:PutObject",
                                Resource: `${arn}/${name}/AWSLogs/${account}/*`,
                            },
                            denyWithoutTls(arn),
                        ],
                    }),
                ),
            },
            parent,
        );
        return { bucket: bucket.bucket, policy };
    }
}
