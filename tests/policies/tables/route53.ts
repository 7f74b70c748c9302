import { AWS, AWS_EDGE } from "../../../policies/lib/types";
import { CaseTable, changed, StackCase, without } from "../cases";
import { TestResource } from "../helpers";
import { alb, LB, publicEndpoint } from "../fixtures";

/**
 * Internet-facing load balancers of each kind with their alias records: by reference (as components/load-balancer.ts
 * registers it), or by the DNS name written out as Route 53 returns it. An internal one needs none.
 */
const named: TestResource[] = [
    { type: LB, name: "alb", props: alb },
    {
        type: AWS.route53Record,
        name: "api-alias",
        props: {
            zoneId: "Z1",
            name: "api.acme-example.com",
            type: "A",
            aliases: [{ name: "alb-123.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }],
        },
        deps: { aliases: ["alb"] },
    },
    { type: AWS.loadBalancers[1], name: "nlb", props: { loadBalancerType: "network", dnsName: "nlb-456.elb.eu-west-1.amazonaws.com" } },
    {
        type: AWS.route53Record,
        name: "tcp-alias",
        props: {
            zoneId: "Z1",
            name: "tcp.acme-example.com",
            type: "A",
            aliases: [{ name: "dualstack.NLB-456.elb.eu-west-1.amazonaws.com.", zoneId: "Z2IFOLAFXWLO4F", evaluateTargetHealth: true }],
        },
    },
    { type: AWS.classicLoadBalancer, name: "legacy-elb", props: { internal: false, listeners: [{ lbPort: 443, lbProtocol: "https" }] } },
    {
        type: AWS.route53Record,
        name: "legacy-alias",
        props: {
            zoneId: "Z1",
            name: "legacy.acme-example.com",
            type: "A",
            aliases: [{ name: "legacy-789.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: false }],
        },
        deps: { aliases: ["legacy-elb"] },
    },
    { type: LB, name: "internal-alb", props: { ...alb, internal: true } },
];

/** A single EC2 instance reached by its Elastic IP, probed by address; the NAT gateway's address is no endpoint. */
const elasticIpEndpoint: TestResource[] = [
    { type: AWS_EDGE.eip, name: "web-ip", props: { domain: "vpc", instance: "i-0abc", publicIp: "198.51.100.7" } },
    { type: AWS_EDGE.eip, name: "nat-ip", props: { domain: "vpc", publicIp: "198.51.100.9" } },
    {
        type: AWS.healthCheck,
        name: "web-uptime",
        deps: { ipAddress: ["web-ip"] },
        props: { type: "HTTP", ipAddress: "198.51.100.7", port: 80, resourcePath: "/" },
    },
    {
        type: AWS.metricAlarm,
        name: "web-uptime-alarm",
        deps: { dimensions: ["web-uptime"] },
        props: { namespace: "AWS/Route53", metricName: "HealthCheckStatus", alarmActions: ["arn:aws:sns:us-east-1:123456789012:oncall"] },
    },
];

const stack: StackCase[] = [
    {
        policy: "dns-alias-record",
        compliant: named,
        violating: [
            { resources: without(named, "api-alias"), message: /^alb is internet-facing, but no Route 53 alias record points at it; clients would depend/m },
            {
                resources: changed(named, "tcp-alias", {
                    props: { aliases: [{ name: "other-1.elb.eu-west-1.amazonaws.com", zoneId: "Z2", evaluateTargetHealth: true }] },
                }),
                message: /^nlb is internet-facing, but no Route 53 alias record points at it/m,
            },
            {
                resources: [
                    ...without(named, "api-alias"),
                    {
                        type: AWS.route53Record,
                        name: "api-cname",
                        props: { zoneId: "Z1", name: "api.acme-example.com", type: "CNAME", ttl: 300, records: ["alb-123.eu-west-1.elb.amazonaws.com"] },
                        deps: { records: ["alb"] },
                    },
                ],
                message: /alb is internet-facing, .*\(only the record api-cname names it, which is not an alias\)/,
            },
            { resources: without(named, "legacy-alias"), message: /^legacy-elb is internet-facing/m },
        ],
    },
    {
        policy: "uptime-check",
        compliant: publicEndpoint,
        violating: [
            { resources: without(publicEndpoint, "uptime-alarm"), message: /uptime has no alarm on HealthCheckStatus/ },
            { resources: without(publicEndpoint, "uptime", "uptime-alarm"), message: /^no Route 53 health check probes the public endpoint alb/m },
            // A load balancer is internet-facing unless it says otherwise.
            {
                resources: without(changed(publicEndpoint, "alb", { props: { internal: undefined } }), "uptime", "uptime-alarm"),
                message: /no Route 53 health check/,
            },
            {
                resources: changed(publicEndpoint, "uptime", { props: { type: "HTTPS", fqdn: "status.other-vendor.example", resourcePath: "/health" } }),
                message: /no Route 53 health check probes the public endpoint alb \(.*api\.acme\.example.*\); uptime probes "status\.other-vendor\.example"/,
            },
            {
                resources: changed(publicEndpoint, "uptime", { props: { type: "HTTPS", fqdn: "api.acme.example", resourcePath: "/" } }),
                message: /uptime probes resourcePath "\/", not the health path \/health that the target group checks/,
            },
            {
                resources: without(publicEndpoint, "uptime-email"),
                message: /uptime's HealthCheckStatus alarm uptime-alarm notifies nobody \(no alarmActions, or only topics without a subscription\)/,
            },
        ],
    },
    {
        policy: "uptime-check",
        compliant: elasticIpEndpoint,
        violating: [
            {
                resources: without(elasticIpEndpoint, "web-uptime", "web-uptime-alarm"),
                message: /no Route 53 health check probes the public endpoint web-ip \(198\.51\.100\.7\)/,
            },
        ],
    },
];

export const route53Cases: CaseTable = { area: "route53", resource: [], stack };
