import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { cidrSubnet, vpcResolverAddress } from "./cidr";
import { Tags, tagsNamed } from "./tags";

/** An existing VPC and its subnets, adopted instead of creating a new network. */
export interface ExistingVpc {
    vpcId: pulumi.Input<string>;
    publicSubnetIds: pulumi.Input<string>[];
    privateSubnetIds: pulumi.Input<string>[];
    isolatedSubnetIds: pulumi.Input<string>[];
}

/** The network's defaults: the production values; a stack file relaxes them key by key. */
export const NETWORK_DEFAULTS = {
    /** A /16 leaves room for three tiers of subnets in three zones, and for growth. */
    cidrBlock: "10.0.0.0/16",
    /** Three zones: losing one leaves two to run on. */
    availabilityZoneCount: 3,
    /** One NAT gateway per zone: losing a zone does not cut the others' egress. */
    natGateways: "perAz",
    flowLogs: {
        /** Flow logs are the record of who talked to whom, needed in an incident. */
        enabled: true,
        /** A year: incidents are often found months after they began. */
        retentionDays: 365,
        /** Accepted and rejected traffic: rejected probes are as telling as accepted flows. */
        trafficType: "ALL",
    },
} as const satisfies NetworkArgs;

export type NatGateways = "perAz" | "single";

/** VPC flow logs, as the stack file's `network.flowLogs`. */
export interface FlowLogs {
    /** Record VPC flow logs to CloudWatch Logs. */
    enabled?: boolean;
    /** How long flow logs are kept, in days. */
    retentionDays?: pulumi.Input<number>;
    /** Which traffic the flow logs record. */
    trafficType?: pulumi.Input<"ALL" | "ACCEPT" | "REJECT">;
}

/** The stack file's `network` section, plus what the platform wires in. Defaults: NETWORK_DEFAULTS. */
export interface NetworkArgs {
    /** The VPC's IPv4 range, /16 to /20. Plain, not an Input: the subnets are carved from it at plan time. */
    cidrBlock?: string;
    /** How many availability zones (looked up in the region) to spread over. */
    availabilityZoneCount?: number;
    /** One NAT gateway per availability zone (survives the loss of a zone), or a single shared one. */
    natGateways?: NatGateways;
    /** Adopt this VPC and its subnets instead of creating one. */
    existing?: ExistingVpc;
    flowLogs?: FlowLogs;
    /** KMS key that encrypts the flow log group. Its key policy must let CloudWatch Logs use it. */
    logsKmsKeyArn?: pulumi.Input<string>;
    tags?: Tags;
}

const ANYWHERE = "0.0.0.0/0";

/**
 * A VPC over several availability zones with three tiers of subnets: public (load balancer, NAT),
 * private (application, egress through NAT) and isolated (data stores, no route out), plus flow logs.
 */
