import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { isApplicationLoadBalancer } from "../lib/load-balancers";
import { AWS, AWS_EDGE } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, requireBoolean, show } from "../lib/values";

export const TLS13_POLICIES = [
    "ELBSecurityPolicy-TLS13-1-2-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
    "ELBSecurityPolicy-TLS13-1-3-2021-06",
    "ELBSecurityPolicy-TLS13-1-2-FIPS-2023-04",
    "ELBSecurityPolicy-TLS13-1-3-FIPS-2023-04",
];

export const albHttpsTlsPolicy: ResourceRule<{ allowedPolicies: string[] }> = {
    name: "alb-https-tls-policy",
    description: "HTTPS (ALB) and TLS (NLB) listeners use a certificate and a TLS 1.3/1.2 security policy.",
    severity: "high",
    checklist: ["EDGE-02"],
    references: [
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/describe-ssl-policies.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/describe-ssl-policies.html",
    ],
    equivalents: ["CKV_AWS_103", "CKV2_AWS_74", "AVD-AWS-0047"],
    remediation: "Set sslPolicy to an allowed ELBSecurityPolicy-TLS13-* policy and certificateArn to the ACM certificate.",
    resourceTypes: AWS.listeners,
    config: { allowedPolicies: { type: "array", items: { type: "string" }, default: TLS13_POLICIES, description: "Security policies allowed." } },
    validate({ props }, { allowedPolicies }, report) {
        // HTTPS on an application load balancer, TLS on a network load balancer: both terminate TLS with the listener's policy.
        if (props.protocol !== "HTTPS" && props.protocol !== "TLS") {
            return;
        }
        if (!allowedPolicies.includes(props.sslPolicy)) {
            const given = props.sslPolicy === undefined ? "not set (the ELB default allows TLS 1.0)" : show(props.sslPolicy);
            report(`sslPolicy is ${given}; use one of ${allowedPolicies.join(", ")}`);
        }
        if (!isSet(props, "certificateArn")) {
            report("certificateArn is not set; attach the ACM certificate of the domain");
        }
    },
};

export const albHttpRedirectsToHttps: ResourceRule = {
    name: "alb-http-redirects-to-https",
    description: "Plain-HTTP listeners only redirect to HTTPS.",
    severity: "high",
    checklist: ["EDGE-03"],
    references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html"],
    equivalents: ["CKV_AWS_2", "CKV2_AWS_20", "AVD-AWS-0054"],
    remediation:
        "Give the HTTP listener (protocol HTTP, or no protocol) one entry in defaultActions: type redirect with redirect.protocol HTTPS, " +
        "port 443, statusCode HTTP_301.",
    resourceTypes: [...AWS.listeners, AWS.classicLoadBalancer],
    validate({ type, props }, _config, report) {
        if (type === AWS.classicLoadBalancer) {
            // A classic load balancer cannot redirect: a plain-HTTP listener serves the site unencrypted.
            const plain = (listOf(props.listeners) ?? []).map(objectOf).filter((l) => String(l?.lbProtocol ?? "").toLowerCase() === "http");
            if (plain.length > 0) {
                report(
                    `listeners on port ${plain.map((l) => show(l!.lbPort)).join(", ")} serve plain HTTP (lbProtocol http), and a classic load balancer ` +
                        "cannot redirect: listen with lbProtocol https only, or move to an application load balancer that redirects",
                );
            }
            return;
        }
        // Without a protocol an application load balancer's listener serves HTTP (a network load balancer's needs one, and a
        // gateway load balancer's takes none: those have no default actions of the HTTP kinds).
        const protocol = props.protocol ?? (isSet(props, "certificateArn") ? undefined : "HTTP");
        if (protocol !== "HTTP") {
            return;
        }
        const actions = (listOf(props.defaultActions) ?? []).map(objectOf);
        const redirectsToHttps = (a: Record<string, any> | undefined) => a?.type === "redirect" && objectOf(a.redirect)?.protocol === "HTTPS";
        if (actions.length !== 1 || !redirectsToHttps(actions[0])) {
            const kinds = actions.map((a) => a?.type ?? "?").join(", ") || "none";
            const which = props.protocol === undefined ? "protocol is not set, so the listener serves plain HTTP, and its" : "the HTTP listener's";
            report(`${which} defaultActions are [${kinds}]; its only action must redirect to HTTPS`);
        }
    },
};

export const albDropInvalidHeaders: ResourceRule = {
    name: "alb-drop-invalid-headers",
    description: "The load balancer drops HTTP headers that are not valid.",
    severity: "medium",
    checklist: ["EDGE-04"],
    references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"],
    equivalents: ["CKV_AWS_131", "AVD-AWS-0052"],
    remediation: "Set dropInvalidHeaderFields: true.",
    resourceTypes: AWS.loadBalancers,
    validate(resource, config, report) {
        if (isApplicationLoadBalancer(resource.props)) {
            requireBoolean("dropInvalidHeaderFields", true, false)(resource, config, report);
        }
    },
};

