import { AWS, AWS_DATA, POSTGRESQL } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const postgres = {
    engine: "postgres", engineVersion: "17", identifier: "db", storageEncrypted: true, publiclyAccessible: false, backupRetentionPeriod: 14,
    deletionProtection: true, multiAz: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "db-final", performanceInsightsEnabled: true,
    monitoringInterval: 60, monitoringRoleArn: "arn:aws:iam::123456789012:role/monitoring", enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    vpcSecurityGroupIds: ["sg-db"], parameterGroupName: "db-pg17",
};
/** A MySQL instance as a typical program writes it, with a parameter group that requires TLS. */
const mysql = {
    engine: "mysql", engineVersion: "8.4.3", instanceClass: "db.t4g.medium", allocatedStorage: 20, storageEncrypted: true,
    enabledCloudwatchLogsExports: ["error", "slowquery"], parameterGroupName: "mysql84",
};
/** A standalone ElastiCache cluster with engineVersion left out. */
const cacheCluster = { engine: "redis", nodeType: "cache.t4g.medium", numCacheNodes: 1, snapshotRetentionLimit: 7, securityGroupIds: ["sg-redis"] };
const serverless = { engine: "valkey", name: "sessions", userGroupId: "app-users", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k", snapshotRetentionLimit: 7,
    securityGroupIds: ["sg-redis"] };
const memorydb = { engineVersion: "7.1", nodeType: "db.r7g.large", aclName: "app-acl", kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k", snapshotRetentionLimit: 7,
    numReplicasPerShard: 1, securityGroupIds: ["sg-redis"] };
const redis = {
    engine: "redis", engineVersion: "7.1", nodeType: "cache.r7g.large", transitEncryptionEnabled: true, transitEncryptionMode: "required",
    atRestEncryptionEnabled: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k", authToken: "secret-token-0123456789",
    snapshotRetentionLimit: 7, automaticFailoverEnabled: true, multiAzEnabled: true, numCacheClusters: 2, securityGroupIds: ["sg-redis"],
    parameterGroupName: "redis7",
};

