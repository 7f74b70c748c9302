import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { editDistance } from "./edit-distance";
import { REDIS_MAXMEMORY_POLICIES } from "../policies/lib/engines";
import { Engine, isOfferedVersion, offeredVersions } from "./engine-versions";
import { BACKUP_DEFAULTS } from "./backup";
import { CACHE_DEFAULTS } from "./cache";
import { CLUSTER_MONITORING_DEFAULTS } from "./cluster-monitoring";
import { DATABASE_DEFAULTS } from "./database";
import { FRONTEND_DEFAULTS } from "./frontend";
import { EDGE_DEFAULTS } from "./load-balancer";
import { MONITORING_DEFAULTS } from "./monitoring";
import { NETWORK_DEFAULTS } from "./network";
import { REGISTRY_DEFAULTS } from "./registry";
import { STAGING_RELAXATIONS } from "./relaxations";
import { ConfigPath, currentStackFileSecurePaths, secretConfigPaths } from "./secret-config";
import { SECRETS_DEFAULTS } from "./secrets";
import { SERVICE_DEFAULTS } from "./service";
import { TRACING_DEFAULTS } from "./tracing";

/** The stack config namespace of this project (`platform:<key>` in `Pulumi.<stack>.yaml`). */
export const CONFIG_NAMESPACE = "platform";

/** Retention periods CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

const logRetentionDays = z
    .number()
    .int()
    .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), {
        message: `expected one of the CloudWatch Logs retention periods: ${LOG_RETENTION_DAYS.join(", ")}`,
    });

const vpcCidr = z.cidrv4().refine(
    (cidr) => {
        const prefix = Number(cidr.split("/")[1]);
        return prefix >= 16 && prefix <= 20;
    },
    { message: "expected an IPv4 CIDR block with a prefix from /16 to /20 (room for 9 subnets)" },
);

const subnetId = z.string().regex(/^subnet-[0-9a-f]{8,17}$/, { message: "expected a subnet id like subnet-0abc12345def67890" });

const existingVpc = z.strictObject({
    vpcId: z.string().regex(/^vpc-[0-9a-f]{8,17}$/, { message: "expected a VPC id like vpc-0abc12345def67890" }),
    publicSubnetIds: z.array(subnetId).min(2),
    privateSubnetIds: z.array(subnetId).min(2),
    isolatedSubnetIds: z.array(subnetId).min(2),
});

const flowLogs = z.strictObject({
    enabled: z.boolean().default(NETWORK_DEFAULTS.flowLogs.enabled),
    retentionDays: logRetentionDays.default(NETWORK_DEFAULTS.flowLogs.retentionDays),
    trafficType: z.enum(["ALL", "ACCEPT", "REJECT"]).default(NETWORK_DEFAULTS.flowLogs.trafficType),
});

const network = z.strictObject({
    cidrBlock: vpcCidr.default(NETWORK_DEFAULTS.cidrBlock),
    availabilityZoneCount: z.number().int().min(2).max(3).default(NETWORK_DEFAULTS.availabilityZoneCount),
    natGateways: z.enum(["perAz", "single"]).default(NETWORK_DEFAULTS.natGateways),
    flowLogs: flowLogs.default(() => flowLogs.parse({})),
    existing: existingVpc.optional(),
});

const secrets = z.strictObject({
    recoveryWindowDays: z.number().int().min(7).max(30).default(SECRETS_DEFAULTS.recoveryWindowDays),
    kmsDeletionWindowDays: z.number().int().min(7).max(30).default(SECRETS_DEFAULTS.kmsDeletionWindowDays),
});

const pinnedImage = z
    .string()
    .regex(/^[a-z0-9]+(?:[._/-][a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9._-]+)*(?::[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, {
        message: "expected an image pinned to a tag or digest, e.g. ghcr.io/acme/api:1.4.2 or ghcr.io/acme/api@sha256:<64 hex>",
    })
    .refine((image) => !/:latest$/.test(image), { message: "the tag 'latest' is not pinned: use a version tag or a digest" });

/** An image without a registry or path (`llm-worker:1.4.2`): it comes from the platform's own registry. */
export function isBareImage(image: string): boolean {
    return !image.split("@")[0].includes("/");
}

/** The repository part of a bare image: `llm-worker` of `llm-worker:1.4.2`. */
function imageName(image: string): string {
    return image.split("@")[0].split(":")[0];
}

/** The secrets the platform generates for its services; an API key may not take one of these names. */
export const GENERATED_SECRETS = ["DATABASE_URL", "REDIS_URL", "JWT_SECRET", "ENCRYPTION_KEY"] as const;
/** A ConfigMap or Secret holds 1 MiB in all; the platform adds a few settings of its own. */
const MAX_ENV_BYTES = 1000 * 1024;

const envName = (example: string) => z.string().regex(/^[A-Z][A-Z0-9_]*$/, { message: `expected an environment variable name like ${example}` });

