import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowTcp } from "./security-group";
import { Tags, tagsNamed } from "./tags";

/** The cache's defaults: the production values; a stack file relaxes them key by key. */
export const CACHE_DEFAULTS = {
    /** Redis OSS, what the services' clients are written for. */
    engine: "redis",
    /** The newest Redis ElastiCache offers. */
    engineVersion: "7.1",
    /** Memory-optimised, 13 GiB, not burstable: evictions and CPU credits do not surprise production. */
    nodeType: "cache.r7g.large",
    /** One replica: automatic failover has a node to promote. */
    replicas: 1,
    /** The replica in another zone: a zone outage fails over instead of losing the cache. */
    multiAz: true,
    /** A week of daily snapshots: queues and sessions survive a bad deploy found days later. */
    snapshotRetentionDays: 7,
    /** UTC night, after the database's backup window. */
    snapshotWindow: "02:00-03:00",
    /** Sunday UTC night, after the database's maintenance window. */
    maintenanceWindow: "sun:04:00-sun:05:00",
    /** Only keys with a TTL are evicted: queues and sessions without one survive a full cache. */
    maxmemoryPolicy: "volatile-lru",
    /** A year of slow and engine logs: audits and incidents look back that far. */
    logRetentionDays: 365,
    /** The cache holds queues and sessions: Pulumi refuses to delete it. */
    protect: true,
} as const satisfies Partial<CacheArgs>;

/** The stack file's `cache` section, plus what the platform wires in. Defaults: CACHE_DEFAULTS. */
export interface CacheArgs {
    vpcId: pulumi.Input<string>;
    /** Subnets of the nodes: the isolated tier. */
    subnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Security groups of the clients (the application): the only ones admitted on 6379. */
    clientSecurityGroupIds: pulumi.Input<string>[];
    /** KMS key for data at rest and the log groups. */
    kmsKeyArn: pulumi.Input<string>;
    /** The AUTH token clients present (16-128 characters ElastiCache accepts). */
    authToken: pulumi.Input<string>;
    /** "redis" or "valkey". Plain: it names the parameter group family. */
    engine?: "redis" | "valkey";
    /** 7 or newer. Plain, for the same reason. */
    engineVersion?: string;
    nodeType?: pulumi.Input<string>;
    /** Read replicas besides the primary; automatic failover needs one. */
    replicas?: number;
    /** Replicas in other zones, failover across zones. */
    multiAz?: pulumi.Input<boolean>;
    /** Days of daily snapshots kept. */
    snapshotRetentionDays?: pulumi.Input<number>;
    /** Daily, UTC. */
    snapshotWindow?: pulumi.Input<string>;
    /** Weekly, UTC. */
    maintenanceWindow?: pulumi.Input<string>;
    /** What Redis evicts when memory is full. */
    maxmemoryPolicy?: pulumi.Input<string>;
    /** Retention of the slow and engine logs. */
    logRetentionDays?: pulumi.Input<number>;
    /** Protect the replication group from deletion by Pulumi. */
    protect?: boolean;
    tags?: Tags;
}

const REDIS_PORT = 6379;

/**
 * An ElastiCache Redis (or Valkey) replication group: TLS and AUTH required, encrypted at rest with
 * the platform key, daily snapshots, a replica to fail over to, and slow/engine logs in CloudWatch.
 */
export class Cache extends pulumi.ComponentResource {
    public readonly replicationGroupId: pulumi.Output<string>;
    public readonly primaryEndpoint: pulumi.Output<string>;
    public readonly readerEndpoint: pulumi.Output<string>;
    public readonly securityGroupId: pulumi.Output<string>;
    /** `rediss://` URL with the AUTH token. Secret. */
    public readonly redisUrl: pulumi.Output<string>;