const resource: ResourceCase[] = [
    {
        policy: "postgres-engine-version", type: AWS.rdsInstance, compliant: postgres,
        violating: [
            { change: { engineVersion: "13.7" }, message: /PostgreSQL 13\.7 is older than 15/ },
            { change: { engineVersion: "latest" }, message: /engineVersion "latest" is not a version number/ },
        ],
    },
    {
        // engineVersion left out, as many programs do: RDS creates its current default major (16+), not an old one.
        policy: "postgres-engine-version", type: AWS.rdsCluster, compliant: { engine: "aurora-postgresql", storageEncrypted: true, masterUsername: "postgres" },
        violating: [{ change: { engineVersion: "11.9" }, message: /PostgreSQL 11\.9 is older than 15/ }],
    },
    {
        policy: "rds-engine-supported", type: AWS.rdsInstance, compliant: mysql,
        violating: [
            { change: { engineVersion: "8.0.35" }, message: /mysql 8\.0\.35 is older than 8\.4, out of standard support/ },
            { change: { engine: "mariadb", engineVersion: "10.6.14" }, message: /mariadb 10\.6\.14 is older than 10\.11/ },
            { change: { engineVersion: "latest" }, message: /engineVersion "latest" is not a version number/ },
        ],
    },
    {
        policy: "rds-engine-supported", type: AWS.rdsCluster, compliant: { engine: "aurora-mysql", engineVersion: "8.0.mysql_aurora.3.08.0" },
        violating: [{ change: { engineVersion: "5.7.mysql_aurora.2.11.2" }, message: /aurora-mysql 5\.7\.mysql_aurora\.2\.11\.2 is older than 8\.0/ }],
    },
    {
        // The engine's current default version when engineVersion is left out.
        policy: "rds-engine-supported", type: AWS.rdsInstance, compliant: { engine: "mariadb", instanceClass: "db.t4g.medium", allocatedStorage: 20 },
        violating: [{ change: { engineVersion: "10.5" }, message: /mariadb 10\.5 is older than 10\.11/ }],
    },
    {
        policy: "rds-storage-encrypted", type: AWS.rdsInstance, compliant: postgres,
        violating: [
            { change: { storageEncrypted: false }, message: /storageEncrypted is false; set it to true/ },
            { change: { storageEncrypted: undefined }, message: /storageEncrypted is not set, and the provider default is false/ },
            { change: { storageEncrypted: "yes" }, message: /storageEncrypted is "yes", not a boolean/ },
        ],
    },
    {
        policy: "rds-not-publicly-accessible", type: AWS.rdsInstance, compliant: postgres,
        violating: [{ change: { publiclyAccessible: true }, message: /publiclyAccessible is true; set it to false/ }],
    },
    {
        policy: "rds-not-publicly-accessible", type: AWS.rdsClusterInstance,
        compliant: { clusterIdentifier: "aurora", engine: "aurora-postgresql", instanceClass: "db.r7g.large" },
        violating: [{ change: { publiclyAccessible: true }, message: /publiclyAccessible is true; set it to false/ }],
    },
    {
        policy: "rds-storage-encrypted", type: AWS.rdsCluster, compliant: { engine: "aurora-mysql", engineMode: "serverless" },
        violating: [{ change: { engineMode: "provisioned" }, message: /storageEncrypted is not set, and the provider default is false/ }],
    },
    {
        policy: "rds-backup-retention", type: AWS.rdsInstance, compliant: postgres,
        violating: [
            { change: { backupRetentionPeriod: 3 }, message: /backupRetentionPeriod is 3; it must be at least 7 days/ },
            { change: { backupRetentionPeriod: undefined }, message: /not set \(the provider default is 1\)/ },
            { change: { backupRetentionPeriod: null }, message: /not set \(the provider default is 1\)/ },
        ],
    },
    {
        policy: "rds-deletion-protection", type: AWS.rdsCluster, compliant: { ...postgres, engine: "aurora-postgresql" },
        violating: [{ change: { deletionProtection: undefined }, message: /deletionProtection is not set/ }],
    },
    {
        policy: "rds-multi-az", type: AWS.rdsInstance, compliant: postgres,
        violating: [{ change: { multiAz: false }, message: /multiAz is false; set it to true/ }],
    },
    {
        policy: "rds-final-snapshot", type: AWS.rdsInstance, compliant: postgres,
        violating: [
            { change: { skipFinalSnapshot: true }, message: /skipFinalSnapshot is true; set it to false/ },
            { change: { finalSnapshotIdentifier: undefined }, message: /finalSnapshotIdentifier is not set; name the final snapshot/ },
        ],
    },
    {
        policy: "rds-performance-insights", type: AWS.rdsInstance, compliant: postgres,
        violating: [{ change: { performanceInsightsEnabled: undefined }, message: /performanceInsightsEnabled is not set/ }],
    },
    {
        policy: "rds-enhanced-monitoring", type: AWS.rdsInstance, compliant: postgres,
        violating: [
            { change: { monitoringInterval: undefined }, message: /monitoringInterval is not set \(0: off\); set 1-60 seconds/ },
            { change: { monitoringRoleArn: undefined }, message: /monitoringRoleArn is not set/ },
            { change: { monitoringInterval: "60" }, message: /monitoringInterval is "60", not a number/ },
        ],
    },
    {
        policy: "rds-log-exports", type: AWS.rdsInstance, compliant: postgres,
        violating: [
            { change: { enabledCloudwatchLogsExports: ["postgresql"] }, message: /add upgrade/ },
            { change: { enabledCloudwatchLogsExports: undefined }, message: /is not set; add postgresql, upgrade/ },
        ],
    },
    {
        policy: "rds-log-exports", type: AWS.rdsInstance, compliant: mysql,
        violating: [{ change: { enabledCloudwatchLogsExports: ["error"] }, message: /add slowquery/ }],
    },
    {
        // Aurora PostgreSQL has no upgrade log: only postgresql is required of it.
        policy: "rds-log-exports", type: AWS.rdsCluster, compliant: { engine: "aurora-postgresql", enabledCloudwatchLogsExports: ["postgresql"] },
        violating: [{ change: { enabledCloudwatchLogsExports: undefined }, message: /is not set; add postgresql$/ }],
    },
    {
        policy: "redis-engine-version", type: AWS.replicationGroup, compliant: redis,
        violating: [
            { change: { engineVersion: "6.2" }, message: /engine version 6\.2 is older than 7/ },
            { change: { engineVersion: "latest" }, message: /engineVersion "latest" is not a version number/ },
        ],
    },
    {
        // engineVersion left out: ElastiCache creates the current default (Redis 7.x).
        policy: "redis-engine-version", type: AWS.cacheCluster, compliant: cacheCluster,
        violating: [{ change: { engineVersion: "5.0.6" }, message: /engine version 5\.0\.6 is older than 7/ }],
    },
    {
        policy: "redis-engine-version", type: AWS_DATA.serverlessCache, compliant: serverless,
        violating: [{ change: { majorEngineVersion: "6" }, message: /engine version 6 is older than 7/ }],
    },
    {
        policy: "redis-transit-encryption", type: AWS.replicationGroup, compliant: redis,
        violating: [
            { change: { transitEncryptionEnabled: undefined }, message: /transitEncryptionEnabled is not set/ },
            { change: { transitEncryptionMode: "preferred" }, message: /still accepts plaintext clients/ },
        ],
    },
    {
        policy: "redis-at-rest-encryption", type: AWS.replicationGroup, compliant: redis,
        violating: [
            { change: { atRestEncryptionEnabled: false }, message: /atRestEncryptionEnabled is false/ },
            { change: { kmsKeyId: undefined }, message: /kmsKeyId is not set, so the AWS-owned key encrypts the data/ },
        ],
    },
    {
        policy: "redis-auth-token", type: AWS.replicationGroup, compliant: redis,
        violating: [{ change: { authToken: undefined }, message: /neither authToken nor userGroupIds is set/ }],
    },
    {
        // A single-node cluster cannot take AUTH, encrypt at rest or fail over: each rule says so; a memcached cluster is no Redis.
        policy: "redis-auth-token", type: AWS.cacheCluster, compliant: { ...cacheCluster, engine: "memcached" },
        violating: [{ change: { engine: "redis" }, message: /single-node aws\.elasticache\.Cluster takes no AUTH token/ }],
    },
    {
        policy: "redis-auth-token", type: AWS_DATA.serverlessCache, compliant: serverless,
        violating: [{ change: { userGroupId: undefined }, message: /userGroupId is not set, so the default user needs no password/ }],
    },
    {
        policy: "redis-auth-token", type: AWS_DATA.memorydbCluster, compliant: memorydb,
        violating: [{ change: { aclName: "open-access" }, message: /aclName is "open-access"/ }],
    },
    {
        // A cluster that belongs to a replication group is judged through the group.
        policy: "redis-at-rest-encryption", type: AWS.cacheCluster, compliant: { replicationGroupId: "cache", engine: "redis" },
        violating: [{ change: { replicationGroupId: undefined }, message: /cannot encrypt its data at rest; use a ReplicationGroup/ }],
    },
    {
        policy: "redis-at-rest-encryption", type: AWS_DATA.memorydbCluster, compliant: memorydb,
        violating: [{ change: { kmsKeyArn: undefined }, message: /kmsKeyArn is not set, so an AWS-owned key encrypts the data/ }],
    },
    {
        policy: "redis-transit-encryption", type: AWS_DATA.memorydbCluster, compliant: { ...memorydb, tlsEnabled: undefined },
        violating: [{ change: { tlsEnabled: false }, message: /tlsEnabled is false; set it to true/ }],
    },
    {
        policy: "redis-automatic-failover", type: AWS.cacheCluster, compliant: { replicationGroupId: "cache", engine: "redis" },
        violating: [{ change: { replicationGroupId: undefined }, message: /no replica to fail over to/ }],
    },
    {
        policy: "redis-automatic-failover", type: AWS_DATA.memorydbCluster, compliant: { ...memorydb, numReplicasPerShard: undefined },
        violating: [{ change: { numReplicasPerShard: 0 }, message: /numReplicasPerShard is 0/ }],
    },
    {
        policy: "redis-snapshot-retention", type: AWS_DATA.serverlessCache, compliant: serverless,
        violating: [{ change: { snapshotRetentionLimit: 1 }, message: /snapshotRetentionLimit is 1; it must be at least 7/ }],
    },
    {
        policy: "redis-memory-size", type: AWS_DATA.memorydbCluster, compliant: memorydb,
        violating: [{ change: { nodeType: "db.t4g.small" }, message: /node type db\.t4g\.small has 1\.37 GiB/ }],
    },
    {
        policy: "redis-snapshot-retention", type: AWS.replicationGroup, compliant: redis,
        violating: [{ change: { snapshotRetentionLimit: undefined }, message: /snapshotRetentionLimit is not set \(the provider default is 0\); it must be at least 7/ }],
    },
    {
        policy: "redis-automatic-failover", type: AWS.replicationGroup, compliant: redis,
        violating: [
            { change: { numCacheClusters: 1 }, message: /numCacheClusters is 1; a failover needs a replica/ },
            { change: { multiAzEnabled: false }, message: /multiAzEnabled is false/ },
        ],
    },
    {
        policy: "redis-memory-size", type: AWS.replicationGroup, compliant: redis,
        violating: [
            { change: { nodeType: "cache.t4g.small" }, message: /cache\.t4g\.small has 1\.37 GiB; at least 2 GiB/ },
            { change: { nodeType: "cache.x99.huge" }, message: /cannot tell the memory of node type "cache\.x99\.huge"/ },
        ],
    },
];