const kubernetesQuantity = (example: string) =>
    z.string().regex(/^[0-9]+(\.[0-9]+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/, { message: `expected a Kubernetes quantity like ${example}` });

const service = z.strictObject({
    name: z.string().regex(/^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$/, {
        message: "expected a DNS label: lower-case letters, digits and '-', starting with a letter, at most 40 characters",
    }),
    image: pinnedImage,
    port: z.number().int().min(1).max(65535).default(SERVICE_DEFAULTS.port),
    healthPath: z
        .string()
        .regex(/^\/[\w/.~-]*$/, { message: "expected a path like /health: a leading /, then letters, digits and /._~-" })
        .default(SERVICE_DEFAULTS.healthPath),
    public: z.boolean().default(SERVICE_DEFAULTS.public),
    replicas: z.number().int().min(1).max(100).default(SERVICE_DEFAULTS.replicas),
    maxReplicas: z.number().int().min(1).max(500).default(SERVICE_DEFAULTS.maxReplicas),
    env: z
        .record(envName("TEMPLATE_CACHE_TTL"), z.string())
        .refine((env) => Buffer.byteLength(Object.entries(env).flat().join("")) <= MAX_ENV_BYTES, {
            message: `expected at most ${MAX_ENV_BYTES / 1024} KiB of names and values in all: a ConfigMap or Secret holds 1 MiB`,
        })
        .default({}),
    /** The platform secrets and API keys the service receives; default: the generated ones, no API key. */
    secrets: z.array(envName("OPENAI_API_KEY")).default([...GENERATED_SECRETS]),
    cpu: kubernetesQuantity("250m").default(SERVICE_DEFAULTS.cpu),
    memory: kubernetesQuantity("512Mi").default(SERVICE_DEFAULTS.memory),
    /** "worker": a queue consumer with no Service, target group or route; it scales by CPU or by its queue. */
    kind: z.enum(["service", "worker"]).default(SERVICE_DEFAULTS.kind),
    /** A worker's health probe: a command, or a TCP port; default: TCP on `port`. Services probe `healthPath`. */
    probe: z
        .union([z.strictObject({ exec: z.array(z.string().min(1)).min(1) }), z.strictObject({ port: z.number().int().min(1).max(65535) })], {
            message: "expected { exec: [command, ...] } or { port: <number> }",
        })
        .optional(),
    /** A worker that scales on the length of a Redis list (through KEDA, when kubernetes.keda says it is installed). */
    scaler: z
        .strictObject({
            type: z.literal("redis-list"),
            listName: z.string().min(1).max(256),
            /** Jobs waiting per replica before another starts. */
            listLength: z.number().int().min(1).max(100000).default(SERVICE_DEFAULTS.scaler.listLength),
        })
        .optional(),
});

/**
 * A version given as a string or a YAML number (`17`, `"7.1"`), whose major part is at least `minimum`;
 * with `offeredBy`, also one that AWS offers for that engine (the cache's engine is known only with the whole config).
 */
const engineVersion = (engine: string, minimum: number, example: string, offeredBy?: Engine) =>
    z
        .union([z.string(), z.number()])
        .transform(String)
        .pipe(z.string().regex(/^\d+(\.\d+)?$/, { message: `expected a ${engine} version like ${example}` }))
        .refine((version) => Number(version.split(".")[0]) >= minimum, { message: `${engine} ${minimum} or newer is required`, abort: true })
        .refine((version) => !offeredBy || isOfferedVersion(offeredBy, version, true), {
            message: `expected a version AWS offers: ${offeredBy ? offeredVersions(offeredBy, true).join(", ") : ""}`,
        });

/** `ddd:hh24:mi-ddd:hh24:mi`, as RDS and ElastiCache take maintenance windows. */
const maintenanceWindow = z.string().regex(/^(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d-(mon|tue|wed|thu|fri|sat|sun):[0-2]\d:[0-5]\d$/, {
    message: "expected a weekly window like sun:03:00-sun:04:00 (UTC)",
});
/** `hh24:mi-hh24:mi`, as RDS and ElastiCache take daily backup windows. */
const dailyWindow = z.string().regex(/^[0-2]\d:[0-5]\d-[0-2]\d:[0-5]\d$/, { message: "expected a daily window like 01:00-02:00 (UTC)" });

export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

const proxy = z.strictObject({
    maxConnectionsPercent: z.number().int().min(1).max(100).default(DATABASE_DEFAULTS.proxy.maxConnectionsPercent),
    maxIdleConnectionsPercent: z.number().int().min(0).max(100).default(DATABASE_DEFAULTS.proxy.maxIdleConnectionsPercent),
    borrowTimeoutSeconds: z.number().int().min(1).max(300).default(DATABASE_DEFAULTS.proxy.borrowTimeoutSeconds),
});

const database = z.strictObject({
    engineVersion: engineVersion("PostgreSQL", 15, "17 or 17.6", "postgres").default(DATABASE_DEFAULTS.engineVersion),
    instanceClass: z
        .string()
        .regex(/^db\.[a-z0-9-]+\.[a-z0-9]+$/, { message: "expected an RDS instance class like db.r6g.large" })
        .default(DATABASE_DEFAULTS.instanceClass),
    allocatedStorageGb: z.number().int().min(20).max(65536).default(DATABASE_DEFAULTS.allocatedStorageGb),
    maxAllocatedStorageGb: z.number().int().min(20).max(65536).default(DATABASE_DEFAULTS.maxAllocatedStorageGb),
    databaseName: z
        .string()
        .regex(/^[a-z][a-z0-9_]{0,62}$/, { message: "expected a lower-case PostgreSQL identifier like app" })
        .default(DATABASE_DEFAULTS.databaseName),
    multiAz: z.boolean().default(DATABASE_DEFAULTS.multiAz),
    deletionProtection: z.boolean().default(DATABASE_DEFAULTS.deletionProtection),
    backupRetentionDays: z.number().int().min(1).max(35).default(DATABASE_DEFAULTS.backupRetentionDays),
    skipFinalSnapshot: z.boolean().default(DATABASE_DEFAULTS.skipFinalSnapshot),
    backupWindow: dailyWindow.default(DATABASE_DEFAULTS.backupWindow),
    maintenanceWindow: maintenanceWindow.default(DATABASE_DEFAULTS.maintenanceWindow),
    performanceInsightsRetentionDays: z
        .number()
        .int()
        .refine((d) => d === 7 || d === 731 || (d % 31 === 0 && d <= 713), {
            message: "expected 7, a multiple of 31 up to 713, or 731",
        })
        .default(DATABASE_DEFAULTS.performanceInsightsRetentionDays),
    monitoringIntervalSeconds: z
        .number()
        .int()
        .refine((s) => (MONITORING_INTERVALS as readonly number[]).includes(s), {
            message: `expected one of ${MONITORING_INTERVALS.join(", ")}`,
        })
        .default(DATABASE_DEFAULTS.monitoringIntervalSeconds),
    slowQueryMs: z.number().int().min(0).max(60000).default(DATABASE_DEFAULTS.slowQueryMs),
    appConnectionLimit: z.number().int().min(1).max(5000).default(DATABASE_DEFAULTS.appConnectionLimit),
    proxy: proxy.default(() => proxy.parse({})),
    manageRoles: z.boolean().default(DATABASE_DEFAULTS.manageRoles),
    logRetentionDays: logRetentionDays.default(DATABASE_DEFAULTS.logRetentionDays),
});

const cache = z.strictObject({
    engine: z.enum(["redis", "valkey"]).default(CACHE_DEFAULTS.engine),
    engineVersion: engineVersion("Redis/Valkey", 7, "7.1").default(CACHE_DEFAULTS.engineVersion),
    nodeType: z
        .string()
        .regex(/^cache\.[a-z0-9-]+\.[a-z0-9]+$/, { message: "expected an ElastiCache node type like cache.r7g.large" })
        .default(CACHE_DEFAULTS.nodeType),
    replicas: z.number().int().min(0).max(5).default(CACHE_DEFAULTS.replicas),
    multiAz: z.boolean().default(CACHE_DEFAULTS.multiAz),
    snapshotRetentionDays: z.number().int().min(1).max(35).default(CACHE_DEFAULTS.snapshotRetentionDays),
    snapshotWindow: dailyWindow.default(CACHE_DEFAULTS.snapshotWindow),
    maintenanceWindow: maintenanceWindow.default(CACHE_DEFAULTS.maintenanceWindow),
    maxmemoryPolicy: z.enum(REDIS_MAXMEMORY_POLICIES).default(CACHE_DEFAULTS.maxmemoryPolicy),
    logRetentionDays: logRetentionDays.default(CACHE_DEFAULTS.logRetentionDays),
});

const dnsName = (example: string) =>
    z.string().regex(/^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, {
        message: `expected a lower-case DNS name like ${example}`,
    });

const edge = z.strictObject({
    hostedZoneName: dnsName("example.com").optional(),
    sslPolicy: z
        .string()
        .regex(/^ELBSecurityPolicy-TLS13-[\w-]+$/, {
            message: "expected a TLS 1.3 security policy like ELBSecurityPolicy-TLS13-1-2-2021-06",
        })
        .default(EDGE_DEFAULTS.sslPolicy),
    rateLimitPerFiveMinutes: z.number().int().min(10).max(2000000000).default(EDGE_DEFAULTS.rateLimitPerFiveMinutes),
    deletionProtection: z.boolean().default(EDGE_DEFAULTS.deletionProtection),
    accessLogRetentionDays: z.number().int().min(1).max(3650).default(EDGE_DEFAULTS.accessLogRetentionDays),
    idleTimeoutSeconds: z.number().int().min(1).max(4000).default(EDGE_DEFAULTS.idleTimeoutSeconds),
});

const namespaceName = z.string().regex(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/, { message: "expected a Kubernetes namespace name" });

const kubernetes = z.strictObject({
    namespace: namespaceName.default("platform"),
    /** Whether KEDA runs in the cluster: workers with a queue scaler then scale on their queue. */
    keda: z.boolean().default(false),
    context: z.string().min(1).optional(),
    /** The EKS cluster: in-cluster agents get their AWS permissions through EKS Pod Identity on it. */
    clusterName: z
        .string()
        .regex(/^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/, { message: "expected an EKS cluster name" })
        .optional(),
});

/** An exact chart version: a range would let a chart upgrade land without review. */
const chartVersion = z.string().regex(/^\d+\.\d+\.\d+$/, { message: "expected an exact chart version like 82.6.0 (no ranges)" });

const prometheus = z.strictObject({
    chartVersion: chartVersion.default(CLUSTER_MONITORING_DEFAULTS.prometheus.chartVersion),
    retentionDays: z.number().int().min(1).max(365).default(CLUSTER_MONITORING_DEFAULTS.prometheus.retentionDays),
    storageGi: z.number().int().min(10).max(16384).default(CLUSTER_MONITORING_DEFAULTS.prometheus.storageGi),
    replicas: z.number().int().min(1).max(3).default(CLUSTER_MONITORING_DEFAULTS.prometheus.replicas),
});

const uptime = z.strictObject({
    /** The path the uptime check requests; default: the first public service's health path. */
    path: z
        .string()
        .regex(/^\/[\w/.-]*$/, { message: "expected a path like /health" })
        .optional(),
    requestIntervalSeconds: z
        .number()
        .refine((s) => s === 10 || s === 30, { message: "expected 10 or 30, the intervals Route 53 offers" })
        .default(MONITORING_DEFAULTS.uptime.requestIntervalSeconds),
    failureThreshold: z.number().int().min(1).max(10).default(MONITORING_DEFAULTS.uptime.failureThreshold),
});

/** Distributed tracing: an OpenTelemetry Collector receiving OTLP from every service, exporting to Tempo. */
const tracing = z.strictObject({
    enabled: z.boolean().default(TRACING_DEFAULTS.enabled),
    namespace: namespaceName.default(TRACING_DEFAULTS.namespace),
    collectorChartVersion: chartVersion.default(TRACING_DEFAULTS.collectorChartVersion),
    tempoChartVersion: chartVersion.default(TRACING_DEFAULTS.tempoChartVersion),
    retentionDays: z.number().int().min(1).max(90).default(TRACING_DEFAULTS.retentionDays),
    storageGi: z.number().int().min(5).max(16384).default(TRACING_DEFAULTS.storageGi),
    collectorReplicas: z.number().int().min(1).max(10).default(TRACING_DEFAULTS.collectorReplicas),
});

const observability = z.strictObject({
    namespace: namespaceName.default(CLUSTER_MONITORING_DEFAULTS.namespace),
    /** Where the node-level agents (node-exporter, Fluent Bit) run: the one namespace allowed privileged pods. */
    agentsNamespace: namespaceName.default(CLUSTER_MONITORING_DEFAULTS.agentsNamespace),
    prometheus: prometheus.default(() => prometheus.parse({})),
    grafanaStorageGi: z.number().int().min(1).max(1024).default(CLUSTER_MONITORING_DEFAULTS.grafanaStorageGi),
    fluentBitChartVersion: chartVersion.default(CLUSTER_MONITORING_DEFAULTS.fluentBitChartVersion),
    uptime: uptime.default(() => uptime.parse({})),
    tracing: tracing.optional(),
});

/** AWS Backup Vault Lock: recovery points cannot be deleted early, nor kept past the maximum. */
const vaultLock = z.strictObject({
    /** "compliance": after `changeableForDays` nobody, root included, can remove the lock; "governance": privileged IAM users can. */
    mode: z.enum(["governance", "compliance"]).default(BACKUP_DEFAULTS.vaultLock.mode),
    /** Shortest retention a recovery point may have; default: backup.dailyRetentionDays. */
    minRetentionDays: z.number().int().min(1).max(36500).optional(),
    /** Longest retention; default: backup.weeklyRetentionDays. */
    maxRetentionDays: z.number().int().min(1).max(36500).optional(),
    /** Compliance mode: days the lock can still be changed or removed after it is set (AWS's minimum is 3). */
    changeableForDays: z.number().int().min(3).max(36500).default(BACKUP_DEFAULTS.vaultLock.changeableForDays),
});

const backup = z.strictObject({
    dailyRetentionDays: z.number().int().min(1).max(35).default(BACKUP_DEFAULTS.dailyRetentionDays),
    weeklyRetentionDays: z.number().int().min(7).max(3650).default(BACKUP_DEFAULTS.weeklyRetentionDays),
    copyRegion: z
        .string()
        .regex(/^[a-z]{2}(-gov)?-[a-z]+-[0-9]$/, { message: "expected an AWS region like eu-central-1" })
        .optional(),
    /** Declared recovery point objective: the most data the stack may lose, in hours. */
    rpoHours: z.number().positive().max(168).default(BACKUP_DEFAULTS.rpoHours),
    /** Declared recovery time objective: how long a restore may take, in hours. */
    rtoHours: z.number().positive().max(168).default(BACKUP_DEFAULTS.rtoHours),
    bucketTransitionDays: z.number().int().min(1).max(3650).default(BACKUP_DEFAULTS.bucketTransitionDays),
    bucketExpirationDays: z.number().int().min(1).max(3650).default(BACKUP_DEFAULTS.bucketExpirationDays),
    vaultLock: vaultLock.default(() => vaultLock.parse({})),
});

const budget = z.strictObject({
    monthlyLimitUsd: z.number().positive().max(10000000),
});

/** A static frontend: a private bucket served through CloudFront under its own domain. */
const frontend = z.strictObject({
    domainName: dnsName("app.example.com"),
    /** Default: edge.hostedZoneName, else the domain without its first label. */
    hostedZoneName: dnsName("example.com").optional(),
    priceClass: z.enum(["PriceClass_100", "PriceClass_200", "PriceClass_All"]).default(FRONTEND_DEFAULTS.priceClass),
    rateLimitPerFiveMinutes: z.number().int().min(10).max(2000000000).default(FRONTEND_DEFAULTS.rateLimitPerFiveMinutes),
    contentSecurityPolicy: z
        .string()
        .min(1)
        .max(1783)
        .refine((csp) => !/[\r\n]/.test(csp), { message: "expected one line" })
        .default(FRONTEND_DEFAULTS.contentSecurityPolicy),
    logRetentionDays: z.number().int().min(1).max(3650).default(FRONTEND_DEFAULTS.logRetentionDays),
});

/** ECR repositories for the services' images. */
const registry = z.strictObject({
    enabled: z.boolean().default(REGISTRY_DEFAULTS.enabled),
    /** Tagged images kept per repository: the last N releases, older ones expire. */
    keepReleases: z.number().int().min(1).max(1000).default(REGISTRY_DEFAULTS.keepReleases),
    untaggedExpiryDays: z.number().int().min(1).max(365).default(REGISTRY_DEFAULTS.untaggedExpiryDays),
    /** IAM roles of the account that push (CI's deploy role) and pull (the cluster's node role). */
    pushRoleNames: z
        .array(z.string().regex(/^[\w+=,.@-]{1,64}$/, { message: "expected an IAM role name" }))
        .min(1)
        .default(() => [...REGISTRY_DEFAULTS.pushRoleNames]),
    pullRoleNames: z
        .array(z.string().regex(/^[\w+=,.@-]{1,64}$/, { message: "expected an IAM role name" }))
        .min(1)
        .default(() => [...REGISTRY_DEFAULTS.pullRoleNames]),
});

const migrations = z.strictObject({
    service: z.string(),
    command: z.array(z.string().min(1)).min(1),
});

const tagKey = z.string().regex(/^[\w.:/=+@-]{1,128}$/, { message: "expected a tag key of 1-128 letters, digits or _.:/=+@-" });

export const platformConfigSchema = z
    .strictObject({
        environment: z.enum(["staging", "production"]),
        domainName: dnsName("api.example.com"),
        tags: z.record(tagKey, z.string().max(256)).default({}),
        network: network.default(() => network.parse({})),
        secrets: secrets.default(() => secrets.parse({})),
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
        frontend: frontend.optional(),
        registry: registry.optional(),
        /** HTTPS endpoints (an on-call tool's SNS integration URL) the alert topics deliver to; secret config, as they often carry a key. */
        alertWebhooks: z
            .array(z.url({ protocol: /^https$/, message: "expected an https:// URL" }))
            .max(10)
            .default([]),
        apiKeys: z
            .record(
                envName("OPENAI_API_KEY").refine((name) => !(GENERATED_SECRETS as readonly string[]).includes(name), {
                    message: `expected a name other than the secrets the platform generates (${GENERATED_SECRETS.join(", ")})`,
                }),
                z.string().min(1),
            )
            .default({}),
        alerts: z.strictObject({
            emails: z.array(z.email()).min(1).max(10),
            /** The runbook's address: every alarm and alert links its section (`#<alert>`). */
            runbookBaseUrl: z.url({ protocol: /^https$/, message: "expected an https:// URL" }).optional(),
            thresholds: z
                .strictObject({
                    cpuPercent: z.number().min(1).max(100).default(MONITORING_DEFAULTS.thresholds.cpuPercent),
                    memoryPercent: z.number().min(1).max(100).default(MONITORING_DEFAULTS.thresholds.memoryPercent),
                    freeableMemoryMiB: z.number().positive().default(MONITORING_DEFAULTS.thresholds.freeableMemoryMiB),
                    freeStorageGiB: z.number().positive().default(MONITORING_DEFAULTS.thresholds.freeStorageGiB),
                    databaseConnections: z.number().int().positive().default(MONITORING_DEFAULTS.thresholds.databaseConnections),
                    databaseLatencySeconds: z.number().positive().default(MONITORING_DEFAULTS.thresholds.databaseLatencySeconds),
                    cacheConnections: z.number().int().positive().default(MONITORING_DEFAULTS.thresholds.cacheConnections),
                    errorRatePercent: z.number().positive().max(100).default(MONITORING_DEFAULTS.thresholds.errorRatePercent),
                    latencyP95Seconds: z.number().positive().default(MONITORING_DEFAULTS.thresholds.latencyP95Seconds),
                    wafBlockedRequests: z.number().int().positive().default(MONITORING_DEFAULTS.thresholds.wafBlockedRequests),
                })
                .default(() => ({ ...MONITORING_DEFAULTS.thresholds })),
        }),
        services: z.array(service).min(1),
    })
    .superRefine((config, ctx) => {
        const { database: db, cache: redis } = config;
        const available = [...GENERATED_SECRETS, ...Object.keys(config.apiKeys)];
        const firstIndex = new Map<string, number>();
        config.services.forEach((svc, index) => {
            if (firstIndex.has(svc.name)) {
                ctx.addIssue({
                    code: "custom",
                    path: ["services", index, "name"],
                    input: svc.name,
                    message: `expected a unique name: services[${firstIndex.get(svc.name)}] is also named ${svc.name}`,
                });
            }
            firstIndex.set(svc.name, firstIndex.get(svc.name) ?? index);
            if (svc.maxReplicas < svc.replicas) {
                ctx.addIssue({
                    code: "custom",
                    path: ["services", index, "maxReplicas"],
                    input: svc.maxReplicas,
                    message: `expected at least replicas (${svc.replicas})`,
                });
            }
            svc.secrets.forEach((secret, i) => {
                if (!available.includes(secret)) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["services", index, "secrets", i],
                        input: secret,
                        message: `expected a generated secret or an apiKeys name: ${available.join(", ")}`,
                    });
                }
            });
            const worker = svc.kind === "worker";
            if (worker && svc.public) {
                ctx.addIssue({
                    code: "custom",
                    path: ["services", index, "public"],
                    input: svc.public,
                    message: "expected false: a worker has no Service and no route from the load balancer",
                });
            }
            for (const key of ["probe", "scaler"] as const) {
                if (!worker && svc[key] !== undefined) {
                    ctx.addIssue({
                        code: "custom",
                        path: ["services", index, key],
                        input: svc[key],
                        message: `expected no ${key}: it is for kind: worker (a service is probed on healthPath and scales by CPU and memory)`,
                    });
                }
            }
            if (isBareImage(svc.image) && !config.registry?.enabled) {
                ctx.addIssue({
                    code: "custom",
                    path: ["services", index, "image"],
                    input: svc.image,
                    message:
                        "expected a registry in the image (e.g. ghcr.io/acme/api:1.4.2): a bare name:tag is resolved from the platform's registry, " +
                        "which needs registry.enabled: true",
                });
            } else if (isBareImage(svc.image) && imageName(svc.image) !== svc.name) {
                ctx.addIssue({
                    code: "custom",
                    path: ["services", index, "image"],
                    input: svc.image,
                    message: `expected ${svc.name}:<tag> or ${svc.name}@sha256:<digest>: a bare image names the service's own repository`,
                });
            }
            for (const name of Object.keys(svc.env).filter((key) => svc.secrets.includes(key))) {
                ctx.addIssue({
                    code: "custom",
                    path: ["services", index, "env", name],
                    input: name,
                    message: `expected a name the service does not also receive as a secret (services[${index}].secrets lists ${name})`,
                });
            }
        });
        if (!isOfferedVersion(redis.engine, redis.engineVersion, false)) {
            ctx.addIssue({
                code: "custom",
                path: ["cache", "engineVersion"],
                input: redis.engineVersion,
                message: `expected a ${redis.engine} version ElastiCache offers: ${offeredVersions(redis.engine, false).join(", ")}`,
            });
        }
        const lock = config.backup.vaultLock;
        if (lock.minRetentionDays !== undefined && lock.minRetentionDays > config.backup.dailyRetentionDays) {
            ctx.addIssue({
                code: "custom",
                path: ["backup", "vaultLock", "minRetentionDays"],
                input: lock.minRetentionDays,
                message: `expected at most dailyRetentionDays (${config.backup.dailyRetentionDays}): the vault refuses shorter-lived recovery points`,
            });
        }
        if (lock.maxRetentionDays !== undefined && lock.maxRetentionDays < config.backup.weeklyRetentionDays) {
            ctx.addIssue({
                code: "custom",
                path: ["backup", "vaultLock", "maxRetentionDays"],
                input: lock.maxRetentionDays,
                message: `expected at least weeklyRetentionDays (${config.backup.weeklyRetentionDays}): the vault refuses longer-lived recovery points`,
            });
        }
        const { namespace: monitoringNamespace, agentsNamespace } = config.observability;
        if (agentsNamespace === monitoringNamespace || agentsNamespace === config.kubernetes.namespace) {
            ctx.addIssue({
                code: "custom",
                path: ["observability", "agentsNamespace"],
                input: agentsNamespace,
                message: "expected a namespace of its own: it is the one that admits privileged pods",
            });
        }
        if (config.migrations && !config.services.some((s) => s.name === config.migrations!.service)) {
            ctx.addIssue({
                code: "custom",
                path: ["migrations", "service"],
                input: config.migrations.service,
                message: `expected one of the services: ${config.services.map((s) => s.name).join(", ")}`,
            });
        }
        if (!config.services.some((s) => s.public)) {
            ctx.addIssue({
                code: "custom",
                path: ["services"],
                input: config.services.map((s) => s.name),
                message: "expected at least one service with public: true for the load balancer to serve",
            });
        }
        if (redis.multiAz && redis.replicas < 1) {
            ctx.addIssue({
                code: "custom",
                path: ["cache", "multiAz"],
                input: true,
                message: "Multi-AZ needs a replica in another zone: set cache.replicas to 1 or more, or multiAz to false",
            });
        }
        if (db.maxAllocatedStorageGb < db.allocatedStorageGb) {
            ctx.addIssue({
                code: "custom",
                path: ["database", "maxAllocatedStorageGb"],
                input: db.maxAllocatedStorageGb,
                message: `expected at least allocatedStorageGb (${db.allocatedStorageGb})`,
            });
        }
        if (config.observability.namespace === config.kubernetes.namespace) {
            ctx.addIssue({
                code: "custom",
                path: ["observability", "namespace"],
                input: config.observability.namespace,
                message: "expected a namespace other than kubernetes.namespace: the services' namespace denies by default what the agents need",
            });
        }
        if (config.backup.weeklyRetentionDays < config.backup.dailyRetentionDays) {
            ctx.addIssue({
                code: "custom",
                path: ["backup", "weeklyRetentionDays"],
                input: config.backup.weeklyRetentionDays,
                message: `expected at least dailyRetentionDays (${config.backup.dailyRetentionDays})`,
            });
        }
        // A daily backup cannot promise a recovery point closer than a day; point-in-time recovery can.
        if (config.backup.rpoHours < 24 && config.database.backupRetentionDays < 1) {
            ctx.addIssue({
                code: "custom",
                path: ["backup", "rpoHours"],
                input: config.backup.rpoHours,
                message: "an RPO under 24 hours needs point-in-time recovery (database.backupRetentionDays >= 1)",
            });
        }
        if (config.environment !== "production") {
            return;
        }

        // Production keeps the strict values: a relaxation there is a config error, not a choice.
        for (const { production } of STAGING_RELAXATIONS) {
            for (const [path, value] of production ? valuesAt(config, production.path) : []) {
                if (!production!.holds(value, config)) {
                    ctx.addIssue({ code: "custom", path, input: value, message: `production needs ${production!.need}` });
                }
            }
        }
    });

