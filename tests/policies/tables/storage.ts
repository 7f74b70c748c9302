import { AWS, AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase } from "../cases";
import { TestResource } from "../helpers";

const block = { bucket: "assets", blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true };
/** An instance as the EC2 examples write it, hardened: IMDSv2, encrypted root volume, private. */
const instance = {
    ami: "ami-0abcdef1234567890",
    instanceType: "t3.medium",
    subnetId: "subnet-private-a",
    metadataOptions: { httpEndpoint: "enabled", httpTokens: "required" },
    rootBlockDevice: { volumeSize: 30, volumeType: "gp3", encrypted: true },
};

const resource: ResourceCase[] = [
    {
        policy: "s3-public-access-blocked",
        type: AWS.bucketPublicAccessBlock,
        compliant: block,
        violating: [
            {
                change: { blockPublicPolicy: false, restrictPublicBuckets: false },
                message: /blockPublicPolicy is false, restrictPublicBuckets is false; set them to true/,
            },
            { change: { ignorePublicAcls: undefined }, message: /ignorePublicAcls is not set; set it to true \(an omitted setting is false\)/ },
        ],
    },
    {
        // A bucket with nothing but tags: new buckets block public access by default.
        policy: "s3-public-access-blocked",
        type: AWS.buckets[0],
        compliant: { tags: { Name: "assets" } },
        violating: [{ change: { acl: "public-read" }, message: /acl is "public-read", so anyone can read/ }],
    },
    {
        policy: "dynamodb-point-in-time-recovery",
        type: AWS_DATA.dynamodbTable,
        compliant: { billingMode: "PAY_PER_REQUEST", hashKey: "id", attributes: [{ name: "id", type: "S" }], pointInTimeRecovery: { enabled: true } },
        violating: [
            { change: { pointInTimeRecovery: undefined }, message: /pointInTimeRecovery\.enabled is not set, and the provider default is false/ },
            { change: { pointInTimeRecovery: { enabled: false } }, message: /pointInTimeRecovery\.enabled is false/ },
        ],
    },
    {
        policy: "ec2-imdsv2-required",
        type: AWS_DATA.ec2Instance,
        compliant: instance,
        violating: [
            { change: { metadataOptions: undefined }, message: /metadataOptions\.httpTokens is not set \(IMDSv1 stays allowed/ },
            { change: { metadataOptions: { httpTokens: "optional" } }, message: /metadataOptions\.httpTokens is "optional"; set it to "required"/ },
        ],
    },
    {
        policy: "ec2-no-public-ip",
        type: AWS_DATA.ec2Instance,
        compliant: instance,
        violating: [{ change: { associatePublicIpAddress: true }, message: /associatePublicIpAddress is true/ }],
    },
    {
        policy: "ec2-no-public-ip",
        type: AWS_DATA.launchTemplate,
        compliant: { networkInterfaces: [{ associatePublicIpAddress: "false" }] },
        violating: [
            { change: { networkInterfaces: [{ associatePublicIpAddress: "true" }] }, message: /networkInterfaces\[0\]\.associatePublicIpAddress is true/ },
        ],
    },
    {
        policy: "messaging-encrypted-at-rest",
        type: AWS_DATA.snsTopic,
        compliant: { kmsMasterKeyId: "alias/aws/sns" },
        violating: [{ change: { kmsMasterKeyId: undefined }, message: /SNS stores messages unencrypted by default/ }],
    },
    {
        // SQS encrypts with SSE-SQS by default.
        policy: "messaging-encrypted-at-rest",
        type: AWS_DATA.sqsQueue,
        compliant: { visibilityTimeoutSeconds: 30 },
        violating: [{ change: { sqsManagedSseEnabled: false }, message: /sqsManagedSseEnabled is false and kmsMasterKeyId is not set/ }],
    },
];

const servers: TestResource[] = [
    { type: AWS_DATA.ec2Instance, name: "jenkins", props: instance },
    { type: AWS_DATA.ebsVolume, name: "jenkins-home", props: { availabilityZone: "eu-west-1a", size: 100, encrypted: true } },
];
const stack: StackCase[] = [
    {
        policy: "ebs-encrypted",
        compliant: servers,
        violating: [
            {
                resources: changed(servers, "jenkins", { props: { rootBlockDevice: undefined } }),
                message: /jenkins: rootBlockDevice is not set, so the root volume is encrypted only if the AMI's snapshot is/,
            },
            { resources: changed(servers, "jenkins-home", { props: { encrypted: undefined } }), message: /jenkins-home: encrypted is not set/ },
            {
                resources: [
                    ...servers,
                    { type: AWS_DATA.launchTemplate, name: "workers", props: { blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 50 } }] } },
                ],
                message: /workers: blockDeviceMappings\[0\]\.ebs\.encrypted is not set/,
            },
        ],
    },
    {
        // The region's default encryption, managed in the stack, covers volumes that say nothing.
        policy: "ebs-encrypted",
        compliant: [
            ...changed(servers, "jenkins-home", { props: { encrypted: undefined } }),
            { type: AWS_DATA.ebsEncryptionByDefault, name: "default", props: { enabled: true } },
        ],
        violating: [
            {
                resources: changed(servers, "jenkins", { props: { rootBlockDevice: { encrypted: false } } }),
                message: /jenkins: rootBlockDevice\.encrypted is false/,
            },
        ],
    },
];

export const storageCases: CaseTable = { area: "storage", resource, stack };
