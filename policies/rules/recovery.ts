import { PolicyResource } from "@pulumi/policy";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { StackView } from "../lib/stack";
import { isSelected, metadataOf, PreviewUnknowns, SELECTOR_SCHEMA } from "../lib/kubernetes";
import { configHint } from "../lib/components";
import { AWS, AWS_DATA, AWS_EDGE, AWS_PLATFORM, K8S } from "../lib/types";
import { listOf, objectOf, peek, show } from "../lib/values";
import { notifies, watchedMetrics } from "../lib/alarms";

export const backupPlanCoversDatabase: StackRule = {
    name: "backup-plan-covers-database",
    appliesTo: [AWS.rdsInstance, AWS.rdsCluster],
    description: "Every database is selected by an AWS Backup plan with at least one rule.",
    severity: "high",
    checklist: ["DB-03", "REC-01"],
    references: ["https://docs.aws.amazon.com/aws-backup/latest/devguide/assigning-resources.html"],
    equivalents: ["CKV2_AWS_8"],
    remediation: "Add an aws.backup.Selection of the plan whose resources include the database's ARN.",
    validate(stack, _config, report) {
        for (const database of stack.ofType(AWS.rdsInstance, AWS.rdsCluster)) {
            const selections = stack
                .ofType(AWS.backupSelection)
                .filter(
                    (selection) =>
                        stack.referencedBy(selection, "resources").some((r) => r.urn === database.urn) ||
                        (database.props.arn !== undefined && (listOf(selection.props.resources) ?? []).includes(database.props.arn)),
                );
            const plans = selections.flatMap((s) => stack.referencedBy(s, "planId").filter((r) => r.type === AWS.backupPlan));
            if (selections.length === 0) {
                report(`${database.name} is in no AWS Backup selection`, database);
            } else if (!plans.some((plan) => (listOf(plan.props.rules) ?? []).length > 0)) {
                report(`${database.name} is selected, but by no backup plan with a rule`, database);
            }
        }
    },
};

function attached(stack: StackView, bucket: PolicyResource, types: readonly string[]): PolicyResource[] {
    return stack.referencing(bucket, [...types], "bucket");
}

/** What a bucket lacks to be a hardened backup bucket. */
function bucketProblems(stack: StackView, bucket: PolicyResource, requireKms: boolean): string[] {
    const problems: string[] = [];
    const versioned = attached(stack, bucket, AWS.bucketVersioning).some((v) => objectOf(v.props.versioningConfiguration)?.status === "Enabled");
    if (!versioned) {
        problems.push("versioning is not enabled");
    }
    const algorithms = attached(stack, bucket, AWS.bucketEncryption).flatMap((e) =>
        (listOf(e.props.rules) ?? []).map((r) => objectOf(objectOf(objectOf(r)?.applyServerSideEncryptionByDefault))?.sseAlgorithm),
    );
    if (algorithms.length === 0) {
        problems.push("no default encryption is configured");
    } else if (requireKms && !algorithms.some((a) => a === "aws:kms" || a === "aws:kms:dsse")) {
        problems.push(`default encryption is ${algorithms.map(show).join(", ")}, not a KMS key`);
    }
    const blocks = stack.referencing(bucket, [AWS.bucketPublicAccessBlock], "bucket");
    const flags = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];
    if (!blocks.some((b) => flags.every((f) => b.props[f] === true))) {
        problems.push(`public access is not fully blocked (${flags.join(", ")} must all be true)`);
    }
    const lifecycled = attached(stack, bucket, AWS.bucketLifecycle).some((l) => (listOf(l.props.rules) ?? []).some((r) => objectOf(r)?.status === "Enabled"));
    if (!lifecycled) {
        problems.push("no enabled lifecycle rule moves or expires old objects");
    }
    const tlsOnly = stack.referencing(bucket, [AWS.bucketPolicy], "bucket").some((p) => {
        const text = typeof p.props.policy === "string" ? p.props.policy : JSON.stringify(p.props.policy ?? {});
        return /"aws:SecureTransport"\s*:\s*"?false"?/.test(text) && /"Deny"/.test(text);
    });
    if (!tlsOnly) {
        problems.push("no bucket policy denies requests without TLS (aws:SecureTransport false)");
    }
    return problems;
}

/** The kinds of data store: their data must survive, so they are backed up and protected. */
const DATA_STORES = [
    AWS.rdsInstance,
    AWS.rdsCluster,
    AWS.replicationGroup,
    AWS.cacheCluster,
    AWS_DATA.serverlessCache,
    AWS_DATA.memorydbCluster,
    AWS_DATA.dynamodbTable,
    AWS_EDGE.efsFileSystem,
];

/** Stores whose data needs backups kept somewhere: a stack without any needs no backup bucket. */
export const DATA_STORE_TYPES = [...DATA_STORES, AWS.backupVault, AWS.backupPlan];