const store: TestResource[] = [
    { type: AWS.securityGroup, name: "app-sg" },
    { type: AWS.securityGroup, name: "db-sg" },
    { type: AWS.ingressRule, name: "db-from-app", props: { ipProtocol: "tcp", fromPort: 5432, toPort: 5432 },
        deps: { securityGroupId: ["db-sg"], referencedSecurityGroupId: ["app-sg"] } },
    { type: AWS.rdsParameterGroup, name: "db-pg17", props: { family: "postgres17", parameters: [
        { name: "rds.force_ssl", value: "1" }, { name: "log_min_duration_statement", value: "500" }] } },
    { type: AWS.rdsInstance, name: "db", props: postgres, deps: { vpcSecurityGroupIds: ["db-sg"], parameterGroupName: ["db-pg17"] } },
    { type: AWS.rdsProxy, name: "proxy", props: { requireTls: true } },
    { type: AWS.rdsProxyTarget, name: "proxy-target", props: { dbInstanceIdentifier: "db" }, deps: { dbInstanceIdentifier: ["db"], dbProxyName: ["proxy"] } },
    { type: AWS.cacheParameterGroup, name: "redis7", props: { family: "redis7", parameters: [{ name: "maxmemory-policy", value: "volatile-lru" }] } },
    { type: AWS.securityGroup, name: "redis-sg" },
    { type: AWS.ingressRule, name: "redis-from-app", props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379 },
        deps: { securityGroupId: ["redis-sg"], referencedSecurityGroupId: ["app-sg"] } },
    { type: AWS.replicationGroup, name: "cache", props: redis, deps: { securityGroupIds: ["redis-sg"], parameterGroupName: ["redis7"] } },
];
const egressing: TestResource[] = [
    ...store,
    { type: AWS.egressRule, name: "app-https", props: { ipProtocol: "tcp", fromPort: 443, toPort: 443, cidrIpv4: "0.0.0.0/0" },
        deps: { securityGroupId: ["app-sg"] } },
    { type: AWS.egressRule, name: "app-dns", props: { ipProtocol: "udp", fromPort: 53, toPort: 53, cidrIpv4: "10.0.0.2/32" },
        deps: { securityGroupId: ["app-sg"] } },
    { type: AWS.securityGroup, name: "alb-sg", props: { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] } },
];
const mysqlStore: TestResource[] = [
    { type: AWS.rdsParameterGroup, name: "mysql84", props: { family: "mysql8.4", parameters: [{ name: "require_secure_transport", value: "1" }] } },
    { type: AWS.rdsInstance, name: "shop", props: mysql, deps: { parameterGroupName: ["mysql84"] } },
];
const withDbParameters = (parameters: object[]) => changed(store, "db-pg17", { props: { parameters } });

