import { AWS_DATA, K8S } from "../../../policies/lib/types";
import { CaseTable, ResourceCase } from "../cases";

const deployment = (env: object[]) => ({
    metadata: { name: "api", namespace: "app" },
    spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", env }] } } },
});
// As @pulumi/aws registers a task definition: containerDefinitions is a JSON string.
const taskDefinition = (environment: object[]) => ({
    family: "orders",
    containerDefinitions: JSON.stringify([{ name: "orders", image: "ghcr.io/acme/orders:2.0.1", environment }]),
});

const poolCases: ResourceCase[] = [
    {
        policy: "database-client-pool-size",
        type: K8S.deployment,
        compliant: deployment([
            { name: "DB_POOL_MAX", value: "30" },
            { name: "UV_THREADPOOL_SIZE", value: "4" },
            { name: "WORKER_POOL_SIZE", value: "2" },
            { name: "DATABASE_URL", valueFrom: { secretKeyRef: { name: "api", key: "DATABASE_URL" } } },
        ]),
        violating: [
            {
                change: deployment([{ name: "DB_POOL_MAX", value: "5" }]),
                message: /container api: DB_POOL_MAX is 5 connections; the checklist sizes a pool at 20-50/,
            },
            {
                change: deployment([{ name: "SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE", value: "200" }]),
                message: /SPRING_DATASOURCE_HIKARI_MAXIMUM_POOL_SIZE is 200 connections/,
            },
            { change: deployment([{ name: "PG_POOL_SIZE", value: "ten" }]), message: /PG_POOL_SIZE is "ten", not a whole number of connections/ },
            {
                label: "Prisma's connection_limit in a plain database URL",
                change: deployment([{ name: "READ_REPLICA_URL", value: "postgresql://db.internal:5432/app?connection_limit=3" }]),
                message: /READ_REPLICA_URL \(connection_limit\) is 3 connections/,
            },
        ],
    },
    {
        policy: "database-client-pool-size",
        type: K8S.configMap,
        compliant: { data: { NODE_ENV: "production", DATABASE_POOL_SIZE: "20" } },
        violating: [{ change: { data: { DATABASE_POOL_SIZE: "100" } }, message: /data: DATABASE_POOL_SIZE is 100 connections/ }],
    },
    {
        policy: "database-client-pool-size",
        type: AWS_DATA.ecsTaskDefinition,
        compliant: taskDefinition([{ name: "SQLALCHEMY_POOL_SIZE", value: "25" }]),
        violating: [
            { change: taskDefinition([{ name: "SQLALCHEMY_POOL_SIZE", value: "1" }]), message: /container orders: SQLALCHEMY_POOL_SIZE is 1 connections/ },
        ],
    },
    {
        policy: "database-client-pool-size",
        type: AWS_DATA.lambdaFunction,
        compliant: { runtime: "nodejs20.x", environment: { variables: { PG_POOL_MAX: "20" } } },
        violating: [{ change: { environment: { variables: { PG_POOL_MAX: "64" } } }, message: /environment.variables: PG_POOL_MAX is 64 connections/ }],
    },
    {
        // A team whose checklist sizes pools differently sets the range in the policy config.
        policy: "database-client-pool-size",
        type: K8S.deployment,
        config: { minimum: 5, maximum: 10 },
        compliant: deployment([{ name: "DB_POOL_MAX", value: "8" }]),
        violating: [
            { change: deployment([{ name: "DB_POOL_MAX", value: "30" }]), message: /DB_POOL_MAX is 30 connections; the checklist sizes a pool at 5-10/ },
        ],
    },
];

export const databaseClientsCases: CaseTable = { area: "database-clients", resource: poolCases, stack: [] };
