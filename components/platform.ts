import * as pulumi from "@pulumi/pulumi";
import { PlatformConfig } from "./config";
import { Network } from "./network";
import { Secrets } from "./secrets";

export interface PlatformArgs {
    /** The validated stack config (see `loadPlatformConfig`). */
    config: PlatformConfig;
}

/** The whole platform of one environment, composed from the stack config. */
export class Platform extends pulumi.ComponentResource {
    public readonly secrets: Secrets;
    public readonly network: Network;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:core:Platform", name, {}, opts);
        const { config } = args;
        const production = config.environment === "production";
        const tags = {
            Project: pulumi.getProject(),
            Environment: config.environment,
            ManagedBy: "pulumi",
            ...config.tags,
        };

        this.secrets = new Secrets(`${name}-secrets`, {
            kmsDeletionWindowDays: config.secrets.kmsDeletionWindowDays,
            recoveryWindowDays: config.secrets.recoveryWindowDays,
            apiKeys: config.apiKeys,
            protect: production,
            tags,
        }, { parent: this });

        const network = config.network;
        this.network = new Network(`${name}-network`, {
            cidrBlock: network.cidrBlock,
            availabilityZoneCount: network.availabilityZoneCount,
            natGateways: network.natGateways,
            existingVpc: network.existing,
            enableFlowLogs: network.flowLogs.enabled,
            flowLogTrafficType: network.flowLogs.trafficType,
            flowLogRetentionDays: network.flowLogs.retentionDays,
            logsKmsKeyArn: this.secrets.kmsKeyArn,
            tags,
        }, { parent: this });

        this.registerOutputs({
            vpcId: this.network.vpcId,
            kmsKeyArn: this.secrets.kmsKeyArn,
        });
    }
}