export const albAccessLogs: ResourceRule = {
    name: "alb-access-logs",
    description: "The load balancer writes access logs to S3.",
    severity: "medium",
    checklist: ["EDGE-01"],
    references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-access-logs.html"],
    equivalents: ["CKV_AWS_91"],
    remediation: "Set accessLogs: { enabled: true, bucket: <hardened log bucket> }.",
    resourceTypes: AWS.loadBalancers,
    validate({ props }, _config, report) {
        if (!isApplicationLoadBalancer(props)) {
            return;
        }
        const logs = objectOf(props.accessLogs);
        if (logs?.enabled !== true || !isSet(logs, "bucket")) {
            report(`accessLogs is ${show(props.accessLogs)}; enable them to an S3 bucket`);
        }
    },
};

export const albDeletionProtection: ResourceRule = {
    name: "alb-deletion-protection",
    description: "The load balancer cannot be deleted until deletion protection is turned off.",
    severity: "medium",
    checklist: ["EDGE-01"],
    references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html"],
    equivalents: ["CKV_AWS_150"],
    remediation: "Set enableDeletionProtection: true.",
    resourceTypes: AWS.loadBalancers,
    validate: requireBoolean("enableDeletionProtection", true, false),
};

export const targetGroupNoStickiness: ResourceRule = {
    name: "target-group-no-stickiness",
    description: "Target groups spread requests over every target: no sticky sessions.",
    severity: "medium",
    checklist: ["EDGE-08"],
    references: ["https://docs.aws.amazon.com/elasticloadbalancing/latest/application/sticky-sessions.html"],
    remediation: "Remove the stickiness block or set stickiness.enabled: false, and keep session state in a shared store (Redis) instead of one pod.",
    resourceTypes: AWS.targetGroups,
    validate({ props }, _config, report) {
        const stickiness = objectOf(props.stickiness);
        // No block: the provider leaves stickiness off. In a block, enabled defaults to true.
        if (stickiness && stickiness.enabled !== false) {
            const enabled = stickiness.enabled === undefined ? "not set (true in a stickiness block)" : show(stickiness.enabled);
            report(
                `stickiness.enabled is ${enabled} (type ${show(stickiness.type)}), so each client stays on one target: ` +
                    "load is uneven and its session is lost when that target goes; set it to false",
            );
        }
    },
};

/** Predefined classic ELB policies that refuse TLS 1.0 and 1.1. */
const CLASSIC_TLS12_POLICIES = /^ELBSecurityPolicy-TLS-1-2-/;

export const classicElbTlsPolicy: StackRule = {
    name: "classic-elb-tls-policy",
    appliesTo: [AWS.classicLoadBalancer],
    description: "HTTPS and SSL listeners of classic load balancers refuse TLS 1.0 and 1.1.",
    severity: "high",
    checklist: ["EDGE-02"],
    references: [
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/elb-security-policy-table.html",
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/classic/ssl-config-update.html",
    ],
    equivalents: ["CKV_AWS_213"],
    remediation:
        "Give each HTTPS/SSL listener an aws.elb.ListenerPolicy naming an aws.elb.LoadBalancerPolicy of type SSLNegotiationPolicyType " +
        "whose Reference-Security-Policy is ELBSecurityPolicy-TLS-1-2-2017-01 (the default, ELBSecurityPolicy-2016-08, accepts TLS 1.0).",
    validate(stack, _config, report) {
        const modernPolicies = stack
            .ofType(AWS_EDGE.elbLoadBalancerPolicy)
            .filter(
                (p) =>
                    peek(p.props, "policyTypeName") === "SSLNegotiationPolicyType" &&
                    (listOf(peek(p.props, "policyAttributes")) ?? [])
                        .map(objectOf)
                        .some((a) => a?.name === "Reference-Security-Policy" && CLASSIC_TLS12_POLICIES.test(String(a.value))),
            );
        for (const elb of stack.ofType(AWS.classicLoadBalancer)) {
            const encrypted = (listOf(peek(elb.props, "listeners")) ?? [])
                .map(objectOf)
                .filter((l) => ["https", "ssl"].includes(String(l?.lbProtocol ?? "").toLowerCase()));
            const uncovered = encrypted.filter(
                (listener) =>
                    !stack
                        .ofType(AWS_EDGE.elbListenerPolicy)
                        .some(
                            (lp) =>
                                stack.referencedBy(lp, "loadBalancerName").some((r) => r.urn === elb.urn) &&
                                numberOf(peek(lp.props, "loadBalancerPort")) === numberOf(listener!.lbPort) &&
                                stack.referencedBy(lp, "policyNames").some((p) => modernPolicies.some((m) => m.urn === p.urn)),
                        ),
            );
            if (uncovered.length > 0) {
                report(
                    `${elb.name}: the listeners on port ${uncovered.map((l) => show(l!.lbPort)).join(", ")} use no TLS 1.2 negotiation policy, ` +
                        "so the default ELBSecurityPolicy-2016-08 accepts TLS 1.0 and 1.1",
                    elb,
                );
            }
        }
    },
};

export const loadBalancerRules: RuleFile = {
    title: "Elastic Load Balancing (ALB, NLB, classic)",
    resource: [
        albHttpsTlsPolicy,
        albHttpRedirectsToHttps,
        albDropInvalidHeaders,
        albAccessLogs,
        albDeletionProtection,
        targetGroupNoStickiness,
    ] as ResourceRule<any>[],
    stack: [classicElbTlsPolicy] as StackRule<any>[],
};
