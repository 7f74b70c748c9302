import * as pulumi from "@pulumi/pulumi";
import { Cache } from "./cache";
import { PlatformConfig } from "./config";
import { Database } from "./database";
import { LoadBalancer } from "./load-balancer";
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
    public readonly database: Database;
    public readonly cache: Cache;
    public readonly loadBalancer: LoadBalancer;

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

        const db = config.database;
        this.database = new Database(`${name}-db`, {
            vpcId: this.network.vpcId,
            subnetIds: this.network.isolatedSubnetIds,
            proxySubnetIds: this.network.privateSubnetIds,
            clientSecurityGroupIds: [this.network.appSecurityGroupId],
            kmsKeyArn: this.secrets.kmsKeyArn,
            engineVersion: db.engineVersion,
            instanceClass: db.instanceClass,
            allocatedStorageGb: db.allocatedStorageGb,
            maxAllocatedStorageGb: db.maxAllocatedStorageGb,
            databaseName: db.databaseName,
            multiAz: db.multiAz,
            deletionProtection: db.deletionProtection,
            backupRetentionDays: db.backupRetentionDays,
            skipFinalSnapshot: db.skipFinalSnapshot,
            backupWindow: db.backupWindow,
            maintenanceWindow: db.maintenanceWindow,
            performanceInsightsRetentionDays: db.performanceInsightsRetentionDays,
            monitoringIntervalSeconds: db.monitoringIntervalSeconds,
            slowQueryMs: db.slowQueryMs,
            appConnectionLimit: db.appConnectionLimit,
            proxyMaxConnectionsPercent: db.proxy.maxConnectionsPercent,
            proxyMaxIdleConnectionsPercent: db.proxy.maxIdleConnectionsPercent,
            proxyBorrowTimeoutSeconds: db.proxy.borrowTimeoutSeconds,
            manageRoles: db.manageRoles,
            logRetentionDays: db.logRetentionDays,
            secretRecoveryWindowDays: config.secrets.recoveryWindowDays,
            protect: production,
            tags,
        }, { parent: this });

        const cache = config.cache;
        this.cache = new Cache(`${name}-cache`, {
            vpcId: this.network.vpcId,
            subnetIds: this.network.isolatedSubnetIds,
            clientSecurityGroupIds: [this.network.appSecurityGroupId],
            kmsKeyArn: this.secrets.kmsKeyArn,
            authToken: this.secrets.redisAuthToken,
            engine: cache.engine,
            engineVersion: cache.engineVersion,
            nodeType: cache.nodeType,
            replicas: cache.replicas,
            multiAz: cache.multiAz,
            snapshotRetentionDays: cache.snapshotRetentionDays,
            snapshotWindow: cache.snapshotWindow,
            maintenanceWindow: cache.maintenanceWindow,
            maxmemoryPolicy: cache.maxmemoryPolicy,
            logRetentionDays: cache.logRetentionDays,
            protect: production,
            tags,
        }, { parent: this });

        const edge = config.edge;
        this.loadBalancer = new LoadBalancer(`${name}-edge`, {
            vpcId: this.network.vpcId,
            subnetIds: this.network.publicSubnetIds,
            targetSecurityGroupId: this.network.appSecurityGroupId,
            domainName: config.domainName,
            hostedZoneName: edge.hostedZoneName,
            services: config.services.filter((s) => s.public).map((s) => ({ name: s.name, port: s.port, healthPath: s.healthPath })),
            sslPolicy: edge.sslPolicy,
            rateLimitPerFiveMinutes: edge.rateLimitPerFiveMinutes,
            deletionProtection: edge.deletionProtection,
            accessLogRetentionDays: edge.accessLogRetentionDays,
            idleTimeoutSeconds: edge.idleTimeoutSeconds,
            tags,
        }, { parent: this });

        this.registerOutputs({
            vpcId: this.network.vpcId,
            loadBalancerDnsName: this.loadBalancer.dnsName,
            kmsKeyArn: this.secrets.kmsKeyArn,
            databaseProxyEndpoint: this.database.proxyEndpoint,
            cachePrimaryEndpoint: this.cache.primaryEndpoint,
        });
    }
}
