import * as aws from "@pulumi/aws";
import * as postgresql from "@pulumi/postgresql";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { SECRETS_DEFAULTS } from "./secrets";
import { allowTcp } from "./security-group";
import { Tags, tagsNamed } from "./tags";

/** The database's defaults: the production values; a stack file relaxes them key by key. */
export const DATABASE_DEFAULTS = {
    /** The newest major RDS offers: the longest support window before a forced upgrade. */
    engineVersion: "17",
    /** Memory-optimised, 2 vCPU and 16 GiB: the checklists' minimum for production PostgreSQL, not burstable. */
    instanceClass: "db.r6g.large",
    /** gp3 from 20 GiB up gets the baseline 3,000 IOPS; 100 leaves room before autoscaling starts. */
    allocatedStorageGb: 100,
    /** Storage autoscaling ceiling: growth never fills the disk, cost stays bounded. */
    maxAllocatedStorageGb: 500,
    /** The application database. */
    databaseName: "app",
    /** A standby in a second zone: a zone outage or a failed instance fails over in a minute or two. */
    multiAz: true,
    /** Neither a console click nor an API call deletes the instance by mistake. */
    deletionProtection: true,
    /** Two weeks of point-in-time recovery: a bad migration found a week later can still be undone. */
    backupRetentionDays: 14,
    /** A deleted instance leaves a final snapshot behind. */
    skipFinalSnapshot: false,
    /** UTC night in Europe, before the maintenance window. */
    backupWindow: "01:00-02:00",
    /** Sunday UTC night: the quietest hour for a restart. */
    maintenanceWindow: "sun:03:00-sun:04:00",
    /** The free tier of Performance Insights. */
    performanceInsightsRetentionDays: 7,
    /** Enhanced monitoring each minute: OS metrics (memory, swap, I/O) CloudWatch's own metrics lack. */
    monitoringIntervalSeconds: 60,
    /** Half a second: slow enough to be rare, fast enough to catch a missing index. */
    slowQueryMs: 500,
    /** The `app` role's share of a db.r6g.large's max_connections, leaving room for migrations and operators. */
    appConnectionLimit: 200,
    proxy: {
        /** The proxy may open most of max_connections, leaving some for migrations and operators. */
        maxConnectionsPercent: 90,
        /** Half the pool stays warm for bursts. */
        maxIdleConnectionsPercent: 50,
        /** Two minutes a client waits for a connection before it gets an error. */
        borrowTimeoutSeconds: 120,
    },
    /** Roles, grants and extensions are code too: least privilege is planned, not hand-made. */
    manageRoles: true,
    /** A year of PostgreSQL logs: audits and incidents look back that far. */
    logRetentionDays: 365,
    /** The instance holds the data: Pulumi refuses to delete it. */
    protect: true,
} as const satisfies Partial<DatabaseArgs>;

/** The RDS Proxy's connection pool, as the stack file's `database.proxy`. */
export interface DatabaseProxy {
    /** Share of max_connections the proxy may open. */
    maxConnectionsPercent?: pulumi.Input<number>;
    /** Share it keeps idle. */
    maxIdleConnectionsPercent?: pulumi.Input<number>;
    /** Seconds a client waits for a connection. */
    borrowTimeoutSeconds?: pulumi.Input<number>;
}

