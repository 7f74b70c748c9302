import { AWS, AWS_DATA, AWS_PLATFORM, K8S } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase, without } from "../cases";
import { TestResource } from "../helpers";

const backups: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { engine: "postgres" } },
    { type: AWS.backupPlan, name: "plan", props: { rules: [{ ruleName: "daily", schedule: "cron(0 3 * * ? *)" }] } },
    { type: AWS.backupSelection, name: "selection", props: { resources: ["arn:db"] }, deps: { resources: ["db"], planId: ["plan"] } },
    { type: AWS.buckets[0], name: "backups", props: { tags: { Purpose: "backups" } } },
    { type: AWS.bucketVersioning[0], name: "backups-versioning", props: { versioningConfiguration: { status: "Enabled" } }, deps: { bucket: ["backups"] } },
    {
        type: AWS.bucketEncryption[0],
        name: "backups-sse",
        deps: { bucket: ["backups"] },
        props: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "k" } }] },
    },
    {
        type: AWS.bucketPublicAccessBlock,
        name: "backups-pab",
        deps: { bucket: ["backups"] },
        props: { blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
    },
    { type: AWS.bucketLifecycle[0], name: "backups-lifecycle", deps: { bucket: ["backups"] }, props: { rules: [{ id: "tiering", status: "Enabled" }] } },
    {
        type: AWS.bucketPolicy,
        name: "backups-tls",
        deps: { bucket: ["backups"] },
        props: {
            policy: JSON.stringify({
                Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } }],
            }),
        },
    },
];

const lockedVaults: TestResource[] = [
    { type: AWS.backupVault, name: "vault", props: { kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k" } },
    {
        type: AWS.backupVaultLock,
        name: "vault-lock",
        props: { minRetentionDays: 35, maxRetentionDays: 90, changeableForDays: 3 },
        deps: { backupVaultName: ["vault"] },
    },
    // Matched by the name a program wrote out, as a hand-written lock would be.
    { type: AWS.backupVault, name: "copy-vault", props: { name: "dr-vault" } },
    { type: AWS.backupVaultLock, name: "copy-vault-lock", props: { backupVaultName: "dr-vault", minRetentionDays: 35, changeableForDays: 3 } },
];

const migrationJob = (name: string, labels: Record<string, string>) => ({
    metadata: {
        name,
        namespace: "platform",
        labels,
        // The restore point, written on the Job: it makes the Job wait for the snapshot.
        annotations: { "platform.acme.example/restore-point": "platform-db-pre-1-4-2" },
    },
    spec: {
        backoffLimit: 1,
        template: {
            metadata: { labels },
            spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "ghcr.io/acme/api:1.4.2", command: ["node", "dist/migrate.js"] }] },
        },
    },
});

const PLATFORM_JOB = { "app.kubernetes.io/name": "release-migrate", "app.kubernetes.io/part-of": "platform" };

const migrating: TestResource[] = [
    { type: AWS.rdsInstance, name: "db", props: { identifier: "platform-db", engine: "postgres", engineVersion: "17" } },
    { type: AWS.rdsSnapshot, name: "db-pre-1-4-2", props: { dbInstanceIdentifier: "platform-db", dbSnapshotIdentifier: "platform-db-pre-1-4-2" } },
    { type: K8S.job, name: "release-migrate", props: migrationJob("release-migrate-1-4-2", PLATFORM_JOB), deps: { metadata: ["db-pre-1-4-2"] } },
    // Not a migration: nothing to restore.
    {
        type: K8S.job,
        name: "cache-warmup",
        props: {
            metadata: { name: "cache-warmup", namespace: "platform" },
            spec: { template: { spec: { restartPolicy: "Never", containers: [{ name: "warm", image: "ghcr.io/acme/api:1.4.2" }] } } },
        },
    },
];

