import * as assert from "assert/strict";
import { cidrSubnet } from "../../components/cidr";
import { Network } from "../../components/network";
import { AWS, AWS_PLATFORM } from "../../policies/lib/types";
import { Plan, planComponents, planStack, resolve } from "../helpers";

const NAT = AWS_PLATFORM.natGateway;
const SUBNET = AWS_PLATFORM.subnet;
const ROUTE = AWS_PLATFORM.route;
const FLOW_LOG = AWS_PLATFORM.flowLog;
const LOG_GROUP = AWS.logGroup;

function subnetsOfTier(plan: Plan, tier: string) {
    return plan.ofType(SUBNET).filter((s) => plan.input(s, "tags").Tier === tier);
}

function toRange(cidr: string): [number, number] {
    const [address, prefix] = cidr.split("/");
    const start = address.split(".").reduce((v, o) => v * 256 + Number(o), 0);
    return [start, start + 2 ** (32 - Number(prefix))];
}

describe("cidrSubnet", () => {
    it("carves numbered subnets like Terraform's cidrsubnet", () => {
        assert.equal(cidrSubnet("10.0.0.0/16", 4, 2), "10.0.32.0/20");
        assert.equal(cidrSubnet("10.20.0.0/16", 5, 16), "10.20.128.0/21");
        assert.equal(cidrSubnet("172.16.16.0/20", 3, 1), "172.16.18.0/23");
    });

    it("refuses a subnet number that does not fit", () => {
        assert.throws(() => cidrSubnet("10.0.0.0/16", 3, 8), /cannot take subnet 8/);
        assert.throws(() => cidrSubnet("10.0.0.0/30", 4, 0), /cannot take subnet 0 of \/34/);
    });
});

