import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Tags, tagsNamed } from "./tags";

/** The secrets' defaults: the production values; a stack file relaxes them key by key. */
export const SECRETS_DEFAULTS = {
    /** AWS's longest wait: a key deleted by mistake can be recovered for a month, and with it everything it encrypts. */
    kmsDeletionWindowDays: 30,
    /** AWS's longest window: a secret deleted by mistake can be restored for a month. */
    recoveryWindowDays: 30,
    /** Everything encrypted with the key depends on it: Pulumi refuses to delete it. */
    protect: true,
} as const satisfies SecretsArgs;

/** The stack file's `secrets` section, plus the API keys and what the platform wires in. Defaults: SECRETS_DEFAULTS. */
export interface SecretsArgs {
    /** Days a scheduled KMS key deletion waits before it happens, 7-30. */
    kmsDeletionWindowDays?: pulumi.Input<number>;
    /** Days a deleted Secrets Manager secret can still be restored, 7-30. */
    recoveryWindowDays?: pulumi.Input<number>;
    /** Third-party API keys by environment variable name (e.g. OPENAI_API_KEY); stored as secrets. */
    apiKeys?: Record<string, pulumi.Input<string>>;
    /** Protect the KMS key from deletion by Pulumi. */
    protect?: boolean;
    tags?: Tags;
}

/** Characters ElastiCache accepts in an AUTH token besides letters and digits. */
export const REDIS_AUTH_TOKEN_SPECIALS = "!&#$^<>-";

/**
 * The platform's customer-managed KMS key and its application secrets: a random JWT secret,
 * a 32-byte ENCRYPTION_KEY, a Redis AUTH token, the Grafana admin password and any third-party API keys, each kept in
 * Secrets Manager under `<name>/<ENV_NAME>`, encrypted with the key.
 */
export class Secrets extends pulumi.ComponentResource {
    public readonly kmsKeyArn: pulumi.Output<string>;
    public readonly kmsKeyId: pulumi.Output<string>;
    public readonly kmsAliasName: pulumi.Output<string>;
    /** Secret values by environment variable name. Every one is a Pulumi secret. */
    public readonly values: Record<string, pulumi.Output<string>>;
    /** Secrets Manager ARNs by environment variable name. */
    public readonly secretArns: pulumi.Output<Record<string, string>>;
    public readonly jwtSecret: pulumi.Output<string>;
    public readonly encryptionKey: pulumi.Output<string>;
    public readonly redisAuthToken: pulumi.Output<string>;
    public readonly grafanaAdminPassword: pulumi.Output<string>;

    constructor(name: string, args: SecretsArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        super("platform:security:Secrets", name, {}, opts);
        const parent = { parent: this };

        const key = new aws.kms.Key(
            `${name}-key`,
            {
                description: `Encrypts the data, secrets and logs of ${name}`,
                enableKeyRotation: true,
                rotationPeriodInDays: 365,
                deletionWindowInDays: args.kmsDeletionWindowDays ?? SECRETS_DEFAULTS.kmsDeletionWindowDays,
                policy: keyPolicy(parent),
                tags: tagsNamed(args.tags, `${name}-key`),
            },
            { parent: this, protect: args.protect ?? SECRETS_DEFAULTS.protect },
        );
        const alias = new aws.kms.Alias(
            `${name}-key`,
            {
                name: `alias/${name}`,
                targetKeyId: key.keyId,
            },
            parent,
        );

        const jwt = new random.RandomPassword(`${name}-jwt-secret`, { length: 64, special: false }, parent);
        const encryption = new random.RandomBytes(`${name}-encryption-key`, { length: 32 }, parent);
        const redis = new random.RandomPassword(
            `${name}-redis-auth-token`,
            {
                length: 64,
                special: true,
                overrideSpecial: REDIS_AUTH_TOKEN_SPECIALS,
            },
            parent,
        );
        const grafana = new random.RandomPassword(`${name}-grafana-admin-password`, { length: 32, special: false }, parent);

        // The provider marks these outputs secret through the engine; wrapping them keeps them secret wherever the engine is not.
        this.jwtSecret = pulumi.secret(jwt.result);
        this.encryptionKey = pulumi.secret(encryption.base64);
        this.redisAuthToken = pulumi.secret(redis.result);
        this.grafanaAdminPassword = pulumi.secret(grafana.result);
        this.values = {
            JWT_SECRET: this.jwtSecret,
            ENCRYPTION_KEY: this.encryptionKey,
            REDIS_AUTH_TOKEN: this.redisAuthToken,
            GRAFANA_ADMIN_PASSWORD: this.grafanaAdminPassword,
            ...Object.fromEntries(Object.entries(args.apiKeys ?? {}).map(([envName, value]) => [envName, pulumi.secret(value)])),
        };

        const arns: Record<string, pulumi.Output<string>> = {};
        for (const [envName, value] of Object.entries(this.values)) {
            const childName = `${name}-${envName.toLowerCase().replace(/_/g, "-")}`;
            const secret = new aws.secretsmanager.Secret(
                childName,
                {
                    name: `${name}/${envName}`,
                    description: `${envName} of ${name}`,
                    kmsKeyId: key.arn,
                    recoveryWindowInDays: args.recoveryWindowDays ?? SECRETS_DEFAULTS.recoveryWindowDays,
                    tags: tagsNamed(args.tags, childName),
                },
                parent,
            );
            new aws.secretsmanager.SecretVersion(childName, { secretId: secret.id, secretString: value }, parent);
            arns[envName] = secret.arn;
        }

        this.kmsKeyArn = key.arn;
        this.kmsKeyId = key.keyId;
        this.kmsAliasName = alias.name;
        this.secretArns = pulumi.output(arns);
        this.registerOutputs({
            kmsKeyArn: this.kmsKeyArn,
            kmsKeyId: this.kmsKeyId,
            kmsAliasName: this.kmsAliasName,
            secretArns: this.secretArns,
        });
    }
}

/**
 * The account administers the key through IAM; CloudWatch Logs of this account and region may use it
 * for log groups (it has no IAM role to grant it). AWS services that act for a principal (RDS,
 * ElastiCache, Secrets Manager) use it through that principal's IAM permissions and grants.
 */
export function keyPolicy(opts: pulumi.InvokeOutputOptions): pulumi.Output<string> {
    const identity = aws.getCallerIdentityOutput({}, opts);
    const region = aws.getRegionOutput({}, opts);
    const partition = aws.getPartitionOutput({}, opts);
    return pulumi.all([identity.accountId, region.region, partition.partition]).apply(([account, regionName, part]) =>
        JSON.stringify({
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "AccountAdministersKeyThroughIam",
                    Effect: "Allow",
                    Principal: { AWS: `arn:${part}:iam::${account}:root` },
                    Action: "kms:*",
                    Resource: "*",
                },
                {
                    // The alert topic is encrypted with this key: alarms and budgets must be able to publish to it.
                    Sid: "AlarmsAndBudgetsPublishToTheEncryptedAlertTopic",
                    Effect: "Allow",
                    Principal: { Service: ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"] },
                    Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
                    Resource: "*",
                    Condition: { StringEquals: { "aws:SourceAccount": account } },
                },
                {
                    Sid: "CloudWatchLogsEncryptsThisAccountsLogGroups",
                    Effect: "Allow",
                    Principal: { Service: `logs.${regionName}.amazonaws.com` },
                    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
                    Resource: "*",
                    Condition: {
                        ArnLike: { "kms:EncryptionContext:aws:logs:arn": `arn:${part}:logs:${regionName}:${account}:log-group:*` },
                    },
                },
            ],
        }),
    );
}
