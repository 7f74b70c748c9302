import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { isPostgres, RDS } from "../lib/engines";
import { groupOf, parameterGroupOf, parameterValue } from "../lib/parameter-groups";
import { AWS, AWS_DATA } from "../lib/types";
import { booleanProblem, isSet, listOf, majorVersion, numberOf, requireAtLeast, requireBoolean, show } from "../lib/values";

const isMysqlFamily = (props: Record<string, any>) => typeof props.engine === "string" && /^(mysql|mariadb|aurora-mysql|aurora)$/.test(props.engine);

/** A version's numeric parts: "8.0.mysql_aurora.3.05.2" → [8, 0], "10.11.6" → [10, 11, 6]. */
function versionParts(value: unknown): number[] | undefined {
    const match = /^(\d+(?:\.\d+)*)/.exec(typeof value === "number" ? String(value) : typeof value === "string" ? value : "");
    return match ? match[1].split(".").map(Number) : undefined;
}

function olderThan(version: number[], minimum: number[]): boolean {
    for (let i = 0; i < minimum.length; i++) {
        if ((version[i] ?? 0) !== minimum[i]) {
            return (version[i] ?? 0) < minimum[i];
        }
    }
    return false;
}

export const postgresEngineVersion: ResourceRule<{ minimumMajorVersion: number }> = {
    name: "postgres-engine-version",
    description: "PostgreSQL runs a supported major version (15 or newer by default).",
    severity: "high",
    checklist: ["DB-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/PostgreSQLReleaseNotes/postgresql-release-calendar.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_UpgradeDBInstance.PostgreSQL.MajorVersion.html",
    ],
    remediation: "Set engineVersion to a supported PostgreSQL major (platform:database.engineVersion) and plan the major upgrade.",
    resourceTypes: RDS,
    config: { minimumMajorVersion: { type: "integer", minimum: 9, default: 15, description: "Oldest PostgreSQL major allowed." } },
    validate({ props }, { minimumMajorVersion }, report) {
        if (!isPostgres(props)) {
            return;
        }
        const major = majorVersion(props.engineVersion);
        // Unset, RDS creates the current default major (16 or newer): nothing old to report.
        if (props.engineVersion === undefined || props.engineVersion === null) {
            return;
        }
        if (major === undefined) {
            report(`engineVersion ${show(props.engineVersion)} is not a version number; use PostgreSQL ${minimumMajorVersion} or newer`);
        } else if (major < minimumMajorVersion) {
            report(`PostgreSQL ${props.engineVersion} is older than ${minimumMajorVersion}; upgrade to ${minimumMajorVersion} or newer`);
        }
    },
};

/** Oldest versions still in RDS standard support on 2026-12-01 (RDS for MySQL 8.0 ended 2026-07-31, MariaDB 10.6 2026-08). */
export const MINIMUM_ENGINE_VERSIONS: Record<string, string> = { mysql: "8.4", mariadb: "10.11", "aurora-mysql": "8.0" };

export const rdsEngineSupported: ResourceRule<{ minimumVersions: Record<string, string> }> = {
    name: "rds-engine-supported",
    description: "MySQL, MariaDB and Aurora MySQL run a version still in standard support.",
    severity: "high",
    checklist: ["DB-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MySQL.Concepts.VersionMgmt.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/MariaDB.Concepts.VersionMgmt.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/extended-support.html",
    ],
    remediation: "Set engineVersion to a supported version (and the parameter group's family to match) and plan the major upgrade.",
    resourceTypes: RDS,
    config: {
        minimumVersions: {
            type: "object",
            additionalProperties: { type: "string" },
            default: MINIMUM_ENGINE_VERSIONS,
            description: "Oldest version allowed, by engine (MySQL-compatible version for Aurora MySQL).",
        },
    },
    validate({ props }, { minimumVersions }, report) {
        // "aurora" is Aurora MySQL 1 (5.6-compatible).
        const engine = props.engine === "aurora" ? "aurora-mysql" : props.engine;
        const minimum = typeof engine === "string" ? minimumVersions[engine] : undefined;
        // Unset, RDS creates the engine's current default version.
        if (!isMysqlFamily(props) || minimum === undefined || props.engineVersion === undefined || props.engineVersion === null) {
            return;
        }
        const version = versionParts(props.engineVersion);
        if (version === undefined) {
            report(`engineVersion ${show(props.engineVersion)} is not a version number; use ${engine} ${minimum} or newer`);
        } else if (olderThan(version, versionParts(minimum)!)) {
            report(`${engine} ${props.engineVersion} is older than ${minimum}, out of standard support; upgrade to ${minimum} or newer`);
        }
    },
};

