import { RecordedResource } from "../../preflight/program";
import { AWS, PULUMI } from "../../policies/lib/types";

const STACK = "production";
const urn = (type: string, name: string, parentType?: string) => `urn:pulumi:${STACK}::platform::${parentType ? `${parentType}$` : ""}${type}::${name}`;

function resource(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<RecordedResource> = {}): RecordedResource {
    return {
        urn: urn(type, name, type === PULUMI.stack ? undefined : PULUMI.stack),
        type,
        name,
        custom: type.startsWith("aws:"),
        inputs,
        parent: type === PULUMI.stack ? undefined : urn(PULUMI.stack, "legacy-production"),
        dependencies: [],
        propertyDependencies: {},
        protect: false,
        ignoreChanges: [],
        aliases: [],
        additionalSecretOutputs: [],
        deleteBeforeReplace: false,
        retainOnDelete: false,
        ...extra,
    };
}

/**
 * A legacy stack whose database is public and unencrypted and whose Redis takes plaintext
 * connections; everything else about them is in order.
 */
export function legacyDataStack(): RecordedResource[] {
    const tags = { Project: "legacy", Environment: "production", Owner: "team", CostCenter: "1", ManagedBy: "pulumi" };
    return [
        resource(PULUMI.stack, "legacy-production", {}),
        resource(
            AWS.rdsInstance,
            "legacy-db",
            {
                engine: "postgres",
                engineVersion: "16.4",
                identifier: "legacy-db",
                instanceClass: "db.r6g.large",
                publiclyAccessible: true,
                storageEncrypted: false,
                multiAz: true,
                deletionProtection: true,
                backupRetentionPeriod: 14,
                skipFinalSnapshot: false,
                finalSnapshotIdentifier: "legacy-db-final",
                performanceInsightsEnabled: true,
                monitoringInterval: 60,
                monitoringRoleArn: "arn:aws:iam::123456789012:role/monitoring",
                enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
                vpcSecurityGroupIds: ["sg-0123456789abcdef0"],
                tags,
                password: { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2-hunter2" },
            },
            { protect: true },
        ),
        resource(
            AWS.replicationGroup,
            "legacy-cache",
            {
                engine: "redis",
                engineVersion: "7.1",
                nodeType: "cache.r7g.large",
                replicationGroupId: "legacy-cache",
                transitEncryptionEnabled: false,
                atRestEncryptionEnabled: true,
                kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
                authToken: "token-0123456789abcdef",
                snapshotRetentionLimit: 7,
                automaticFailoverEnabled: true,
                multiAzEnabled: true,
                numCacheClusters: 2,
                securityGroupIds: ["sg-0fedcba9876543210"],
                tags,
            },
            { protect: true },
        ),
    ];
}