/** The stack file's `database` section, plus what the platform wires in. Defaults: DATABASE_DEFAULTS. */
export interface DatabaseArgs {
    vpcId: pulumi.Input<string>;
    /** Subnets of the instance: the isolated tier (no route out). */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Subnets of the RDS Proxy: the application tier. */
    proxySubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups of the clients (the application): the only ones admitted on 5432. */
    clientSecurityGroupIds: pulumi.Input<string>[];
    /** KMS key for storage, Performance Insights, logs and the credential secrets. */
    kmsKeyArn: pulumi.Input<string>;
    /** PostgreSQL major (or major.minor) version, 15 or newer. Plain: it names the parameter group family. */
    engineVersion?: string;
    instanceClass?: pulumi.Input<string>;
    /** Initial storage, GiB, growing on demand up to `maxAllocatedStorageGb`. */
    allocatedStorageGb?: pulumi.Input<number>;
    maxAllocatedStorageGb?: pulumi.Input<number>;
    /** The application database. */
    databaseName?: pulumi.Input<string>;
    /** Standby in a second zone. */
    multiAz?: pulumi.Input<boolean>;
    deletionProtection?: pulumi.Input<boolean>;
    /** Days of automated backups and point-in-time recovery, 1-35. */
    backupRetentionDays?: pulumi.Input<number>;
    /** false: a final snapshot is taken when the instance is deleted. */
    skipFinalSnapshot?: pulumi.Input<boolean>;
    /** Daily, UTC. */
    backupWindow?: pulumi.Input<string>;
    /** Weekly, UTC. */
    maintenanceWindow?: pulumi.Input<string>;
    performanceInsightsRetentionDays?: pulumi.Input<number>;
    /** Enhanced monitoring granularity; 0 turns it off. */
    monitoringIntervalSeconds?: number;
    /** Statements slower than this are logged (`log_min_duration_statement`). */
    slowQueryMs?: number;
    /** Connection limit of the `app` role. */
    appConnectionLimit?: pulumi.Input<number>;
    /** The RDS Proxy's connection pool. */
    proxy?: DatabaseProxy;
    /**
     * Create the database, roles, grants and extensions over a PostgreSQL connection. Needs a network
     * path from where Pulumi runs to the instance on 5432 (VPN, bastion tunnel or a runner in the VPC).
     */
    manageRoles?: boolean;
    /** Retention of the exported PostgreSQL logs. */
    logRetentionDays?: pulumi.Input<number>;
    /** Recovery window of the credential secrets: the stack file's `secrets.recoveryWindowDays`. Default: SECRETS_DEFAULTS'. */
    secretRecoveryWindowDays?: pulumi.Input<number>;
    /** Protect the instance from deletion by Pulumi. */
    protect?: boolean;
    tags?: Tags;
}

/** The login roles: `migrator` owns the schema, `app` reads and writes rows, `readonly` reads. */
export const DATABASE_ROLES = ["migrator", "app", "readonly"] as const;
export type DatabaseRole = (typeof DATABASE_ROLES)[number];

const POSTGRES_PORT = 5432;
const MASTER_USERNAME = "platform_admin";

/**
 * RDS PostgreSQL, private and encrypted, behind an RDS Proxy that pools connections and requires TLS,
 * with least-privilege roles for migrations, the application and read-only access.
 */
export class Database extends pulumi.ComponentResource {
    public readonly instanceIdentifier: pulumi.Output<string>;
    public readonly instanceArn: pulumi.Output<string>;
    public readonly address: pulumi.Output<string>;
    public readonly proxyEndpoint: pulumi.Output<string>;
    public readonly proxyName: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    public readonly proxySecurityGroupId: pulumi.Output<string>;
    /** Secrets Manager ARNs of the master and role credentials (JSON: username, password, host, port, dbname). */
    public readonly credentialSecretArns: pulumi.Output<Record<string, string>>;
    /** The application's connection string, through the proxy, TLS required. Secret. */
    public readonly databaseUrl: pulumi.Output<string>;
    /** The migrations' connection string, straight to the instance (DDL should not go through the proxy). Secret. */
    public readonly migratorUrl: pulumi.Output<string>;