/** Aurora, with a hand-written Job known as a migration by its name. */
const migratingAurora: TestResource[] = [
    { type: AWS.rdsCluster, name: "orders", props: { clusterIdentifier: "orders", engine: "aurora-postgresql" } },
    {
        type: AWS.rdsClusterSnapshot,
        name: "orders-pre-2-0-0",
        deps: { dbClusterIdentifier: ["orders"] },
        props: { dbClusterIdentifier: "orders", dbClusterSnapshotIdentifier: "orders-pre-2-0-0" },
    },
    {
        type: K8S.job,
        name: "orders-schema-migration",
        props: migrationJob("orders-schema-migration", { app: "orders" }),
        deps: { metadata: ["orders-pre-2-0-0"] },
    },
];

const backupAlarm = (name: string, metricName: string, extra: Record<string, unknown> = {}): TestResource => ({
    type: AWS.metricAlarm,
    name,
    props: { namespace: "AWS/Backup", metricName, dimensions: { BackupVaultName: "vault" }, statistic: "Sum", alarmActions: ["arn:sns"], ...extra },
});

const watchedBackups: TestResource[] = [
    {
        type: AWS.backupPlan,
        name: "plan",
        props: {
            rules: [
                { ruleName: "daily", schedule: "cron(0 3 * * ? *)", copyActions: [{ destinationVaultArn: "arn:aws:backup:eu-central-1:1:backup-vault:copy" }] },
            ],
        },
    },
    backupAlarm("backup-failed", "NumberOfBackupJobsFailed"),
    backupAlarm("copy-failed", "NumberOfCopyJobsFailed"),
];