/** Roles and grants as components/database.ts registers them: migrator owns, app reads and writes, readonly reads, PUBLIC may not connect. */
const role = (name: string, connectionLimit: number): TestResource =>
    ({ type: POSTGRESQL.role, name: `db-${name}`, props: { name, login: true, password: "generated", connectionLimit } });
const grant = (roleName: string, objectType: string, privileges: string[], type: string = POSTGRESQL.grant): TestResource => ({
    type, name: `db-${roleName}-${type === POSTGRESQL.grant ? "" : "default-"}${objectType}`,
    props: { database: "app", role: roleName, objectType, privileges, ...(objectType === "database" ? {} : { schema: "public" }),
        ...(type === POSTGRESQL.grant ? {} : { owner: "migrator" }) },
    deps: { database: ["db-database"], role: [`db-${roleName}`], ...(type === POSTGRESQL.grant ? {} : { owner: ["db-migrator"] }) },
});
const roles: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: postgres },
    role("migrator", 10), role("app", 200), role("readonly", 20),
    { type: POSTGRESQL.database, name: "db-database", props: { name: "app", owner: "migrator", encoding: "UTF8" }, deps: { owner: ["db-migrator"] } },
    { type: POSTGRESQL.grant, name: "db-revoke-public-connect", props: { database: "app", role: "public", objectType: "database", privileges: [] },
        deps: { database: ["db-database"] } },
    grant("app", "database", ["CONNECT"]), grant("app", "schema", ["USAGE"]), grant("app", "table", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
    grant("app", "sequence", ["USAGE", "SELECT"]), grant("app", "table", ["SELECT", "INSERT", "UPDATE", "DELETE"], POSTGRESQL.defaultPrivileges),
    grant("readonly", "database", ["CONNECT"]), grant("readonly", "schema", ["USAGE"]), grant("readonly", "table", ["SELECT"]),
    grant("readonly", "sequence", ["SELECT"]), grant("readonly", "sequence", ["SELECT"], POSTGRESQL.defaultPrivileges),
];
/** The same without a postgresql.Database: the database RDS created from dbName, named in the grants. */
const rolesOnRdsDatabase = without(roles, "db-database").map(({ deps, ...resource }): TestResource => {
    const { database: _database, ...others } = deps ?? {};
    return { ...resource, deps: others };
});

