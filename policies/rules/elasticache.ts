import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { REDIS_MAXMEMORY_POLICIES } from "../lib/engines";
import { parameterGroupOf, parameterValue } from "../lib/parameter-groups";
import { AWS, AWS_DATA } from "../lib/types";
import { booleanProblem, isSet, listOf, majorVersion, numberOf, requireAtLeast, show } from "../lib/values";

const isRedis = (props: Record<string, any>) => props.engine === undefined || props.engine === "redis" || props.engine === "valkey";
// ElastiCache: a cluster that belongs to a replication group is governed through the group.
const standaloneRedis = (props: Record<string, any>) => isRedis(props) && !props.replicationGroupId;
const CACHES = [AWS.replicationGroup, AWS.cacheCluster];
/** Every Redis-compatible store: ElastiCache node-based and serverless, and MemoryDB. */
const REDIS_STORES = [...CACHES, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster];
/** Whether a rule about Redis applies: a Redis (or Valkey) store that is not a member of a replication group. */
const redisStore = (type: string, props: Record<string, any>) =>
    type === AWS.cacheCluster ? standaloneRedis(props) : type === AWS_DATA.serverlessCache ? props.engine !== "memcached" : true;

export const redisEngineVersion: ResourceRule<{ minimumMajorVersion: number }> = {
    name: "redis-engine-version",
    description: "Redis (or Valkey) runs major version 7 or newer.",
    severity: "high",
    checklist: ["CACHE-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/supported-engine-versions.html",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/engine-versions.html",
    ],
    remediation: "Set engineVersion (majorEngineVersion on a serverless cache) to 7.x or newer (platform:cache.engineVersion).",
    resourceTypes: REDIS_STORES,
    config: { minimumMajorVersion: { type: "integer", minimum: 5, default: 7, description: "Oldest major allowed." } },
    validate({ type, props }, { minimumMajorVersion }, report) {
        const key = type === AWS_DATA.serverlessCache ? "majorEngineVersion" : "engineVersion";
        const version = props[key];
        // Unset, the service creates its current default (Redis 7.x, Valkey 7.2 or newer).
        if (!redisStore(type, props) || version === undefined || version === null) {
            return;
        }
        const major = majorVersion(version);
        if (major === undefined) {
            report(`${key} ${show(version)} is not a version number`);
        } else if (major < minimumMajorVersion) {
            report(`engine version ${version} is older than ${minimumMajorVersion}; upgrade to ${minimumMajorVersion} or newer`);
        }
    },
};

export const redisTransitEncryption: ResourceRule = {
    name: "redis-transit-encryption",
    description: "Redis accepts only TLS connections.",
    severity: "critical",
    checklist: ["CACHE-06"],
    references: [
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/in-transit-encryption.html",
        "https://docs.aws.amazon.com/memorydb/latest/devguide/in-transit-encryption.html",
    ],
    equivalents: ["CKV_AWS_30", "CKV_AWS_202", "AVD-AWS-0051"],
    remediation: "Set transitEncryptionEnabled: true and transitEncryptionMode: required (tlsEnabled on MemoryDB); clients use rediss://.",
    // A serverless cache accepts TLS only.
    resourceTypes: [...CACHES, AWS_DATA.memorydbCluster],
    validate({ type, props }, _config, report) {
        if (!redisStore(type, props)) {
            return;
        }
        if (type === AWS_DATA.memorydbCluster) {
            const tls = booleanProblem(props, "tlsEnabled", true, true);
            if (tls) {
                report(tls);
            }
            return;
        }
        const problem = booleanProblem(props, "transitEncryptionEnabled", true, false);
        if (problem) {
            report(problem);
        } else if (props.transitEncryptionMode === "preferred") {
            report('transitEncryptionMode is "preferred", which still accepts plaintext clients; set it to "required"');
        }
    },
};

