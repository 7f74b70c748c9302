import { AWS, AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase } from "../cases";
import { memorydb, redis, store } from "../fixtures";

/** A standalone ElastiCache cluster with engineVersion left out. */
const cacheCluster = { engine: "redis", nodeType: "cache.t4g.medium", numCacheNodes: 1, snapshotRetentionLimit: 7, securityGroupIds: ["sg-redis"] };

const serverless = {
    engine: "valkey",
    name: "sessions",
    userGroupId: "app-users",
    kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k",
    snapshotRetentionLimit: 7,
    securityGroupIds: ["sg-redis"],
};

const resource: ResourceCase[] = [
    {
        policy: "redis-engine-version",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [
            { change: { engineVersion: "6.2" }, message: /engine version 6\.2 is older than 7/ },
            { change: { engineVersion: "latest" }, message: /engineVersion "latest" is not a version number/ },
        ],
    },
    {
        // engineVersion left out: ElastiCache creates the current default (Redis 7.x).
        policy: "redis-engine-version",
        type: AWS.cacheCluster,
        compliant: cacheCluster,
        violating: [{ change: { engineVersion: "5.0.6" }, message: /engine version 5\.0\.6 is older than 7/ }],
    },
    {
        policy: "redis-engine-version",
        type: AWS_DATA.serverlessCache,
        compliant: serverless,
        violating: [{ change: { majorEngineVersion: "6" }, message: /engine version 6 is older than 7/ }],
    },
    {
        policy: "redis-transit-encryption",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [
            { change: { transitEncryptionEnabled: undefined }, message: /transitEncryptionEnabled is not set/ },
            { change: { transitEncryptionMode: "preferred" }, message: /still accepts plaintext clients/ },
        ],
    },
    {
        policy: "redis-at-rest-encryption",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [
            { change: { atRestEncryptionEnabled: false }, message: /atRestEncryptionEnabled is false/ },
            { change: { kmsKeyId: undefined }, message: /kmsKeyId is not set, so the AWS-owned key encrypts the data/ },
        ],
    },
    {
        policy: "redis-auth-token",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [{ change: { authToken: undefined }, message: /neither authToken nor userGroupIds is set/ }],
    },
    {
        // A single-node cluster cannot take AUTH, encrypt at rest or fail over: each rule says so; a memcached cluster is no Redis.
        policy: "redis-auth-token",
        type: AWS.cacheCluster,
        compliant: { ...cacheCluster, engine: "memcached" },
        violating: [{ change: { engine: "redis" }, message: /single-node aws\.elasticache\.Cluster takes no AUTH token/ }],
    },
    {
        policy: "redis-auth-token",
        type: AWS_DATA.serverlessCache,
        compliant: serverless,
        violating: [{ change: { userGroupId: undefined }, message: /userGroupId is not set, so the default user needs no password/ }],
    },
    {
        policy: "redis-auth-token",
        type: AWS_DATA.memorydbCluster,
        compliant: memorydb,
        violating: [{ change: { aclName: "open-access" }, message: /aclName is "open-access"/ }],
    },
    {
        // A cluster that belongs to a replication group is judged through the group.
        policy: "redis-at-rest-encryption",
        type: AWS.cacheCluster,
        compliant: { replicationGroupId: "cache", engine: "redis" },
        violating: [{ change: { replicationGroupId: undefined }, message: /cannot encrypt its data at rest; use a ReplicationGroup/ }],
    },
    {
        policy: "redis-at-rest-encryption",
        type: AWS_DATA.memorydbCluster,
        compliant: memorydb,
        violating: [{ change: { kmsKeyArn: undefined }, message: /kmsKeyArn is not set, so an AWS-owned key encrypts the data/ }],
    },
    {
        policy: "redis-transit-encryption",
        type: AWS_DATA.memorydbCluster,
        compliant: { ...memorydb, tlsEnabled: undefined },
        violating: [{ change: { tlsEnabled: false }, message: /tlsEnabled is false; set it to true/ }],
    },
    {
        policy: "redis-automatic-failover",
        type: AWS.cacheCluster,
        compliant: { replicationGroupId: "cache", engine: "redis" },
        violating: [{ change: { replicationGroupId: undefined }, message: /no replica to fail over to/ }],
    },
    {
        policy: "redis-automatic-failover",
        type: AWS_DATA.memorydbCluster,
        compliant: { ...memorydb, numReplicasPerShard: undefined },
        violating: [{ change: { numReplicasPerShard: 0 }, message: /numReplicasPerShard is 0/ }],
    },
    {
        policy: "redis-snapshot-retention",
        type: AWS_DATA.serverlessCache,
        compliant: serverless,
        violating: [{ change: { snapshotRetentionLimit: 1 }, message: /snapshotRetentionLimit is 1; it must be at least 7/ }],
    },
    {
        policy: "redis-memory-size",
        type: AWS_DATA.memorydbCluster,
        compliant: memorydb,
        violating: [{ change: { nodeType: "db.t4g.small" }, message: /node type db\.t4g\.small has 1\.37 GiB/ }],
    },
    {
        policy: "redis-snapshot-retention",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [
            {
                change: { snapshotRetentionLimit: undefined },
                message: /snapshotRetentionLimit is not set \(the provider default is 0\); it must be at least 7/,
            },
        ],
    },
    {
        policy: "redis-automatic-failover",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [
            { change: { numCacheClusters: 1 }, message: /numCacheClusters is 1; a failover needs a replica/ },
            { change: { multiAzEnabled: false }, message: /multiAzEnabled is false/ },
        ],
    },
    {
        policy: "redis-memory-size",
        type: AWS.replicationGroup,
        compliant: redis,
        violating: [
            { change: { nodeType: "cache.t4g.small" }, message: /cache\.t4g\.small has 1\.37 GiB; at least 2 GiB/ },
            { change: { nodeType: "cache.x99.huge" }, message: /cannot tell the memory of node type "cache\.x99\.huge"/ },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "redis-maxmemory-policy",
        compliant: store,
        violating: [
            { resources: changed(store, "redis7", { props: { parameters: [] } }), message: /cache: redis7 does not set maxmemory-policy/ },
            {
                resources: changed(store, "redis7", { props: { parameters: [{ name: "maxmemory-policy", value: "noeviction" }] } }),
                message: /maxmemory-policy is noeviction; allowed: allkeys-lru/,
            },
        ],
        config: { allowedPolicies: ["allkeys-lru", "volatile-lru"] },
    },
    {
        policy: "redis-maxmemory-policy",
        compliant: [store[7], { type: AWS.cacheCluster, name: "single", props: cacheCluster, deps: { parameterGroupName: ["redis7"] } }],
        violating: [
            {
                resources: [{ type: AWS.cacheCluster, name: "single", props: { ...cacheCluster, parameterGroupName: "default.redis7" } }],
                message: /single: parameter group "default\.redis7" is not managed here/,
            },
        ],
    },
];

export const elasticacheCases: CaseTable = { area: "elasticache", resource, stack };