export type ParsedConfig = z.infer<typeof platformConfigSchema>;
type ParsedService = ParsedConfig["services"][number];

/** A configured service; the `env` values that are secret config are split off into `secretEnv`. */
export interface ServiceConfig extends ParsedService {
    /** Settings from `env` that came in secret: they go to the service's Secret and stay Pulumi secrets. */
    secretEnv: Record<string, pulumi.Output<string>>;
}

/** The validated stack config: the one typed object the program is built from. */
export interface PlatformConfig extends Omit<ParsedConfig, "apiKeys" | "kubeconfig" | "alertWebhooks" | "services"> {
    /** Kubeconfig of the cluster (secret); absent: the ambient context. */
    kubeconfig?: pulumi.Output<string>;
    /** The AWS region (`aws:region`). */
    region: string;
    /** Third-party API keys by environment variable name; every value is a Pulumi secret. */
    apiKeys: Record<string, pulumi.Output<string>>;
    /** HTTPS endpoints subscribed to the alert topics; every one is a Pulumi secret. */
    alertWebhooks: pulumi.Output<string>[];
    services: ServiceConfig[];
}
export type Environment = PlatformConfig["environment"];
export type NetworkConfig = PlatformConfig["network"];
export type DatabaseConfig = PlatformConfig["database"];
export type CacheConfig = PlatformConfig["cache"];
export type EdgeConfig = PlatformConfig["edge"];
export type ObservabilityConfig = PlatformConfig["observability"];
export type FrontendConfig = NonNullable<PlatformConfig["frontend"]>;
export type RegistryConfig = NonNullable<PlatformConfig["registry"]>;
export type TracingConfig = NonNullable<ObservabilityConfig["tracing"]>;

