import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { denyWithoutTls, makePrivate } from "./bucket";
import { RPO_TAG, RTO_TAG } from "../policies/readiness/context";
import { Tags, tagsNamed } from "./tags";

/** The backups' defaults: the production values; a stack file relaxes them key by key. */
export const BACKUP_DEFAULTS = {
    /** AWS Backup's longest daily retention without cold storage: five weeks of daily restore points. */
    dailyRetentionDays: 35,
    /** A quarter of weekly points: a corruption found late still has a clean copy. */
    weeklyRetentionDays: 90,
    /** A daily backup loses at most a day; point-in-time recovery does better, and the stack may say so. */
    rpoHours: 24,
    /** Restoring and repointing the database fits in half a working day. */
    rtoHours: 4,
    /** After a month exports are rarely read: Glacier Instant Retrieval costs less and still restores in milliseconds. */
    bucketTransitionDays: 30,
    /** A year of exports, the usual audit horizon. */
    bucketExpirationDays: 365,
    vaultLock: {
        /** Compliance mode: once set, nobody (root included) can delete recovery points early, ransomware neither. */
        mode: "compliance",
        /** AWS's minimum grace period to correct a lock before it becomes permanent. */
        changeableForDays: 3,
    },
    /** The vault holds the recovery points: Pulumi refuses to delete it. */
    protect: true,
} as const satisfies Partial<BackupArgs>;

/** The stack file's `backup` section, plus what the platform wires in. Defaults: BACKUP_DEFAULTS. */
export interface BackupArgs {
    /** KMS key of the vault and of the backup bucket. */
    kmsKeyArn: pulumi.Input<string>;
    /** ARNs of the resources the plan backs up (the database). */
    resourceArns: pulumi.Input<string>[];
    /** Days a daily recovery point is kept. */
    dailyRetentionDays?: number;
    /** Days a weekly recovery point is kept. */
    weeklyRetentionDays?: number;
    /** Copy every recovery point to a vault in this region, for a regional disaster. Absent: no copy. */
    copyRegion?: string;
    /** Days before exports in the bucket move to Glacier Instant Retrieval. */
    bucketTransitionDays?: number;
    /** Days before exports in the bucket expire. */
    bucketExpirationDays?: number;
    /** The declared recovery objectives, in hours: tagged on the plan, where release evidence (restore drills) is held against them. */
    rpoHours?: number;
    rtoHours?: number;
    /** Vault Lock on every vault; recovery points kept from dailyRetentionDays to weeklyRetentionDays unless it says otherwise. */
    vaultLock?: VaultLockArgs;
    /** Protect the vault from deletion by Pulumi. */
    protect?: boolean;
    tags?: Tags;
}

export interface VaultLockArgs {
    /** "compliance": after changeableForDays nobody, root included, can lift it; "governance": privileged IAM users can. */
    mode?: "governance" | "compliance";
    /** Default: dailyRetentionDays. */
    minRetentionDays?: number;
    /** Default: weeklyRetentionDays. */
    maxRetentionDays?: number;
    /** Compliance mode's grace period, in days (3 at least). */
    changeableForDays?: number;
}

/**
 * AWS Backup for the platform's data: a KMS-encrypted vault, a plan with daily and weekly rules
 * (optionally copied to a second region) and a selection of the database; and an S3 bucket for
 * exports and manual backups: versioned, KMS-encrypted, private, TLS-only, lifecycled.
 */
export class Backup extends pulumi.ComponentResource {
    public readonly vaultArn: pulumi.Output<string>;
    public readonly vaultName: pulumi.Output<string>;
    public readonly planId: pulumi.Output<string>;
    public readonly bucketName: pulumi.Output<string>;