const resource: ResourceCase[] = [
    {
        policy: "stateful-resources-protected",
        type: AWS.rdsInstance,
        compliant: { engine: "postgres" },
        protect: true,
        violating: [{ change: {}, protect: false, message: /the resource is not protected/ }],
    },
    {
        // An unprotected bucket that holds no backups (a static site) is not this rule's business; the backup bucket is.
        policy: "stateful-resources-protected",
        type: AWS.buckets[0],
        compliant: { bucket: "www-acme", tags: { Purpose: "static-site" } },
        violating: [
            {
                change: { tags: { Purpose: "backups" }, forceDestroy: true },
                message: /the backup bucket \(tagged Purpose=backups\) is not protected: .*, and forceDestroy: true empties it first/,
            },
        ],
    },
    {
        // Deleting a secret schedules it for 30 days unless recoveryWindowInDays says 0.
        policy: "stateful-resources-protected",
        type: AWS.secret,
        compliant: { name: "app/stripe-key", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" },
        violating: [{ change: { recoveryWindowInDays: 0 }, message: /recoveryWindowInDays is 0 and the secret is not protected/ }],
    },
    {
        // A Redis cluster of its own holds data; a memcached one, or a member of a replication group, is not judged.
        policy: "stateful-resources-protected",
        type: AWS.cacheCluster,
        compliant: { engine: "memcached", nodeType: "cache.t4g.small", numCacheNodes: 2 },
        violating: [{ change: { engine: "redis", numCacheNodes: 1 }, message: /the resource is not protected/ }],
    },
    {
        policy: "stateful-resources-protected",
        type: AWS_DATA.dynamodbTable,
        compliant: { hashKey: "id", billingMode: "PAY_PER_REQUEST" },
        protect: true,
        violating: [{ change: {}, protect: false, message: /the resource is not protected/ }],
    },
    {
        policy: "required-tags",
        type: AWS_PLATFORM.vpc,
        compliant: { tags: { Project: "platform", Environment: "production", Owner: "team", CostCenter: "1", ManagedBy: "pulumi" } },
        violating: [
            { change: { tags: { Project: "platform" } }, message: /missing tags Environment, Owner, CostCenter, ManagedBy/ },
            { change: { tags: undefined }, message: /missing tags Project, Environment/ },
        ],
    },
    {
        // Not in the list of taggable types, but it has tags, so they are checked.
        policy: "required-tags",
        type: AWS.ingressRule,
        compliant: { tags: { Project: "platform", Environment: "production", Owner: "team", CostCenter: "1", ManagedBy: "pulumi" } },
        violating: [{ change: { tags: {} }, message: /missing tags Project/ }],
    },
];

const stack: StackCase[] = [
    {
        policy: "backup-failure-alarm",
        compliant: watchedBackups,
        violating: [
            { resources: without(watchedBackups, "copy-failed"), message: /no alarm that notifies anyone watches AWS\/Backup NumberOfCopyJobsFailed/ },
            {
                resources: changed(watchedBackups, "backup-failed", { props: { alarmActions: [] } }),
                message: /watches AWS\/Backup NumberOfBackupJobsFailed: a failed job/,
            },
        ],
    },
    {
        policy: "backup-vault-locked",
        compliant: lockedVaults,
        violating: [
            {
                resources: without(lockedVaults, "copy-vault-lock"),
                message: /copy-vault has no Vault Lock: whoever holds the deploy role can delete every recovery point/,
            },
            {
                resources: changed(lockedVaults, "vault-lock", { props: { changeableForDays: undefined } }),
                message: /vault's Vault Lock is in governance mode \(no changeableForDays\)/,
            },
            {
                resources: changed(lockedVaults, "copy-vault-lock", { props: { minRetentionDays: undefined } }),
                message: /copy-vault's Vault Lock sets no minRetentionDays/,
            },
        ],
    },
    {
        policy: "backup-plan-covers-database",
        compliant: backups,
        violating: [
            { resources: without(backups, "selection"), message: /db is in no AWS Backup selection/ },
            { resources: changed(backups, "plan", { props: { rules: [] } }), message: /db is selected, but by no backup plan with a rule/ },
        ],
    },
    {
        policy: "backup-bucket-hardened",
        compliant: backups,
        violating: [
            {
                resources: without(backups, "backups-versioning", "backups-tls"),
                message: /backups: versioning is not enabled; no bucket policy denies requests without TLS/,
            },
            {
                resources: changed(backups, "backups-sse", { props: { rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }] } }),
                message: /default encryption is "AES256", not a KMS key/,
            },
            { resources: changed(backups, "backups-pab", { props: { restrictPublicBuckets: false } }), message: /public access is not fully blocked/ },
            {
                resources: changed(backups, "backups", { props: { tags: { Purpose: "logs" } } }),
                message: /the stack holds db, plan but no S3 bucket is tagged Purpose=backups/,
            },
        ],
    },
    {
        // A stack without any data store (a web tier, a CI server) has nothing to back up: no backup bucket is asked of it.
        policy: "backup-bucket-hardened",
        compliant: [{ type: AWS.buckets[1], name: "site", props: { bucket: "www-acme", tags: { Purpose: "static-site" } } }],
        violating: [
            {
                resources: [{ type: AWS_DATA.dynamodbTable, name: "sessions", props: { hashKey: "id", billingMode: "PAY_PER_REQUEST" } }],
                message: /the stack holds sessions but no S3 bucket is tagged Purpose=backups/,
            },
        ],
    },
    {
        policy: "pre-release-snapshot",
        compliant: migrating,
        violating: [
            {
                resources: without(changed(migrating, "release-migrate", { deps: {} }), "db-pre-1-4-2"),
                message: /release-migrate migrates the database, but the stack takes no RDS snapshot of db to restore if the migration goes wrong/,
            },
            {
                resources: changed(migrating, "release-migrate", { deps: {} }),
                message: /release-migrate does not depend on the snapshot db-pre-1-4-2, so it may migrate before the snapshot is taken/,
            },
            { resources: changed(migrating, "db-pre-1-4-2", { props: { dbInstanceIdentifier: "reporting-db" } }), message: /takes no RDS snapshot of db/ },
        ],
    },
    {
        policy: "pre-release-snapshot",
        compliant: migratingAurora,
        violating: [
            {
                resources: changed(migratingAurora, "orders-schema-migration", { deps: {} }),
                message: /orders-schema-migration does not depend on the snapshot orders-pre-2-0-0/,
            },
            {
                resources: changed(migratingAurora, "orders-pre-2-0-0", { deps: {}, props: { dbClusterIdentifier: "orders-staging" } }),
                message: /orders-schema-migration migrates the database, but the stack takes no RDS snapshot of orders/,
            },
        ],
    },
];

export const recoveryCases: CaseTable = { area: "recovery", resource, stack };