describe("Network", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("spreads public, private and isolated subnets over three looked-up zones", () => {
            for (const tier of ["public", "private", "isolated"]) {
                const zones = subnetsOfTier(plan, tier).map((s) => plan.input(s, "availabilityZone"));
                assert.deepEqual(zones, ["eu-west-1a", "eu-west-1b", "eu-west-1c"], tier);
            }
        });

        it("gives every subnet its own range inside the VPC, none public by default", () => {
            const vpc = plan.one(AWS_PLATFORM.vpc);
            const [vpcStart, vpcEnd] = toRange(plan.input(vpc, "cidrBlock"));
            const ranges = plan
                .ofType(SUBNET)
                .map((s) => toRange(plan.input(s, "cidrBlock")))
                .sort((a, b) => a[0] - b[0]);
            assert.equal(ranges.length, 9);
            ranges.forEach(([start, end], i) => {
                assert.ok(start >= vpcStart && end <= vpcEnd, "inside the VPC");
                assert.ok(i === 0 || start >= ranges[i - 1][1], "no overlap");
            });
            assert.ok(plan.ofType(SUBNET).every((s) => plan.input(s, "mapPublicIpOnLaunch") === false));
        });

        it("has one NAT gateway per zone, each private route table using its own", () => {
            const nats = plan.ofType(NAT);
            assert.equal(nats.length, 3);
            const natRoutes = plan.ofType(ROUTE).filter((r) => r.name.includes("-private-"));
            const natIds = natRoutes.map((r) => plan.input(r, "natGatewayId"));
            assert.equal(new Set(natIds).size, 3);
            const publicIds = subnetsOfTier(plan, "public").map((s) => `${s.name}-id`);
            assert.deepEqual(
                nats.map((n) => plan.input(n, "subnetId")),
                publicIds,
            );
        });

        it("routes isolated subnets nowhere outside the VPC", () => {
            const isolated = plan.one(AWS_PLATFORM.routeTable, "-isolated");
            const routesOut = plan.ofType(ROUTE).filter((r) => r.propertyDependencies.routeTableId?.includes(isolated.urn));
            assert.deepEqual(routesOut, []);
        });

        it("lets the application out only for DNS to the VPC resolver, HTTPS and the data stores' own ports", () => {
            const app = plan.one(AWS.securityGroup, "-network-app");
            const egress = plan
                .ofType(AWS.egressRule)
                .filter((r) => r.propertyDependencies.securityGroupId?.includes(app.urn))
                .map((r) => {
                    const target = r.propertyDependencies.referencedSecurityGroupId?.[0];
                    return [plan.input(r, "ipProtocol"), plan.input(r, "fromPort"), plan.input(r, "cidrIpv4") ?? (target && plan.byUrn(target).name)];
                })
                .sort((a, b) => String(a).localeCompare(String(b)));
            assert.deepEqual(egress, [
                ["tcp", 443, "0.0.0.0/0"],
                ["tcp", 53, "10.20.0.2/32"],
                ["tcp", 5432, "platform-production-db-postgres"],
                ["tcp", 5432, "platform-production-db-proxy"],
                ["tcp", 6379, "platform-production-cache-redis"],
                ["udp", 53, "10.20.0.2/32"],
            ]);
        });

        it("strips the VPC's default security group of every rule", () => {
            const group = plan.one(AWS_PLATFORM.defaultSecurityGroup);
            assert.deepEqual(plan.input(group, "ingress"), []);
            assert.deepEqual(plan.input(group, "egress"), []);
        });

        it("records all traffic in flow logs kept a year, encrypted with the platform key", () => {
            const flowLog = plan.one(FLOW_LOG);
            assert.equal(plan.input(flowLog, "trafficType"), "ALL");
            assert.equal(plan.input(flowLog, "logDestinationType"), "cloud-watch-logs");
            const group = plan.one(LOG_GROUP, "-flow-logs");
            assert.equal(plan.input(group, "retentionInDays"), 365);
            assert.match(plan.input(group, "kmsKeyId"), /^arn:aws:kms:eu-west-1:\d{12}:key\//);
            const trust = JSON.parse(plan.input(plan.one(AWS.iamRole, "-flow-logs"), "assumeRolePolicy"));
            assert.deepEqual(trust.Statement[0].Principal, { Service: "vpc-flow-logs.amazonaws.com" });
        });
    });

    describe("staging stack", () => {
        it("relaxes exactly what Pulumi.staging.yaml says: one shared NAT gateway, a month of flow logs", async () => {
            const plan = await planStack("staging");
            assert.equal(plan.ofType(NAT).length, 1);
            const natRoutes = plan.ofType(ROUTE).filter((r) => r.name.includes("-private-"));
            assert.equal(natRoutes.length, 3);
            assert.equal(new Set(natRoutes.map((r) => plan.input(r, "natGatewayId"))).size, 1);
            assert.equal(plan.input(plan.one(LOG_GROUP, "-flow-logs"), "retentionInDays"), 30);
            assert.equal(plan.ofType(SUBNET).length, 9);
        });
    });

    describe("component defaults and overrides", () => {
        it("defaults to three zones, a NAT gateway per zone and flow logs", async () => {
            const plan = await planComponents(() => new Network("net"));
            assert.equal(plan.ofType(NAT).length, 3);
            assert.equal(plan.ofType(FLOW_LOG).length, 1);
            assert.equal(plan.input(plan.one(LOG_GROUP), "retentionInDays"), 365);
            assert.equal(plan.input(plan.one(AWS_PLATFORM.vpc), "cidrBlock"), "10.0.0.0/16");
        });

        it("takes two zones, a single NAT gateway and no flow logs when asked", async () => {
            const plan = await planComponents(
                () =>
                    new Network("net", {
                        cidrBlock: "10.9.0.0/20",
                        availabilityZoneCount: 2,
                        natGateways: "single",
                        flowLogs: { enabled: false },
                    }),
            );
            assert.equal(plan.ofType(NAT).length, 1);
            assert.equal(plan.ofType(SUBNET).length, 6);
            assert.equal(plan.ofType(FLOW_LOG).length, 0);
            assert.equal(plan.input(plan.one(SUBNET, "-isolated-2"), "cidrBlock"), "10.9.8.128/25");
        });

        it("adopts an existing VPC: creates no network, still records its flow logs", async () => {
            let network: Network | undefined;
            const existingVpc = {
                vpcId: "vpc-0abc12345def67890",
                publicSubnetIds: ["subnet-00000000000000001", "subnet-00000000000000002"],
                privateSubnetIds: ["subnet-00000000000000003", "subnet-00000000000000004"],
                isolatedSubnetIds: ["subnet-00000000000000005", "subnet-00000000000000006"],
            };
            const plan = await planComponents(() => {
                network = new Network("net", { existing: existingVpc });
            });
            assert.deepEqual(plan.ofType(AWS_PLATFORM.vpc), []);
            assert.deepEqual(plan.ofType(SUBNET), []);
            assert.deepEqual(plan.ofType(NAT), []);
            assert.equal(plan.input(plan.one(FLOW_LOG), "vpcId"), existingVpc.vpcId);
            assert.deepEqual(await resolve(network!.isolatedSubnetIds), existingVpc.isolatedSubnetIds);
            assert.equal(await resolve(network!.cidrBlock), "10.0.0.0/16");
        });

        it("parents every child to the component", async () => {
            const plan = await planComponents(() => new Network("net"));
            const component = plan.one("platform:network:Network");
            const children = plan.resources.filter((r) => r.custom);
            assert.ok(children.length > 30);
            assert.ok(children.every((r) => r.parent === component.urn && r.name.startsWith("net-")));
        });
    });
});
