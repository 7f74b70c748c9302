import { AWS, AWS_PLATFORM, K8S } from "../../../policies/lib/types";
import { CaseTable, changed, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const budget: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres", instanceClass: "db.t4g.medium" } },
    {
        type: AWS.budget,
        name: "monthly",
        props: { budgetType: "COST", notifications: [{ notificationType: "FORECASTED", subscriberEmailAddresses: ["ops@acme.example"] }] },
    },
];

/** A Kubernetes-only stack (nginx and its Service), and one of IAM alone: neither is billed by AWS, so neither needs a budget. */
const unbilled: TestResource[] = [
    {
        type: K8S.deployment,
        name: "nginx",
        props: { metadata: { name: "nginx" }, spec: { replicas: 2, template: { spec: { containers: [{ name: "nginx", image: "nginx:1.27.2" }] } } } },
    },
    { type: AWS.iamRole, name: "ci-role", props: { assumeRolePolicy: "{}" } },
];

const stack: StackCase[] = [
    {
        policy: "budget-alert",
        compliant: budget,
        violating: [
            { resources: without(budget, "monthly"), message: /no COST budget with a notification/ },
            { resources: changed(budget, "monthly", { props: { notifications: [{ notificationType: "ACTUAL" }] } }), message: /no COST budget/ },
        ],
    },
    {
        policy: "budget-alert",
        compliant: unbilled,
        violating: [
            { resources: [...unbilled, { type: AWS_PLATFORM.natGateway, name: "nat", props: { connectivityType: "public" } }], message: /no COST budget/ },
        ],
    },
];

export const budgetsCases: CaseTable = { area: "budgets", resource: [], stack };