    constructor(name: string, args: CacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:data:Cache", name, {}, opts);
        const parent = { parent: this };
        const tags = (suffix: string) => tagsNamed(args.tags, `${name}-${suffix}`);
        const engine = args.engine ?? CACHE_DEFAULTS.engine;
        const engineVersion = args.engineVersion ?? CACHE_DEFAULTS.engineVersion;
        const replicas = args.replicas ?? CACHE_DEFAULTS.replicas;

        const subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-redis`,
            {
                description: `Isolated subnets of ${name}`,
                subnetIds: args.subnetIds,
                tags: tags("redis"),
            },
            parent,
        );
        const securityGroup = new aws.ec2.SecurityGroup(
            `${name}-redis`,
            {
                vpcId: args.vpcId,
                description: `${engine} of ${name}: ${REDIS_PORT} from the application only`,
                tags: tags("redis"),
            },
            parent,
        );
        args.clientSecurityGroupIds.forEach((client, i) =>
            allowTcp(
                {
                    source: client,
                    target: securityGroup.id,
                    port: REDIS_PORT,
                    description: `${engine} from the application`,
                    ingressName: `${name}-redis-from-app-${i + 1}`,
                    egressName: `${name}-app-${i + 1}-to-redis`,
                },
                parent,
            ),
        );

        const family = `${engine}${engineVersion.split(".")[0]}`;
        const parameterGroup = new aws.elasticache.ParameterGroup(
            `${name}-${family}`,
            {
                family,
                description: `${engine} of ${name}: eviction policy`,
                parameters: [{ name: "maxmemory-policy", value: args.maxmemoryPolicy ?? CACHE_DEFAULTS.maxmemoryPolicy }],
                tags: tags(family),
            },
            parent,
        );

        const logGroup = (logType: string) =>
            new aws.cloudwatch.LogGroup(
                `${name}-${logType}`,
                {
                    name: `/aws/elasticache/${name}/${logType}`,
                    retentionInDays: args.logRetentionDays ?? CACHE_DEFAULTS.logRetentionDays,
                    kmsKeyId: args.kmsKeyArn,
                    tags: tags(logType),
                },
                parent,
            );
        const logDeliveryConfigurations = ["slow-log", "engine-log"].map((logType) => ({
            destination: logGroup(logType).name,
            destinationType: "cloudwatch-logs",
            logFormat: "json",
            logType,
        }));

        const group = new aws.elasticache.ReplicationGroup(
            `${name}-redis`,
            {
                replicationGroupId: name,
                description: `${engine} of ${name}`,
                engine,
                engineVersion,
                nodeType: args.nodeType ?? CACHE_DEFAULTS.nodeType,
                port: REDIS_PORT,
                numCacheClusters: 1 + replicas,
                automaticFailoverEnabled: replicas >= 1,
                multiAzEnabled: args.multiAz ?? CACHE_DEFAULTS.multiAz,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [securityGroup.id],
                parameterGroupName: parameterGroup.name,
                atRestEncryptionEnabled: true,
                kmsKeyId: args.kmsKeyArn,
                transitEncryptionEnabled: true,
                transitEncryptionMode: "required",
                authToken: pulumi.secret(args.authToken),
                // ROTATE keeps the old token valid alongside the new one, so clients can roll over without errors.
                authTokenUpdateStrategy: "ROTATE",
                snapshotRetentionLimit: args.snapshotRetentionDays ?? CACHE_DEFAULTS.snapshotRetentionDays,
                snapshotWindow: args.snapshotWindow ?? CACHE_DEFAULTS.snapshotWindow,
                maintenanceWindow: args.maintenanceWindow ?? CACHE_DEFAULTS.maintenanceWindow,
                finalSnapshotIdentifier: `${name}-final`,
                autoMinorVersionUpgrade: true,
                logDeliveryConfigurations,
                tags: tags("redis"),
            },
            { parent: this, protect: args.protect ?? CACHE_DEFAULTS.protect },
        );

        this.replicationGroupId = group.replicationGroupId;
        this.primaryEndpoint = group.primaryEndpointAddress;
        this.readerEndpoint = group.readerEndpointAddress;
        this.securityGroupId = securityGroup.id;
        this.redisUrl = pulumi.secret(
            pulumi.all([args.authToken, group.primaryEndpointAddress]).apply(([token, host]) => `rediss://:${encodeURIComponent(token)}@${host}:${REDIS_PORT}`),
        );
        this.registerOutputs({
            replicationGroupId: this.replicationGroupId,
            primaryEndpoint: this.primaryEndpoint,
            readerEndpoint: this.readerEndpoint,
            securityGroupId: this.securityGroupId,
            redisUrl: this.redisUrl,
        });
    }
}
