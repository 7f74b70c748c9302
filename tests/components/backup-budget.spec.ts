import * as assert from "assert/strict";
import { Backup } from "../../components/backup";
import { Budget } from "../../components/budget";
import { AWS, PULUMI } from "../../policies/lib/types";
import { Plan, planComponents, planStack } from "../helpers";

const VAULT = AWS.backupVault;
const BACKUP_PLAN = AWS.backupPlan;
const BUDGET = AWS.budget;
const LOCK = AWS.backupVaultLock;

describe("Backup and budget", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("keeps recovery points in a KMS-encrypted, protected vault, daily for 35 days and weekly for 90", () => {
            const vault = plan.one(VAULT, "-backup-vault");
            assert.deepEqual(vault.propertyDependencies.kmsKeyArn, [plan.one(AWS.kmsKey, "-secrets-key").urn]);
            assert.equal(vault.protect, true);
            const rules = plan.input(plan.one(BACKUP_PLAN), "rules");
            assert.deepEqual(
                rules.map((r: any) => [r.ruleName, r.schedule, r.lifecycle.deleteAfter]),
                [
                    ["daily", "cron(0 3 * * ? *)", 35],
                    ["weekly", "cron(0 4 ? * SUN *)", 90],
                ],
            );
        });

        it("locks both vaults in compliance mode from the daily to the weekly retention", () => {
            const locks = plan.ofType(AWS.backupVaultLock);
            assert.deepEqual(locks.map((l) => plan.byUrn(l.propertyDependencies.backupVaultName[0]).name).sort(), [
                "platform-production-backup-copy-vault",
                "platform-production-backup-vault",
            ]);
            for (const lock of locks) {
                assert.deepEqual(
                    ["minRetentionDays", "maxRetentionDays", "changeableForDays"].map((k) => plan.input(lock, k)),
                    [35, 90, 3],
                );
            }
            const copyLock = locks.find((l) => l.name.endsWith("-copy-vault-lock"))!;
            assert.ok(copyLock.provider?.startsWith(plan.one(PULUMI.awsProvider, "-backup-eu-central-1").urn), "locked in the copy's region");
        });

        it("copies every recovery point to a vault in the second region", () => {
            const copyVault = plan.one(VAULT, "-backup-copy-vault");
            const provider = plan.one(PULUMI.awsProvider, "-backup-eu-central-1");
            assert.equal(plan.input(provider, "region"), "eu-central-1");
            assert.ok(copyVault.provider?.startsWith(provider.urn));
            const rules = plan.input(plan.one(BACKUP_PLAN), "rules");
            assert.ok(rules.every((r: any) => r.copyActions.length === 1));
            assert.ok(plan.one(BACKUP_PLAN).propertyDependencies.rules.includes(copyVault.urn));
        });

        it("selects the database, through a role with AWS Backup's policies", () => {
            const selection = plan.one(AWS.backupSelection);
            assert.deepEqual(selection.propertyDependencies.resources, [plan.one(AWS.rdsInstance).urn]);
            const policies = plan
                .ofType(AWS.iamPolicyAttachments[0])
                .map((a) => plan.input(a, "policyArn"))
                .filter((arn: string) => arn.includes("AWSBackup"));
            assert.equal(policies.length, 2);
        });

        it("keeps exports in a versioned, KMS-encrypted, private, TLS-only bucket that tiers and expires", () => {
            const bucket = plan.one(AWS.buckets[0], "-backup-bucket");
            assert.equal(plan.input(bucket, "tags").Purpose, "backups");
            assert.equal(plan.input(bucket, "bucket"), "platform-production-backup-bucket-123456789012");
            const attached = (type: string) => plan.ofType(type).find((r) => r.propertyDependencies.bucket?.includes(bucket.urn))!;
            assert.equal(plan.input(attached(AWS.bucketVersioning[0]), "versioningConfiguration").status, "Enabled");
            const sse = plan.input(attached(AWS.bucketEncryption[0]), "rules")[0];
            assert.equal(sse.applyServerSideEncryptionByDefault.sseAlgorithm, "aws:kms");
            const lifecycle = plan.input(attached(AWS.bucketLifecycle[0]), "rules")[0];
            assert.deepEqual(lifecycle.transitions, [{ days: 30, storageClass: "GLACIER_IR" }]);
            assert.deepEqual(lifecycle.expiration, { days: 365 });
            const policy = JSON.parse(plan.input(attached(AWS.bucketPolicy), "policy"));
            assert.deepEqual(policy.Statement[0].Condition, { Bool: { "aws:SecureTransport": "false" } });
            const block = attached(AWS.bucketPublicAccessBlock);
            assert.ok(["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"].every((f) => plan.input(block, f) === true));
            assert.equal(bucket.protect, true);
        });

        it("budgets the month's cost of this environment, warning at 80 % actual and 100 % forecast", () => {
            const budget = plan.one(BUDGET);
            assert.equal(plan.input(budget, "budgetType"), "COST");
            assert.equal(plan.input(budget, "limitAmount"), "4000.00");
            assert.deepEqual(plan.input(budget, "costFilters"), [{ name: "TagKeyValue", values: ["user:Environment$production"] }]);
            const notifications = plan.input(budget, "notifications");
            assert.deepEqual(
                notifications.map((n: any) => [n.notificationType, n.threshold]),
                [
                    ["ACTUAL", 80],
                    ["ACTUAL", 100],
                    ["FORECASTED", 100],
                ],
            );
            assert.ok(notifications.every((n: any) => n.subscriberEmailAddresses.includes("oncall@acme-example.com")));
        });
    });

    it("staging keeps a week of daily points and a month of weekly ones, with no copy and no protection", async () => {
        const plan = await planStack("staging");
        const rules = plan.input(plan.one(BACKUP_PLAN), "rules");
        assert.deepEqual(
            rules.map((r: any) => r.lifecycle.deleteAfter),
            [7, 30],
        );
        assert.ok(rules.every((r: any) => r.copyActions === undefined));
        assert.equal(plan.ofType(VAULT).length, 1);
        assert.equal(plan.one(VAULT).protect, false);
        assert.equal(plan.input(plan.one(BUDGET), "limitAmount"), "800.00");
    });

    describe("component defaults and overrides", () => {
        it("defaults to 35 and 90 days, a protected vault, no copy; takes other values when asked", async () => {
            const defaults = await planComponents(
                () => new Backup("bk", { kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k", resourceArns: ["arn:aws:rds:eu-west-1:1:db:db"] }),
            );
            assert.deepEqual(
                defaults.input(defaults.one(BACKUP_PLAN), "rules").map((r: any) => r.lifecycle.deleteAfter),
                [35, 90],
            );
            assert.equal(defaults.one(VAULT).protect, true);
            const custom = await planComponents(
                () =>
                    new Backup("bk", {
                        kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k",
                        resourceArns: ["arn:aws:rds:eu-west-1:1:db:db"],
                        dailyRetentionDays: 14,
                        weeklyRetentionDays: 60,
                        copyRegion: "us-east-1",
                        protect: false,
                        bucketExpirationDays: 30,
                    }),
            );
            assert.deepEqual(
                custom.input(custom.one(BACKUP_PLAN), "rules").map((r: any) => r.lifecycle.deleteAfter),
                [14, 60],
            );
            assert.equal(custom.ofType(VAULT).length, 2);
            assert.ok(custom.ofType(VAULT).every((v) => !v.protect));
            const lock = (p: Plan) => ["minRetentionDays", "maxRetentionDays", "changeableForDays"].map((k) => p.input(p.ofType(LOCK)[0], k));
            assert.deepEqual(lock(defaults), [35, 90, 3]);
            assert.deepEqual(lock(custom), [14, 60, 3]);
            const governance = await planComponents(
                () =>
                    new Backup("bk", {
                        kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k",
                        resourceArns: ["arn:aws:rds:eu-west-1:1:db:db"],
                        vaultLock: { mode: "governance", minRetentionDays: 7, maxRetentionDays: 365 },
                    }),
            );
            assert.deepEqual(lock(governance), [7, 365, undefined]);
        });

        it("sends budget alerts to topics as well when given", async () => {
            const plan = await planComponents(
                () =>
                    new Budget("b", {
                        monthlyLimitUsd: 99.5,
                        environment: "staging",
                        emails: ["a@example.com"],
                        topicArns: ["arn:aws:sns:eu-west-1:1:alerts"],
                    }),
            );
            const budget = plan.one(BUDGET);
            assert.equal(plan.input(budget, "limitAmount"), "99.50");
            assert.ok(plan.input(budget, "notifications").every((n: any) => n.subscriberSnsTopicArns[0] === "arn:aws:sns:eu-west-1:1:alerts"));
        });
    });
});
