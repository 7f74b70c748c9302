import { AWS, AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase } from "../cases";
import { TestResource } from "../helpers";
import { memorydb, store } from "../fixtures";

const egressing: TestResource[] = [
    ...store,
    {
        type: AWS.egressRule,
        name: "app-https",
        props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
        deps: { securityGroupId: ["app-sg"] },
    },
    {
        type: AWS.egressRule,
        name: "app-dns",
        props: { ipProtocol: "udp", fromPort: 53, toPort: 53, cidrIpv4: "10.0.0.2/32" },
        deps: { securityGroupId: ["app-sg"] },
    },
    { type: AWS.securityGroup, name: "alb-sg", props: { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] } },
];

const resource: ResourceCase[] = [
    {
        policy: "no-unrestricted-ingress",
        type: AWS.ingressRule,
        compliant: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
        violating: [
            { change: { fromPort: 22, toPort: 22 }, message: /port 22 open to 0\.0\.0\.0\/0; only ports 80, 443/ },
            { change: { ipProtocol: "-1", fromPort: undefined, toPort: undefined }, message: /all ports open to 0\.0\.0\.0\/0/ },
            { change: { cidrIpv4: undefined, cidrIpv6: "::/0", fromPort: 0, toPort: 65535 }, message: /ports 0-65535 open to ::\/0/ },
        ],
    },
    {
        policy: "no-unrestricted-ingress",
        type: AWS.securityGroup,
        compliant: { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: ["sg-app"] }] },
        violating: [
            { change: { ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, cidrBlocks: ["0.0.0.0/0"] }] }, message: /port 5432 open to 0\.0\.0\.0\/0/ },
            // Two halves of the internet are the internet.
            {
                change: { ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }] },
                message: /port 22 open to 0\.0\.0\.0\/1, 128\.0\.0\.0\/1/,
            },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "data-store-ingress-restricted",
        compliant: store,
        violating: [
            {
                resources: [
                    ...store,
                    {
                        type: AWS.ingressRule,
                        name: "db-from-office",
                        props: { cidrIpv4: "203.0.113.0/24", fromPort: 5432, toPort: 5432 },
                        deps: { securityGroupId: ["db-sg"] },
                    },
                ],
                message: /db: db-from-office admits address ranges 203\.0\.113\.0\/24/,
            },
            {
                resources: changed(store, "redis-sg", { props: { ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["0.0.0.0/0"] }] } }),
                message: /cache: redis-sg ingress\[0\] admits address ranges 0\.0\.0\.0\/0/,
            },
            {
                resources: changed(store, "cache", { props: { securityGroupIds: undefined }, deps: { parameterGroupName: ["redis7"] } }),
                message: /cache sets no securityGroupIds, so it gets the VPC's default security group/,
            },
            {
                resources: [
                    ...store,
                    {
                        type: AWS.ingressRule,
                        name: "redis-half-a",
                        props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: "0.0.0.0/1" },
                        deps: { securityGroupId: ["redis-sg"] },
                    },
                ],
                message: /cache: redis-half-a admits address ranges 0\.0\.0\.0\/1 \(the internet\)/,
            },
            {
                resources: [
                    ...store,
                    { type: AWS_DATA.memorydbCluster, name: "memorydb", props: memorydb, deps: { securityGroupIds: ["redis-sg"] } },
                    {
                        type: AWS.ingressRule,
                        name: "redis-office",
                        props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: "198.51.100.0/24" },
                        deps: { securityGroupId: ["redis-sg"] },
                    },
                ].filter((r) => r.name !== "cache"),
                message: /memorydb: redis-office admits address ranges 198\.51\.100\.0\/24;/,
            },
        ],
    },
    {
        // The app's egress is narrow; the load balancer's group, which no data store admits, is none of this rule's business.
        policy: "data-client-egress-restricted",
        compliant: egressing,
        violating: [
            {
                resources: [
                    ...egressing,
                    { type: AWS.egressRule, name: "app-anywhere", props: { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" }, deps: { securityGroupId: ["app-sg"] } },
                ],
                message: /app-sg, which db admits, sends all protocols to the internet \(app-anywhere\)/,
            },
            {
                resources: changed(egressing, "app-sg", { props: { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] } }),
                message: /app-sg, which db admits, sends all protocols to the internet \(app-sg egress\[0\]\)/,
            },
            {
                resources: [
                    ...egressing,
                    {
                        type: AWS.securityGroupRule,
                        name: "legacy-egress",
                        props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] },
                        deps: { securityGroupId: ["app-sg"] },
                    },
                ],
                message: /app-sg, which db admits, .*\(legacy-egress\)/,
            },
            {
                resources: [
                    ...egressing,
                    {
                        type: AWS.securityGroupRule,
                        name: "two-halves",
                        props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] },
                        deps: { securityGroupId: ["app-sg"] },
                    },
                ],
                message: /app-sg, which db admits, .*\(two-halves\)/,
            },
        ],
    },
];

export const securityGroupsCases: CaseTable = { area: "security-groups", resource, stack };
