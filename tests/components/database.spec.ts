import * as assert from "assert/strict";
import { Database, DatabaseArgs } from "../../components/database";
import { AWS, AWS_DATA, AWS_PLATFORM, POSTGRESQL, PULUMI } from "../../policies/lib/types";
import { isSecretValue, outputIsSecret, Plan, planComponents, planStack, resolve } from "../helpers";

const INSTANCE = AWS.rdsInstance;
const INGRESS = AWS.ingressRule;
const SECURITY_GROUP = AWS.securityGroup;
const ROLE = POSTGRESQL.role;
const GRANT = POSTGRESQL.grant;
const DEFAULT_PRIVILEGES = POSTGRESQL.defaultPrivileges;

const componentArgs: DatabaseArgs = {
    vpcId: "vpc-0abc12345def67890",
    subnetIds: ["subnet-isolated-a", "subnet-isolated-b"],
    proxySubnetIds: ["subnet-private-a", "subnet-private-b"],
    clientSecurityGroupIds: ["sg-app"],
    kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/test",
};

/** Ingress rules of a security group, as (source group URN or literal id, port) pairs. */
function ingressInto(plan: Plan, group: string) {
    const target = plan.one(SECURITY_GROUP, group);
    return plan
        .ofType(INGRESS)
        .filter((rule) => rule.propertyDependencies.securityGroupId?.includes(target.urn))
        .map((rule) => ({
            from: rule.propertyDependencies.referencedSecurityGroupId?.[0] ?? plan.input(rule, "referencedSecurityGroupId"),
            cidr: plan.input(rule, "cidrIpv4"),
            port: plan.input(rule, "fromPort"),
            toPort: plan.input(rule, "toPort"),
        }));
}