    constructor(name: string, args: DatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:Database", name, {}, opts);
        const parent = { parent: this };
        const tags = (suffix: string) => tagsNamed(args.tags, `${name}-${suffix}`);
        const engineVersion = args.engineVersion ?? DATABASE_DEFAULTS.engineVersion;
        const monitoringInterval = args.monitoringIntervalSeconds ?? DATABASE_DEFAULTS.monitoringIntervalSeconds;
        const manageRoles = args.manageRoles ?? DATABASE_DEFAULTS.manageRoles;
        const databaseName = pulumi.output(args.databaseName ?? DATABASE_DEFAULTS.databaseName);
        const partition = aws.getPartitionOutput({}, parent).partition;
        const region = aws.getRegionOutput({}, parent).region;

        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-postgres`,
            {
                description: `Isolated subnets of ${name}`,
                subnetIds: args.subnetIds,
                tags: tags("postgres"),
            },
            parent,
        );

        const dbSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-postgres`,
            {
                vpcId: args.vpcId,
                description: `PostgreSQL of ${name}: 5432 from the application and the RDS Proxy only`,
                tags: tags("postgres"),
            },
            parent,
        );
        const proxySecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-proxy`,
            {
                vpcId: args.vpcId,
                description: `RDS Proxy of ${name}: 5432 from the application, out to PostgreSQL only`,
                tags: tags("proxy"),
            },
            parent,
        );
        const postgres = (source: pulumi.Input<string>, target: aws.ec2.SecurityGroup, ingressName: string, egressName: string, description: string) =>
            allowTcp({ source, target: target.id, port: POSTGRES_PORT, description, ingressName, egressName }, parent);
        args.clientSecurityGroupIds.forEach((client, i) => {
            postgres(
                client,
                dbSecurityGroup,
                `${name}-postgres-from-app-${i + 1}`,
                `${name}-app-${i + 1}-to-postgres`,
                "PostgreSQL from the application (migrations)",
            );
            postgres(client, proxySecurityGroup, `${name}-proxy-from-app-${i + 1}`, `${name}-app-${i + 1}-to-proxy`, "PostgreSQL from the application");
        });
        postgres(proxySecurityGroup.id, dbSecurityGroup, `${name}-postgres-from-proxy`, `${name}-proxy-to-postgres`, "PostgreSQL from the RDS Proxy");

        const major = engineVersion.split(".")[0];
        const parameterGroup = new aws.rds.ParameterGroup(
            `${name}-postgres${major}`,
            {
                family: `postgres${major}`,
                description: `PostgreSQL ${major} of ${name}: TLS only, slow queries logged, pg_stat_statements`,
                parameters: [
                    { name: "rds.force_ssl", value: "1" },
                    { name: "ssl_min_protocol_version", value: "TLSv1.2" },
                    { name: "log_min_duration_statement", value: String(args.slowQueryMs ?? DATABASE_DEFAULTS.slowQueryMs) },
                    { name: "log_lock_waits", value: "1" },
                    { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
                ],
                tags: tags(`postgres${major}`),
            },
            parent,
        );

        // RDS creates these groups itself with no expiry; creating them first sets retention and encryption.
        const logGroups = ["postgresql", "upgrade"].map(
            (log) =>
                new aws.cloudwatch.LogGroup(
                    `${name}-${log}-logs`,
                    {
                        name: `/aws/rds/instance/${name}/${log}`,
                        retentionInDays: args.logRetentionDays ?? DATABASE_DEFAULTS.logRetentionDays,
                        kmsKeyId: args.kmsKeyArn,
                        tags: tags(`${log}-logs`),
                    },
                    parent,
                ),
        );

        let monitoringRoleArn: pulumi.Output<string> | undefined;
        if (monitoringInterval > 0) {
            const monitoringRole = new aws.iam.Role(
                `${name}-monitoring`,
                {
                    description: `Enhanced monitoring of ${name}`,
                    assumeRolePolicy: JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
                    }),
                    tags: tags("monitoring"),
                },
                parent,
            );
            new aws.iam.RolePolicyAttachment(
                `${name}-monitoring`,
                {
                    role: monitoringRole.name,
                    policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole`,
                },
                parent,
            );
            monitoringRoleArn = monitoringRole.arn;
        }

        const password = (user: string) =>
            // RDS refuses '/', '@', '"' and spaces; letters and digits keep URLs simple too.
            pulumi.secret(new random.RandomPassword(`${name}-${user}-password`, { length: 40, special: false }, parent).result);
        const masterPassword = password("master");

        const instance = new aws.rds.Instance(
            `${name}-postgres`,
            {
                identifier: name,
                engine: "postgres",
                engineVersion,
                instanceClass: args.instanceClass ?? DATABASE_DEFAULTS.instanceClass,
                allocatedStorage: args.allocatedStorageGb ?? DATABASE_DEFAULTS.allocatedStorageGb,
                maxAllocatedStorage: args.maxAllocatedStorageGb ?? DATABASE_DEFAULTS.maxAllocatedStorageGb,
                storageType: "gp3",
                storageEncrypted: true,
                kmsKeyId: args.kmsKeyArn,
                username: MASTER_USERNAME,
                password: masterPassword,
                dbName: manageRoles ? undefined : databaseName,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [dbSecurityGroup.id],
                publiclyAccessible: false,
                multiAz: args.multiAz ?? DATABASE_DEFAULTS.multiAz,
                deletionProtection: args.deletionProtection ?? DATABASE_DEFAULTS.deletionProtection,
                backupRetentionPeriod: args.backupRetentionDays ?? DATABASE_DEFAULTS.backupRetentionDays,
                backupWindow: args.backupWindow ?? DATABASE_DEFAULTS.backupWindow,
                maintenanceWindow: args.maintenanceWindow ?? DATABASE_DEFAULTS.maintenanceWindow,
                copyTagsToSnapshot: true,
                deleteAutomatedBackups: false,
                skipFinalSnapshot: args.skipFinalSnapshot ?? DATABASE_DEFAULTS.skipFinalSnapshot,
                finalSnapshotIdentifier: `${name}-final`,
                performanceInsightsEnabled: true,
                performanceInsightsKmsKeyId: args.kmsKeyArn,
                performanceInsightsRetentionPeriod: args.performanceInsightsRetentionDays ?? DATABASE_DEFAULTS.performanceInsightsRetentionDays,
                monitoringInterval,
                monitoringRoleArn,
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                parameterGroupName: parameterGroup.name,
                autoMinorVersionUpgrade: true,
                allowMajorVersionUpgrade: false,
                iamDatabaseAuthenticationEnabled: true,
                caCertIdentifier: "rds-ca-rsa2048-g1",
                tags: tags("postgres"),
            },
            { parent: this, protect: args.protect ?? DATABASE_DEFAULTS.protect, dependsOn: logGroups },
        );

        const credentialSecret = (user: string, secretPassword: pulumi.Output<string>) => {
            const secret = new aws.secretsmanager.Secret(
                `${name}-${user}-credentials`,
                {
                    name: `${name}/postgres/${user}`,
                    description: `PostgreSQL credentials of ${user} on ${name}`,
                    kmsKeyId: args.kmsKeyArn,
                    recoveryWindowInDays: args.secretRecoveryWindowDays ?? SECRETS_DEFAULTS.recoveryWindowDays,
                    tags: tags(`${user}-credentials`),
                },
                parent,
            );
            new aws.secretsmanager.SecretVersion(
                `${name}-${user}-credentials`,
                {
                    secretId: secret.id,
                    secretString: pulumi.secret(
                        pulumi
                            .all([secretPassword, instance.address, databaseName])
                            .apply(([pw, host, dbname]) =>
                                JSON.stringify({ engine: "postgres", username: user, password: pw, host, port: POSTGRES_PORT, dbname }),
                            ),
                    ),
                },
                parent,
            );
            return secret;
        };
        const masterSecret = credentialSecret(MASTER_USERNAME, masterPassword);
        const rolePasswords = Object.fromEntries(DATABASE_ROLES.map((role) => [role, password(role)])) as Record<DatabaseRole, pulumi.Output<string>>;
        const roleSecrets = Object.fromEntries(DATABASE_ROLES.map((role) => [role, credentialSecret(role, rolePasswords[role])])) as Record<
            DatabaseRole,
            aws.secretsmanager.Secret
        >;

        const proxy = this.createProxy(name, args, instance, proxySecurityGroup, Object.values(roleSecrets), region);

        if (manageRoles) {
            this.createRoles(name, args, instance, masterPassword, rolePasswords, databaseName, engineVersion);
        }

        const url = (role: DatabaseRole, host: pulumi.Input<string>) =>
            pulumi.secret(pulumi.interpolate`postgresql://${role}:${rolePasswords[role]}@${host}:${POSTGRES_PORT}/${databaseName}?sslmode=require`);
        this.instanceIdentifier = instance.identifier;
        this.instanceArn = instance.arn;
        this.address = instance.address;
        this.proxyEndpoint = proxy.endpoint;
        this.proxyName = proxy.name;
        this.securityGroupId = dbSecurityGroup.id;
        this.proxySecurityGroupId = proxySecurityGroup.id;
        const secretArns: Record<string, pulumi.Output<string>> = { [MASTER_USERNAME]: masterSecret.arn };
        DATABASE_ROLES.forEach((role) => (secretArns[role] = roleSecrets[role].arn));
        this.credentialSecretArns = pulumi.output(secretArns);
        this.databaseUrl = url("app", proxy.endpoint);
        this.migratorUrl = url("migrator", instance.address);
        this.registerOutputs({
            instanceIdentifier: this.instanceIdentifier,
            instanceArn: this.instanceArn,
            address: this.address,
            proxyEndpoint: this.proxyEndpoint,
            securityGroupId: this.securityGroupId,
            proxySecurityGroupId: this.proxySecurityGroupId,
            credentialSecretArns: this.credentialSecretArns,
            databaseUrl: this.databaseUrl,
            migratorUrl: this.migratorUrl,
        });
    }

    private createProxy(
        name: string,
        args: DatabaseArgs,
        instance: aws.rds.Instance,
        securityGroup: aws.ec2.SecurityGroup,
        secrets: aws.secretsmanager.Secret[],
        region: pulumi.Output<string>,
    ): aws.rds.Proxy {
        const parent = { parent: this };
        const role = new aws.iam.Role(
            `${name}-proxy`,
            {
                description: `Lets the RDS Proxy of ${name} read the role credentials`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags: tagsNamed(args.tags, `${name}-proxy`),
            },
            parent,
        );
        new aws.iam.RolePolicy(
            `${name}-proxy`,
            {
                role: role.id,
                policy: pulumi.all([pulumi.all(secrets.map((s) => s.arn)), args.kmsKeyArn, region]).apply(([arns, keyArn, regionName]) =>
                    JSON.stringify({
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: arns },
                            {
                                Effect: "Allow",
                                Action: "kms:Decrypt",
                                Resource: keyArn,
                                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${regionName}.amazonaws.com` } },
                            },
                        ],
                    }),
                ),
            },
            parent,
        );
        const proxy = new aws.rds.Proxy(
            `${name}-proxy`,
            {
                name: `${name}-proxy`,
                engineFamily: "POSTGRESQL",
                requireTls: true,
                roleArn: role.arn,
                vpcSubnetIds: args.proxySubnetIds,
                vpcSecurityGroupIds: [securityGroup.id],
                idleClientTimeout: 1800,
                debugLogging: false,
                auths: secrets.map((secret) => ({
                    authScheme: "SECRETS",
                    clientPasswordAuthType: "POSTGRES_SCRAM_SHA_256",
                    iamAuth: "DISABLED",
                    secretArn: secret.arn,
                })),
                tags: tagsNamed(args.tags, `${name}-proxy`),
            },
            parent,
        );
        const targetGroup = new aws.rds.ProxyDefaultTargetGroup(
            `${name}-proxy`,
            {
                dbProxyName: proxy.name,
                connectionPoolConfig: {
                    maxConnectionsPercent: args.proxy?.maxConnectionsPercent ?? DATABASE_DEFAULTS.proxy.maxConnectionsPercent,
                    maxIdleConnectionsPercent: args.proxy?.maxIdleConnectionsPercent ?? DATABASE_DEFAULTS.proxy.maxIdleConnectionsPercent,
                    connectionBorrowTimeout: args.proxy?.borrowTimeoutSeconds ?? DATABASE_DEFAULTS.proxy.borrowTimeoutSeconds,
                },
            },
            parent,
        );
        new aws.rds.ProxyTarget(
            `${name}-proxy`,
            {
                dbProxyName: proxy.name,
                targetGroupName: targetGroup.name,
                dbInstanceIdentifier: instance.identifier,
            },
            parent,
        );
        return proxy;
    }

    private createRoles(
        name: string,
        args: DatabaseArgs,
        instance: aws.rds.Instance,
        masterPassword: pulumi.Output<string>,
        passwords: Record<DatabaseRole, pulumi.Output<string>>,
        databaseName: pulumi.Output<string>,
        engineVersion: string,
    ): void {
        const provider = new postgresql.Provider(
            `${name}-postgres`,
            {
                host: instance.address,
                port: POSTGRES_PORT,
                username: MASTER_USERNAME,
                password: masterPassword,
                database: "postgres",
                sslmode: "require",
                // The RDS master is a member of rds_superuser, not a superuser.
                superuser: false,
                connectTimeout: 15,
                expectedVersion: engineVersion,
            },
            { parent: this },
        );
        const opts = { parent: this, provider };

        const role = (roleName: DatabaseRole, connectionLimit: pulumi.Input<number>) =>
            new postgresql.Role(
                `${name}-${roleName}`,
                {
                    name: roleName,
                    login: true,
                    password: passwords[roleName],
                    connectionLimit,
                },
                opts,
            );
        const migrator = role("migrator", 10);
        const app = role("app", args.appConnectionLimit ?? DATABASE_DEFAULTS.appConnectionLimit);
        const readonly = role("readonly", 20);

        const database = new postgresql.Database(
            `${name}-database`,
            {
                name: databaseName,
                owner: migrator.name,
                encoding: "UTF8",
            },
            opts,
        );
        // PUBLIC may connect to a new database by default; only the roles granted CONNECT below may.
        new postgresql.Grant(
            `${name}-revoke-public-connect`,
            {
                database: database.name,
                role: "public",
                objectType: "database",
                privileges: [],
            },
            opts,
        );
        for (const extension of ["pg_stat_statements", "pgcrypto"]) {
            new postgresql.Extension(`${name}-${extension.replace(/_/g, "-")}`, { name: extension, database: database.name }, opts);
        }

        const access: [DatabaseRole, postgresql.Role, string[], string[]][] = [
            ["app", app, ["SELECT", "INSERT", "UPDATE", "DELETE"], ["USAGE", "SELECT"]],
            ["readonly", readonly, ["SELECT"], ["SELECT"]],
        ];
        for (const [roleKey, grantee, tablePrivileges, sequencePrivileges] of access) {
            const roleName = grantee.name;
            const id = (what: string) => `${name}-${roleKey}-${what}`;
            new postgresql.Grant(id("connect"), { database: database.name, role: roleName, objectType: "database", privileges: ["CONNECT"] }, opts);
            new postgresql.Grant(
                id("schema-usage"),
                {
                    database: database.name,
                    role: roleName,
                    schema: "public",
                    objectType: "schema",
                    privileges: ["USAGE"],
                },
                opts,
            );
            new postgresql.Grant(
                id("tables"),
                {
                    database: database.name,
                    role: roleName,
                    schema: "public",
                    objectType: "table",
                    privileges: tablePrivileges,
                },
                opts,
            );
            new postgresql.Grant(
                id("sequences"),
                {
                    database: database.name,
                    role: roleName,
                    schema: "public",
                    objectType: "sequence",
                    privileges: sequencePrivileges,
                },
                opts,
            );
            // Tables and sequences the migrator creates later are usable without another grant.
            new postgresql.DefaultPrivileges(
                id("default-tables"),
                {
                    database: database.name,
                    role: roleName,
                    owner: migrator.name,
                    schema: "public",
                    objectType: "table",
                    privileges: tablePrivileges,
                },
                opts,
            );
            new postgresql.DefaultPrivileges(
                id("default-sequences"),
                {
                    database: database.name,
                    role: roleName,
                    owner: migrator.name,
                    schema: "public",
                    objectType: "sequence",
                    privileges: sequencePrivileges,
                },
                opts,
            );
        }
    }
}