const stack: StackCase[] = [
    {
        policy: "rds-force-ssl", compliant: store,
        violating: [
            { resources: withDbParameters([{ name: "rds.force_ssl", value: "0" }]), message: /db: rds\.force_ssl is 0 in parameter group db-pg17/ },
            { resources: changed(without(store, "db-pg17"), "db", { deps: { vpcSecurityGroupIds: ["db-sg"] }, props: { engineVersion: "14", parameterGroupName: "default.postgres14" } }),
                message: /rds\.force_ssl is not set in parameter group "default\.postgres14"/ },
        ],
    },
    {
        // PostgreSQL with engineVersion and parameter group left out: RDS creates 16+, whose default rds.force_ssl is 1.
        policy: "rds-force-ssl", compliant: [{ type: AWS.rdsInstance, name: "db", props: { engine: "postgres", instanceClass: "db.t4g.medium" } }, ...mysqlStore],
        violating: [
            { resources: [{ type: AWS.rdsInstance, name: "db", props: { engine: "postgres", engineVersion: "14.10" } }],
                message: /db: rds\.force_ssl is not set in parameter group "default"/ },
            { resources: changed(mysqlStore, "mysql84", { props: { parameters: [] } }), message: /shop: require_secure_transport is not set in parameter group mysql84/ },
            { resources: changed(mysqlStore, "mysql84", { props: { parameters: [{ name: "require_secure_transport", value: "OFF" }] } }),
                message: /require_secure_transport is OFF/ },
            { resources: [{ type: AWS.rdsCluster, name: "aurora", props: { engine: "aurora-postgresql", engineVersion: "16.4" } }],
                message: /aurora: rds\.force_ssl is not set in parameter group "default"/ },
        ],
    },
    {
        policy: "rds-force-ssl", compliant: [
            { type: AWS_DATA.rdsClusterParameterGroup, name: "aurora-pg", props: { family: "aurora-postgresql16", parameters: [{ name: "rds.force_ssl", value: "1" }] } },
            { type: AWS.rdsCluster, name: "aurora", props: { engine: "aurora-postgresql", engineVersion: "16.4" }, deps: { dbClusterParameterGroupName: ["aurora-pg"] } },
            { type: AWS.rdsClusterInstance, name: "aurora-1", props: { engine: "aurora-postgresql", instanceClass: "db.r7g.large" } },
        ],
        violating: [{ resources: [{ type: AWS.rdsInstance, name: "maria", props: { engine: "mariadb", engineVersion: "11.4" } }],
            message: /maria: require_secure_transport is not set/ }],
    },
    {
        policy: "rds-slow-query-log", compliant: store,
        violating: [
            { resources: withDbParameters([]), message: /log_min_duration_statement is not set \(-1: off\) in db-pg17/ },
            { resources: withDbParameters([{ name: "log_min_duration_statement", value: "5000" }]), message: /is 5000 ms in db-pg17; at most 1000 ms/ },
        ],
    },
    {
        policy: "rds-connection-pooling", compliant: store,
        violating: [
            { resources: without(store, "proxy-target"), message: /db is not the target of any RDS Proxy/ },
            { resources: changed(store, "proxy", { props: { requireTls: false } }), message: /pooled by proxy, whose requireTls is false/ },
        ],
    },
    {
        policy: "postgres-roles-least-privilege", compliant: roles,
        violating: [
            { resources: [{ type: AWS.rdsInstance, name: "db", props: postgres }], message: /^db runs PostgreSQL, but the stack manages no roles/m },
            { resources: [{ type: AWS.rdsCluster, name: "aurora", props: { ...postgres, engine: "aurora-postgresql" } },
                { type: AWS.rdsClusterInstance, name: "aurora-1", props: { engine: "aurora-postgresql", instanceClass: "db.r7g.large" } }],
                message: /^aurora runs PostgreSQL, but the stack manages no roles/m },
            { resources: changed(roles, "db-app", { props: { superuser: true } }), message: /^application role app: superuser is true$/m },
            { resources: changed(roles, "db-readonly", { props: { createRole: true, createDatabase: true } }),
                message: /^read-only role readonly: createRole is true; createDatabase is true$/m },
            { resources: changed(roles, "db-app", { props: { roles: ["rds_superuser"] } }), message: /application role app: it is a member of rds_superuser/ },
            { resources: changed(roles, "db-app", { props: { connectionLimit: undefined } }), message: /connectionLimit is not set \(-1: unlimited\)/ },
            { resources: changed(roles, "db-app", { props: { connectionLimit: -1 } }), message: /connectionLimit is -1 \(unlimited\)/ },
            { resources: changed(roles, "db-app", { props: { name: "api" } }), message: /no role named app \(appRoles\) is managed here/ },
            { resources: changed(roles, "db-app-table", { props: { privileges: ["ALL"] } }),
                message: /db-app-table \(role app\): grants ALL on table; application roles may hold only SELECT, INSERT, UPDATE, DELETE there/ },
            { resources: changed(roles, "db-readonly-table", { props: { privileges: ["SELECT", "INSERT"], withGrantOption: true } }),
                message: /grants INSERT on table; read-only roles may hold only SELECT there; withGrantOption is true/ },
            { resources: changed(roles, "db-readonly-sequence", { props: { privileges: ["USAGE", "SELECT"] } }),
                message: /db-readonly-sequence \(role readonly\): grants USAGE on sequence/ },
            { resources: changed(roles, "db-app-default-table", { props: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"] } }),
                message: /db-app-default-table \(role app\): grants TRUNCATE on table/ },
            { resources: changed(roles, "db-app-schema", { props: { privileges: ["USAGE", "CREATE"] } }), message: /grants CREATE on schema/ },
            { resources: [...roles, { type: POSTGRESQL.grantRole, name: "db-app-migrator", props: { role: "app", grantRole: "migrator" }, deps: { role: ["db-app"] } }],
                message: /db-app-migrator makes application role app a member of migrator/ },
            { resources: changed(roles, "db-database", { props: { owner: "app" }, deps: { owner: ["db-app"] } }),
                message: /db-database is owned by application role app, and an owner holds every privilege on it/ },
            { resources: without(roles, "db-revoke-public-connect"),
                message: /database "app" \(db-database\) leaves CONNECT to PUBLIC, so every role may connect/ },
            { resources: changed(roles, "db-revoke-public-connect", { props: { privileges: ["CONNECT", "TEMPORARY"] } }),
                message: /leaves CONNECT to PUBLIC \(db-revoke-public-connect grants it\)/ },
            { resources: without(rolesOnRdsDatabase, "db-revoke-public-connect"), message: /^PUBLIC keeps CONNECT on the databases, so every role may connect/m },
        ],
    },
    {
        policy: "redis-maxmemory-policy", compliant: store,
        violating: [
            { resources: changed(store, "redis7", { props: { parameters: [] } }), message: /cache: redis7 does not set maxmemory-policy/ },
            { resources: changed(store, "redis7", { props: { parameters: [{ name: "maxmemory-policy", value: "noeviction" }] } }),
                message: /maxmemory-policy is noeviction; allowed: allkeys-lru/ },
        ],
        config: { allowedPolicies: ["allkeys-lru", "volatile-lru"] },
    },
    {
        policy: "redis-maxmemory-policy", compliant: [store[7], { type: AWS.cacheCluster, name: "single", props: cacheCluster, deps: { parameterGroupName: ["redis7"] } }],
        violating: [{ resources: [{ type: AWS.cacheCluster, name: "single", props: { ...cacheCluster, parameterGroupName: "default.redis7" } }],
            message: /single: parameter group "default\.redis7" is not managed here/ }],
    },
    {
        policy: "data-store-ingress-restricted", compliant: store,
        violating: [
            { resources: [...store, { type: AWS.ingressRule, name: "db-from-office", props: { cidrIpv4: "203.0.113.0/24", fromPort: 5432, toPort: 5432 },
                deps: { securityGroupId: ["db-sg"] } }], message: /db: db-from-office admits address ranges 203\.0\.113\.0\/24/ },
            { resources: changed(store, "redis-sg", { props: { ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["0.0.0.0/0"] }] } }),
                message: /cache: redis-sg ingress\[0\] admits address ranges 0\.0\.0\.0\/0/ },
            { resources: changed(store, "cache", { props: { securityGroupIds: undefined }, deps: { parameterGroupName: ["redis7"] } }),
                message: /cache sets no securityGroupIds, so it gets the VPC's default security group/ },
            { resources: [...store, { type: AWS.ingressRule, name: "redis-half-a", props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: "0.0.0.0/1" },
                deps: { securityGroupId: ["redis-sg"] } }], message: /cache: redis-half-a admits address ranges 0\.0\.0\.0\/1 \(the internet\)/ },
            { resources: [...store, { type: AWS_DATA.memorydbCluster, name: "memorydb", props: memorydb, deps: { securityGroupIds: ["redis-sg"] } },
                { type: AWS.ingressRule, name: "redis-office", props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379, cidrIpv4: "198.51.100.0/24" },
                    deps: { securityGroupId: ["redis-sg"] } }].filter((r) => r.name !== "cache"), message: /memorydb: redis-office admits address ranges 198\.51\.100\.0\/24;/ },
        ],
    },
    {
        // The app's egress is narrow; the load balancer's group, which no data store admits, is none of this rule's business.
        policy: "data-client-egress-restricted", compliant: egressing,
        violating: [
            { resources: [...egressing, { type: AWS.egressRule, name: "app-anywhere", props: { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" },
                deps: { securityGroupId: ["app-sg"] } }], message: /app-sg, which db admits, sends all protocols to the internet \(app-anywhere\)/ },
            { resources: changed(egressing, "app-sg", { props: { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] } }),
                message: /app-sg, which db admits, sends all protocols to the internet \(app-sg egress\[0\]\)/ },
            { resources: [...egressing, { type: AWS.securityGroupRule, name: "legacy-egress",
                props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, ipv6CidrBlocks: ["::/0"] }, deps: { securityGroupId: ["app-sg"] } }],
                message: /app-sg, which db admits, .*\(legacy-egress\)/ },
            { resources: [...egressing, { type: AWS.securityGroupRule, name: "two-halves",
                props: { type: "egress", protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/1", "128.0.0.0/1"] }, deps: { securityGroupId: ["app-sg"] } }],
                message: /app-sg, which db admits, .*\(two-halves\)/ },
        ],
    },
];

export const dataCases: CaseTable = { area: "data", resource, stack };