/** Config namespaces this program and its providers read; a key in any other is a typo that would be ignored. */
export const KNOWN_NAMESPACES = [CONFIG_NAMESPACE, "aws", "kubernetes", "postgresql", "random", "pulumi"] as const;
/** The values at `path` of `config` with their concrete paths; `*` stands for each entry of a list. */
function valuesAt(config: unknown, path: string[]): [(string | number)[], unknown][] {
    const [head, ...rest] = path;
    if (head === undefined) {
        return [[[], config]];
    }
    const entries: [string | number, unknown][] =
        head === "*" ? (config as unknown[]).map((item, index) => [index, item]) : [[head, (config as Record<string, unknown>)[head]]];
    return entries.flatMap(([key, child]) => valuesAt(child, rest).map(([tail, value]): [(string | number)[], unknown] => [[key, ...tail], value]));
}

/** Keys whose values are secret whether or not the stack file marks them so. */
export const ALWAYS_SECRET = ["apiKeys", "kubeconfig", "alertWebhooks"];
/** Where a secret value may go (`*`: any key or index): each place keeps it a Pulumi secret up to the resource. */
export const SECRET_DESTINATIONS = [
    ["apiKeys"],
    ["apiKeys", "*"],
    ["kubeconfig"],
    ["alertWebhooks"],
    ["alertWebhooks", "*"],
    ["services", "*", "env"],
    ["services", "*", "env", "*"],
];
/** Why a secret cannot go under a key: where its value ends up in plaintext. */
const PLAINTEXT_DESTINATIONS: Record<string, string> = {
    tags: "tags are stored in plaintext by AWS",
    domainName: "it names public DNS records and a certificate",
    services: "service names, images and sizes are plain Kubernetes fields (only env values can be secret)",
    alerts: "alert emails are plain SNS and Budgets subscriber fields",
    migrations: "the migration command is a plain Kubernetes Job field",
    release: "the release names snapshots, Jobs and tags",
};
const AWS_REGION_KEY = "aws:region";
const AWS_REGION = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$/;
/** Values longer than this are shortened in error messages. */
const SHOWN_VALUE_LENGTH = 80;