export const backupBucketHardened: StackRule<{ tagKey: string; tagValue: string; requireKms: boolean }> = {
    name: "backup-bucket-hardened",
    appliesTo: DATA_STORE_TYPES,
    description: "A stack that holds a data store has a backup bucket, and every backup bucket is versioned, KMS-encrypted, private, TLS-only and lifecycled.",
    severity: "high",
    checklist: ["REC-02"],
    references: [
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/security-best-practices.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lifecycle-mgmt.html",
    ],
    equivalents: ["CKV_AWS_21", "CKV_AWS_145", "CKV2_AWS_6", "CKV2_AWS_61", "CKV_AWS_379", "AVD-AWS-0090", "AVD-AWS-0132"],
    remediation: "Tag the backup bucket and attach versioning, KMS default encryption, a full public access block, a TLS-only policy and lifecycle rules.",
    config: {
        tagKey: { type: "string", default: "Purpose", description: "Tag that marks backup buckets." },
        tagValue: { type: "string", default: "backups", description: "Its value." },
        requireKms: { type: "boolean", default: true, description: "Require SSE-KMS rather than SSE-S3." },
    },
    validate(stack, { tagKey, tagValue, requireKms }, report) {
        const buckets = stack.ofType(...AWS.buckets).filter((b) => objectOf(b.props.tags)?.[tagKey] === tagValue);
        const stores = stack.ofType(...DATA_STORE_TYPES);
        if (buckets.length === 0 && stores.length > 0) {
            report(
                `the stack holds ${stores
                    .map((r) => r.name)
                    .slice(0, 3)
                    .join(", ")}${stores.length > 3 ? ", ..." : ""} but no S3 bucket is tagged ` + `${tagKey}=${tagValue}, so there is no backup bucket`,
            );
        }
        for (const bucket of buckets) {
            const problems = bucketProblems(stack, bucket, requireKms);
            if (problems.length > 0) {
                report(`${bucket.name}: ${problems.join("; ")}`, bucket);
            }
        }
    },
};

export const backupVaultLocked: StackRule<{ requireComplianceMode: boolean }> = {
    name: "backup-vault-locked",
    appliesTo: [AWS.backupVault],
    description: "Every backup vault has a Vault Lock, so no one holding the deploy role can delete recovery points early.",
    severity: "high",
    checklist: ["REC-03"],
    references: ["https://docs.aws.amazon.com/aws-backup/latest/devguide/vault-lock.html"],
    remediation: "Add an aws.backup.VaultLockConfiguration for the vault with minRetentionDays (and, in production, changeableForDays for compliance mode).",
    config: {
        requireComplianceMode: {
            type: "boolean",
            default: true,
            description: "Require compliance mode (changeableForDays set): after the grace period not even the root user can lift the lock.",
        },
    },
    validate(stack, { requireComplianceMode }, report) {
        const locks = stack.ofType(AWS.backupVaultLock);
        for (const vault of stack.ofType(AWS.backupVault)) {
            // By reference, or by the name a program wrote out (names may be unknown in a preview: then only the reference counts).
            const name = peek(vault.props, "name");
            const lock = locks.find(
                (l) =>
                    stack.referencedBy(l, "backupVaultName").some((r) => r.urn === vault.urn) ||
                    (typeof name === "string" && peek(l.props, "backupVaultName") === name),
            );
            if (!lock) {
                report(`${vault.name} has no Vault Lock: whoever holds the deploy role can delete every recovery point`, vault);
                continue;
            }
            const problems = [
                peek(lock.props, "minRetentionDays") === undefined ? "sets no minRetentionDays, so recovery points can be deleted at once" : undefined,
                requireComplianceMode && peek(lock.props, "changeableForDays") === undefined
                    ? "is in governance mode (no changeableForDays), which a privileged user can lift"
                    : undefined,
            ].filter((p): p is string => p !== undefined);
            if (problems.length > 0) {
                report(`${vault.name}'s Vault Lock ${problems.join("; ")}`, vault);
            }
        }
    },
};

/** Whether `resource`, or a component it belongs to, depends on `target`: a parent's dependencies hold back its children too. */
function waitsFor(resource: PolicyResource, target: PolicyResource): boolean {
    for (let current: PolicyResource | undefined = resource; current; current = current.parent) {
        if (current.dependencies.some((d) => d.urn === target.urn)) {
            return true;
        }
    }
    return false;
}

