import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface TcpPath {
    /** The security group that opens the connection. */
    source: pulumi.Input<string>;
    /** The security group that accepts it. */
    target: pulumi.Input<string>;
    port: number;
    description: string;
    /** Names of the two rules: the target's ingress from the source, the source's egress to the target. */
    ingressName: string;
    egressName: string;
}

/**
 * One TCP path between two security groups, opened at both ends: the target admits the source and
 * the source may reach the target, on that port only. Neither group needs an egress rule to anywhere.
 */
export function allowTcp(path: TcpPath, opts: pulumi.CustomResourceOptions): void {
    const rule = { ipProtocol: "tcp", fromPort: path.port, toPort: path.port, description: path.description };
    new aws.vpc.SecurityGroupIngressRule(path.ingressName, { ...rule, securityGroupId: path.target, referencedSecurityGroupId: path.source }, opts);
    new aws.vpc.SecurityGroupEgressRule(path.egressName, { ...rule, securityGroupId: path.source, referencedSecurityGroupId: path.target }, opts);
}
