import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { AWS, AWS_DATA } from "../lib/types";
import { booleanProblem, isSet, listOf, objectOf, peek, show } from "../lib/values";

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const BLOCK_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export const s3PublicAccessBlocked: ResourceRule = {
    name: "s3-public-access-blocked",
    description: "S3 buckets stay private: no public ACL, and a public access block leaves none of its four settings off.",
    severity: "critical",
    checklist: ["ACC-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/acl-overview.html",
    ],
    equivalents: [
        "CKV_AWS_53",
        "CKV_AWS_54",
        "CKV_AWS_55",
        "CKV_AWS_56",
        "CKV_AWS_20",
        "CKV_AWS_57",
        "AVD-AWS-0086",
        "AVD-AWS-0087",
        "AVD-AWS-0091",
        "AVD-AWS-0093",
        "AVD-AWS-0092",
    ],
    remediation:
        "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true on the BucketPublicAccessBlock " +
        "(an omitted one is false), and remove the public acl; serve public content through CloudFront with origin access control.",
    // New buckets block public access by default: only a block that turns it off, or a public ACL, opens one.
    resourceTypes: [AWS.bucketPublicAccessBlock, AWS_DATA.accountPublicAccessBlock, ...AWS.buckets, ...AWS_DATA.bucketAcls],
    validate({ type, props }, _config, report) {
        if (type === AWS.bucketPublicAccessBlock || type === AWS_DATA.accountPublicAccessBlock) {
            const off = BLOCK_FLAGS.filter((flag) => peek(props, flag) !== true).map((flag) => `${flag} is ${show(peek(props, flag))}`);
            if (off.length > 0) {
                report(`${off.join(", ")}; set ${off.length > 1 ? "them" : "it"} to true (an omitted setting is false)`);
            }
            return;
        }
        const acl = peek(props, "acl");
        if (typeof acl === "string" && PUBLIC_ACLS.includes(acl)) {
            report(`acl is "${acl}", so anyone can read the bucket's objects; remove it (objectOwnership BucketOwnerEnforced disables ACLs)`);
        }
    },
};

export const dynamodbPointInTimeRecovery: ResourceRule = {
    name: "dynamodb-point-in-time-recovery",
    description: "DynamoDB tables keep continuous backups (point-in-time recovery).",
    severity: "high",
    checklist: ["DB-03"],
    references: ["https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/PointInTimeRecovery.html"],
    equivalents: ["CKV_AWS_28", "AVD-AWS-0024"],
    remediation: "Set pointInTimeRecovery: { enabled: true } on the table.",
    resourceTypes: [AWS_DATA.dynamodbTable],
    validate({ props }, _config, report) {
        const pitr = objectOf(peek(props, "pointInTimeRecovery"));
        const problem = booleanProblem(pitr ?? {}, "enabled", true, false);
        if (problem) {
            report(`pointInTimeRecovery.${problem}`);
        }
    },
};

/** The block devices of an instance or launch template that are not encrypted, each with where it is set. */
function unencryptedDevices(type: string, props: Record<string, any>): string[] {
    if (type === AWS_DATA.ebsVolume) {
        return peek(props, "encrypted") === true ? [] : [`encrypted is ${show(peek(props, "encrypted"))}`];
    }
    if (type === AWS_DATA.launchTemplate) {
        return (listOf(peek(props, "blockDeviceMappings")) ?? []).map(objectOf).flatMap((mapping, i) => {
            const ebs = objectOf(mapping?.ebs);
            // A launch template takes "true"/"false" strings; a mapping without ebs is an instance-store or no-device entry.
            return ebs && ebs.snapshotId === undefined && String(ebs.encrypted) !== "true"
                ? [`blockDeviceMappings[${i}].ebs.encrypted is ${show(ebs.encrypted)}`]
                : [];
        });
    }
    const root = objectOf(peek(props, "rootBlockDevice"));
    const devices = (listOf(peek(props, "ebsBlockDevices")) ?? []).map(objectOf);
    return [
        ...(root?.encrypted === true
            ? []
            : [
                  root
                      ? `rootBlockDevice.encrypted is ${show(root.encrypted)}`
                      : "rootBlockDevice is not set, so the root volume is encrypted only if the AMI's snapshot is",
              ]),
        ...devices.flatMap((d, i) =>
            d?.encrypted === true || d?.snapshotId !== undefined ? [] : [`ebsBlockDevices[${i}].encrypted is ${show(d?.encrypted)}`],
        ),
    ];
}