export const redisAtRestEncryption: ResourceRule<{ requireCustomerManagedKey: boolean }> = {
    name: "redis-at-rest-encryption",
    description: "Redis data and snapshots are encrypted at rest, with the platform's KMS key.",
    severity: "high",
    checklist: ["CACHE-07"],
    references: [
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/at-rest-encryption.html",
        "https://docs.aws.amazon.com/memorydb/latest/devguide/at-rest-encryption.html",
    ],
    equivalents: ["CKV_AWS_29", "CKV_AWS_191", "CKV_AWS_201", "AVD-AWS-0045"],
    remediation:
        "Set atRestEncryptionEnabled: true and kmsKeyId (kmsKeyArn on MemoryDB) to a customer-managed key; a single-node " +
        "aws.elasticache.Cluster cannot encrypt at rest: use a ReplicationGroup. Changing it replaces the store.",
    resourceTypes: REDIS_STORES,
    config: { requireCustomerManagedKey: { type: "boolean", default: true, description: "Require kmsKeyId (a customer-managed key)." } },
    validate({ type, props }, { requireCustomerManagedKey }, report) {
        if (!redisStore(type, props)) {
            return;
        }
        if (type === AWS.cacheCluster) {
            report("a single-node aws.elasticache.Cluster cannot encrypt its data at rest; use a ReplicationGroup with atRestEncryptionEnabled");
            return;
        }
        // Serverless caches and MemoryDB always encrypt at rest; only the key is a choice.
        const keyName = type === AWS_DATA.memorydbCluster ? "kmsKeyArn" : "kmsKeyId";
        if (type !== AWS.replicationGroup) {
            if (requireCustomerManagedKey && !isSet(props, keyName)) {
                report(`${keyName} is not set, so an AWS-owned key encrypts the data; use a customer-managed key`);
            }
            return;
        }
        const problem = booleanProblem(props, "atRestEncryptionEnabled", true, false);
        if (problem) {
            report(problem);
        } else if (requireCustomerManagedKey && !isSet(props, "kmsKeyId")) {
            report("kmsKeyId is not set, so the AWS-owned key encrypts the data; use the platform's customer-managed key");
        }
    },
};

export const redisAuthToken: ResourceRule = {
    name: "redis-auth-token",
    description: "Clients must authenticate to Redis (AUTH token or RBAC user group).",
    severity: "critical",
    checklist: ["CACHE-05"],
    references: [
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/auth.html",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html",
    ],
    equivalents: ["CKV_AWS_31"],
    remediation:
        "Set authToken from a generated secret (with transit encryption), or userGroupIds for RBAC (userGroupId on a serverless cache, " +
        "an aclName other than open-access on MemoryDB); a single-node aws.elasticache.Cluster cannot require AUTH: use a ReplicationGroup.",
    resourceTypes: REDIS_STORES,
    validate({ type, props }, _config, report) {
        if (!redisStore(type, props)) {
            return;
        }
        if (type === AWS.cacheCluster) {
            report("a single-node aws.elasticache.Cluster takes no AUTH token or user group, so any client on the network can use Redis");
            return;
        }
        if (type === AWS_DATA.serverlessCache) {
            if (!isSet(props, "userGroupId")) {
                report("userGroupId is not set, so the default user needs no password; attach a user group");
            }
            return;
        }
        if (type === AWS_DATA.memorydbCluster) {
            if (props.aclName === "open-access") {
                report('aclName is "open-access", so clients connect without a password; use an ACL of users with passwords');
            }
            return;
        }
        const hasToken = isSet(props, "authToken");
        const hasUsers = (listOf(props.userGroupIds) ?? []).length > 0;
        if (!hasToken && !hasUsers) {
            report("neither authToken nor userGroupIds is set, so any client on the network can use Redis");
        }
    },
};

