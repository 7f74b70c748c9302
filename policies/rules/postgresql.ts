import { PolicyResource } from "@pulumi/policy";
import { isPostgres, RDS } from "../lib/engines";
import { RuleFile, StackRule } from "../lib/rule";
import { POSTGRESQL } from "../lib/types";
import { listOf, numberOf, peek, show, UNKNOWN } from "../lib/values";

type RoleKind = "application" | "read-only";

/** What each kind of role may hold, by object type: the application reads and writes rows, a read-only role reads them. */
const ROLE_PRIVILEGES: Record<RoleKind, Record<string, string[]>> = {
    application: {
        database: ["CONNECT", "TEMPORARY", "TEMP"],
        schema: ["USAGE"],
        table: ["SELECT", "INSERT", "UPDATE", "DELETE"],
        column: ["SELECT", "INSERT", "UPDATE"],
        sequence: ["USAGE", "SELECT", "UPDATE"],
        type: ["USAGE"],
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
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Appendix.PostgreSQL.CommonDBATasks.Roles.html",
        "https://www.postgresql.org/docs/current/ddl-priv.html",
    ],
    remediation:
        "Manage roles and grants with @pulumi/postgresql (platform:database.manageRoles): grant the application role only SELECT, INSERT, " +
        "UPDATE, DELETE on tables and USAGE on schemas and sequences, read-only roles only SELECT; leave superuser, createRole and createDatabase " +
        'false; set the application role\'s connectionLimit; and revoke CONNECT from PUBLIC with a Grant (role "public", objectType "database", privileges []).',
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
                report(
                    `${database.name} runs PostgreSQL, but the stack manages no roles (@pulumi/postgresql), so nothing shows least-privilege ` +
                        "access: the application would connect as the master user, a member of rds_superuser",
                    database,
                );
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
            problems.push(...memberships.filter((m): m is string => typeof m === "string" && !mayJoin(kind, m)).map((m) => `it is a member of ${m}`));
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
                excess.length > 0 &&
                    `grants ${excess.join(", ")} on ${objectType}; ${kind} roles may hold ` +
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
        const publicGrants = stack
            .ofType(POSTGRESQL.grant)
            .filter((g) => text(peek(g.props, "role"))?.toLowerCase() === "public" && String(peek(g.props, "objectType")).toLowerCase() === "database");
        const revokes = (g: PolicyResource) => {
            const privileges = listOf(peek(g.props, "privileges"));
            return privileges !== undefined && !privileges.some((p) => ["CONNECT", "ALL"].includes(String(p).toUpperCase()));
        };
        const covers = (g: PolicyResource, database: PolicyResource) => {
            const name = peek(database.props, "name");
            return stack.referencedBy(g, "database").some((r) => r.urn === database.urn) || (typeof name === "string" && peek(g.props, "database") === name);
        };
        const howToRevoke = 'revoke it with a Grant (role "public", objectType "database", privileges [])';
        const managed = stack.ofType(POSTGRESQL.database);
        if (managed.length === 0 && !publicGrants.some(revokes)) {
            const granting = publicGrants.map((g) => g.name).join(", ");
            report(`PUBLIC keeps CONNECT on the databases${granting ? ` (${granting} grants it)` : ""}, so every role may connect; ${howToRevoke}`, subject);
        }
        for (const database of managed) {
            const own = publicGrants.filter((g) => covers(g, database));
            if (!own.some(revokes)) {
                const granting = own.map((g) => g.name).join(", ");
                report(
                    `database ${show(peek(database.props, "name"))} (${database.name}) leaves CONNECT to PUBLIC` +
                        `${granting ? ` (${granting} grants it)` : ""}, so every role may connect; ${howToRevoke}`,
                    database,
                );
            }
        }
    },
};

export const postgresqlRules: RuleFile = {
    title: "PostgreSQL roles and grants (@pulumi/postgresql)",
    resource: [],
    stack: [postgresRolesLeastPrivilege] as StackRule<any>[],
};
