import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { allowTcp } from "./security-group";
import { Tags, tagsNamed } from "./tags";

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
    /** "redis" or "valkey". Plain: it names the parameter group family. Default "redis". */
    engine?: "redis" | "valkey";
    /** 7 or newer. Plain, for the same reason. Default "7.1". */
    engineVersion?: string;
    /** Default "cache.r7g.large" (13 GiB). */
    nodeType?: pulumi.Input<string>;
    /** Read replicas besides the primary; automatic failover needs one. Default 1. */
    replicas?: number;
    /** Replicas in other zones, failover across zones. Default true. */
    multiAz?: pulumi.Input<boolean>;
    /** Days of daily snapshots kept. Default 7. */
    snapshotRetentionDays?: pulumi.Input<number>;
    /** Daily, UTC. Default "02:00-03:00". */
    snapshotWindow?: pulumi.Input<string>;
    /** Weekly, UTC. Default "sun:04:00-sun:05:00". */
    maintenanceWindow?: pulumi.Input<string>;
    /** What Redis evicts when memory is full. Default "volatile-lru": only keys with a TTL. */
    maxmemoryPolicy?: pulumi.Input<string>;
    /** Retention of the slow and engine logs. Default 365. */
    logRetentionDays?: pulumi.Input<number>;
    /** Protect the replication group from deletion by Pulumi. Default true. */
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
        const engine = args.engine ?? "redis";
        const engineVersion = args.engineVersion ?? "7.1";
        const replicas = args.replicas ?? 1;

        const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-redis`, {
            description: `Isolated subnets of ${name}`,
            subnetIds: args.subnetIds,
            tags: tags("redis"),
        }, parent);
        const securityGroup = new aws.ec2.SecurityGroup(`${name}-redis`, {
            vpcId: args.vpcId,
            description: `${engine} of ${name}: ${REDIS_PORT} from the application only`,
            tags: tags("redis"),
        }, parent);
        args.clientSecurityGroupIds.forEach((client, i) => allowTcp({
            source: client,
            target: securityGroup.id,
            port: REDIS_PORT,
            description: `${engine} from the application`,
            ingressName: `${name}-redis-from-app-${i + 1}`,
            egressName: `${name}-app-${i + 1}-to-redis`,
        }, parent));

        const family = `${engine}${engineVersion.split(".")[0]}`;
        const parameterGroup = new aws.elasticache.ParameterGroup(`${name}-${family}`, {
            family,
            description: `${engine} of ${name}: eviction policy`,
            parameters: [{ name: "maxmemory-policy", value: args.maxmemoryPolicy ?? "volatile-lru" }],
            tags: tags(family),
        }, parent);

        const logGroup = (logType: string) => new aws.cloudwatch.LogGroup(`${name}-${logType}`, {
            name: `/aws/elasticache/${name}/${logType}`,
            retentionInDays: args.logRetentionDays ?? 365,
            kmsKeyId: args.kmsKeyArn,
            tags: tags(logType),
        }, parent);
        const logDeliveryConfigurations = ["slow-log", "engine-log"].map((logType) => ({
            destination: logGroup(logType).name,
            destinationType: "cloudwatch-logs",
            logFormat: "json",
            logType,
        }));

        const group = new aws.elasticache.ReplicationGroup(`${name}-redis`, {
            replicationGroupId: name,
            description: `${engine} of ${name}`,
            engine,
            engineVersion,
            nodeType: args.nodeType ?? "cache.r7g.large",
            port: REDIS_PORT,
            numCacheClusters: 1 + replicas,
            automaticFailoverEnabled: replicas >= 1,
            multiAzEnabled: args.multiAz ?? true,
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
            snapshotRetentionLimit: args.snapshotRetentionDays ?? 7,
            snapshotWindow: args.snapshotWindow ?? "02:00-03:00",
            maintenanceWindow: args.maintenanceWindow ?? "sun:04:00-sun:05:00",
            finalSnapshotIdentifier: `${name}-final`,
            autoMinorVersionUpgrade: true,
            logDeliveryConfigurations,
            tags: tags("redis"),
        }, { parent: this, protect: args.protect ?? true });

        this.replicationGroupId = group.replicationGroupId;
        this.primaryEndpoint = group.primaryEndpointAddress;
        this.readerEndpoint = group.readerEndpointAddress;
        this.securityGroupId = securityGroup.id;
        this.redisUrl = pulumi.secret(pulumi.all([args.authToken, group.primaryEndpointAddress]).apply(([token, host]) =>
            `rediss://:${encodeURIComponent(token)}@${host}:${REDIS_PORT}`));
        this.registerOutputs({
            replicationGroupId: this.replicationGroupId,
            primaryEndpoint: this.primaryEndpoint,
            readerEndpoint: this.readerEndpoint,
            securityGroupId: this.securityGroupId,
            redisUrl: this.redisUrl,
        });
    }
}