/** Whether a snapshot is of one of `databases` (by reference or by the identifier written out); any snapshot when the database is not in the stack. */
function snapshotOf(stack: StackView, snapshot: PolicyResource, databases: PolicyResource[]): boolean {
    if (databases.length === 0) {
        return true;
    }
    const key = snapshot.type === AWS.rdsClusterSnapshot ? "dbClusterIdentifier" : "dbInstanceIdentifier";
    const identifier = peek(snapshot.props, key);
    return (
        stack.referencedBy(snapshot, key).some((r) => databases.some((db) => db.urn === r.urn)) ||
        (typeof identifier === "string" &&
            databases.some((db) => peek(db.props, db.type === AWS.rdsCluster ? "clusterIdentifier" : "identifier") === identifier))
    );
}

export const preReleaseSnapshot: StackRule<{ migrationSelector: Record<string, string> }> = {
    name: "pre-release-snapshot",
    appliesTo: [K8S.job],
    description: "A release's database migration runs only after a manual snapshot of the database it changes.",
    severity: "high",
    checklist: ["REC-04"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_CreateSnapshot.html",
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/USER_CreateSnapshotCluster.html",
    ],
    remediation:
        "Add an aws.rds.Snapshot (aws.rds.ClusterSnapshot for Aurora) of the database named for the release, and give the migration Job " +
        "dependsOn: [snapshot] (or create it in a component that depends on the snapshot).",
    config: {
        migrationSelector: { ...SELECTOR_SCHEMA, description: 'Labels that mark a migration Job; a Job whose name contains "migrat" is one too.' },
    },
    validate(stack, { migrationSelector }, report) {
        const unknowns = new PreviewUnknowns();
        const databases = stack.ofType(AWS.rdsInstance, AWS.rdsCluster);
        const snapshots = stack.ofType(AWS.rdsSnapshot, AWS.rdsClusterSnapshot).filter((s) => snapshotOf(stack, s, databases));
        const namedMigration = (name: unknown) => typeof name === "string" && /migrat/i.test(name);
        const isMigration = (job: PolicyResource) =>
            namedMigration(job.name) || namedMigration(metadataOf(job).name) || isSelected(job.type, job.props, migrationSelector);
        unknowns.each(stack.ofType(K8S.job), (job) => {
            if (!isMigration(job)) {
                return;
            }
            if (snapshots.length === 0) {
                const of = databases.length > 0 ? ` of ${databases.map((d) => d.name).join(", ")}` : "";
                report(`${job.name} migrates the database, but the stack takes no RDS snapshot${of} to restore if the migration goes wrong`, job);
            } else if (!snapshots.some((snapshot) => waitsFor(job, snapshot))) {
                report(
                    `${job.name} does not depend on the snapshot ${snapshots.map((s) => s.name).join(" or ")}, so it may migrate before the snapshot is taken`,
                    job,
                );
            }
        });
        unknowns.settle();
    },
};

export const STATEFUL_TYPES = [...DATA_STORES, AWS.kmsKey, AWS.backupVault];

export const statefulResourcesProtected: ResourceRule<{ types: string[]; backupTagKey: string; backupTagValue: string }> = {
    name: "stateful-resources-protected",
    description:
        "Stateful resources (databases, caches, tables, file systems, keys, backup vaults and buckets) are protected from deletion by Pulumi, " +
        "and secrets are not deleted without a recovery window.",
    severity: "high",
    checklist: ["DB-10", "REC-03"],
    references: [
        "https://www.pulumi.com/docs/iac/concepts/resources/options/protect/",
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/manage_delete-secret.html",
    ],
    remediation:
        "Create the resource with the resource option protect: true; give a Secrets Manager secret recoveryWindowInDays of 7 or more (0 deletes it at once).",
    resourceTypes: [...STATEFUL_TYPES, ...AWS.buckets, AWS.secret],
    config: {
        types: { type: "array", items: { type: "string" }, default: STATEFUL_TYPES, description: "Resource types that must be protected." },
        backupTagKey: { type: "string", default: "Purpose", description: "Tag that marks backup buckets, which must be protected." },
        backupTagValue: { type: "string", default: "backups", description: "Its value." },
    },
    validate({ type, props, protect }, { types, backupTagKey, backupTagValue }, report) {
        if (protect) {
            return;
        }
        if (type === AWS.secret) {
            // Deleting a secret only schedules it: it stays recoverable for recoveryWindowInDays (30 when absent).
            const window = props.recoveryWindowInDays;
            if (window === 0) {
                report("recoveryWindowInDays is 0 and the secret is not protected: a `pulumi destroy` or a replacement deletes it at once, with no way back");
            }
            return;
        }
        if ((AWS.buckets as readonly string[]).includes(type)) {
            if (objectOf(props.tags)?.[backupTagKey] === backupTagValue) {
                report(
                    `the backup bucket (tagged ${backupTagKey}=${backupTagValue}) is not protected: a \`pulumi destroy\` or a replacement would delete the backups` +
                        (props.forceDestroy === true ? ", and forceDestroy: true empties it first" : ""),
                );
            }
            return;
        }
        // A memcached cluster holds nothing to lose; a cluster in a replication group is protected through the group.
        if (type === AWS.cacheCluster && (props.engine === "memcached" || typeof props.replicationGroupId === "string")) {
            return;
        }
        if (types.includes(type)) {
            report("the resource is not protected: a `pulumi destroy` or a replacement would delete its data");
        }
    },
};