export const redisSnapshotRetention: ResourceRule<{ minimumDays: number }> = {
    name: "redis-snapshot-retention",
    description: "Daily Redis snapshots are kept (persistence).",
    severity: "high",
    checklist: ["CACHE-02"],
    references: ["https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/backups-automatic.html"],
    equivalents: ["CKV_AWS_134", "AVD-AWS-0050"],
    remediation: "Set snapshotRetentionLimit (platform:cache.snapshotRetentionDays) and a snapshotWindow (dailySnapshotTime on a serverless cache).",
    resourceTypes: REDIS_STORES,
    config: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Fewest days of snapshots." } },
    validate(resource, config, report) {
        if (!redisStore(resource.type, resource.props)) {
            return;
        }
        requireAtLeast("snapshotRetentionLimit", "minimumDays", 0, "days")(resource, config, report);
    },
};

export const redisAutomaticFailover: ResourceRule = {
    name: "redis-automatic-failover",
    description: "Redis fails over automatically to a replica in another availability zone.",
    severity: "high",
    checklist: ["CACHE-08"],
    references: ["https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html"],
    equivalents: ["CKV2_AWS_50"],
    remediation:
        "Run at least one replica (numCacheClusters >= 2) with automaticFailoverEnabled and multiAzEnabled (numReplicasPerShard >= 1 on " +
        "MemoryDB); a single-node aws.elasticache.Cluster has no replica: use a ReplicationGroup.",
    // A serverless cache replicates across zones by itself.
    resourceTypes: [...CACHES, AWS_DATA.memorydbCluster],
    validate({ type, props }, _config, report) {
        if (!redisStore(type, props)) {
            return;
        }
        if (type === AWS.cacheCluster) {
            report("a single-node aws.elasticache.Cluster has no replica to fail over to");
            return;
        }
        if (type === AWS_DATA.memorydbCluster) {
            const replicas = props.numReplicasPerShard ?? 1;
            if (numberOf(replicas) === undefined || replicas < 1) {
                report(`numReplicasPerShard is ${show(replicas)}; a failover needs at least 1 replica per shard`);
            }
            return;
        }
        const problems = [booleanProblem(props, "automaticFailoverEnabled", true, false), booleanProblem(props, "multiAzEnabled", true, false)].filter(Boolean);
        const nodes = numberOf(props.numCacheClusters);
        const replicasPerShard = numberOf(props.replicasPerNodeGroup);
        if (!((nodes !== undefined && nodes >= 2) || (replicasPerShard !== undefined && replicasPerShard >= 1))) {
            problems.push(`numCacheClusters is ${show(props.numCacheClusters)}; a failover needs a replica (2 or more nodes)`);
        }
        if (problems.length > 0) {
            report(problems.join("; "));
        }
    },
};

export const redisMaxmemoryPolicy: StackRule<{ allowedPolicies: string[] }> = {
    name: "redis-maxmemory-policy",
    appliesTo: [AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.memorydbCluster],
    description: "Redis has an explicit maxmemory-policy, chosen for what it stores.",
    severity: "medium",
    checklist: ["CACHE-04"],
    references: ["https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/ParameterGroups.Engine.html"],
    remediation: "Use a parameter group that sets maxmemory-policy (platform:cache.maxmemoryPolicy).",
    config: {
        allowedPolicies: {
            type: "array",
            items: { type: "string", enum: [...REDIS_MAXMEMORY_POLICIES] },
            default: [...REDIS_MAXMEMORY_POLICIES],
            description: "Eviction policies allowed.",
        },
    },
    validate(stack, { allowedPolicies }, report) {
        const stores = stack.ofType(AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.memorydbCluster).filter((r) => redisStore(r.type, r.props));
        for (const group of stores) {
            const groupType = group.type === AWS_DATA.memorydbCluster ? AWS_DATA.memorydbParameterGroup : AWS.cacheParameterGroup;
            const { group: parameters, name } = parameterGroupOf(stack, group, groupType);
            const policy = parameters ? parameterValue(parameters, "maxmemory-policy") : undefined;
            if (!parameters) {
                report(`${group.name}: parameter group ${show(name ?? "default")} is not managed here; set maxmemory-policy in one that is`, group);
            } else if (policy === undefined) {
                report(`${group.name}: ${parameters.name} does not set maxmemory-policy; choose one (${allowedPolicies.join(", ")})`, group);
            } else if (!allowedPolicies.includes(policy)) {
                report(`${group.name}: maxmemory-policy is ${policy}; allowed: ${allowedPolicies.join(", ")}`, group);
            }
        }
    },
};