    constructor(name: string, args: BackupArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:recovery:Backup", name, {}, opts);
        const parent = { parent: this };
        const tags = (suffix: string, extra: Record<string, string> = {}) => tagsNamed(args.tags, `${name}-${suffix}`, extra);
        const daily = args.dailyRetentionDays ?? BACKUP_DEFAULTS.dailyRetentionDays;
        const weekly = args.weeklyRetentionDays ?? BACKUP_DEFAULTS.weeklyRetentionDays;

        const vault = new aws.backup.Vault(
            `${name}-vault`,
            {
                kmsKeyArn: args.kmsKeyArn,
                tags: tags("vault"),
            },
            { parent: this, protect: args.protect ?? BACKUP_DEFAULTS.protect },
        );

        let copyVault: aws.backup.Vault | undefined;
        let copyProvider: aws.Provider | undefined;
        if (args.copyRegion) {
            copyProvider = new aws.Provider(`${name}-${args.copyRegion}`, { region: args.copyRegion as aws.Region }, parent);
            // AWS Backup encrypts copies in the other region with that region's key (aws/backup unless a key is given).
            copyVault = new aws.backup.Vault(
                `${name}-copy-vault`,
                {
                    tags: tags("copy-vault"),
                },
                { parent: this, provider: copyProvider, protect: args.protect ?? BACKUP_DEFAULTS.protect },
            );
        }
        // Whoever holds the deploy role must not be able to delete the recovery points early (ransomware's first move).
        const lock = args.vaultLock ?? {};
        const lockVault = (lockName: string, target: aws.backup.Vault, provider?: aws.Provider) =>
            new aws.backup.VaultLockConfiguration(
                lockName,
                {
                    backupVaultName: target.name,
                    minRetentionDays: lock.minRetentionDays ?? daily,
                    maxRetentionDays: lock.maxRetentionDays ?? weekly,
                    // Governance mode is a lock without the grace period after which it cannot be lifted.
                    changeableForDays:
                        (lock.mode ?? BACKUP_DEFAULTS.vaultLock.mode) === "compliance"
                            ? (lock.changeableForDays ?? BACKUP_DEFAULTS.vaultLock.changeableForDays)
                            : undefined,
                },
                { parent: this, provider },
            );
        lockVault(`${name}-vault-lock`, vault);
        if (copyVault) {
            lockVault(`${name}-copy-vault-lock`, copyVault, copyProvider);
        }
        const copyActions = (deleteAfter: number) => (copyVault ? [{ destinationVaultArn: copyVault.arn, lifecycle: { deleteAfter } }] : undefined);

        const plan = new aws.backup.Plan(
            `${name}-plan`,
            {
                rules: [
                    {
                        ruleName: "daily",
                        targetVaultName: vault.name,
                        schedule: "cron(0 3 * * ? *)",
                        startWindow: 60,
                        completionWindow: 360,
                        lifecycle: { deleteAfter: daily },
                        copyActions: copyActions(daily),
                    },
                    {
                        ruleName: "weekly",
                        targetVaultName: vault.name,
                        schedule: "cron(0 4 ? * SUN *)",
                        startWindow: 60,
                        completionWindow: 720,
                        lifecycle: { deleteAfter: weekly },
                        copyActions: copyActions(weekly),
                    },
                ],
                tags: tags("plan", {
                    [RPO_TAG]: String(args.rpoHours ?? BACKUP_DEFAULTS.rpoHours),
                    [RTO_TAG]: String(args.rtoHours ?? BACKUP_DEFAULTS.rtoHours),
                }),
            },
            parent,
        );

        const role = new aws.iam.Role(
            `${name}-backup`,
            {
                description: `Lets AWS Backup back up and restore the data of ${name}`,
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "backup.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags: tags("backup"),
            },
            parent,
        );
        const partition = aws.getPartitionOutput({}, parent).partition;
        const attachments = ["AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"].map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-${policy}`,
                    {
                        role: role.name,
                        policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/${policy}`,
                    },
                    parent,
                ),
        );
        new aws.backup.Selection(
            `${name}-database`,
            {
                planId: plan.id,
                iamRoleArn: role.arn,
                resources: args.resourceArns,
            },
            { parent: this, dependsOn: attachments },
        );

        const bucket = this.createBucket(name, args);

        this.vaultArn = vault.arn;
        this.vaultName = vault.name;
        this.planId = plan.id;
        this.bucketName = bucket;
        this.registerOutputs({ vaultArn: this.vaultArn, planId: this.planId, bucketName: this.bucketName });
    }

    private createBucket(name: string, args: BackupArgs): pulumi.Output<string> {
        const parent = { parent: this };
        // Named from the account, so the name (and the policy below) are known before the bucket exists.
        const account = aws.getCallerIdentityOutput({}, parent).accountId;
        const partition = aws.getPartitionOutput({}, parent).partition;
        const bucketName = pulumi.interpolate`${name}-bucket-${account}`;
        const bucket = new aws.s3.Bucket(
            `${name}-bucket`,
            {
                bucket: bucketName,
                forceDestroy: false,
                tags: tagsNamed(args.tags, `${name}-bucket`, { Purpose: "backups" }),
            },
            { parent: this, protect: args.protect ?? BACKUP_DEFAULTS.protect },
        );
        makePrivate(`${name}-bucket`, bucket, parent);
        new aws.s3.BucketVersioning(`${name}-bucket`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, parent);
        new aws.s3.BucketServerSideEncryptionConfiguration(
            `${name}-bucket`,
            {
                bucket: bucket.id,
                rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: args.kmsKeyArn }, bucketKeyEnabled: true }],
            },
            parent,
        );
        new aws.s3.BucketLifecycleConfiguration(
            `${name}-bucket`,
            {
                bucket: bucket.id,
                rules: [
                    {
                        id: "tier-and-expire",
                        status: "Enabled",
                        filter: {},
                        transitions: [{ days: args.bucketTransitionDays ?? BACKUP_DEFAULTS.bucketTransitionDays, storageClass: "GLACIER_IR" }],
                        expiration: { days: args.bucketExpirationDays ?? BACKUP_DEFAULTS.bucketExpirationDays },
                        noncurrentVersionExpiration: { noncurrentDays: 30 },
                        abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
                    },
                ],
            },
            parent,
        );
        new aws.s3.BucketPolicy(
            `${name}-bucket`,
            {
                bucket: bucket.id,
                policy: pulumi.interpolate`arn:${partition}:s3:::${bucketName}`.apply((arn) =>
                    JSON.stringify({ Version: "2012-10-17", Statement: [denyWithoutTls(arn)] }),
                ),
            },
            parent,
        );
        return bucket.bucket;
    }
}