/** AWS types that take tags; any other AWS resource is checked when it has tags at all. */
export const TAGGABLE_TYPES = [
    AWS_PLATFORM.vpc,
    AWS_PLATFORM.subnet,
    AWS.securityGroup,
    AWS_PLATFORM.natGateway,
    AWS_EDGE.eip,
    AWS_PLATFORM.internetGateway,
    AWS_PLATFORM.routeTable,
    AWS_PLATFORM.flowLog,
    AWS.logGroup,
    AWS.kmsKey,
    AWS.secret,
    AWS.iamRole,
    AWS.rdsInstance,
    AWS.rdsCluster,
    AWS_PLATFORM.rdsSubnetGroup,
    AWS.rdsParameterGroup,
    AWS.rdsProxy,
    AWS.replicationGroup,
    AWS_PLATFORM.cacheSubnetGroup,
    AWS.cacheParameterGroup,
    ...AWS.loadBalancers,
    AWS.webAcl,
    ...AWS.buckets,
    AWS.backupVault,
    AWS.backupPlan,
    AWS_DATA.snsTopic,
    AWS.metricAlarm,
];

export const requiredTags: ResourceRule<{ tags: string[] }> = {
    name: "required-tags",
    description: "AWS resources carry the tags that say whose they are and what they cost.",
    severity: "low",
    checklist: ["GOV-01"],
    references: [
        "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html",
        "https://docs.aws.amazon.com/whitepapers/latest/tagging-best-practices/tagging-best-practices.html",
    ],
    remediation: "Pass the required tags (the policy's tags list) in the tags property of every taggable resource.",
    resourceTypes: TAGGABLE_TYPES,
    alsoAppliesTo: (type, props) => type.startsWith("aws:") && props.tags !== undefined,
    config: {
        tags: {
            type: "array",
            items: { type: "string" },
            default: ["Project", "Environment", "Owner", "CostCenter", "ManagedBy"],
            description: "Tag keys every taggable resource needs.",
        },
    },
    validate({ urn, props }, { tags }, report) {
        const given = objectOf(props.tags) ?? {};
        const missing = tags.filter((key) => typeof given[key] !== "string" || given[key] === "");
        if (missing.length > 0) {
            report(`missing tags ${missing.join(", ")}${configHint(urn, "platform:tags")}`);
        }
    },
};

/** AWS Backup's metrics of jobs that failed: backups into the vault, and copies out of it to another region. */
const FAILED_JOB_METRICS = ["NumberOfBackupJobsFailed", "NumberOfCopyJobsFailed"];

export const backupFailureAlarm: StackRule = {
    name: "backup-failure-alarm",
    appliesTo: [AWS.backupPlan],
    description: "A failed backup or copy job raises an alarm that notifies someone, so a missed recovery point does not go unseen.",
    severity: "high",
    checklist: ["REC-06"],
    references: ["https://docs.aws.amazon.com/aws-backup/latest/devguide/cloudwatch.html"],
    remediation:
        "Add CloudWatch metric alarms on AWS/Backup NumberOfBackupJobsFailed (and NumberOfCopyJobsFailed when the plan copies) " +
        "with alarmActions to the alert topic.",
    validate(stack, _config, report) {
        const plans = stack.ofType(AWS.backupPlan);
        if (plans.length === 0) {
            return;
        }
        const copies = plans.some((plan) => (listOf(peek(plan.props, "rules")) ?? []).some((rule) => (listOf(objectOf(rule)?.copyActions) ?? []).length > 0));
        const alarmed = new Set(
            stack
                .ofType(AWS.metricAlarm)
                .filter((alarm) => notifies(alarm, stack))
                .flatMap((alarm) => watchedMetrics(alarm))
                .filter((m) => m.namespace === "AWS/Backup")
                .map((m) => m.metricName),
        );
        const missing = FAILED_JOB_METRICS.filter((metric, i) => (i === 0 || copies) && !alarmed.has(metric));
        if (missing.length > 0) {
            report(
                `no alarm that notifies anyone watches AWS/Backup ${missing.join(" or ")}: a failed job leaves the recovery point objective unmet unseen`,
                plans[0],
            );
        }
    },
};

export const recoveryRules: RuleFile = {
    title: "Recovery and hygiene (AWS Backup, protection, tags)",
    resource: [statefulResourcesProtected, requiredTags] as ResourceRule<any>[],
    stack: [backupPlanCoversDatabase, backupBucketHardened, backupVaultLocked, preReleaseSnapshot, backupFailureAlarm] as StackRule<any>[],
};
