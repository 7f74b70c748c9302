import { AWS, AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";
import { postgres, store } from "../fixtures";

/** A MySQL instance as a typical program writes it, with a parameter group that requires TLS. */
const mysql = {
    engine: "mysql",
    engineVersion: "8.4.3",
    instanceClass: "db.t4g.medium",
    allocatedStorage: 20,
    storageEncrypted: true,
    enabledCloudwatchLogsExports: ["error", "slowquery"],
    parameterGroupName: "mysql84",
};

const mysqlStore: TestResource[] = [
    { type: AWS.rdsParameterGroup, name: "mysql84", props: { family: "mysql8.4", parameters: [{ name: "require_secure_transport", value: "1" }] } },
    { type: AWS.rdsInstance, name: "shop", props: mysql, deps: { parameterGroupName: ["mysql84"] } },
];

const withDbParameters = (parameters: object[]) => changed(store, "db-pg17", { props: { parameters } });

const resource: ResourceCase[] = [
    {
        policy: "postgres-engine-version",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [
            { change: { engineVersion: "13.7" }, message: /PostgreSQL 13\.7 is older than 15/ },
            { change: { engineVersion: "latest" }, message: /engineVersion "latest" is not a version number/ },
        ],
    },
    {
        // engineVersion left out, as many programs do: RDS creates its current default major (16+), not an old one.
        policy: "postgres-engine-version",
        type: AWS.rdsCluster,
        compliant: { engine: "aurora-postgresql", storageEncrypted: true, masterUsername: "postgres" },
        violating: [{ change: { engineVersion: "11.9" }, message: /PostgreSQL 11\.9 is older than 15/ }],
    },
    {
        policy: "rds-engine-supported",
        type: AWS.rdsInstance,
        compliant: mysql,
        violating: [
            { change: { engineVersion: "8.0.35" }, message: /mysql 8\.0\.35 is older than 8\.4, out of standard support/ },
            { change: { engine: "mariadb", engineVersion: "10.6.14" }, message: /mariadb 10\.6\.14 is older than 10\.11/ },
            { change: { engineVersion: "latest" }, message: /engineVersion "latest" is not a version number/ },
        ],
    },
    {
        policy: "rds-engine-supported",
        type: AWS.rdsCluster,
        compliant: { engine: "aurora-mysql", engineVersion: "8.0.mysql_aurora.3.08.0" },
        violating: [{ change: { engineVersion: "5.7.mysql_aurora.2.11.2" }, message: /aurora-mysql 5\.7\.mysql_aurora\.2\.11\.2 is older than 8\.0/ }],
    },
    {
        // The engine's current default version when engineVersion is left out.
        policy: "rds-engine-supported",
        type: AWS.rdsInstance,
        compliant: { engine: "mariadb", instanceClass: "db.t4g.medium", allocatedStorage: 20 },
        violating: [{ change: { engineVersion: "10.5" }, message: /mariadb 10\.5 is older than 10\.11/ }],
    },
    {
        policy: "rds-storage-encrypted",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [
            { change: { storageEncrypted: false }, message: /storageEncrypted is false; set it to true/ },
            { change: { storageEncrypted: undefined }, message: /storageEncrypted is not set, and the provider default is false/ },
            { change: { storageEncrypted: "yes" }, message: /storageEncrypted is "yes", not a boolean/ },
        ],
    },
    {
        policy: "rds-not-publicly-accessible",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [{ change: { publiclyAccessible: true }, message: /publiclyAccessible is true; set it to false/ }],
    },
    {
        policy: "rds-not-publicly-accessible",
        type: AWS.rdsClusterInstance,
        compliant: { clusterIdentifier: "aurora", engine: "aurora-postgresql", instanceClass: "db.r7g.large" },
        violating: [{ change: { publiclyAccessible: true }, message: /publiclyAccessible is true; set it to false/ }],
    },
    {
        policy: "rds-storage-encrypted",
        type: AWS.rdsCluster,
        compliant: { engine: "aurora-mysql", engineMode: "serverless" },
        violating: [{ change: { engineMode: "provisioned" }, message: /storageEncrypted is not set, and the provider default is false/ }],
    },
    {
        policy: "rds-backup-retention",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [
            { change: { backupRetentionPeriod: 3 }, message: /backupRetentionPeriod is 3; it must be at least 7 days/ },
            { change: { backupRetentionPeriod: undefined }, message: /not set \(the provider default is 1\)/ },
            { change: { backupRetentionPeriod: null }, message: /not set \(the provider default is 1\)/ },
        ],
    },
    {
        policy: "rds-deletion-protection",
        type: AWS.rdsCluster,
        compliant: { ...postgres, engine: "aurora-postgresql" },
        violating: [{ change: { deletionProtection: undefined }, message: /deletionProtection is not set/ }],
    },
    {
        policy: "rds-multi-az",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [{ change: { multiAz: false }, message: /multiAz is false; set it to true/ }],
    },
    {
        policy: "rds-final-snapshot",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [
            { change: { skipFinalSnapshot: true }, message: /skipFinalSnapshot is true; set it to false/ },
            { change: { finalSnapshotIdentifier: undefined }, message: /finalSnapshotIdentifier is not set; name the final snapshot/ },
        ],
    },
    {
        policy: "rds-performance-insights",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [{ change: { performanceInsightsEnabled: undefined }, message: /performanceInsightsEnabled is not set/ }],
    },
    {
        policy: "rds-enhanced-monitoring",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [
            { change: { monitoringInterval: undefined }, message: /monitoringInterval is not set \(0: off\); set 1-60 seconds/ },
            { change: { monitoringRoleArn: undefined }, message: /monitoringRoleArn is not set/ },
            { change: { monitoringInterval: "60" }, message: /monitoringInterval is "60", not a number/ },
        ],
    },
    {
        policy: "rds-log-exports",
        type: AWS.rdsInstance,
        compliant: postgres,
        violating: [
            { change: { enabledCloudwatchLogsExports: ["postgresql"] }, message: /add upgrade/ },
            { change: { enabledCloudwatchLogsExports: undefined }, message: /is not set; add postgresql, upgrade/ },
        ],
    },
    {
        policy: "rds-log-exports",
        type: AWS.rdsInstance,
        compliant: mysql,
        violating: [{ change: { enabledCloudwatchLogsExports: ["error"] }, message: /add slowquery/ }],
    },
    {
        // Aurora PostgreSQL has no upgrade log: only postgresql is required of it.
        policy: "rds-log-exports",
        type: AWS.rdsCluster,
        compliant: { engine: "aurora-postgresql", enabledCloudwatchLogsExports: ["postgresql"] },
        violating: [{ change: { enabledCloudwatchLogsExports: undefined }, message: /is not set; add postgresql$/ }],
    },
];

const stack: StackCase[] = [
    {
        policy: "rds-force-ssl",
        compliant: store,
        violating: [
            { resources: withDbParameters([{ name: "rds.force_ssl", value: "0" }]), message: /db: rds\.force_ssl is 0 in parameter group db-pg17/ },
            {
                resources: changed(without(store, "db-pg17"), "db", {
                    deps: { vpcSecurityGroupIds: ["db-sg"] },
                    props: { engineVersion: "14", parameterGroupName: "default.postgres14" },
                }),
                message: /rds\.force_ssl is not set in parameter group "default\.postgres14"/,
            },
        ],
    },
    {
        // PostgreSQL with engineVersion and parameter group left out: RDS creates 16+, whose default rds.force_ssl is 1.
        policy: "rds-force-ssl",
        compliant: [{ type: AWS.rdsInstance, name: "db", props: { engine: "postgres", instanceClass: "db.t4g.medium" } }, ...mysqlStore],
        violating: [
            {
                resources: [{ type: AWS.rdsInstance, name: "db", props: { engine: "postgres", engineVersion: "14.10" } }],
                message: /db: rds\.force_ssl is not set in parameter group "default"/,
            },
            {
                resources: changed(mysqlStore, "mysql84", { props: { parameters: [] } }),
                message: /shop: require_secure_transport is not set in parameter group mysql84/,
            },
            {
                resources: changed(mysqlStore, "mysql84", { props: { parameters: [{ name: "require_secure_transport", value: "OFF" }] } }),
                message: /require_secure_transport is OFF/,
            },
            {
                resources: [{ type: AWS.rdsCluster, name: "aurora", props: { engine: "aurora-postgresql", engineVersion: "16.4" } }],
                message: /aurora: rds\.force_ssl is not set in parameter group "default"/,
            },
        ],
    },
    {
        policy: "rds-force-ssl",
        compliant: [
            {
                type: AWS_DATA.rdsClusterParameterGroup,
                name: "aurora-pg",
                props: { family: "aurora-postgresql16", parameters: [{ name: "rds.force_ssl", value: "1" }] },
            },
            {
                type: AWS.rdsCluster,
                name: "aurora",
                props: { engine: "aurora-postgresql", engineVersion: "16.4" },
                deps: { dbClusterParameterGroupName: ["aurora-pg"] },
            },
            { type: AWS.rdsClusterInstance, name: "aurora-1", props: { engine: "aurora-postgresql", instanceClass: "db.r7g.large" } },
        ],
        violating: [
            {
                resources: [{ type: AWS.rdsInstance, name: "maria", props: { engine: "mariadb", engineVersion: "11.4" } }],
                message: /maria: require_secure_transport is not set/,
            },
        ],
    },
    {
        policy: "rds-slow-query-log",
        compliant: store,
        violating: [
            { resources: withDbParameters([]), message: /log_min_duration_statement is not set \(-1: off\) in db-pg17/ },
            { resources: withDbParameters([{ name: "log_min_duration_statement", value: "5000" }]), message: /is 5000 ms in db-pg17; at most 1000 ms/ },
        ],
    },
    {
        policy: "rds-connection-pooling",
        compliant: store,
        violating: [
            { resources: without(store, "proxy-target"), message: /db is not the target of any RDS Proxy/ },
            { resources: changed(store, "proxy", { props: { requireTls: false } }), message: /pooled by proxy, whose requireTls is false/ },
        ],
    },
];

export const rdsCases: CaseTable = { area: "rds", resource, stack };