export class Network extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly cidrBlock: pulumi.Output<string>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    /** Address ranges of the public subnets (the whole VPC's range for an adopted VPC): where the load balancer's traffic comes from. */
    public readonly publicSubnetCidrs: pulumi.Output<string[]>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly isolatedSubnetIds: pulumi.Output<string[]>;
    public readonly natGatewayIds: pulumi.Output<string[]>;
    /** The security group the application carries (its pods or nodes): data stores admit only this group. */
    public readonly appSecurityGroupId: pulumi.Output<string>;
    public readonly flowLogGroupName: pulumi.Output<string> | undefined;

    constructor(name: string, args: NetworkArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("platform:network:Network", name, {}, opts);

        if (args.existing) {
            const existing = args.existing;
            this.vpcId = pulumi.output(existing.vpcId);
            this.cidrBlock = aws.ec2.getVpcOutput({ id: existing.vpcId }, { parent: this }).cidrBlock;
            this.publicSubnetIds = pulumi.output(existing.publicSubnetIds);
            this.publicSubnetCidrs = this.cidrBlock.apply((cidr) => [cidr]);
            this.privateSubnetIds = pulumi.output(existing.privateSubnetIds);
            this.isolatedSubnetIds = pulumi.output(existing.isolatedSubnetIds);
            this.natGatewayIds = pulumi.output([]);
        } else {
            const created = this.createVpc(name, args);
            this.vpcId = created.vpcId;
            this.cidrBlock = created.cidrBlock;
            this.publicSubnetIds = created.publicSubnetIds;
            this.publicSubnetCidrs = created.publicSubnetCidrs;
            this.privateSubnetIds = created.privateSubnetIds;
            this.isolatedSubnetIds = created.isolatedSubnetIds;
            this.natGatewayIds = created.natGatewayIds;
        }

        const appSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-app`,
            {
                vpcId: this.vpcId,
                description: `Application workloads of ${name}; attach to the pods or nodes that run the services`,
                tags: tagsNamed(args.tags, `${name}-app`),
            },
            { parent: this },
        );
        // The application resolves names and calls AWS and third-party APIs over HTTPS; the data stores add
        // their own port to their own group, and the load balancer adds the ingress. Nothing else leaves.
        const resolver = this.cidrBlock.apply((cidr) => `${vpcResolverAddress(cidr)}/32`);
        for (const protocol of ["udp", "tcp"]) {
            new aws.vpc.SecurityGroupEgressRule(
                `${name}-app-dns-${protocol}`,
                {
                    securityGroupId: appSecurityGroup.id,
                    description: `DNS (${protocol.toUpperCase()}) to the VPC resolver`,
                    ipProtocol: protocol,
                    fromPort: 53,
                    toPort: 53,
                    cidrIpv4: resolver,
                },
                { parent: this },
            );
        }
        new aws.vpc.SecurityGroupEgressRule(
            `${name}-app-https`,
            {
                securityGroupId: appSecurityGroup.id,
                description: "HTTPS to AWS APIs and third-party APIs",
                ipProtocol: "tcp",
                fromPort: 443,
                toPort: 443,
                cidrIpv4: ANYWHERE,
            },
            { parent: this },
        );
        this.appSecurityGroupId = appSecurityGroup.id;

        if (args.flowLogs?.enabled ?? NETWORK_DEFAULTS.flowLogs.enabled) {
            this.flowLogGroupName = this.createFlowLogs(name, args);
        }

        this.registerOutputs({
            vpcId: this.vpcId,
            cidrBlock: this.cidrBlock,
            publicSubnetIds: this.publicSubnetIds,
            privateSubnetIds: this.privateSubnetIds,
            isolatedSubnetIds: this.isolatedSubnetIds,
            natGatewayIds: this.natGatewayIds,
            appSecurityGroupId: this.appSecurityGroupId,
            ...(this.flowLogGroupName ? { flowLogGroupName: this.flowLogGroupName } : {}),
        });
    }

    private createVpc(name: string, args: NetworkArgs) {
        const cidrBlock = args.cidrBlock ?? NETWORK_DEFAULTS.cidrBlock;
        const zoneCount = args.availabilityZoneCount ?? NETWORK_DEFAULTS.availabilityZoneCount;
        const tags = args.tags;
        const opts = { parent: this };

        const vpc = new aws.ec2.Vpc(
            `${name}-vpc`,
            {
                cidrBlock,
                enableDnsSupport: true,
                enableDnsHostnames: true,
                tags: tagsNamed(tags, `${name}-vpc`),
            },
            opts,
        );

        // The default security group allows all traffic between its members; strip it so nothing relies on it.
        new aws.ec2.DefaultSecurityGroup(
            `${name}-default-sg`,
            {
                vpcId: vpc.id,
                ingress: [],
                egress: [],
                tags: tagsNamed(tags, `${name}-default-sg (unused)`),
            },
            opts,
        );

        const zones = aws
            .getAvailabilityZonesOutput(
                {
                    state: "available",
                    filters: [{ name: "opt-in-status", values: ["opt-in-not-required"] }],
                },
                opts,
            )
            .names.apply((names) => {
                if (names.length < zoneCount) {
                    throw new Error(`the region has ${names.length} availability zones; platform:network.availabilityZoneCount asks for ${zoneCount}`);
                }
                return names.slice(0, zoneCount);
            });

        const subnet = (tier: "public" | "private" | "isolated", index: number, cidr: string) =>
            new aws.ec2.Subnet(
                `${name}-${tier}-${index + 1}`,
                {
                    vpcId: vpc.id,
                    cidrBlock: cidr,
                    availabilityZone: zones[index],
                    mapPublicIpOnLaunch: false,
                    tags: tagsNamed(tags, `${name}-${tier}-${index + 1}`, { Tier: tier }),
                },
                opts,
            );

        const indexes = Array.from({ length: zoneCount }, (_, index) => index);
        // Public and isolated tiers are small /+5 blocks; the application tier gets three /+3 blocks.
        const publicCidrs = indexes.map((i) => cidrSubnet(cidrBlock, 5, i));
        const publicSubnets = indexes.map((i) => subnet("public", i, publicCidrs[i]));
        const privateSubnets = indexes.map((i) => subnet("private", i, cidrSubnet(cidrBlock, 3, 1 + i)));
        const isolatedSubnets = indexes.map((i) => subnet("isolated", i, cidrSubnet(cidrBlock, 5, 16 + i)));

        const internetGateway = new aws.ec2.InternetGateway(
            `${name}-igw`,
            {
                vpcId: vpc.id,
                tags: tagsNamed(tags, `${name}-igw`),
            },
            opts,
        );
        const publicRoutes = new aws.ec2.RouteTable(
            `${name}-public`,
            {
                vpcId: vpc.id,
                tags: tagsNamed(tags, `${name}-public`),
            },
            opts,
        );
        new aws.ec2.Route(
            `${name}-public-internet`,
            {
                routeTableId: publicRoutes.id,
                destinationCidrBlock: ANYWHERE,
                gatewayId: internetGateway.id,
            },
            opts,
        );
        publicSubnets.forEach(
            (s, i) =>
                new aws.ec2.RouteTableAssociation(
                    `${name}-public-${i + 1}`,
                    {
                        subnetId: s.id,
                        routeTableId: publicRoutes.id,
                    },
                    opts,
                ),
        );

        const natCount = (args.natGateways ?? NETWORK_DEFAULTS.natGateways) === "perAz" ? zoneCount : 1;
        const natGateways = indexes.slice(0, natCount).map((i) => {
            const address = new aws.ec2.Eip(
                `${name}-nat-${i + 1}`,
                {
                    domain: "vpc",
                    tags: tagsNamed(tags, `${name}-nat-${i + 1}`),
                },
                opts,
            );
            return new aws.ec2.NatGateway(
                `${name}-nat-${i + 1}`,
                {
                    allocationId: address.id,
                    subnetId: publicSubnets[i].id,
                    tags: tagsNamed(tags, `${name}-nat-${i + 1}`),
                },
                { parent: this, dependsOn: [internetGateway] },
            );
        });

        privateSubnets.forEach((s, i) => {
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${i + 1}`,
                {
                    vpcId: vpc.id,
                    tags: tagsNamed(tags, `${name}-private-${i + 1}`),
                },
                opts,
            );
            new aws.ec2.Route(
                `${name}-private-${i + 1}-nat`,
                {
                    routeTableId: routes.id,
                    destinationCidrBlock: ANYWHERE,
                    natGatewayId: natGateways[Math.min(i, natCount - 1)].id,
                },
                opts,
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${i + 1}`, { subnetId: s.id, routeTableId: routes.id }, opts);
        });

        // Isolated subnets get a route table with only the local route: no way in or out of the VPC.
        const isolatedRoutes = new aws.ec2.RouteTable(
            `${name}-isolated`,
            {
                vpcId: vpc.id,
                tags: tagsNamed(tags, `${name}-isolated`),
            },
            opts,
        );
        isolatedSubnets.forEach(
            (s, i) =>
                new aws.ec2.RouteTableAssociation(
                    `${name}-isolated-${i + 1}`,
                    {
                        subnetId: s.id,
                        routeTableId: isolatedRoutes.id,
                    },
                    opts,
                ),
        );

        const ids = (subnets: aws.ec2.Subnet[]) => pulumi.all(subnets.map((s) => s.id));
        return {
            vpcId: vpc.id,
            cidrBlock: vpc.cidrBlock,
            publicSubnetIds: ids(publicSubnets),
            publicSubnetCidrs: pulumi.output(publicCidrs),
            privateSubnetIds: ids(privateSubnets),
            isolatedSubnetIds: ids(isolatedSubnets),
            natGatewayIds: pulumi.all(natGateways.map((n) => n.id)),
        };
    }

    private createFlowLogs(name: string, args: NetworkArgs): pulumi.Output<string> {
        const opts = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, opts);
        const logGroup = new aws.cloudwatch.LogGroup(
            `${name}-flow-logs`,
            {
                name: `/aws/vpc/${name}/flow-logs`,
                retentionInDays: args.flowLogs?.retentionDays ?? NETWORK_DEFAULTS.flowLogs.retentionDays,
                kmsKeyId: args.logsKmsKeyArn,
                tags: tagsNamed(args.tags, `${name}-flow-logs`),
            },
            opts,
        );
        const role = new aws.iam.Role(
            `${name}-flow-logs`,
            {
                description: `Lets VPC flow logs of ${name} write to CloudWatch Logs`,
                assumeRolePolicy: identity.accountId.apply((accountId) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                                Action: "sts:AssumeRole",
                                // Only flow logs of this account may assume the role (confused-deputy guard).
                                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
                            },
                        ],
                    }),
                ),
                tags: tagsNamed(args.tags, `${name}-flow-logs`),
            },
            opts,
        );
        new aws.iam.RolePolicy(
            `${name}-flow-logs`,
            {
                role: role.id,
                policy: logGroup.arn.apply((arn) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            {
                                Effect: "Allow",
                                Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                                Resource: [arn, `${arn}:*`],
                            },
                        ],
                    }),
                ),
            },
            opts,
        );
        new aws.ec2.FlowLog(
            `${name}-flow-logs`,
            {
                vpcId: this.vpcId,
                trafficType: args.flowLogs?.trafficType ?? NETWORK_DEFAULTS.flowLogs.trafficType,
                logDestinationType: "cloud-watch-logs",
                logDestination: logGroup.arn,
                iamRoleArn: role.arn,
                maxAggregationInterval: 60,
                tags: tagsNamed(args.tags, `${name}-flow-logs`),
            },
            opts,
        );
        return logGroup.name;
    }
}