export const ebsEncrypted: StackRule = {
    name: "ebs-encrypted",
    appliesTo: [AWS_DATA.ebsVolume, AWS_DATA.ec2Instance, AWS_DATA.launchTemplate],
    description: "EBS volumes, and the root and data devices of EC2 instances, are encrypted at rest.",
    severity: "high",
    checklist: ["DB-07"],
    references: ["https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption.html"],
    equivalents: ["CKV_AWS_3", "CKV_AWS_8", "AVD-AWS-0026", "AVD-AWS-0131"],
    remediation:
        "Set encrypted: true on the volume, rootBlockDevice.encrypted and ebsBlockDevices[].encrypted on the instance " +
        "(blockDeviceMappings[].ebs.encrypted on a launch template), or turn on aws.ebs.EncryptionByDefault for the region.",
    validate(stack, _config, report) {
        // The region's default encryption, managed in the same stack, covers every new volume.
        if (stack.ofType(AWS_DATA.ebsEncryptionByDefault).some((d) => peek(d.props, "enabled") !== false)) {
            return;
        }
        for (const resource of stack.ofType(AWS_DATA.ebsVolume, AWS_DATA.ec2Instance, AWS_DATA.launchTemplate)) {
            const problems = unencryptedDevices(resource.type, resource.props);
            if (problems.length > 0) {
                report(`${resource.name}: ${problems.join("; ")}`, resource);
            }
        }
    },
};

export const ec2Imdsv2Required: ResourceRule = {
    name: "ec2-imdsv2-required",
    description: "EC2 instances require IMDSv2 session tokens, so a request forgery cannot read the instance role's credentials.",
    severity: "high",
    checklist: ["ACC-01"],
    references: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/configuring-instance-metadata-service.html"],
    equivalents: ["CKV_AWS_79", "AVD-AWS-0028", "AVD-AWS-0130"],
    remediation: 'Set metadataOptions: { httpTokens: "required" } on the instance or launch template (or httpEndpoint: "disabled").',
    resourceTypes: [AWS_DATA.ec2Instance, AWS_DATA.launchTemplate],
    validate({ props }, _config, report) {
        const options = objectOf(peek(props, "metadataOptions")) ?? {};
        if (options.httpEndpoint !== "disabled" && options.httpTokens !== "required") {
            report(
                `metadataOptions.httpTokens is ${show(options.httpTokens)}${options.httpTokens === undefined ? " (IMDSv1 stays allowed unless the AMI says otherwise)" : ""}; ` +
                    'set it to "required"',
            );
        }
    },
};

export const ec2NoPublicIp: ResourceRule = {
    name: "ec2-no-public-ip",
    description: "EC2 instances get no public IP address; the internet reaches them through a load balancer.",
    severity: "medium",
    checklist: ["EDGE-07"],
    references: ["https://docs.aws.amazon.com/AWSEC2/latest/UserGuide/using-instance-addressing.html"],
    equivalents: ["CKV_AWS_88"],
    enforcementLevel: "advisory",
    remediation:
        "Set associatePublicIpAddress: false (networkInterfaces[].associatePublicIpAddress on a launch template), run the instance in a " +
        "private subnet and put a load balancer in front of it.",
    resourceTypes: [AWS_DATA.ec2Instance, AWS_DATA.launchTemplate],
    validate({ type, props }, _config, report) {
        const flags =
            type === AWS_DATA.ec2Instance
                ? [["associatePublicIpAddress", peek(props, "associatePublicIpAddress")]]
                : (listOf(peek(props, "networkInterfaces")) ?? []).map((n, i) => [
                      `networkInterfaces[${i}].associatePublicIpAddress`,
                      objectOf(n)?.associatePublicIpAddress,
                  ]);
        const public_ = flags.filter(([, value]) => value === true || value === "true").map(([key]) => key);
        if (public_.length > 0) {
            report(`${public_.join(", ")} is true, so the instance is addressable from the internet`);
        }
    },
};

export const messagingEncryptedAtRest: ResourceRule = {
    name: "messaging-encrypted-at-rest",
    description: "SNS topics and SQS queues encrypt the messages they hold.",
    severity: "medium",
    checklist: ["DB-07"],
    references: [
        "https://docs.aws.amazon.com/sns/latest/dg/sns-server-side-encryption.html",
        "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-server-side-encryption.html",
    ],
    equivalents: ["CKV_AWS_26", "CKV_AWS_27", "AVD-AWS-0095", "AVD-AWS-0096"],
    remediation: "SNS: set kmsMasterKeyId (a customer-managed key, or alias/aws/sns). SQS: keep sqsManagedSseEnabled (the default) or set kmsMasterKeyId.",
    resourceTypes: [AWS_DATA.snsTopic, AWS_DATA.sqsQueue],
    validate({ type, props }, _config, report) {
        if (isSet(props, "kmsMasterKeyId")) {
            return;
        }
        if (type === AWS_DATA.snsTopic) {
            report("kmsMasterKeyId is not set, and SNS stores messages unencrypted by default");
        } else if (peek(props, "sqsManagedSseEnabled") === false) {
            report("sqsManagedSseEnabled is false and kmsMasterKeyId is not set, so the queue stores messages unencrypted");
        }
    },
};

export const storageRules: RuleFile = {
    title: "Storage, compute and messaging (S3, DynamoDB, EBS, EC2, SNS, SQS)",
    resource: [s3PublicAccessBlocked, dynamodbPointInTimeRecovery, ec2Imdsv2Required, ec2NoPublicIp, messagingEncryptedAtRest] as ResourceRule<any>[],
    stack: [ebsEncrypted] as StackRule<any>[],
};