/** A stack config that cannot be used. Its message lists every problem; the CLI prints it without a stack trace. */
export class ConfigError extends pulumi.RunError {
    constructor(public readonly problems: string[]) {
        super(`Invalid stack config (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${problems.map((p) => `  - ${p}`).join("\n")}`);
        this.name = "ConfigError";
    }
}

/**
 * Validates a raw stack config (keys as in the stack file, e.g. `platform:network`, `aws:region`;
 * values as the Pulumi CLI hands them to programs: strings, JSON for structured values) and the
 * places that hold secret values. Throws a ConfigError naming every bad key, the value given
 * (shortened, never a secret) and what is allowed.
 */
export function parsePlatformConfig(rawConfig: Record<string, string>, secretPaths: ConfigPath[] = []): PlatformConfig {
    const prefix = `${CONFIG_NAMESPACE}:`;
    const problems: string[] = unknownNamespaces(Object.keys(rawConfig));
    const values: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rawConfig)) {
        if (key.startsWith(prefix)) {
            const name = key.slice(prefix.length);
            values[name] = isStructured(name) ? decodeJson(value) : value;
        }
    }
    const secrets = secretPaths.filter((p) => p[0].startsWith(prefix)).map(([key, ...rest]) => [key.slice(prefix.length), ...rest]);
    problems.push(...secrets.filter((p) => !SECRET_DESTINATIONS.some((d) => matches(d, p))).map(refuseSecret));

    const region = rawConfig[AWS_REGION_KEY];
    if (region === undefined) {
        problems.push(`${AWS_REGION_KEY}: missing; expected an AWS region like eu-west-1`);
    } else if (!AWS_REGION.test(region)) {
        problems.push(`${AWS_REGION_KEY}: got ${show(region)}; expected an AWS region like eu-west-1`);
    }
    const result = platformConfigSchema.safeParse(values, { reportInput: true });
    if (!result.success) {
        problems.push(...result.error.issues.flatMap((issue) => describeIssue(issue, secrets)));
    } else if (result.data.backup.copyRegion !== undefined && result.data.backup.copyRegion === region) {
        problems.push(`${CONFIG_NAMESPACE}:backup.copyRegion: got ${show(region)}; expected a region other than aws:region`);
    }
    if (problems.length > 0 || !result.success) {
        throw new ConfigError(problems);
    }
    const apiKeys = Object.fromEntries(Object.entries(result.data.apiKeys).map(([name, value]) => [name, pulumi.secret(value)]));
    const kubeconfig = result.data.kubeconfig === undefined ? undefined : pulumi.secret(result.data.kubeconfig);
    const alertWebhooks = result.data.alertWebhooks.map((url) => pulumi.secret(url));
    const services = result.data.services.map((svc, index): ServiceConfig => {
        const isSecret = (name: string) => secrets.some((p) => isPrefix(p, ["services", String(index), "env", name]));
        const entries = Object.entries(svc.env);
        return {
            ...svc,
            env: Object.fromEntries(entries.filter(([name]) => !isSecret(name))),
            secretEnv: Object.fromEntries(entries.filter(([name]) => isSecret(name)).map(([name, value]) => [name, pulumi.secret(value)])),
        };
    });
    return { ...result.data, region, apiKeys, kubeconfig, alertWebhooks, services };
}

