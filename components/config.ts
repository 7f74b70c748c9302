import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";

/** The stack config namespace of this project (`platform:<key>` in `Pulumi.<stack>.yaml`). */
export const CONFIG_NAMESPACE = "platform";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const logRetentionDays = z
    .number()
    .int()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `expected one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
    });

const vpcCidr = z
    .cidrv4()
    .refine((cidr) => {
        const prefix = Number(cidr.split("/")[1]);
        return prefix >= 16 && prefix <= 20;
    }, { message: "expected an IPv4 CIDR block with a prefix from /16 to /20 (room for 9 subnets)" });

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "expected a subnet id like subnet-0abc12345def67890" });

const existingVpc = z.strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "expected a VPC id like vpc-0abc12345def67890" }),
    publicSubnetIds: z.array(subnetId).min(2),
    privateSubnetIds: z.array(subnetId).min(2),
    isolatedSubnetIds: z.array(subnetId).min(2),
});

const flowLogs = z.strictObject({
    enabled: z.boolean().default(true),
    retentionDays: logRetentionDays.default(365),
    trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default("ALL"),
});

const network = z.strictObject({
    cidrBlock: vpcCidr.default("10.0.0.0/16"),
    availabilityZoneCount: z.number().int().min(2).max(3).default(3),
    natGateways: z.enum(["perAz", "single"]).default("perAz"),
    flowLogs: flowLogs.default({ enabled: true, retentionDays: 365, trafficType: "ALL" }),
    existing: existingVpc.optional(),
});

const secrets = z.strictObject({
    recoveryWindowDays: z.number().int().min(7).max(30).default(30),
    kmsDeletionWindowDays: z.number().int().min(7).max(30).default(30),
});

const pinnedImage = z
    .string()
    .regex(/^[a-z0-9]+(?:[._\/-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9._-]+)*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, {
        message: "expected an image pinned to a tag or digest, e.g. ghcr.io/acme/api:1.4.2 or ghcr.io/acme/api@sha256:<64 hex>",
    })
    .refine((image) => !/:latest$/.test(image), { message: "the tag 'latest' is not pinned: use a version tag or a digest" });

const kubernetesQuantity = (example: string) =>
    z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { message: `expected a Kubernetes quantity like ${example}` });

const service = z.strictObject({
    name: z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, {
        message: "expected a DNS label: lower-case letters, digits and '-', starting with a letter, at most 40 characters",
    }),
    image: pinnedImage,
    port: z.number().int().min(1).max(65535).default(3000),
    healthPath: z.string().startsWith("/").default("/health"),
    public: z.boolean().default(false),
    replicas: z.number().int().min(1).max(100).default(2),
    maxReplicas: z.number().int().min(1).max(500).default(10),
    env: z.record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: "expected an environment variable name like TEMPLATE_CACHE_TTL" }), z.string())
        .default({}),
    cpu: kubernetesQuantity("250m").default("250m"),
    memory: kubernetesQuantity("512Mi").default("512Mi"),
});

/** A version given as a string or a YAML number (`17`, `"7.1"`), whose major part is at least `minimum`. */
const engineVersion = (engine: string, minimum: number, example: string) =>
    z
        .union([z.string(), z.number()])
        .transform(String)
        .pipe(z.string().regex(/^\d+(\.\d+)?$/, { message: `expected a ${engine} version like ${example}` }))
        .refine((version) => Number(version.split(".")[0]) >= minimum, { message: `${engine} ${minimum} or newer is required` });

/** `ddd:hh24:mi-ddd:hh24:mi`, as RDS and ElastiCache take maintenance windows. */
const maintenanceWindow = z.string().regex(/^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/, {
    message: "expected a weekly window like sun:03:00-sun:04:00 (UTC)",
});
/** `hh24:mi-hh24:mi`, as RDS and ElastiCache take daily backup windows. */
const dailyWindow = z.string().regex(/^[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d$/, { message: "expected a daily window like 01:00-02:00 (UTC)" });

export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

const proxy = z.strictObject({
    maxConnectionsPercent: z.number().int().min(1).max(100).default(90),
    maxIdleConnectionsPercent: z.number().int().min(0).max(100).default(50),
    borrowTimeoutSeconds: z.number().int().min(1).max(300).default(120),
});

const database = z.strictObject({
    engineVersion: engineVersion("PostgreSQL", 15, "17 or 16.4").default("17"),
    instanceClass: z.string().regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, { message: "expected an RDS instance class like db.r6g.large" }).default("db.r6g.large"),
    allocatedStorageGb: z.number().int().min(20).max(65536).default(100),
    maxAllocatedStorageGb: z.number().int().min(20).max(65536).default(500),
    databaseName: z.string().regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "expected a lower-case PostgreSQL identifier like app" }).default("app"),
    multiAz: z.boolean().default(true),
    deletionProtection: z.boolean().default(true),
    backupRetentionDays: z.number().int().min(1).max(35).default(14),
    skipFinalSnapshot: z.boolean().default(false),
    backupWindow: dailyWindow.default("01:00-02:00"),
    maintenanceWindow: maintenanceWindow.default("sun:03:00-sun:04:00"),
    performanceInsightsRetentionDays: z.number().int().refine((d) => d === 7 || d === 731 || (d % 31 === 0 && d <= 713), {
        message: "expected 7, a multiple of 31 up to 713, or 731",
    }).default(7),
    monitoringIntervalSeconds: z.number().int().refine((s) => (MONITORING_INTERVALS as readonly number[]).includes(s), {
        message: `expected one of ${MONITORING_INTERVALS.join(", ")}`,
    }).default(60),
    slowQueryMs: z.number().int().min(0).max(60000).default(500),
    appConnectionLimit: z.number().int().min(1).max(5000).default(200),
    proxy: proxy.default({ maxConnectionsPercent: 90, maxIdleConnectionsPercent: 50, borrowTimeoutSeconds: 120 }),
    manageRoles: z.boolean().default(true),
    logRetentionDays: logRetentionDays.default(365),
});

export const MAXMEMORY_POLICIES = [
    "volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction",
] as const;

const cache = z.strictObject({
    engine: z.enum(["redis", "valkey"]).default("redis"),
    engineVersion: engineVersion("Redis/Valkey", 7, "7.1").default("7.1"),
    nodeType: z.string().regex(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, { message: "expected an ElastiCache node type like cache.r7g.large" }).default("cache.r7g.large"),
    replicas: z.number().int().min(0).max(5).default(1),
    multiAz: z.boolean().default(true),
    snapshotRetentionDays: z.number().int().min(1).max(35).default(7),
    snapshotWindow: dailyWindow.default("02:00-03:00"),
    maintenanceWindow: maintenanceWindow.default("sun:04:00-sun:05:00"),
    maxmemoryPolicy: z.enum(MAXMEMORY_POLICIES).default("volatile-lru"),
    logRetentionDays: logRetentionDays.default(365),
});

const dnsName = (example: string) => z.string().regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
    message: `expected a lower-case DNS name like ${example}`,
});

const edge = z.strictObject({
    hostedZoneName: dnsName("example.com").optional(),
    sslPolicy: z.string().regex(/^ELBSecurityPolicy-TLS13-[\w-]+$/, {
        message: "expected a TLS 1.3 security policy like ELBSecurityPolicy-TLS13-1-2-2021-06",
    }).default("ELBSecurityPolicy-TLS13-1-2-2021-06"),
    rateLimitPerFiveMinutes: z.number().int().min(10).max(2000000000).default(2000),
    deletionProtection: z.boolean().default(true),
    accessLogRetentionDays: z.number().int().min(1).max(3650).default(90),
    idleTimeoutSeconds: z.number().int().min(1).max(4000).default(60),
});

const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "expected a Kubernetes namespace name" });

const kubernetes = z.strictObject({
    namespace: namespaceName.default("platform"),
    context: z.string().min(1).optional(),
    /** The EKS cluster: in-cluster agents get their AWS permissions through EKS Pod Identity on it. */
    clusterName: z.string().regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, { message: "expected an EKS cluster name" }).optional(),
});

/** An exact chart version: a range would let a chart upgrade land without review. */
const chartVersion = z.string().regex(/^\d+\.\d+\.\d+$/, { message: "expected an exact chart version like 82.6.0 (no ranges)" });

const prometheus = z.strictObject({
    chartVersion: chartVersion.default("82.6.0"),
    retentionDays: z.number().int().min(1).max(365).default(15),
    storageGi: z.number().int().min(10).max(16384).default(50),
    replicas: z.number().int().min(1).max(3).default(1),
});

const uptime = z.strictObject({
    /** The path the uptime check requests; default: the first public service's health path. */
    path: z.string().regex(/^\/[\w\/.-]*$/, { message: "expected a path like /health" }).optional(),
    requestIntervalSeconds: z.number().refine((s) => s === 10 || s === 30, { message: "expected 10 or 30, the intervals Route 53 offers" }).default(30),
    failureThreshold: z.number().int().min(1).max(10).default(3),
});

const observability = z.strictObject({
    namespace: namespaceName.default("monitoring"),
    prometheus: prometheus.default(() => prometheus.parse({})),
    grafanaStorageGi: z.number().int().min(1).max(1024).default(10),
    fluentBitChartVersion: chartVersion.default("0.56.0"),
    uptime: uptime.default(() => uptime.parse({})),
});

const backup = z.strictObject({
    dailyRetentionDays: z.number().int().min(1).max(35).default(35),
    weeklyRetentionDays: z.number().int().min(7).max(3650).default(90),
    copyRegion: z.string().regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, { message: "expected an AWS region like eu-central-1" }).optional(),
    /** Declared recovery point objective: the most data the stack may lose, in hours. */
    rpoHours: z.number().positive().max(168).default(24),
    /** Declared recovery time objective: how long a restore may take, in hours. */
    rtoHours: z.number().positive().max(168).default(4),
    bucketTransitionDays: z.number().int().min(1).max(3650).default(30),
    bucketExpirationDays: z.number().int().min(1).max(3650).default(365),
});

const budget = z.strictObject({
    monthlyLimitUsd: z.number().positive().max(10000000),
});

const migrations = z.strictObject({
    service: z.string(),
    command: z.array(z.string().min(1)).min(1),
});

const tagKey = z.string().regex(/^[\w.:\/=+@-]{1,128}$/, { message: "expected a tag key of 1-128 letters, digits or _.:/=+@-" });

export const platformConfigSchema = z
    .strictObject({
        environment: z.enum(["staging", "production"]),
        domainName: dnsName("api.example.com"),
        tags: z.record(tagKey, z.string().max(256)).default({}),
        network: network.default(() => network.parse({})),
        secrets: secrets.default({ recoveryWindowDays: 30, kmsDeletionWindowDays: 30 }),
        database: database.default(() => database.parse({})),
        cache: cache.default(() => cache.parse({})),
        edge: edge.default(() => edge.parse({})),
        kubernetes: kubernetes.default(() => kubernetes.parse({})),
        kubeconfig: z.string().min(1).optional(),
        release: z.string().regex(/^[0-9A-Za-z][0-9A-Za-z.+-]{0,62}$/, { message: "expected a release version like 1.4.2" }),
        migrations: migrations.optional(),
        backup: backup.default(() => backup.parse({})),
        observability: observability.default(() => observability.parse({})),
        budget,
        /** HTTPS endpoints (an on-call tool's SNS integration URL) the alert topics deliver to; secret config, as they often carry a key. */
        alertWebhooks: z
            .array(z.url({ protocol: /^https$/, message: "expected an https:// URL" }))
            .max(10)
            .default([]),
        apiKeys: z
            .record(z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: "expected an environment variable name like OPENAI_API_KEY" }), z.string().min(1))
            .default({}),
        alerts: z.strictObject({
            emails: z.array(z.email()).min(1).max(10),
            thresholds: z.strictObject({
                cpuPercent: z.number().min(1).max(100).optional(),
                memoryPercent: z.number().min(1).max(100).optional(),
                freeableMemoryMiB: z.number().positive().optional(),
                freeStorageGiB: z.number().positive().optional(),
                databaseConnections: z.number().int().positive().optional(),
                databaseLatencySeconds: z.number().positive().optional(),
                cacheConnections: z.number().int().positive().optional(),
                errorRatePercent: z.number().positive().max(100).optional(),
                latencyP95Seconds: z.number().positive().optional(),
            }).default({}),
        }),
        services: z
            .array(service)
            .min(1)
            .refine((list) => new Set(list.map((s) => s.name)).size === list.length, { message: "service names must be unique" }),
    })
    .superRefine((config, ctx) => {
        const { network: net, database: db, cache: redis } = config;
        config.services.forEach((svc, index) => {
            if (svc.maxReplicas < svc.replicas) {
                ctx.addIssue({ code: "custom", path: ["services", index, "maxReplicas"], input: svc.maxReplicas,
                    message: `expected at least replicas (${svc.replicas})` });
            }
        });
        if (config.migrations && !config.services.some((s) => s.name === config.migrations!.service)) {
            ctx.addIssue({ code: "custom", path: ["migrations", "service"], input: config.migrations.service,
                message: `expected one of the services: ${config.services.map((s) => s.name).join(", ")}` });
        }
        if (!config.services.some((s) => s.public)) {
            ctx.addIssue({ code: "custom", path: ["services"], input: config.services.map((s) => s.name),
                message: "expected at least one service with public: true for the load balancer to serve" });
        }
        if (redis.multiAz && redis.replicas < 1) {
            ctx.addIssue({ code: "custom", path: ["cache", "multiAz"], input: true,
                message: "Multi-AZ needs a replica in another zone: set cache.replicas to 1 or more, or multiAz to false" });
        }
        if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
            ctx.addIssue({ code: "custom", path: ["database", "maxAllocatedStorageGb"], input: db.maxAllocatedStorageGb,
                message: `expected at least allocatedStorageGb (${db.allocatedStorageGb})` });
        }
        if (config.observability.namespace === config.kubernetes.namespace) {
            ctx.addIssue({ code: "custom", path: ["observability", "namespace"], input: config.observability.namespace,
                message: "expected a namespace other than kubernetes.namespace: the services' namespace denies by default what the agents need" });
        }
        if (config.backup.weeklyRetentionDays < config.backup.dailyRetentionDays) {
            ctx.addIssue({ code: "custom", path: ["backup", "weeklyRetentionDays"], input: config.backup.weeklyRetentionDays,
                message: `expected at least dailyRetentionDays (${config.backup.dailyRetentionDays})` });
        }
        // A daily backup cannot promise a recovery point closer than a day; point-in-time recovery can.
        if (config.backup.rpoHours < 24 && config.database.backupRetentionDays < 1) {
            ctx.addIssue({ code: "custom", path: ["backup", "rpoHours"], input: config.backup.rpoHours,
                message: "an RPO under 24 hours needs point-in-time recovery (database.backupRetentionDays >= 1)" });
        }
        if (config.environment !== "production") {
            return;
        }

        // Production keeps the strict values: a relaxation there is a config error, not a choice.
        const requireThat = (path: (string | number)[], input: unknown, holds: boolean, need: string) => {
            if (!holds) {
                ctx.addIssue({ code: "custom", path, input, message: `production needs ${need}` });
            }
        };
        requireThat(["network", "natGateways"], net.natGateways, !!net.existing || net.natGateways === "perAz",
            "one NAT gateway per availability zone: expected \"perAz\"");
        requireThat(["network", "flowLogs", "enabled"], net.flowLogs.enabled, net.flowLogs.enabled, "VPC flow logs: expected true");
        requireThat(["database", "multiAz"], db.multiAz, db.multiAz, "a Multi-AZ database: expected true");
        requireThat(["database", "deletionProtection"], db.deletionProtection, db.deletionProtection, "deletion protection: expected true");
        requireThat(["database", "backupRetentionDays"], db.backupRetentionDays, db.backupRetentionDays >= 7, "at least 7 days of backups");
        requireThat(["database", "skipFinalSnapshot"], db.skipFinalSnapshot, !db.skipFinalSnapshot, "a final snapshot: expected false");
        requireThat(["database", "monitoringIntervalSeconds"], db.monitoringIntervalSeconds, db.monitoringIntervalSeconds > 0,
            "enhanced monitoring: expected 1 to 60");
        requireThat(["backup", "copyRegion"], config.backup.copyRegion, config.backup.copyRegion !== undefined,
            "backups copied to a second region: expected a region other than the stack's");
        requireThat(["edge", "deletionProtection"], config.edge.deletionProtection, config.edge.deletionProtection,
            "load balancer deletion protection: expected true");
        requireThat(["cache", "replicas"], redis.replicas, redis.replicas >= 1, "at least one replica to fail over to");
        requireThat(["cache", "multiAz"], redis.multiAz, redis.multiAz, "a Multi-AZ cache: expected true");
        requireThat(["cache", "snapshotRetentionDays"], redis.snapshotRetentionDays, redis.snapshotRetentionDays >= 7,
            "at least 7 days of snapshots");
        config.services.forEach((svc, index) =>
            requireThat(["services", index, "replicas"], svc.replicas, svc.replicas >= 2, "at least 2 replicas per service"));
    });

type ParsedConfig = z.infer<typeof platformConfigSchema>;

/** The validated stack config: the one typed object the program is built from. */
export interface PlatformConfig extends Omit<ParsedConfig, "apiKeys" | "kubeconfig" | "alertWebhooks"> {
    /** Kubeconfig of the cluster (secret); absent: the ambient context. */
    kubeconfig?: pulumi.Output<string>;
    /** The AWS region (`aws:region`). */
    region: string;
    /** Third-party API keys by environment variable name; every value is a Pulumi secret. */
    apiKeys: Record<string, pulumi.Output<string>>;
    /** HTTPS endpoints subscribed to the alert topics; every one is a Pulumi secret. */
    alertWebhooks: pulumi.Output<string>[];
}
export type Environment = PlatformConfig["environment"];
export type NetworkConfig = PlatformConfig["network"];
export type ServiceConfig = PlatformConfig["services"][number];
export type DatabaseConfig = PlatformConfig["database"];
export type CacheConfig = PlatformConfig["cache"];
export type EdgeConfig = PlatformConfig["edge"];
export type ObservabilityConfig = PlatformConfig["observability"];

/** Config keys whose values are never echoed back in an error message. */
const SECRET_KEYS = new Set(["apiKeys", "kubeconfig", "alertWebhooks"]);
const AWS_REGION_KEY = "aws:region";
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$/;

/** A stack config that cannot be used. Its message lists every problem; the CLI prints it without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: string[]) {
        super(`Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/**
 * Validates a raw stack config (keys as in the stack file, e.g. `platform:network`, `aws:region`;
 * values as the Pulumi CLI hands them to programs: strings, JSON for structured values).
 * Throws a ConfigError naming every bad key, the value given and what is allowed.
 */
