import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, tagsNamed } from "./tags";

/** The registry's defaults (the stack file's `registry` section). */
export const REGISTRY_DEFAULTS = {
    /** A `registry` section turns it on; `enabled: false` keeps the section while switching it off. */
    enabled: true,
    /** The last 30 releases: rollback reaches months back while storage stays bounded. */
    keepReleases: 30,
    /** A week for an untagged image (a tag's previous image) to be looked at before it expires. */
    untaggedExpiryDays: 7,
    /** CI's deploy role, the only one that pushes. */
    pushRoleNames: ["platform-deploy"],
    /** The cluster's node role, the only one that pulls. */
    pullRoleNames: ["platform-eks-node"],
} as const satisfies Partial<RegistryArgs> & { enabled: boolean };

/** The stack file's `registry` section, plus the repositories and what the platform wires in. Defaults: REGISTRY_DEFAULTS. */
export interface RegistryArgs {
    /** One repository per name, called `<prefix>/<name>`. */
    repositories: string[];
    /** The repositories' path prefix, e.g. the Kubernetes namespace. */
    prefix: string;
    /** The images are encrypted with this KMS key. */
    kmsKeyArn: pulumi.Input<string>;
    /** Tagged images kept per repository (the last N releases). */
    keepReleases?: number;
    /** Days an untagged image (a tag's previous image) is kept. */
    untaggedExpiryDays?: number;
    /** IAM roles of the account that push images (CI's deploy role) and pull them (the cluster's node role). */
    pushRoleNames?: readonly string[];
    pullRoleNames?: readonly string[];
    protect?: boolean;
    tags?: Tags;
}

const PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"];
const PUSH_ACTIONS = [...PULL_ACTIONS, "ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"];

/**
 * The services' private container registry: an ECR repository per service with immutable tags, a scan of
 * every pushed image, KMS encryption, a lifecycle that keeps the last releases and expires untagged images,
 * and a repository policy that lets only the account's deploy roles push and its node roles pull.
 */
export class Registry extends pulumi.ComponentResource {
    /** Repository URL (`<account>.dkr.ecr.<region>.amazonaws.com/<prefix>/<name>`) by name. */
    public readonly repositoryUrls: Record<string, pulumi.Output<string>>;

    constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:build:Registry", name, {}, opts);
        const parent = { parent: this };
        const identity = aws.getCallerIdentityOutput({}, parent);
        const partition = aws.getPartitionOutput({}, parent);
        const roleArns = (names: readonly string[]) =>
            pulumi.all([partition.partition, identity.accountId]).apply(([p, account]) => names.map((role) => `arn:${p}:iam::${account}:role/${role}`));
        const lifecyclePolicy = JSON.stringify({
            rules: [
                {
                    rulePriority: 1,
                    description: `Expire untagged images after ${args.untaggedExpiryDays ?? REGISTRY_DEFAULTS.untaggedExpiryDays} days`,
                    selection: {
                        tagStatus: "untagged",
                        countType: "sinceImagePushed",
                        countUnit: "days",
                        countNumber: args.untaggedExpiryDays ?? REGISTRY_DEFAULTS.untaggedExpiryDays,
                    },
                    action: { type: "expire" },
                },
                {
                    rulePriority: 2,
                    description: `Keep the last ${args.keepReleases ?? REGISTRY_DEFAULTS.keepReleases} releases`,
                    selection: { tagStatus: "any", countType: "imageCountMoreThan", countNumber: args.keepReleases ?? REGISTRY_DEFAULTS.keepReleases },
                    action: { type: "expire" },
                },
            ],
        });

        this.repositoryUrls = {};
        for (const service of args.repositories) {
            const repoName = `${args.prefix}/${service}`;
            const resourceName = `${name}-${service}`;
            const repository = new aws.ecr.Repository(
                resourceName,
                {
                    name: repoName,
                    imageTagMutability: "IMMUTABLE",
                    imageScanningConfiguration: { scanOnPush: true },
                    encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: args.kmsKeyArn }],
                    forceDelete: false,
                    tags: tagsNamed(args.tags, repoName),
                },
                { parent: this, protect: args.protect },
            );
            new aws.ecr.LifecyclePolicy(resourceName, { repository: repository.name, policy: lifecyclePolicy }, parent);
            new aws.ecr.RepositoryPolicy(
                resourceName,
                {
                    repository: repository.name,
                    policy: pulumi
                        .all([roleArns(args.pushRoleNames ?? REGISTRY_DEFAULTS.pushRoleNames), roleArns(args.pullRoleNames ?? REGISTRY_DEFAULTS.pullRoleNames)])
                        .apply(([push, pull]) =>
                            JSON.stringify({
                                Version: "2012-10-17",
                                Statement: [
                                    { Sid: "DeployRolesPush", Effect: "Allow", Principal: { AWS: push }, Action: PUSH_ACTIONS },
                                    { Sid: "NodeRolesPull", Effect: "Allow", Principal: { AWS: pull }, Action: PULL_ACTIONS },
                                ],
                            }),
                        ),
                },
                parent,
            );
            this.repositoryUrls[service] = repository.repositoryUrl;
        }
        this.registerOutputs({ repositoryUrls: this.repositoryUrls });
    }
}