/** Reads and validates the current stack's config, with the places its stack file holds secrets. */
export function loadPlatformConfig(): PlatformConfig {
    const raw = pulumi.runtime.allConfig();
    // The SDK's own test for the keys the engine hands over as secret; marked internal, so not in its typings.
    const runtime = pulumi.runtime as unknown as { isConfigSecret(key: string): boolean };
    const secretKeys = Object.keys(raw).filter((key) => runtime.isConfigSecret(key));
    return parsePlatformConfig(raw, secretConfigPaths(secretKeys, currentStackFileSecurePaths()));
}

/** Keys in a namespace nothing reads, e.g. `platfrom:database`: named, with the closest known namespace. */
function unknownNamespaces(keys: string[]): string[] {
    return keys
        .filter((key) => !(KNOWN_NAMESPACES as readonly string[]).includes(key.split(":")[0]))
        .map((key) => {
            const namespace = key.split(":")[0];
            const closest = [...KNOWN_NAMESPACES].sort((a, b) => editDistance(namespace, a) - editDistance(namespace, b))[0];
            return (
                `${show(key)}: unknown config namespace "${show(namespace, false)}"; did you mean "${closest}:"? ` +
                `Namespaces read here: ${KNOWN_NAMESPACES.join(", ")}`
            );
        });
}

