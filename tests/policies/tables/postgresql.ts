import { AWS, POSTGRESQL } from "../../../policies/lib/types";
import { CaseTable, changed, StackCase, without } from "../cases";
import { TestResource } from "../helpers";
import { postgres } from "../fixtures";

/** Roles and grants as components/database.ts registers them: migrator owns, app reads and writes, readonly reads, PUBLIC may not connect. */
const role = (name: string, connectionLimit: number): TestResource => ({
    type: POSTGRESQL.role,
    name: `db-${name}`,
    props: { name, login: true, password: "generated", connectionLimit },
});

const grant = (roleName: string, objectType: string, privileges: string[], type: string = POSTGRESQL.grant): TestResource => ({
    type,
    name: `db-${roleName}-${type === POSTGRESQL.grant ? "" : "default-"}${objectType}`,
    props: {
        database: "app",
        role: roleName,
        objectType,
        privileges,
        ...(objectType === "database" ? {} : { schema: "public" }),
        ...(type === POSTGRESQL.grant ? {} : { owner: "migrator" }),
    },
    deps: { database: ["db-database"], role: [`db-${roleName}`], ...(type === POSTGRESQL.grant ? {} : { owner: ["db-migrator"] }) },
});

const roles: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: postgres },
    role("migrator", 10),
    role("app", 200),
    role("readonly", 20),
    { type: POSTGRESQL.database, name: "db-database", props: { name: "app", owner: "migrator", encoding: "UTF8" }, deps: { owner: ["db-migrator"] } },
    {
        type: POSTGRESQL.grant,
        name: "db-revoke-public-connect",
        props: { database: "app", role: "public", objectType: "database", privileges: [] },
        deps: { database: ["db-database"] },
    },
    grant("app", "database", ["CONNECT"]),
    grant("app", "schema", ["USAGE"]),
    grant("app", "table", ["SELECT", "INSERT", "UPDATE", "DELETE"]),
    grant("app", "sequence", ["USAGE", "SELECT"]),
    grant("app", "table", ["SELECT", "INSERT", "UPDATE", "DELETE"], POSTGRESQL.defaultPrivileges),
    grant("readonly", "database", ["CONNECT"]),
    grant("readonly", "schema", ["USAGE"]),
    grant("readonly", "table", ["SELECT"]),
    grant("readonly", "sequence", ["SELECT"]),
    grant("readonly", "sequence", ["SELECT"], POSTGRESQL.defaultPrivileges),
];

/** The same without a postgresql.Database: the database RDS created from dbName, named in the grants. */
const rolesOnRdsDatabase = without(roles, "db-database").map(({ deps, ...resource }): TestResource => {
    const { database: _database, ...others } = deps ?? {};
    return { ...resource, deps: others };
});

const stack: StackCase[] = [
    {
        policy: "postgres-roles-least-privilege",
        compliant: roles,
        violating: [
            { resources: [{ type: AWS.rdsInstance, name: "db", props: postgres }], message: /^db runs PostgreSQL, but the stack manages no roles/m },
            {
                resources: [
                    { type: AWS.rdsCluster, name: "aurora", props: { ...postgres, engine: "aurora-postgresql" } },
                    { type: AWS.rdsClusterInstance, name: "aurora-1", props: { engine: "aurora-postgresql", instanceClass: "db.r7g.large" } },
                ],
                message: /^aurora runs PostgreSQL, but the stack manages no roles/m,
            },
            { resources: changed(roles, "db-app", { props: { superuser: true } }), message: /^application role app: superuser is true$/m },
            {
                resources: changed(roles, "db-readonly", { props: { createRole: true, createDatabase: true } }),
                message: /^read-only role readonly: createRole is true; createDatabase is true$/m,
            },
            { resources: changed(roles, "db-app", { props: { roles: ["rds_superuser"] } }), message: /application role app: it is a member of rds_superuser/ },
            { resources: changed(roles, "db-app", { props: { connectionLimit: undefined } }), message: /connectionLimit is not set \(-1: unlimited\)/ },
            { resources: changed(roles, "db-app", { props: { connectionLimit: -1 } }), message: /connectionLimit is -1 \(unlimited\)/ },
            { resources: changed(roles, "db-app", { props: { name: "api" } }), message: /no role named app \(appRoles\) is managed here/ },
            {
                resources: changed(roles, "db-app-table", { props: { privileges: ["ALL"] } }),
                message: /db-app-table \(role app\): grants ALL on table; application roles may hold only SELECT, INSERT, UPDATE, DELETE there/,
            },
            {
                resources: changed(roles, "db-readonly-table", { props: { privileges: ["SELECT", "INSERT"], withGrantOption: true } }),
                message: /grants INSERT on table; read-only roles may hold only SELECT there; withGrantOption is true/,
            },
            {
                resources: changed(roles, "db-readonly-sequence", { props: { privileges: ["USAGE", "SELECT"] } }),
                message: /db-readonly-sequence \(role readonly\): grants USAGE on sequence/,
            },
            {
                resources: changed(roles, "db-app-default-table", { props: { privileges: ["SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE"] } }),
                message: /db-app-default-table \(role app\): grants TRUNCATE on table/,
            },
            { resources: changed(roles, "db-app-schema", { props: { privileges: ["USAGE", "CREATE"] } }), message: /grants CREATE on schema/ },
            {
                resources: [
                    ...roles,
                    { type: POSTGRESQL.grantRole, name: "db-app-migrator", props: { role: "app", grantRole: "migrator" }, deps: { role: ["db-app"] } },
                ],
                message: /db-app-migrator makes application role app a member of migrator/,
            },
            {
                resources: changed(roles, "db-database", { props: { owner: "app" }, deps: { owner: ["db-app"] } }),
                message: /db-database is owned by application role app, and an owner holds every privilege on it/,
            },
            {
                resources: without(roles, "db-revoke-public-connect"),
                message: /database "app" \(db-database\) leaves CONNECT to PUBLIC, so every role may connect/,
            },
            {
                resources: changed(roles, "db-revoke-public-connect", { props: { privileges: ["CONNECT", "TEMPORARY"] } }),
                message: /leaves CONNECT to PUBLIC \(db-revoke-public-connect grants it\)/,
            },
            {
                resources: without(rolesOnRdsDatabase, "db-revoke-public-connect"),
                message: /^PUBLIC keeps CONNECT on the databases, so every role may connect/m,
            },
        ],
    },
];

export const postgresqlCases: CaseTable = { area: "postgresql", resource: [], stack };
