import { PolicyResource } from "@pulumi/policy";
import { ResourceRule, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { worldOpenCidrs } from "../lib/cidr";
import { AWS, AWS_DATA, POSTGRESQL } from "../lib/types";
import { booleanProblem, isSet, listOf, majorVersion, numberOf, objectOf, peek, requireBoolean, show, UNKNOWN } from "../lib/values";

const RDS = [AWS.rdsInstance, AWS.rdsCluster];
const isPostgres = (props: Record<string, any>) => typeof props.engine === "string" && /^(aurora-)?postgres/.test(props.engine);
const isRedis = (props: Record<string, any>) => props.engine === undefined || props.engine === "redis" || props.engine === "valkey";
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

function requireAtLeast(key: string, configKey: string, providerDefault: number, unit: string) {
    return (resource: { props: Record<string, any> }, config: Record<string, number>, report: (m: string) => void) => {
        const minimum = config[configKey];
        const raw = resource.props[key];
        const value = raw === undefined || raw === null ? providerDefault : numberOf(raw);
        if (value === undefined) {
            report(`${key} is ${show(raw)}, not a number; set it to ${minimum} ${unit} or more`);
        } else if (value < minimum) {
            const given = raw === undefined || raw === null ? `not set (the provider default is ${providerDefault})` : `${value}`;
            report(`${key} is ${given}; it must be at least ${minimum} ${unit}`);
        }
    };
}

export const postgresEngineVersion: ResourceRule<{ minimumMajorVersion: number }> = {
    name: "postgres-engine-version",
    description: "PostgreSQL runs a supported major version (15 or newer by default).",
    severity: "high",
    checklist: ["DB-01"],
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
export const MINIMUM_ENGINE_VERSIONS: Record<string, string> = { "mysql": "8.4", "mariadb": "10.11", "aurora-mysql": "8.0" };

export const rdsEngineSupported: ResourceRule<{ minimumVersions: Record<string, string> }> = {
    name: "rds-engine-supported",
    description: "MySQL, MariaDB and Aurora MySQL run a version still in standard support.",
    severity: "high",
    checklist: ["DB-01"],
    remediation: "Set engineVersion to a supported version (and the parameter group's family to match) and plan the major upgrade.",
    resourceTypes: RDS,
    config: {
        minimumVersions: { type: "object", additionalProperties: { type: "string" }, default: MINIMUM_ENGINE_VERSIONS,
            description: "Oldest version allowed, by engine (MySQL-compatible version for Aurora MySQL)." },
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
    remediation: "Set storageEncrypted: true with kmsKeyId (the platform KMS key). Existing unencrypted instances are migrated through an encrypted snapshot copy.",
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
    remediation: "Set publiclyAccessible: false and place the instance in the isolated subnets; reach it through the application, a bastion or a VPN.",
    resourceTypes: [AWS.rdsInstance, AWS.rdsClusterInstance],
    validate: requireBoolean("publiclyAccessible", false, false),
};

export const rdsBackupRetention: ResourceRule<{ minimumDays: number }> = {
    name: "rds-backup-retention",
    description: "Automated backups are kept long enough for point-in-time recovery.",
    severity: "high",
    checklist: ["DB-03"],
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
    remediation: "Set deletionProtection: true (platform:database.deletionProtection).",
    resourceTypes: RDS,
    validate: requireBoolean("deletionProtection", true, false),
};

export const rdsMultiAz: ResourceRule = {
    name: "rds-multi-az",
    description: "The database has a synchronous standby in another availability zone.",
    severity: "high",
    checklist: ["DB-09"],
    remediation: "Set multiAz: true (platform:database.multiAz).",
    resourceTypes: [AWS.rdsInstance],
    validate: requireBoolean("multiAz", true, false),
};

export const rdsFinalSnapshot: ResourceRule = {
    name: "rds-final-snapshot",
    description: "Deleting the database leaves a final snapshot.",
    severity: "high",
    checklist: ["DB-10"],
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
    remediation: "Set performanceInsightsEnabled: true with performanceInsightsKmsKeyId.",
    resourceTypes: [AWS.rdsInstance],
    validate: requireBoolean("performanceInsightsEnabled", true, false),
};

export const rdsEnhancedMonitoring: ResourceRule<{ maximumIntervalSeconds: number }> = {
    name: "rds-enhanced-monitoring",
    description: "Enhanced monitoring reports OS metrics of the database host.",
    severity: "medium",
    checklist: ["DB-04"],
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
    "postgres": ["postgresql", "upgrade", "iam-db-auth-error"],
    "aurora-postgresql": ["postgresql", "iam-db-auth-error", "instance"],
    "mysql": ["audit", "error", "general", "slowquery", "iam-db-auth-error"],
    "mariadb": ["audit", "error", "general", "slowquery"],
    "aurora-mysql": ["audit", "error", "general", "slowquery", "iam-db-auth-error", "instance"],
};

export const rdsLogExports: ResourceRule<{ requiredLogs: string[]; requiredMysqlLogs: string[] }> = {
    name: "rds-log-exports",
    description: "Database logs (PostgreSQL's log; MySQL's and MariaDB's error and slow query logs) are exported to CloudWatch Logs.",
    severity: "medium",
    checklist: ["DB-05"],
    remediation: "List the required logs in enabledCloudwatchLogsExports.",
    resourceTypes: RDS,
    config: {
        requiredLogs: { type: "array", items: { type: "string" }, default: ["postgresql", "upgrade"],
            description: "PostgreSQL log types that must be exported (where the engine has them)." },
        requiredMysqlLogs: { type: "array", items: { type: "string" }, default: ["error", "slowquery"],
            description: "MySQL and MariaDB log types that must be exported." },
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

/** The parameter group resource an instance uses, or its name when the group is not in the stack. */
function parameterGroupOf(stack: StackView, resource: PolicyResource, groupType: string): { group?: PolicyResource; name?: unknown } {
    return groupOf(stack, resource, groupType, "parameterGroupName");
}

function groupOf(stack: StackView, resource: PolicyResource, groupType: string, key: string): { group?: PolicyResource; name?: unknown } {
    const referenced = stack.referencedBy(resource, key).find((r) => r.type === groupType);
    if (referenced) {
        return { group: referenced };
    }
    const name = resource.props[key];
    const byName = stack.ofType(groupType).find((g) => g.props.name !== undefined && g.props.name === name);
    return { group: byName, name };
}

function parameterValue(group: PolicyResource, parameter: string): string | undefined {
    const entry = (listOf(group.props.parameters) ?? []).map(objectOf).find((p) => p?.name === parameter);
    return entry?.value === undefined ? undefined : String(entry.value);
}

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
    remediation: "In the parameter group (the cluster parameter group for Aurora), set rds.force_ssl = 1 for PostgreSQL or require_secure_transport = 1 " +
        "for MySQL and MariaDB; RDS for PostgreSQL 15+ defaults to 1: do not turn it off.",
    validate(stack, _config, report) {
        // Aurora instances take the setting from their cluster's parameter group.
        const databases = [
            ...stack.ofType(AWS.rdsInstance).map((r) => ({ database: r, groupType: AWS.rdsParameterGroup as string, key: "parameterGroupName" })),
            ...stack.ofType(AWS.rdsCluster).map((r) => ({ database: r, groupType: AWS_DATA.rdsClusterParameterGroup as string, key: "dbClusterParameterGroupName" })),
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
            const defaultOn = setting.defaultOnFrom !== undefined &&
                (version === undefined ? database.props.engineVersion === undefined : !olderThan(version, setting.defaultOnFrom));
            const on = value === undefined ? defaultOn : setting.on.includes(value.toUpperCase());
            if (!on) {
                const where = group ? `parameter group ${group.name}` : `parameter group ${show(name ?? "default")}`;
                report(`${database.name}: ${setting.parameter} is ${value ?? "not set"} in ${where}, so clients may connect without TLS; set it to 1`, database);
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
    remediation: "Put an RDS Proxy (requireTls: true) with a ProxyTarget in front of the instance and point DATABASE_URL at it.",
    validate(stack, _config, report) {
        for (const instance of stack.ofType(AWS.rdsInstance).filter((r) => isPostgres(r.props))) {
            const targets = stack.ofType(AWS.rdsProxyTarget).filter((t) =>
                stack.referencedBy(t, "dbInstanceIdentifier").some((r) => r.urn === instance.urn) ||
                (instance.props.identifier !== undefined && t.props.dbInstanceIdentifier === instance.props.identifier));
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

type RoleKind = "application" | "read-only";

/** What each kind of role may hold, by object type: the application reads and writes rows, a read-only role reads them. */
const ROLE_PRIVILEGES: Record<RoleKind, Record<string, string[]>> = {
    application: {
        database: ["CONNECT", "TEMPORARY", "TEMP"], schema: ["USAGE"], table: ["SELECT", "INSERT", "UPDATE", "DELETE"],
        column: ["SELECT", "INSERT", "UPDATE"], sequence: ["USAGE", "SELECT", "UPDATE"], type: ["USAGE"],
    },
    // USAGE on a sequence allows nextval, which writes: a read-only role gets SELECT on sequences only.
    "read-only": { database: ["CONNECT"], schema: ["USAGE"], table: ["SELECT"], column: ["SELECT"], sequence: ["SELECT"], type: ["USAGE"] },
};
/** Predefined roles each kind may be a member of: they read (the application's also write) data, and administer nothing. */
const PREDEFINED_READ_ROLES = ["pg_read_all_data", "pg_read_all_stats", "pg_read_all_settings", "pg_stat_scan_tables", "pg_monitor"];
const ROLE_MEMBERSHIPS: Record<RoleKind, string[]> = {
    application: [...PREDEFINED_READ_ROLES, "pg_write_all_data"],
    "read-only": PREDEFINED_READ_ROLES,
};
const PRIVILEGED_ATTRIBUTES = ["superuser", "createRole", "createDatabase", "replication", "bypassRowLevelSecurity"];
const text = (value: unknown) => (typeof value === "string" ? value : undefined);

export const postgresRolesLeastPrivilege: StackRule<{ appRoles: string[]; readOnlyRoles: string[] }> = {
    name: "postgres-roles-least-privilege",
    appliesTo: RDS,
    description: "PostgreSQL roles are managed as code with least privilege: the application reads and writes rows, readers read, PUBLIC cannot connect.",
    severity: "high",
    checklist: ["DB-11"],
    remediation: "Manage roles and grants with @pulumi/postgresql (platform:database.manageRoles): grant the application role only SELECT, INSERT, " +
        "UPDATE, DELETE on tables and USAGE on schemas and sequences, read-only roles only SELECT; leave superuser, createRole and createDatabase " +
        "false; set the application role's connectionLimit; and revoke CONNECT from PUBLIC with a Grant (role \"public\", objectType \"database\", privileges []).",
    config: {
        appRoles: { type: "array", items: { type: "string" }, default: ["app"], description: "Roles the application connects as; each must exist." },
        readOnlyRoles: { type: "array", items: { type: "string" }, default: ["readonly"], description: "Roles that may only read, checked when present." },
    },
    validate(stack, { appRoles, readOnlyRoles }, report) {
        const databases = stack.ofType(...RDS).filter((r) => isPostgres(r.props));
        if (databases.length === 0) {
            return;
        }
        const roles = stack.ofType(POSTGRESQL.role);
        if (roles.length === 0) {
            // Role management turned off is a failure to check, not a database without roles.
            for (const database of databases) {
                report(`${database.name} runs PostgreSQL, but the stack manages no roles (@pulumi/postgresql), so nothing shows least-privilege ` +
                    "access: the application would connect as the master user, a member of rds_superuser", database);
            }
            return;
        }
        // Stack-wide findings go to the database when there is one, to the stack otherwise.
        const subject = databases.length === 1 ? databases[0] : undefined;
        const nameOf = (role: PolicyResource) => text(peek(role.props, "name"));
        const kindOf = (name: string | undefined): RoleKind | undefined =>
            name === undefined ? undefined : appRoles.includes(name) ? "application" : readOnlyRoles.includes(name) ? "read-only" : undefined;
        /** The role a grant names: its literal name, or the managed role it comes from. */
        const roleIn = (resource: PolicyResource, key: string) => {
            const source = stack.referencedBy(resource, key).find((r) => r.type === POSTGRESQL.role);
            return text(peek(resource.props, key)) ?? (source ? nameOf(source) : undefined);
        };
        const mayJoin = (kind: RoleKind, other: string) =>
            ROLE_MEMBERSHIPS[kind].includes(other) || readOnlyRoles.includes(other) || (kind === "application" && appRoles.includes(other));

        for (const name of appRoles.filter((n) => !roles.some((r) => nameOf(r) === n))) {
            report(`no role named ${name} (appRoles) is managed here; the application needs a role of its own instead of the master user`, subject);
        }
        for (const role of roles) {
            const name = nameOf(role);
            const kind = kindOf(name);
            if (!kind) {
                continue;
            }
            const problems = PRIVILEGED_ATTRIBUTES.filter((attribute) => peek(role.props, attribute) === true).map((a) => `${a} is true`);
            const memberships = listOf(peek(role.props, "roles")) ?? [];
            problems.push(...memberships.filter((m) => typeof m === "string" && !mayJoin(kind, m)).map((m) => `it is a member of ${m}`));
            if (kind === "application") {
                const limit = peek(role.props, "connectionLimit");
                if (limit === undefined || limit === null) {
                    problems.push("connectionLimit is not set (-1: unlimited)");
                } else if (limit !== UNKNOWN && numberOf(limit) === undefined) {
                    problems.push(`connectionLimit is ${show(limit)}, not a number`);
                } else if (typeof limit === "number" && limit < 0) {
                    problems.push(`connectionLimit is ${limit} (unlimited)`);
                }
            }
            if (problems.length > 0) {
                report(`${kind} role ${name}: ${problems.join("; ")}`, role);
            }
        }
        for (const grant of stack.ofType(POSTGRESQL.grantRole)) {
            const member = roleIn(grant, "role");
            const kind = kindOf(member);
            const joined = text(peek(grant.props, "grantRole"));
            if (kind && joined !== undefined && !mayJoin(kind, joined)) {
                report(`${grant.name} makes ${kind} role ${member} a member of ${joined}, and so gives it ${joined}'s privileges`, grant);
            }
        }
        for (const grant of stack.ofType(POSTGRESQL.grant, POSTGRESQL.defaultPrivileges)) {
            const grantee = roleIn(grant, "role");
            const kind = kindOf(grantee);
            const privileges = listOf(peek(grant.props, "privileges"));
            const objectType = String(peek(grant.props, "objectType")).toLowerCase();
            if (!kind || !privileges) {
                continue;
            }
            const allowed = ROLE_PRIVILEGES[kind][objectType] ?? [];
            const excess = privileges.map((p) => String(p).toUpperCase()).filter((p) => !allowed.includes(p));
            const problems = [
                excess.length > 0 && `grants ${excess.join(", ")} on ${objectType}; ${kind} roles may hold ` +
                    `${allowed.length > 0 ? `only ${allowed.join(", ")}` : "no privileges"} there`,
                peek(grant.props, "withGrantOption") === true && "withGrantOption is true, so it can pass its privileges on",
            ].filter(Boolean);
            if (problems.length > 0) {
                report(`${grant.name} (role ${grantee}): ${problems.join("; ")}`, grant);
            }
        }
        for (const owned of stack.ofType(POSTGRESQL.database, POSTGRESQL.schema)) {
            const owner = roleIn(owned, "owner");
            const kind = kindOf(owner);
            if (kind) {
                report(`${owned.name} is owned by ${kind} role ${owner}, and an owner holds every privilege on it; let a migration role own it`, owned);
            }
        }

        // A Grant to PUBLIC on a database sets exactly the privileges it lists: one without CONNECT revokes it.
        const publicGrants = stack.ofType(POSTGRESQL.grant).filter((g) =>
            text(peek(g.props, "role"))?.toLowerCase() === "public" && String(peek(g.props, "objectType")).toLowerCase() === "database");
        const revokes = (g: PolicyResource) => {
            const privileges = listOf(peek(g.props, "privileges"));
            return privileges !== undefined && !privileges.some((p) => ["CONNECT", "ALL"].includes(String(p).toUpperCase()));
        };
        const covers = (g: PolicyResource, database: PolicyResource) => {
            const name = peek(database.props, "name");
            return stack.referencedBy(g, "database").some((r) => r.urn === database.urn) || (typeof name === "string" && peek(g.props, "database") === name);
        };
        const howToRevoke = "revoke it with a Grant (role \"public\", objectType \"database\", privileges [])";
        const managed = stack.ofType(POSTGRESQL.database);
        if (managed.length === 0 && !publicGrants.some(revokes)) {
            const granting = publicGrants.map((g) => g.name).join(", ");
            report(`PUBLIC keeps CONNECT on the databases${granting ? ` (${granting} grants it)` : ""}, so every role may connect; ${howToRevoke}`, subject);
        }
        for (const database of managed) {
            const own = publicGrants.filter((g) => covers(g, database));
            if (!own.some(revokes)) {
                const granting = own.map((g) => g.name).join(", ");
                report(`database ${show(peek(database.props, "name"))} (${database.name}) leaves CONNECT to PUBLIC` +
                    `${granting ? ` (${granting} grants it)` : ""}, so every role may connect; ${howToRevoke}`, database);
            }
        }
    },
};

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
            report("transitEncryptionMode is \"preferred\", which still accepts plaintext clients; set it to \"required\"");
        }
    },
};

export const redisAtRestEncryption: ResourceRule<{ requireCustomerManagedKey: boolean }> = {
    name: "redis-at-rest-encryption",
    description: "Redis data and snapshots are encrypted at rest, with the platform's KMS key.",
    severity: "high",
    checklist: ["CACHE-07"],
    remediation: "Set atRestEncryptionEnabled: true and kmsKeyId (kmsKeyArn on MemoryDB) to a customer-managed key; a single-node " +
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
    remediation: "Set authToken from a generated secret (with transit encryption), or userGroupIds for RBAC (userGroupId on a serverless cache, " +
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
                report("aclName is \"open-access\", so clients connect without a password; use an ACL of users with passwords");
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
    remediation: "Run at least one replica (numCacheClusters >= 2) with automaticFailoverEnabled and multiAzEnabled (numReplicasPerShard >= 1 on " +
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
        const problems = [
            booleanProblem(props, "automaticFailoverEnabled", true, false),
            booleanProblem(props, "multiAzEnabled", true, false),
        ].filter(Boolean);
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

export const REDIS_MAXMEMORY_POLICIES = [
    "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
];

export const redisMaxmemoryPolicy: StackRule<{ allowedPolicies: string[] }> = {
    name: "redis-maxmemory-policy",
    appliesTo: [AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.memorydbCluster],
    description: "Redis has an explicit maxmemory-policy, chosen for what it stores.",
    severity: "medium",
    checklist: ["CACHE-04"],
    remediation: "Use a parameter group that sets maxmemory-policy (platform:cache.maxmemoryPolicy).",
    config: {
        allowedPolicies: { type: "array", items: { type: "string", enum: REDIS_MAXMEMORY_POLICIES }, default: REDIS_MAXMEMORY_POLICIES,
            description: "Eviction policies allowed." },
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
    "cache.t3.micro": 0.5, "cache.t3.small": 1.37, "cache.t3.medium": 3.09,
    "cache.t4g.micro": 0.5, "cache.t4g.small": 1.37, "cache.t4g.medium": 3.09,
    "cache.m5.large": 6.38, "cache.m5.xlarge": 12.93, "cache.m5.2xlarge": 26.04, "cache.m5.4xlarge": 52.26,
    "cache.m6g.large": 6.38, "cache.m6g.xlarge": 12.93, "cache.m6g.2xlarge": 26.04, "cache.m6g.4xlarge": 52.26,
    "cache.m7g.large": 6.38, "cache.m7g.xlarge": 12.93, "cache.m7g.2xlarge": 26.04, "cache.m7g.4xlarge": 52.26,
    "cache.r5.large": 13.07, "cache.r5.xlarge": 26.32, "cache.r5.2xlarge": 52.82, "cache.r5.4xlarge": 105.81,
    "cache.r6g.large": 13.07, "cache.r6g.xlarge": 26.32, "cache.r6g.2xlarge": 52.82, "cache.r6g.4xlarge": 105.81,
    "cache.r7g.large": 13.07, "cache.r7g.xlarge": 26.32, "cache.r7g.2xlarge": 52.82, "cache.r7g.4xlarge": 105.81,
};

export const redisMemorySize: ResourceRule<{ minimumGiB: number }> = {
    name: "redis-memory-size",
    description: "Redis nodes have enough memory for production (2 GiB or more by default).",
    severity: "medium",
    checklist: ["CACHE-03"],
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

interface IngressSource {
    rule: string;
    cidrs: string[];
}

/** Every ingress source of a security group: inline rules and rule resources attached to it. */
export function ingressSources(stack: StackView, group: PolicyResource): IngressSource[] {
    const inline = (listOf(group.props.ingress) ?? []).map(objectOf).filter((r): r is Record<string, any> => !!r).map((r, i) => ({
        rule: `${group.name} ingress[${i}]`,
        cidrs: [...(listOf(r.cidrBlocks) ?? []), ...(listOf(r.ipv6CidrBlocks) ?? [])].map(String),
    }));
    const attached = stack.referencing(group, [AWS.ingressRule, AWS.securityGroupRule], "securityGroupId")
        .filter((r) => r.type === AWS.ingressRule || r.props.type === "ingress")
        .map((r) => ({
            rule: r.name,
            cidrs: [r.props.cidrIpv4, r.props.cidrIpv6, ...(listOf(r.props.cidrBlocks) ?? []), ...(listOf(r.props.ipv6CidrBlocks) ?? [])]
                .filter((c) => typeof c === "string"),
        }));
    return [...inline, ...attached];
}

/** Each data store with the security groups of its own that the stack defines (and the key that names them). */
function dataStoreGroups(stack: StackView): { store: PolicyResource; key: string; ids: unknown[]; groups: PolicyResource[] }[] {
    const stores: [PolicyResource, string][] = [
        ...stack.ofType(AWS.rdsInstance, AWS.rdsCluster, AWS.rdsProxy).map((r): [PolicyResource, string] => [r, "vpcSecurityGroupIds"]),
        ...stack.ofType(AWS.replicationGroup, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster).map((r): [PolicyResource, string] => [r, "securityGroupIds"]),
        // A cache cluster in a replication group takes the group's security groups.
        ...stack.ofType(AWS.cacheCluster).filter((r) => !r.props.replicationGroupId).map((r): [PolicyResource, string] => [r, "securityGroupIds"]),
    ];
    return stores.map(([store, key]) => ({
        store,
        key,
        ids: listOf(store.props[key]) ?? [],
        groups: stack.referencedBy(store, key).filter((r) => r.type === AWS.securityGroup),
    }));
}

/** The security groups a group admits by reference: attached ingress rules' sources and inline ingress `securityGroups`. */
function admittedGroups(stack: StackView, group: PolicyResource): PolicyResource[] {
    const rules = stack.referencing(group, [AWS.ingressRule, AWS.securityGroupRule], "securityGroupId")
        .filter((r) => r.type === AWS.ingressRule || r.props.type === "ingress");
    const sources = [
        ...rules.flatMap((r) => stack.referencedBy(r, r.type === AWS.ingressRule ? "referencedSecurityGroupId" : "sourceSecurityGroupId")),
        ...stack.referencedBy(group, "ingress"),
    ];
    return sources.filter((r) => r.type === AWS.securityGroup && r.urn !== group.urn);
}

const ALL_PROTOCOLS = ["-1", -1, "all"];

/** The egress rules of a group that send every protocol to the whole internet: inline, rule resources and legacy rules. */
function openEgress(stack: StackView, group: PolicyResource): string[] {
    const inline = (listOf(group.props.egress) ?? []).map(objectOf).flatMap((r, i) =>
        r && ALL_PROTOCOLS.includes(r.protocol) && worldOpenCidrs([...(listOf(r.cidrBlocks) ?? []), ...(listOf(r.ipv6CidrBlocks) ?? [])]).length > 0
            ? [`${group.name} egress[${i}]`] : []);
    const attached = stack.referencing(group, [AWS.egressRule, AWS.securityGroupRule], "securityGroupId").filter((r) => {
        if (r.type === AWS.egressRule) {
            // A destination a preview cannot know yet (a VPC's range) is not the world: read it without failing.
            return ALL_PROTOCOLS.includes(r.props.ipProtocol) && worldOpenCidrs(["cidrIpv4", "cidrIpv6"].map((k) => peek(r.props, k))).length > 0;
        }
        return r.props.type === "egress" && ALL_PROTOCOLS.includes(r.props.protocol) &&
            worldOpenCidrs([...(listOf(r.props.cidrBlocks) ?? []), ...(listOf(r.props.ipv6CidrBlocks) ?? [])]).length > 0;
    }).map((r) => r.name);
    return [...inline, ...attached];
}

export const dataClientEgressRestricted: StackRule = {
    name: "data-client-egress-restricted",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.rdsProxy, AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster],
    description: "Security groups the data stores admit do not send every protocol to the whole internet.",
    severity: "high",
    checklist: ["EDGE-07"],
    remediation: "Replace the all-protocol egress to 0.0.0.0/0 with the ports the workload needs: DNS to the VPC resolver, 443, and the data stores' ports to their security groups.",
    validate(stack, _config, report) {
        const reported = new Set<string>();
        for (const { store, groups } of dataStoreGroups(stack)) {
            for (const client of groups.flatMap((g) => admittedGroups(stack, g))) {
                const open = openEgress(stack, client);
                if (open.length > 0 && !reported.has(client.urn)) {
                    reported.add(client.urn);
                    report(`${client.name}, which ${store.name} admits, sends all protocols to the internet (${open.join(", ")}); ` +
                        "a compromised workload could reach anywhere from beside the data", client);
                }
            }
        }
    },
};

export const dataStoreIngressRestricted: StackRule = {
    name: "data-store-ingress-restricted",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster, AWS.replicationGroup, AWS.cacheCluster, AWS_DATA.serverlessCache, AWS_DATA.memorydbCluster],
    description: "Databases and caches admit traffic only from named security groups, never from address ranges.",
    severity: "critical",
    checklist: ["DB-08", "CACHE-09", "EDGE-07"],
    remediation: "Give each data store its own security group whose ingress references the application's (and the proxy's) security group only.",
    validate(stack, _config, report) {
        for (const { store, key, ids, groups } of dataStoreGroups(stack).filter(({ store }) => store.type !== AWS.rdsProxy)) {
            if (ids.length === 0) {
                report(`${store.name} sets no ${key}, so it gets the VPC's default security group`, store);
                continue;
            }
            if (groups.length < ids.length) {
                report(`${store.name} uses security groups not defined in this stack (${key} = ${show(ids)}); their ingress cannot be checked`, store);
            }
            for (const group of groups) {
                for (const source of ingressSources(stack, group).filter((s) => s.cidrs.length > 0)) {
                    const world = worldOpenCidrs(source.cidrs).length > 0 ? " (the internet)" : "";
                    report(`${store.name}: ${source.rule} admits address ranges ${source.cidrs.join(", ")}${world}; admit security groups only`, store);
                }
            }
        }
    },
};

export const dataRules = {
    resource: [
        postgresEngineVersion, rdsEngineSupported, rdsStorageEncrypted, rdsNotPubliclyAccessible, rdsBackupRetention, rdsDeletionProtection, rdsMultiAz,
        rdsFinalSnapshot, rdsPerformanceInsights, rdsEnhancedMonitoring, rdsLogExports, redisEngineVersion, redisTransitEncryption,
        redisAtRestEncryption, redisAuthToken, redisSnapshotRetention, redisAutomaticFailover, redisMemorySize,
    ] as ResourceRule<any>[],
    stack: [rdsForceSsl, rdsSlowQueryLog, rdsConnectionPooling, postgresRolesLeastPrivilege, redisMaxmemoryPolicy, dataStoreIngressRestricted,
        dataClientEgressRestricted] as StackRule<any>[],
};