/** Only keys the schema says are structured (objects, lists, maps) arrive as JSON; every other value stays the string it is. */
function isStructured(key: string): boolean {
    const schema = platformConfigSchema.shape[key as keyof typeof platformConfigSchema.shape] as z.ZodType | undefined;
    const inner = schema && unwrap(schema);
    return inner instanceof z.ZodObject || inner instanceof z.ZodArray || inner instanceof z.ZodRecord;
}

function decodeJson(value: string): unknown {
    try {
        return JSON.parse(value);
    } catch {
        // Left as the string it is: the schema then says which structure it expected.
        return value;
    }
}

/** Whether `pattern` (with `*` for any key) names exactly the place `path`. */
function matches(pattern: string[], path: string[]): boolean {
    return pattern.length === path.length && pattern.every((part, i) => part === "*" || part === path[i]);
}

function isPrefix(prefix: string[], path: string[]): boolean {
    return prefix.length <= path.length && prefix.every((part, i) => part === path[i]);
}

function refuseSecret(path: string[]): string {
    const where = PLAINTEXT_DESTINATIONS[path[0]] ?? "it becomes resource names and settings that AWS and Kubernetes store in plaintext";
    const whole =
        path.length === 1 && !ALWAYS_SECRET.includes(path[0])
            ? ` (the whole key is secret: mark only the secret values, e.g. pulumi config set --secret --path '${path[0]}...')`
            : "";
    return (
        `${configKey(path)} is secret; ${where}, so secrets cannot go there${whole}. ` +
        "Secret values belong in apiKeys, services[].env, alertWebhooks or kubeconfig"
    );
}