export function parsePlatformConfig(rawConfig: Record<string, string>): PlatformConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rawConfig)) {
        if (key.startsWith(prefix)) {
            values[key.slice(prefix.length)] = decodeConfigValue(value);
        }
    }
    const problems: string[] = [];
    const region = rawConfig[AWS_REGION_KEY];
    if (region === undefined) {
        problems.push(`${AWS_REGION_KEY}: missing; expected an AWS region like eu-west-1`);
    } else if (!AWS_REGION.test(region)) {
        problems.push(`${AWS_REGION_KEY}: got ${JSON.stringify(region)}; expected an AWS region like eu-west-1`);
    }
    const result = platformConfigSchema.safeParse(values, { reportInput: true });
    if (!result.success) {
        problems.push(...result.error.issues.flatMap(describeIssue));
    } else if (result.data.backup.copyRegion !== undefined && result.data.backup.copyRegion === region) {
        problems.push(`${CONFIG_NAMESPACE}:backup.copyRegion: got ${JSON.stringify(region)}; expected a region other than aws:region`);
    }
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems);
    }
    const apiKeys = Object.fromEntries(
        Object.entries(result.data.apiKeys).map(([name, value]) => [name, pulumi.secret(value)]),
    );
    const kubeconfig = result.data.kubeconfig === undefined ? undefined : pulumi.secret(result.data.kubeconfig);
    const alertWebhooks = result.data.alertWebhooks.map((url) => pulumi.secret(url));
    return { ...result.data, region: region as string, apiKeys, kubeconfig, alertWebhooks };
}