export const rdsStorageEncrypted: ResourceRule = {
    name: "rds-storage-encrypted",
    description: "Database storage is encrypted at rest.",
    severity: "critical",
    checklist: ["DB-07"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Overview.Encryption.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Overview.Encryption.html",
    ],
    equivalents: ["CKV_AWS_16", "CKV_AWS_96", "AVD-AWS-0080", "AVD-AWS-0079"],
    remediation:
        "Set storageEncrypted: true with kmsKeyId (the platform KMS key). Existing unencrypted instances are migrated through an encrypted snapshot copy.",
    resourceTypes: RDS,
    validate({ type, props }, config, report) {
        // Aurora Serverless v1 (engineMode serverless) clusters are encrypted unless told otherwise.
        const providerDefault = type === AWS.rdsCluster && props.engineMode === "serverless";
        requireBoolean("storageEncrypted", true, providerDefault)({ props }, config, report);
    },
};

export const rdsNotPubliclyAccessible: ResourceRule = {
    name: "rds-not-publicly-accessible",
    description: "The database has no public endpoint.",
    severity: "critical",
    checklist: ["DB-08"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html"],
    equivalents: ["CKV_AWS_17", "AVD-AWS-0180"],
    remediation: "Set publiclyAccessible: false and place the instance in the isolated subnets; reach it through the application, a bastion or a VPN.",
    resourceTypes: [AWS.rdsInstance, AWS.rdsClusterInstance],
    validate: requireBoolean("publiclyAccessible", false, false),
};

export const rdsBackupRetention: ResourceRule<{ minimumDays: number }> = {
    name: "rds-backup-retention",
    description: "Automated backups are kept long enough for point-in-time recovery.",
    severity: "high",
    checklist: ["DB-03"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_WorkingWithAutomatedBackups.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PIT.html",
    ],
    equivalents: ["CKV_AWS_133", "AVD-AWS-0077"],
    remediation: "Set backupRetentionPeriod (platform:database.backupRetentionDays) to the minimum or more.",
    resourceTypes: RDS,
    config: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Fewest days of automated backups." } },
    validate: requireAtLeast("backupRetentionPeriod", "minimumDays", 1, "days"),
};

export const rdsDeletionProtection: ResourceRule = {
    name: "rds-deletion-protection",
    description: "The database cannot be deleted until deletion protection is turned off.",
    severity: "high",
    checklist: ["DB-10"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_DeleteCluster.html",
    ],
    equivalents: ["CKV_AWS_293", "CKV_AWS_139", "AVD-AWS-0177", "AVD-AWS-0343"],
    remediation: "Set deletionProtection: true (platform:database.deletionProtection).",
    resourceTypes: RDS,
    validate: requireBoolean("deletionProtection", true, false),
};

export const rdsMultiAz: ResourceRule = {
    name: "rds-multi-az",
    description: "The database has a synchronous standby in another availability zone.",
    severity: "high",
    checklist: ["DB-09"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html"],
    equivalents: ["CKV_AWS_157"],
    remediation: "Set multiAz: true (platform:database.multiAz).",
    resourceTypes: [AWS.rdsInstance],
    validate: requireBoolean("multiAz", true, false),
};

export const rdsFinalSnapshot: ResourceRule = {
    name: "rds-final-snapshot",
    description: "Deleting the database leaves a final snapshot.",
    severity: "high",
    checklist: ["DB-10"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_DeleteInstance.html",
        "https://www.pulumi.com/registry/packages/aws/api-docs/rds/instance/",
    ],
    remediation: "Set skipFinalSnapshot: false and a finalSnapshotIdentifier.",
    resourceTypes: RDS,
    validate({ props }, _config, report) {
        const problem = booleanProblem(props, "skipFinalSnapshot", false, false);
        if (problem) {
            report(problem);
        } else if (typeof props.finalSnapshotIdentifier !== "string" || props.finalSnapshotIdentifier === "") {
            report(`finalSnapshotIdentifier is ${show(props.finalSnapshotIdentifier)}; name the final snapshot, or the deletion fails`);
        }
    },
};

export const rdsPerformanceInsights: ResourceRule = {
    name: "rds-performance-insights",
    description: "Performance Insights records the database's load and top queries.",
    severity: "medium",
    checklist: ["DB-04"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_PerfInsights.html"],
    equivalents: ["CKV_AWS_353", "AVD-AWS-0133"],
    remediation: "Set performanceInsightsEnabled: true with performanceInsightsKmsKeyId.",
    resourceTypes: [AWS.rdsInstance],
    validate: requireBoolean("performanceInsightsEnabled", true, false),
};

export const rdsEnhancedMonitoring: ResourceRule<{ maximumIntervalSeconds: number }> = {
    name: "rds-enhanced-monitoring",
    description: "Enhanced monitoring reports OS metrics of the database host.",
    severity: "medium",
    checklist: ["DB-04"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_Monitoring.OS.html"],
    equivalents: ["CKV_AWS_118"],
    remediation: "Set monitoringInterval (1-60 s) and monitoringRoleArn to a role with AmazonRDSEnhancedMonitoringRole.",
    resourceTypes: [AWS.rdsInstance],
    config: { maximumIntervalSeconds: { type: "integer", enum: [1, 5, 10, 15, 30, 60], default: 60, description: "Coarsest interval allowed." } },
    validate({ props }, { maximumIntervalSeconds }, report) {
        const raw = props.monitoringInterval;
        const interval = raw === undefined || raw === null ? 0 : numberOf(raw);
        if (interval === undefined) {
            report(`monitoringInterval is ${show(raw)}, not a number of seconds`);
        } else if (interval <= 0) {
            report(`monitoringInterval is ${raw === undefined ? "not set (0: off)" : interval}; set 1-${maximumIntervalSeconds} seconds`);
        } else if (interval > maximumIntervalSeconds) {
            report(`monitoringInterval is ${interval} s; at most ${maximumIntervalSeconds} s is allowed`);
        } else if (!isSet(props, "monitoringRoleArn")) {
            report("monitoringRoleArn is not set; enhanced monitoring needs a role with AmazonRDSEnhancedMonitoringRole");
        }
    },
};

/** Log types each engine can export: the required ones are checked only where the engine has them. */
const EXPORTABLE_LOGS: Record<string, string[]> = {
    postgres: ["postgresql", "upgrade", "iam-db-auth-error"],
    "aurora-postgresql": ["postgresql", "iam-db-auth-error", "instance"],
    mysql: ["audit", "error", "general", "slowquery", "iam-db-auth-error"],
    mariadb: ["audit", "error", "general", "slowquery"],
    "aurora-mysql": ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"],
};

export const rdsLogExports: ResourceRule<{ requiredLogs: string[]; requiredMysqlLogs: string[] }> = {
    name: "rds-log-exports",
    description: "Database logs (PostgreSQL's log; MySQL's and MariaDB's error and slow query logs) are exported to CloudWatch Logs.",
    severity: "medium",
    checklist: ["DB-05"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Procedural.UploadtoCloudWatch.html"],
    equivalents: ["CKV_AWS_129", "CKV_AWS_324"],
    remediation: "List the required logs in enabledCloudwatchLogsExports.",
    resourceTypes: RDS,
    config: {
        requiredLogs: {
            type: "array",
            items: { type: "string" },
            default: ["postgresql", "upgrade"],
            description: "PostgreSQL log types that must be exported (where the engine has them).",
        },
        requiredMysqlLogs: {
            type: "array",
            items: { type: "string" },
            default: ["error", "slowquery"],
            description: "MySQL and MariaDB log types that must be exported.",
        },
    },
    validate({ type, props }, { requiredLogs, requiredMysqlLogs }, report) {
        const engine = props.engine === "aurora" ? "aurora-mysql" : props.engine;
        const exportable = typeof engine === "string" ? EXPORTABLE_LOGS[engine] : undefined;
        // Aurora instances export through their cluster.
        if (!exportable || (type === AWS.rdsInstance && engine.startsWith("aurora"))) {
            return;
        }
        const required = (isPostgres(props) ? requiredLogs : requiredMysqlLogs).filter((log) => exportable.includes(log));
        const exported = listOf(props.enabledCloudwatchLogsExports) ?? [];
        const missing = required.filter((log) => !exported.includes(log));
        if (missing.length > 0) {
            report(`enabledCloudwatchLogsExports is ${show(props.enabledCloudwatchLogsExports)}; add ${missing.join(", ")}`);
        }
    },
};

/** The TLS setting of each engine, and the first version that turns it on by default (undefined: never). */
function tlsSetting(engine: string): { parameter: string; on: string[]; defaultOnFrom?: number[] } | undefined {
    if (engine === "postgres") {
        return { parameter: "rds.force_ssl", on: ["1"], defaultOnFrom: [15] };
    }
    if (engine === "aurora-postgresql") {
        return { parameter: "rds.force_ssl", on: ["1"] };
    }
    if (engine === "mysql") {
        return { parameter: "require_secure_transport", on: ["1", "ON"], defaultOnFrom: [9] };
    }
    if (engine === "mariadb") {
        return { parameter: "require_secure_transport", on: ["1", "ON"], defaultOnFrom: [11, 8] };
    }
    return engine === "aurora-mysql" || engine === "aurora" ? { parameter: "require_secure_transport", on: ["1", "ON"] } : undefined;
}

export const rdsForceSsl: StackRule = {
    name: "rds-force-ssl",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster],
    description: "The database refuses connections without TLS (rds.force_ssl = 1, require_secure_transport = ON).",
    severity: "high",
    checklist: ["DB-06"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/PostgreSQL.Concepts.General.SSL.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/mysql-ssl-connections.html",
    ],
    equivalents: ["CKV2_AWS_69"],
    remediation:
        "In the parameter group (the cluster parameter group for Aurora), set rds.force_ssl = 1 for PostgreSQL or require_secure_transport = 1 " +
        "for MySQL and MariaDB; RDS for PostgreSQL 15+ defaults to 1: do not turn it off.",
    validate(stack, _config, report) {
        // Aurora instances take the setting from their cluster's parameter group.
        const databases = [
            ...stack.ofType(AWS.rdsInstance).map((r) => ({ database: r, groupType: AWS.rdsParameterGroup, key: "parameterGroupName" })),
            ...stack.ofType(AWS.rdsCluster).map((r) => ({ database: r, groupType: AWS_DATA.rdsClusterParameterGroup, key: "dbClusterParameterGroupName" })),
        ];
        for (const { database, groupType, key } of databases) {
            const engine = String(database.props.engine);
            const setting = tlsSetting(engine);
            // An instance of an Aurora cluster (engine aurora-*) or a read replica follows its source.
            if (!setting || (database.type === AWS.rdsInstance && engine.startsWith("aurora"))) {
                continue;
            }
            const { group, name } = groupOf(stack, database, groupType, key);
            const value = group ? parameterValue(group, setting.parameter) : undefined;
            // The version the parameter group's family names, else the instance's; unset means the engine's current default.
            const familyVersion = group ? versionParts(String(group.props.family ?? "").replace(/^[a-z-]+/, "")) : undefined;
            const version = familyVersion ?? versionParts(database.props.engineVersion);
            const defaultOn =
                setting.defaultOnFrom !== undefined &&
                (version === undefined ? database.props.engineVersion === undefined : !olderThan(version, setting.defaultOnFrom));
            const on = value === undefined ? defaultOn : setting.on.includes(value.toUpperCase());
            if (!on) {
                const where = group ? `parameter group ${group.name}` : `parameter group ${show(name ?? "default")}`;
                report(
                    `${database.name}: ${setting.parameter} is ${value ?? "not set"} in ${where}, so clients may connect without TLS; set it to 1`,
                    database,
                );
            }
        }
    },
};

export const rdsSlowQueryLog: StackRule<{ maximumMs: number }> = {
    name: "rds-slow-query-log",
    appliesTo: [AWS.rdsInstance],
    description: "Slow statements are logged (log_min_duration_statement).",
    severity: "medium",
    checklist: ["DB-05"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_LogAccess.Concepts.PostgreSQL.html"],
    equivalents: ["CKV2_AWS_30"],
    remediation: "Set log_min_duration_statement in the instance's parameter group (platform:database.slowQueryMs).",
    config: { maximumMs: { type: "integer", minimum: 0, default: 1000, description: "Highest threshold allowed, in milliseconds." } },
    validate(stack, { maximumMs }, report) {
        for (const instance of stack.ofType(AWS.rdsInstance).filter((r) => isPostgres(r.props))) {
            const { group, name } = parameterGroupOf(stack, instance, AWS.rdsParameterGroup);
            if (!group) {
                report(`${instance.name}: parameter group ${show(name ?? "default")} is not managed here, and the default does not log slow queries`, instance);
                continue;
            }
            const raw = parameterValue(group, "log_min_duration_statement");
            const threshold = raw === undefined ? undefined : Number(raw);
            if (threshold === undefined || Number.isNaN(threshold) || threshold < 0) {
                report(`${instance.name}: log_min_duration_statement is ${raw ?? "not set (-1: off)"} in ${group.name}; set 0-${maximumMs} ms`, instance);
            } else if (threshold > maximumMs) {
                report(`${instance.name}: log_min_duration_statement is ${threshold} ms in ${group.name}; at most ${maximumMs} ms`, instance);
            }
        }
    },
};

export const rdsConnectionPooling: StackRule = {
    name: "rds-connection-pooling",
    appliesTo: [AWS.rdsInstance],
    description: "Applications reach PostgreSQL through an RDS Proxy that pools connections and requires TLS.",
    severity: "medium",
    checklist: ["DB-02"],
    references: ["https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-proxy.html"],
    remediation: "Put an RDS Proxy (requireTls: true) with a ProxyTarget in front of the instance and point DATABASE_URL at it.",
    validate(stack, _config, report) {
        for (const instance of stack.ofType(AWS.rdsInstance).filter((r) => isPostgres(r.props))) {
            const targets = stack
                .ofType(AWS.rdsProxyTarget)
                .filter(
                    (t) =>
                        stack.referencedBy(t, "dbInstanceIdentifier").some((r) => r.urn === instance.urn) ||
                        (instance.props.identifier !== undefined && t.props.dbInstanceIdentifier === instance.props.identifier),
                );
            if (targets.length === 0) {
                report(`${instance.name} is not the target of any RDS Proxy, so every client opens its own connections`, instance);
                continue;
            }
            const proxies = targets.flatMap((t) => stack.referencedBy(t, "dbProxyName").filter((r) => r.type === AWS.rdsProxy));
            for (const proxy of proxies.filter((p) => p.props.requireTls !== true)) {
                report(`${instance.name} is pooled by ${proxy.name}, whose requireTls is ${show(proxy.props.requireTls)}; set it to true`, proxy);
            }
        }
    },
};

export const rdsRules: RuleFile = {
    title: "Amazon RDS and Aurora",
    resource: [
        postgresEngineVersion,
        rdsEngineSupported,
        rdsStorageEncrypted,
        rdsNotPubliclyAccessible,
        rdsBackupRetention,
        rdsDeletionProtection,
        rdsMultiAz,
        rdsFinalSnapshot,
        rdsPerformanceInsights,
        rdsEnhancedMonitoring,
        rdsLogExports,
    ] as ResourceRule<any>[],
    stack: [rdsForceSsl, rdsSlowQueryLog, rdsConnectionPooling] as StackRule<any>[],
};