/** Memory per node, GiB, of the ElastiCache node types in current use. */
export const CACHE_NODE_MEMORY_GIB: Record<string, number> = {
    "cache.t3.micro": 0.5,
    "cache.t3.small": 1.37,
    "cache.t3.medium": 3.09,
    "cache.t4g.micro": 0.5,
    "cache.t4g.small": 1.37,
    "cache.t4g.medium": 3.09,
    "cache.m5.large": 6.38,
    "cache.m5.xlarge": 12.93,
    "cache.m5.2xlarge": 26.04,
    "cache.m5.4xlarge": 52.26,
    "cache.m6g.large": 6.38,
    "cache.m6g.xlarge": 12.93,
    "cache.m6g.2xlarge": 26.04,
    "cache.m6g.4xlarge": 52.26,
    "cache.m7g.large": 6.38,
    "cache.m7g.xlarge": 12.93,
    "cache.m7g.2xlarge": 26.04,
    "cache.m7g.4xlarge": 52.26,
    "cache.r5.large": 13.07,
    "cache.r5.xlarge": 26.32,
    "cache.r5.2xlarge": 52.82,
    "cache.r5.4xlarge": 105.81,
    "cache.r6g.large": 13.07,
    "cache.r6g.xlarge": 26.32,
    "cache.r6g.2xlarge": 52.82,
    "cache.r6g.4xlarge": 105.81,
    "cache.r7g.large": 13.07,
    "cache.r7g.xlarge": 26.32,
    "cache.r7g.2xlarge": 52.82,
    "cache.r7g.4xlarge": 105.81,
};

export const redisMemorySize: ResourceRule<{ minimumGiB: number }> = {
    name: "redis-memory-size",
    description: "Redis nodes have enough memory for production (2 GiB or more by default).",
    severity: "medium",
    checklist: ["CACHE-03"],
    references: ["https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/CacheNodes.SupportedTypes.html"],
    remediation: "Choose a node type with at least the minimum memory (platform:cache.nodeType), e.g. cache.t4g.medium or cache.r7g.large.",
    resourceTypes: [...CACHES, AWS_DATA.memorydbCluster],
    config: { minimumGiB: { type: "number", minimum: 0, default: 2, description: "Least memory per node, GiB." } },
    validate({ type, props }, { minimumGiB }, report) {
        if (!redisStore(type, props)) {
            return;
        }
        // MemoryDB's db.* node types have the memory of the ElastiCache cache.* type of the same name.
        const nodeType = typeof props.nodeType === "string" ? props.nodeType.replace(/^db\./, "cache.") : undefined;
        const memory = nodeType ? CACHE_NODE_MEMORY_GIB[nodeType] : undefined;
        if (memory === undefined) {
            report(`cannot tell the memory of node type ${show(props.nodeType)}; use a known type with at least ${minimumGiB} GiB`);
        } else if (memory < minimumGiB) {
            report(`node type ${props.nodeType} has ${memory} GiB; at least ${minimumGiB} GiB is required`);
        }
    },
};

export const elasticacheRules: RuleFile = {
    title: "Amazon ElastiCache and MemoryDB (Redis, Valkey)",
    resource: [
        redisEngineVersion,
        redisTransitEncryption,
        redisAtRestEncryption,
        redisAuthToken,
        redisSnapshotRetention,
        redisAutomaticFailover,
        redisMemorySize,
    ] as ResourceRule<any>[],
    stack: [redisMaxmemoryPolicy] as StackRule<any>[],
};