/** Reads and validates the current stack's config. */
export function loadPlatformConfig(): PlatformConfig {
    return parsePlatformConfig(pulumi.runtime.allConfig());
}

function decodeConfigValue(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        return value;
    }
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => `${configKey([...path, key])}: unknown key; allowed keys: ${allowedKeys(path).join(", ")}`);
    }
    if (issue.input === undefined && issue.code === "invalid_type") {
        return [`${configKey(path)}: missing; expected ${issue.expected}`];
    }
    const given = SECRET_KEYS.has(path[0]) ? "[secret]" : JSON.stringify(issue.input);
    const message = issue.message.replace(/^Invalid (input|option): /, "");
    return [`${configKey(path)}: got ${given}; ${message}`];
}

function configKey(path: string[]): string {
    const [top, ...rest] = path;
    const nested = rest.map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`)).join("");
    return `${CONFIG_NAMESPACE}:${top ?? ""}${nested}`;
}

/** The keys an object at `path` of the schema allows, for the "unknown key" message. */
function allowedKeys(path: string[]): string[] {
    let schema: z.ZodType = platformConfigSchema;
    for (const part of path) {
        schema = unwrap(schema);
        if (schema instanceof z.ZodObject) {
            schema = schema.shape[part];
        } else if (schema instanceof z.ZodArray) {
            schema = schema.element as z.ZodType;
        }
    }
    schema = unwrap(schema);
    return schema instanceof z.ZodObject ? Object.keys(schema.shape) : [];
}

function unwrap(schema: z.ZodType): z.ZodType {
    let current: z.ZodType = schema;
    while (current instanceof z.ZodDefault || current instanceof z.ZodOptional || current instanceof z.ZodPipe) {
        current = current instanceof z.ZodPipe ? (current.in as z.ZodType) : (current.unwrap() as z.ZodType);
    }
    return current;
}
