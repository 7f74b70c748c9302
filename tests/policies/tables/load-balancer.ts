import { AWS, AWS_EDGE } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";
import { alb, LB } from "../fixtures";

const LISTENER = AWS.listeners[0];

const https = { protocol: "HTTPS", port: 443, sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06", certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c" };

const http = { protocol: "HTTP", port: 80, defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }] };

const classicTls: TestResource[] = [
    {
        type: AWS.classicLoadBalancer,
        name: "shop-elb",
        props: {
            listeners: [
                { lbPort: 443, lbProtocol: "https", instancePort: 8080, instanceProtocol: "http", sslCertificateId: "arn:aws:acm:eu-west-1:1:certificate/c" },
            ],
        },
    },
    {
        type: AWS_EDGE.elbLoadBalancerPolicy,
        name: "shop-tls12",
        deps: { loadBalancerName: ["shop-elb"] },
        props: {
            policyName: "shop-tls12",
            policyTypeName: "SSLNegotiationPolicyType",
            policyAttributes: [{ name: "Reference-Security-Policy", value: "ELBSecurityPolicy-TLS-1-2-2017-01" }],
        },
    },
    {
        type: AWS_EDGE.elbListenerPolicy,
        name: "shop-tls12-listener",
        deps: { loadBalancerName: ["shop-elb"], policyNames: ["shop-tls12"] },
        props: { loadBalancerPort: 443, policyNames: ["shop-tls12"] },
    },
];

const resource: ResourceCase[] = [
    {
        policy: "alb-https-tls-policy",
        type: LISTENER,
        compliant: https,
        violating: [
            { change: { sslPolicy: "ELBSecurityPolicy-2016-08" }, message: /sslPolicy is "ELBSecurityPolicy-2016-08"; use one of ELBSecurityPolicy-TLS13/ },
            { change: { sslPolicy: undefined }, message: /sslPolicy is not set \(the ELB default allows TLS 1\.0\)/ },
            { change: { certificateArn: undefined }, message: /certificateArn is not set/ },
        ],
    },
    {
        policy: "alb-http-redirects-to-https",
        type: LISTENER,
        compliant: http,
        violating: [
            {
                change: { defaultActions: [{ type: "forward", targetGroupArn: "tg" }] },
                message: /the HTTP listener.s defaultActions are \[forward\]; its only action must redirect to HTTPS/,
            },
            { change: { defaultActions: [{ type: "redirect", redirect: { protocol: "HTTP" } }] }, message: /defaultActions are \[redirect\]/ },
        ],
    },
    {
        // A classic load balancer cannot redirect: only HTTPS listeners keep the site encrypted.
        policy: "alb-http-redirects-to-https",
        type: AWS.classicLoadBalancer,
        compliant: {
            listeners: [
                { lbPort: 443, lbProtocol: "https", instancePort: 8080, instanceProtocol: "http", sslCertificateId: "arn:aws:acm:eu-west-1:1:certificate/c" },
            ],
        },
        violating: [
            {
                change: { listeners: [{ lbPort: 80, lbProtocol: "http", instancePort: 80, instanceProtocol: "http" }] },
                message: /listeners on port 80 serve plain HTTP \(lbProtocol http\), and a classic load balancer cannot redirect/,
            },
        ],
    },
    {
        // As a hand-written program registers an ALB listener: no protocol, which the provider sends as HTTP.
        policy: "alb-http-redirects-to-https",
        type: LISTENER,
        compliant: {
            loadBalancerArn: "arn:alb",
            port: 80,
            defaultActions: [{ type: "redirect", redirect: { protocol: "HTTPS", port: "443", statusCode: "HTTP_301" } }],
        },
        violating: [
            {
                label: "a listener with no protocol that forwards",
                change: { defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }] },
                message: /^protocol is not set, so the listener serves plain HTTP, and its defaultActions are \[forward\]/m,
            },
        ],
    },
    {
        // A network load balancer's TLS listener terminates TLS too.
        policy: "alb-https-tls-policy",
        type: AWS.listeners[1],
        compliant: {
            loadBalancerArn: "arn:nlb",
            protocol: "TLS",
            port: 443,
            sslPolicy: "ELBSecurityPolicy-TLS13-1-2-2021-06",
            certificateArn: "arn:aws:acm:eu-west-1:1:certificate/c",
            defaultActions: [{ type: "forward", targetGroupArn: "arn:tg" }],
        },
        violating: [{ change: { sslPolicy: "ELBSecurityPolicy-2016-08" }, message: /sslPolicy is "ELBSecurityPolicy-2016-08"/ }],
    },
    {
        policy: "alb-drop-invalid-headers",
        type: LB,
        compliant: alb,
        violating: [{ change: { dropInvalidHeaderFields: undefined }, message: /dropInvalidHeaderFields is not set, and the provider default is false/ }],
    },
    {
        policy: "alb-access-logs",
        type: LB,
        compliant: alb,
        violating: [
            { change: { accessLogs: { enabled: false, bucket: "alb-logs" } }, message: /accessLogs is \{.*"enabled":false.*\}; enable them to an S3 bucket/ },
        ],
    },
    {
        policy: "alb-deletion-protection",
        type: LB,
        compliant: alb,
        violating: [{ change: { enableDeletionProtection: false }, message: /enableDeletionProtection is false/ }],
    },
    {
        // As components/load-balancer.ts registers it: no stickiness block, so requests spread over every pod.
        policy: "target-group-no-stickiness",
        type: AWS.targetGroups[0],
        compliant: {
            vpcId: "vpc-1",
            targetType: "ip",
            protocol: "HTTP",
            port: 3000,
            deregistrationDelay: 30,
            healthCheck: { enabled: true, path: "/health", protocol: "HTTP", matcher: "200-399" },
        },
        violating: [
            {
                change: { stickiness: { enabled: true, type: "lb_cookie", cookieDuration: 86400 } },
                message: /stickiness\.enabled is true \(type "lb_cookie"\), so each client stays on one target/,
            },
            { change: { stickiness: { type: "app_cookie", cookieName: "SESSION" } }, message: /stickiness\.enabled is not set \(true in a stickiness block\)/ },
        ],
    },
    {
        policy: "target-group-no-stickiness",
        type: AWS.targetGroups[1],
        compliant: { vpcId: "vpc-1", targetType: "instance", protocol: "TCP", port: 5432, stickiness: { enabled: false, type: "source_ip" } },
        violating: [
            { change: { stickiness: { enabled: true, type: "source_ip" } }, message: /stickiness\.enabled is true \(type "source_ip"\)/ },
            { change: { stickiness: { enabled: "yes", type: "source_ip" } }, message: /stickiness\.enabled is "yes"/ },
        ],
    },
];

const stack: StackCase[] = [
    {
        // TLS 1.2 on a classic load balancer: a ListenerPolicy per HTTPS listener naming an SSL negotiation policy.
        policy: "classic-elb-tls-policy",
        compliant: classicTls,
        violating: [
            { resources: without(classicTls, "shop-tls12-listener"), message: /shop-elb: the listeners on port 443 use no TLS 1\.2 negotiation policy/ },
            {
                resources: changed(classicTls, "shop-tls12", {
                    props: { policyAttributes: [{ name: "Reference-Security-Policy", value: "ELBSecurityPolicy-2016-08" }] },
                }),
                message: /accepts TLS 1\.0 and 1\.1/,
            },
        ],
    },
];

export const loadBalancerCases: CaseTable = { area: "load-balancer", resource, stack };