describe("Database", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("runs PostgreSQL 15 or newer, encrypted with the platform key, private, protected", () => {
            const instance = plan.one(INSTANCE);
            assert.equal(plan.input(instance, "engine"), "postgres");
            assert.ok(Number(plan.input(instance, "engineVersion").split(".")[0]) >= 15);
            assert.equal(plan.input(instance, "storageEncrypted"), true);
            assert.deepEqual(instance.propertyDependencies.kmsKeyId, [plan.one(AWS.kmsKey, "-secrets-key").urn]);
            assert.equal(plan.input(instance, "publiclyAccessible"), false);
            assert.equal(instance.protect, true);
            assert.ok(isSecretValue(instance.inputs.password));
        });

        it("is Multi-AZ with deletion protection, 14 days of backups, tags on snapshots and a final snapshot", () => {
            const instance = plan.one(INSTANCE);
            assert.equal(plan.input(instance, "multiAz"), true);
            assert.equal(plan.input(instance, "deletionProtection"), true);
            assert.equal(plan.input(instance, "backupRetentionPeriod"), 14);
            assert.equal(plan.input(instance, "copyTagsToSnapshot"), true);
            assert.equal(plan.input(instance, "skipFinalSnapshot"), false);
            assert.equal(plan.input(instance, "finalSnapshotIdentifier"), "platform-production-db-final");
            assert.equal(plan.input(instance, "backupWindow"), "01:00-02:00");
            assert.equal(plan.input(instance, "maintenanceWindow"), "sun:03:00-sun:04:00");
            assert.equal(plan.input(instance, "autoMinorVersionUpgrade"), true);
        });

        it("has Performance Insights, enhanced monitoring and its logs exported to retained, encrypted groups", () => {
            const instance = plan.one(INSTANCE);
            assert.equal(plan.input(instance, "performanceInsightsEnabled"), true);
            assert.ok(plan.input(instance, "performanceInsightsKmsKeyId"));
            assert.equal(plan.input(instance, "monitoringInterval"), 60);
            const monitoring = plan.one(AWS.iamRole, "-db-monitoring");
            assert.deepEqual(instance.propertyDependencies.monitoringRoleArn, [monitoring.urn]);
            assert.match(plan.input(plan.one(AWS.iamPolicyAttachments[0], "-db-monitoring"), "policyArn"), /AmazonRDSEnhancedMonitoringRole$/);
            assert.deepEqual(plan.input(instance, "enabledCloudwatchLogsExports"), ["postgresql", "upgrade"]);
            for (const log of ["postgresql", "upgrade"]) {
                const group = plan.one(AWS.logGroup, `-db-${log}-logs`);
                assert.equal(plan.input(group, "name"), `/aws/rds/instance/platform-production-db/${log}`);
                assert.equal(plan.input(group, "retentionInDays"), 365);
                assert.ok(instance.dependencies.includes(group.urn), "the group exists before RDS would create it");
            }
        });

        it("forces TLS, logs slow queries and preloads pg_stat_statements", () => {
            const group = plan.one(AWS.rdsParameterGroup);
            assert.equal(plan.input(group, "family"), "postgres17");
            const parameters = Object.fromEntries(plan.input(group, "parameters").map((p: any) => [p.name, p.value]));
            assert.equal(parameters["rds.force_ssl"], "1");
            assert.equal(parameters.log_min_duration_statement, "500");
            assert.equal(parameters.shared_preload_libraries, "pg_stat_statements");
            assert.deepEqual(plan.one(INSTANCE).propertyDependencies.parameterGroupName, [group.urn]);
        });

        it("lives in the isolated subnets and admits 5432 only from the application and the proxy", () => {
            const subnetGroup = plan.one(AWS_PLATFORM.rdsSubnetGroup);
            assert.deepEqual(
                plan.input(subnetGroup, "subnetIds"),
                [1, 2, 3].map((i) => `platform-production-network-isolated-${i}-id`),
            );
            const app = plan.one(SECURITY_GROUP, "-network-app").urn;
            const proxy = plan.one(SECURITY_GROUP, "-db-proxy").urn;
            const sources = (group: string) => ingressInto(plan, group).sort((a, b) => a.from.localeCompare(b.from));
            assert.deepEqual(
                sources("-db-postgres"),
                [
                    { from: app, cidr: undefined, port: 5432, toPort: 5432 },
                    { from: proxy, cidr: undefined, port: 5432, toPort: 5432 },
                ].sort((a, b) => a.from.localeCompare(b.from)),
            );
            assert.deepEqual(sources("-db-proxy"), [{ from: app, cidr: undefined, port: 5432, toPort: 5432 }]);
            for (const group of ["-db-postgres", "-db-proxy"]) {
                assert.equal(plan.one(SECURITY_GROUP, group).inputs.ingress, undefined, "no inline rules");
            }
        });

        it("pools connections through an RDS Proxy that requires TLS and reads the role credentials", () => {
            const proxy = plan.one(AWS.rdsProxy);
            assert.equal(plan.input(proxy, "requireTls"), true);
            assert.equal(plan.input(proxy, "engineFamily"), "POSTGRESQL");
            assert.deepEqual(
                plan.input(proxy, "vpcSubnetIds"),
                [1, 2, 3].map((i) => `platform-production-network-private-${i}-id`),
            );
            const auths = plan.input(proxy, "auths");
            assert.equal(auths.length, 3);
            assert.ok(auths.every((a: any) => a.authScheme === "SECRETS" && a.clientPasswordAuthType === "POSTGRES_SCRAM_SHA_256"));
            const pool = plan.input(plan.one(AWS_PLATFORM.rdsProxyDefaultTargetGroup), "connectionPoolConfig");
            assert.deepEqual(pool, { maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, connectionBorrowTimeout: 120 });
            const target = plan.one(AWS.rdsProxyTarget);
            assert.deepEqual(target.propertyDependencies.dbInstanceIdentifier, [plan.one(INSTANCE).urn]);
        });

        it("creates migrator, app and readonly roles with secret passwords, the database owned by migrator and both extensions", () => {
            const roles = plan.ofType(ROLE);
            assert.deepEqual(
                roles.map((r) => plan.input(r, "name")),
                ["migrator", "app", "readonly"],
            );
            assert.ok(roles.every((r) => isSecretValue(r.inputs.password) && plan.input(r, "login") === true));
            assert.equal(plan.input(roles[1], "connectionLimit"), 200);
            const database = plan.one(POSTGRESQL.database);
            assert.equal(plan.input(database, "name"), "app");
            assert.deepEqual(database.propertyDependencies.owner, [roles[0].urn]);
            assert.deepEqual(
                plan.ofType(POSTGRESQL.extension).map((e) => plan.input(e, "name")),
                ["pg_stat_statements", "pgcrypto"],
            );
            const provider = plan.one(PULUMI.postgresqlProvider);
            assert.equal(plan.input(provider, "sslmode"), "require");
            assert.ok(roles.every((r) => r.provider?.startsWith(provider.urn)));
        });

        it("grants app DML only and readonly SELECT only, now and on tables migrator creates later", () => {
            const privileges = (type: string, role: string, objectType: string) =>
                plan
                    .ofType(type)
                    .filter((g) => g.name.includes(`-${role}-`) && plan.input(g, "objectType") === objectType)
                    .map((g) => plan.input(g, "privileges"));
            assert.deepEqual(privileges(GRANT, "app", "table"), [["SELECT", "INSERT", "UPDATE", "DELETE"]]);
            assert.deepEqual(privileges(GRANT, "readonly", "table"), [["SELECT"]]);
            assert.deepEqual(privileges(DEFAULT_PRIVILEGES, "app", "table"), [["SELECT", "INSERT", "UPDATE", "DELETE"]]);
            assert.deepEqual(privileges(DEFAULT_PRIVILEGES, "readonly", "table"), [["SELECT"]]);
            const migrator = plan.ofType(ROLE)[0];
            assert.ok(plan.ofType(DEFAULT_PRIVILEGES).every((d) => d.propertyDependencies.owner?.includes(migrator.urn)));
            const revoke = plan.one(GRANT, "-revoke-public-connect");
            assert.equal(plan.input(revoke, "role"), "public");
            assert.deepEqual(plan.input(revoke, "privileges"), []);
        });

        it("keeps every credential in Secrets Manager, encrypted with the platform key", () => {
            const names = plan.childrenOf("platform:data:Database", AWS.secret).map((s) => plan.input(s, "name"));
            assert.deepEqual(
                names,
                ["platform_admin", "migrator", "app", "readonly"].map((u) => `platform-production-db/postgres/${u}`),
            );
            const version = plan.one(AWS_DATA.secretVersion, "-db-app-credentials");
            assert.ok(isSecretValue(version.inputs.secretString));
            assert.deepEqual(Object.keys(JSON.parse(plan.input(version, "secretString"))), ["engine", "username", "password", "host", "port", "dbname"]);
        });
    });

    it("staging relaxes what Pulumi.staging.yaml says: one zone, no deletion protection, 3 days, no final snapshot", async () => {
        const plan = await planStack("staging");
        const instance = plan.one(INSTANCE);
        assert.equal(plan.input(instance, "instanceClass"), "db.t4g.medium");
        assert.equal(plan.input(instance, "multiAz"), false);
        assert.equal(plan.input(instance, "deletionProtection"), false);
        assert.equal(plan.input(instance, "backupRetentionPeriod"), 3);
        assert.equal(plan.input(instance, "skipFinalSnapshot"), true);
        assert.equal(plan.input(instance, "storageEncrypted"), true);
        assert.equal(plan.input(plan.one(AWS.rdsProxy), "requireTls"), true);
        assert.equal(instance.protect, false);
    });

    describe("component defaults and overrides", () => {
        it("defaults to the strict values", async () => {
            let database: Database | undefined;
            const plan = await planComponents(() => {
                database = new Database("db", componentArgs);
            });
            const instance = plan.one(INSTANCE);
            assert.equal(plan.input(instance, "engineVersion"), "17");
            assert.equal(plan.input(instance, "instanceClass"), "db.r6g.large");
            assert.equal(plan.input(instance, "multiAz"), true);
            assert.equal(plan.input(instance, "deletionProtection"), true);
            assert.equal(plan.input(instance, "backupRetentionPeriod"), 14);
            assert.equal(instance.protect, true);
            assert.equal(plan.ofType(ROLE).length, 3);
            const url = await resolve(database!.databaseUrl);
            assert.match(url, /^postgresql:\/\/app:[A-Za-z0-9]{40}@db-proxy\.proxy-[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:5432\/app\?sslmode=require$/);
            assert.equal(await outputIsSecret(database!.databaseUrl), true);
            assert.equal(await outputIsSecret(database!.migratorUrl), true);
            assert.match(
                await resolve(database!.migratorUrl),
                /^postgresql:\/\/migrator:.*@db\.[a-z0-9]+\.eu-west-1\.rds\.amazonaws\.com:5432\/app\?sslmode=require$/,
            );
        });

        it("takes another version, no enhanced monitoring and no role management when asked", async () => {
            const plan = await planComponents(
                () =>
                    new Database("db", {
                        ...componentArgs,
                        engineVersion: "16.4",
                        monitoringIntervalSeconds: 0,
                        manageRoles: false,
                        databaseName: "orders",
                        protect: false,
                    }),
            );
            const instance = plan.one(INSTANCE);
            assert.equal(plan.input(plan.one(AWS.rdsParameterGroup), "family"), "postgres16");
            assert.equal(plan.input(instance, "monitoringInterval"), 0);
            assert.equal(instance.inputs.monitoringRoleArn, undefined);
            assert.equal(plan.input(instance, "dbName"), "orders", "RDS creates the database when roles are not managed");
            assert.deepEqual(
                plan.resources.filter((r) => r.type.startsWith("postgresql:") || r.type === PULUMI.postgresqlProvider),
                [],
            );
            assert.equal(instance.protect, false);
        });
    });
});