/** A value for an error message: JSON, shortened past SHOWN_VALUE_LENGTH characters. */
function show(value: unknown, quoted = true): string {
    const text = quoted ? (JSON.stringify(value) ?? String(value)) : String(value);
    return text.length > SHOWN_VALUE_LENGTH ? `${text.slice(0, SHOWN_VALUE_LENGTH)}… (${text.length} characters)` : text;
}

function describeIssue(issue: z.core.$ZodIssue, secrets: string[][]): string[] {
    const path = issue.path.map(String);
    if (issue.code === "unrecognized_keys") {
        return issue.keys.map((key) => `${configKey([...path, key])}: unknown key; allowed keys: ${allowedKeys(path).join(", ")}`);
    }
    if (issue.input === undefined && issue.code === "invalid_type") {
        return [`${configKey(path)}: missing; expected ${issue.expected}`];
    }
    if (issue.code === "invalid_key") {
        // A map's key (a name, never the secret itself) is wrong: say what the key must be.
        return [`${configKey(path)}: got the name ${show(path[path.length - 1])}; ${issue.issues.map((inner) => inner.message).join("; ")}`];
    }
    const secret = ALWAYS_SECRET.includes(path[0]) || secrets.some((p) => isPrefix(p, path) || isPrefix(path, p));
    const given = secret ? "[secret]" : show(issue.input);
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
            schema = (schema.shape as Record<string, z.ZodType>)[part];
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
