import { z } from "zod";
import { ALWAYS_SECRET, CONFIG_NAMESPACE, LOG_RETENTION_DAYS, MONITORING_INTERVALS, platformConfigSchema, SECRET_DESTINATIONS } from "./config";
import { productionGuardedKeys, STAGING_RELAXATIONS } from "./relaxations";

/**
 * What each config key means. Types, defaults, ranges and allowed values come from the schema (and through it from
 * the components' defaults objects); what production refuses comes from the relaxations table.
 */
export const CONFIG_DESCRIPTIONS: Record<string, string> = {
    environment: "`staging` or `production`. Production refuses the relaxations listed below and protects stateful resources.",
    domainName: "Public DNS name of the API, e.g. `api.example.com`.",
    tags: "Tags added to every AWS resource, besides `Project`, `Environment`, `ManagedBy` and `Name`.",
    "network.cidrBlock":
        "VPC range, `/16` to `/20`. Public subnets take the first three `/+5` blocks, private subnets three `/+3` blocks, isolated subnets the `/+5` blocks from the middle on.",
    "network.availabilityZoneCount": "Zones to spread over (looked up, never hard-coded).",
    "network.natGateways": "`perAz`: a NAT gateway per zone; `single`: one shared.",
    "network.flowLogs.enabled": "VPC flow logs to CloudWatch Logs.",
    "network.flowLogs.retentionDays": `Flow log retention; one of the periods CloudWatch Logs accepts (${LOG_RETENTION_DAYS.join(", ")}).`,
    "network.flowLogs.trafficType": "Which traffic the flow logs record.",
    "network.existing.vpcId": "Adopt this VPC instead of creating one (with the three subnet lists below).",
    "network.existing.publicSubnetIds": "The adopted VPC's public subnets, 2 or more.",
    "network.existing.privateSubnetIds": "The adopted VPC's private (application) subnets, 2 or more.",
    "network.existing.isolatedSubnetIds": "The adopted VPC's isolated (data) subnets, 2 or more.",
    "secrets.recoveryWindowDays": "Days a deleted Secrets Manager secret can be restored.",
    "secrets.kmsDeletionWindowDays": "Days a scheduled KMS key deletion waits.",
    apiKeys:
        "Third-party API keys by environment variable name (`OPENAI_API_KEY`, `SENTRY_DSN`, …), never one the platform generates (`DATABASE_URL`, `REDIS_URL`, `JWT_SECRET`, `ENCRYPTION_KEY`). Set each with `--secret`; never echoed in errors. A service receives a key only when its `secrets` lists it.",
    "database.engineVersion":
        "PostgreSQL major (or major.minor) version, 15 or newer, one RDS offers (the table in `components/engine-versions.ts`; an unknown minor is refused with the list).",
    "database.instanceClass": "RDS instance class (`db.<family>.<size>`).",
    "database.allocatedStorageGb": "Initial gp3 storage, GiB; grows on demand up to `maxAllocatedStorageGb`.",
    "database.maxAllocatedStorageGb": "Ceiling of storage autoscaling, GiB; at least `allocatedStorageGb`.",
    "database.databaseName": "The application database.",
    "database.multiAz": "Standby in a second zone.",
    "database.deletionProtection": "RDS refuses to delete the instance.",
    "database.backupRetentionDays": "Automated backups and point-in-time recovery, days.",
    "database.skipFinalSnapshot": "Skip the snapshot RDS takes when the instance is deleted.",
    "database.backupWindow": "Daily backup window, UTC.",
    "database.maintenanceWindow": "Weekly maintenance window, UTC.",
    "database.performanceInsightsRetentionDays": "Performance Insights retention: 7, a multiple of 31 up to 713, or 731.",
    "database.monitoringIntervalSeconds": `Enhanced monitoring: ${MONITORING_INTERVALS.join(", ")} (0 is off).`,
    "database.slowQueryMs": "`log_min_duration_statement`: slower statements are logged.",
    "database.appConnectionLimit": "Connection limit of the `app` role.",
    "database.proxy.maxConnectionsPercent":
        "Share of `max_connections` the RDS Proxy may open. With the default 20-connection pool per application instance, 10 instances fit well inside a `db.r6g.large`.",
    "database.proxy.maxIdleConnectionsPercent": "Share of `max_connections` the RDS Proxy keeps idle.",
    "database.proxy.borrowTimeoutSeconds": "Seconds a client waits for a pooled connection.",
    "database.manageRoles": "Create the database, roles, grants and extensions (needs a network path from where Pulumi runs to the instance on 5432).",
    "database.logRetentionDays": "Retention of the exported PostgreSQL logs; a CloudWatch Logs retention period.",
    "cache.engine": "`redis` or `valkey`.",
    "cache.engineVersion": "7 or newer, one ElastiCache offers for the engine: Redis `7.0`, `7.1`; Valkey `7.2`, `8.0`, `8.1`, `8.2`.",
    "cache.nodeType": "ElastiCache node type (`cache.<family>.<size>`); the default has 13 GiB.",
    "cache.replicas": "Replicas besides the primary; automatic failover is on with one or more.",
    "cache.multiAz": "Replicas in other zones (needs a replica).",
    "cache.snapshotRetentionDays": "Daily snapshots kept.",
    "cache.snapshotWindow": "Daily snapshot window, UTC.",
    "cache.maintenanceWindow": "Weekly maintenance window, UTC.",
    "cache.maxmemoryPolicy": "What is evicted when memory is full: only keys with a TTL by default, so queues and sessions without one survive.",
    "cache.logRetentionDays": "Retention of the slow and engine logs; a CloudWatch Logs retention period.",
    "edge.hostedZoneName": "Route 53 public hosted zone for the certificate validation and alias records; absent: the domain's parent.",
    "edge.sslPolicy": "HTTPS security policy; only `ELBSecurityPolicy-TLS13-*` policies are accepted.",
    "edge.rateLimitPerFiveMinutes": "Requests per client IP per 5 minutes before the WAF blocks it.",
    "edge.deletionProtection": "The load balancer refuses deletion.",
    "edge.accessLogRetentionDays": "Days the ALB access logs are kept.",
    "edge.idleTimeoutSeconds": "ALB idle timeout.",
    "kubernetes.namespace": "Namespace of the services.",
    "kubernetes.keda": "Whether KEDA runs in the cluster: workers with a queue scaler then scale on their queue.",
    "kubernetes.context": "Kubeconfig context to use; absent: the current one.",
    "kubernetes.clusterName": "The EKS cluster: Alertmanager and Fluent Bit get their IAM roles through Pod Identity associations on it.",
    kubeconfig: "Kubeconfig of the cluster, set with `--secret`; absent: the ambient kubeconfig.",
    release: "The release being rolled out, e.g. `1.4.2`: names the pre-migration snapshot and the migration Job.",
    "migrations.service": "The service whose image holds the migrations.",
    "migrations.command": "The command that runs them (as the `migrator` role).",
    "backup.dailyRetentionDays": "Days AWS Backup keeps the daily recovery points.",
    "backup.weeklyRetentionDays": "Days AWS Backup keeps the weekly recovery points; at least the daily retention.",
    "backup.copyRegion": "Region the recovery points are copied to; not the stack's own region.",
    "backup.rpoHours": "The declared recovery point objective, hours; under 24 needs point-in-time recovery.",
    "backup.rtoHours": "The declared recovery time objective, hours: restore drills are held against it.",
    "backup.bucketTransitionDays": "When exports in the backup bucket move to Glacier Instant Retrieval.",
    "backup.bucketExpirationDays": "When exports in the backup bucket expire.",
    "backup.vaultLock.mode":
        "Vault Lock on every vault: `compliance` (cannot be lifted after `changeableForDays`) or `governance` (an administrator can lift it).",
    "backup.vaultLock.minRetentionDays":
        "Shortest retention a recovery point may have; absent: `dailyRetentionDays`. At most the daily retention, or AWS Backup would refuse the plan's own points.",
    "backup.vaultLock.maxRetentionDays": "Longest retention a recovery point may have; absent: `weeklyRetentionDays`. At least the weekly retention.",
    "backup.vaultLock.changeableForDays": "Compliance mode: days the lock can still be changed or removed after it is set.",
    "budget.monthlyLimitUsd": "Monthly cost budget of the environment, in USD.",
    "alerts.emails": "Addresses that receive alerts, one or more.",
    "alerts.runbookBaseUrl":
        "The runbook's https:// address: every CloudWatch alarm's description and every Prometheus alert's `runbook_url` link its section (`#db-cpu`, `#service-high-error-rate`). The policy `alerts-link-runbooks` requires the links.",
    "alerts.thresholds.cpuPercent": "CPU of the database, the cache engine and (Prometheus) the services' pods, % (of the limits for pods).",
    "alerts.thresholds.memoryPercent": "Redis memory in use and the pods' memory, %.",
    "alerts.thresholds.freeableMemoryMiB": "Database freeable memory floor, MiB.",
    "alerts.thresholds.freeStorageGiB": "Database free storage floor, GiB.",
    "alerts.thresholds.databaseConnections": "Database connections ceiling.",
    "alerts.thresholds.databaseLatencySeconds": "Database read/write latency ceiling, seconds.",
    "alerts.thresholds.cacheConnections": "Redis client connections ceiling.",
    "alerts.thresholds.errorRatePercent": "Share of requests answered 5xx, % (load balancer alarm and Prometheus alert).",
    "alerts.thresholds.latencyP95Seconds": "p95 response time, seconds (load balancer alarm and Prometheus alert).",
    "alerts.thresholds.wafBlockedRequests": "WAF blocked requests in 5 minutes before the WAF alarm fires (the load balancer's and the frontend's).",
    alertWebhooks:
        "HTTPS endpoints subscribed to both alert topics, e.g. an on-call tool's SNS integration URL. Secret config (`pulumi config set --secret --path 'alertWebhooks[0]' https://…`): the URLs often carry a key; they stay Pulumi secrets and are never echoed in errors.",
    "observability.namespace": "Namespace of Prometheus, Alertmanager and Grafana (`baseline`); not the services' namespace.",
    "observability.agentsNamespace": "Namespace of node-exporter and Fluent Bit, the only `privileged` one; its own.",
    "observability.prometheus.chartVersion": "Exact kube-prometheus-stack chart version (a range is refused).",
    "observability.prometheus.retentionDays": "Prometheus retention by time (by size at 90 % of the volume).",
    "observability.prometheus.storageGi": "Size of each Prometheus volume, GiB.",
    "observability.prometheus.replicas": "Prometheus replicas (Alertmanager's too).",
    "observability.grafanaStorageGi": "Grafana's volume, GiB.",
    "observability.fluentBitChartVersion": "Exact fluent-bit chart version.",
    "observability.uptime.path": "What the Route 53 health check requests; absent: the first public service's `healthPath`.",
    "observability.uptime.requestIntervalSeconds": "How often Route 53 checks: 10 or 30 seconds.",
    "observability.uptime.failureThreshold": "Failures in a row before the endpoint counts as down.",
    "observability.tracing.enabled":
        "Turns tracing on when the section is present: an OpenTelemetry Collector exporting to Tempo, OTLP settings in every service's ConfigMap.",
    "observability.tracing.namespace": "Namespace of the collector and Tempo.",
    "observability.tracing.collectorChartVersion": "Exact opentelemetry-collector chart version.",
    "observability.tracing.tempoChartVersion": "Exact tempo chart version.",
    "observability.tracing.retentionDays": "Days Tempo keeps traces.",
    "observability.tracing.storageGi": "Size of Tempo's volume, GiB.",
    "observability.tracing.collectorReplicas": "Collector replicas.",
    "frontend.domainName": "The static frontend's domain (S3 + CloudFront), e.g. `app.example.com`; the section turns the frontend on.",
    "frontend.hostedZoneName": "Its public hosted zone; absent: `edge.hostedZoneName`, else the domain without its first label.",
    "frontend.priceClass": "CloudFront price class: which edge locations serve the site.",
    "frontend.rateLimitPerFiveMinutes": "Requests per client IP per 5 minutes before the CloudFront WAF blocks it.",
    "frontend.contentSecurityPolicy": "The Content-Security-Policy header every response carries; one line.",
    "frontend.logRetentionDays": "Days CloudFront's access logs are kept.",
    "registry.enabled":
        "An ECR repository `<kubernetes.namespace>/<service>` per service (immutable tags, scan on push, KMS); a service whose image is a bare `<name>:<tag>` runs it.",
    "registry.keepReleases": "Tagged images kept per repository (the last N releases).",
    "registry.untaggedExpiryDays": "Days an untagged image is kept.",
    "registry.pushRoleNames": "IAM roles of the account that push (CI's deploy role).",
    "registry.pullRoleNames": "IAM roles of the account that pull (the cluster's node role).",
    "services[].name": "The service's name, a DNS label; unique. At least one service must be public.",
    "services[].image": "Image pinned to a tag or `@sha256:` digest (`latest` is refused); a bare `<name>:<tag>` comes from the platform's registry.",
    "services[].port": "The port the process listens on.",
    "services[].healthPath": "Readiness and liveness endpoint, a path starting with `/`.",
    "services[].public": "Behind the load balancer (a worker never is).",
    "services[].replicas": "Replicas to keep at least (the HPA's minimum).",
    "services[].maxReplicas": "The HPA's ceiling; at least `replicas`.",
    "services[].env":
        "Settings for its ConfigMap, e.g. `TEMPLATE_CACHE_TTL`, at most 1000 KiB in all; a value set with `--secret --path 'services[0].env.NAME'` goes to its Secret instead.",
    "services[].secrets": "The platform secrets and API keys it receives, each one generated or named in `apiKeys`, none also in `env`.",
    "services[].cpu": "CPU requested (the limit is one core).",
    "services[].memory": "Memory requested and limit.",
    "services[].kind": "`worker`: a queue consumer with no Service, target group or route; it scales by CPU or by its queue.",
    "services[].probe": "A worker's health probe: `{ exec: [command, …] }` or `{ port: <number> }`; absent: TCP on `port`. Services probe `healthPath`.",
    "services[].scaler.type": "A worker that scales on the length of a Redis list (through KEDA, with `kubernetes.keda: true`).",
    "services[].scaler.listName": "The Redis list.",
    "services[].scaler.listLength": "Jobs waiting per replica before another starts.",
};

interface JsonSchema {
    type?: string | string[];
    properties?: Record<string, JsonSchema>;
    required?: string[];
    items?: JsonSchema;
    enum?: unknown[];
    const?: unknown;
    anyOf?: JsonSchema[];
    default?: unknown;
    minimum?: number;
    maximum?: number;
    exclusiveMinimum?: number;
    minItems?: number;
    maxItems?: number;
    format?: string;
    additionalProperties?: JsonSchema | boolean;
}

export interface ConfigKey {
    /** Dotted, with `[]` for each entry of a list: `services[].port`. */
    key: string;
    schema: JsonSchema;
    /** Whether the key must be given (in its section, when the section is optional). */
    required: boolean;
}

/** Every key of the stack config a user can set, in the schema's order. */
export function configKeys(): ConfigKey[] {
    const root = z.toJSONSchema(platformConfigSchema, { io: "output", unrepresentable: "any" }) as JsonSchema;
    const keys: ConfigKey[] = [];
    const walk = (node: JsonSchema, key: string, required: boolean) => {
        if (node.type === "object" && node.properties) {
            for (const [name, child] of Object.entries(node.properties)) {
                walk(child, key ? `${key}.${name}` : name, (node.required ?? []).includes(name) && child.default === undefined);
            }
        } else if (node.type === "array" && node.items?.type === "object" && node.items.properties) {
            walk(node.items, `${key}[]`, required);
        } else {
            keys.push({ key, schema: node, required });
        }
    };
    walk(root, "", true);
    return keys;
}

/** The JSON Schema's bound for "any safe integer": no range worth writing down. */
const UNBOUNDED = Number.MAX_SAFE_INTEGER;

function typeOf(schema: JsonSchema): string {
    if (schema.anyOf) {
        return "object";
    }
    if (schema.type === "array") {
        return `list of ${typeOf(schema.items ?? {})}`;
    }
    if (schema.type === "object") {
        return "map of string";
    }
    return schema.format ? `${String(schema.type)} (${schema.format})` : String(schema.type);
}

function allowedOf(schema: JsonSchema): string {
    if (schema.enum) {
        return schema.enum.map((v) => `\`${String(v)}\``).join(", ");
    }
    if (schema.const !== undefined) {
        return `\`${JSON.stringify(schema.const)}\``;
    }
    const low = schema.minimum ?? schema.minItems ?? (schema.exclusiveMinimum !== undefined ? `> ${schema.exclusiveMinimum}` : undefined);
    const high = schema.maximum ?? schema.maxItems;
    const bounded = (n: number | string | undefined) => (n !== undefined && Math.abs(Number(n)) !== UNBOUNDED ? n : undefined);
    const [from, to] = [bounded(low), bounded(high)];
    const unit = schema.type === "array" ? " entries" : "";
    if (from !== undefined && to !== undefined) {
        return typeof from === "string" ? `${from}, ≤ ${to}${unit}` : `${from} to ${to}${unit}`;
    }
    return from !== undefined ? (typeof from === "string" ? from : `≥ ${from}${unit}`) : to !== undefined ? `≤ ${to}${unit}` : "";
}

function defaultOf({ schema, required }: ConfigKey): string {
    if (schema.default !== undefined) {
        return `\`${JSON.stringify(schema.default).replace(/\|/g, "\\|")}\``;
    }
    return required ? "required" : "none";
}

function secretOf(key: string): string {
    const path = key.replace(/\[\]/g, ".*").split(".");
    if (ALWAYS_SECRET.includes(path[0])) {
        return "always";
    }
    return SECRET_DESTINATIONS.some((d) => d.length === path.length + 1 && path.every((p, i) => d[i] === p)) ? "values may be" : "";
}

const cell = (text: string) => text.replace(/\|/g, "\\|");

/** docs/config.md: every key with its type, default, allowed values, whether production holds it, whether it takes secrets, and what it means. */
export function renderConfigReference(): string {
    const guarded = new Set(productionGuardedKeys().map((key) => key.replace(/\.\*/g, "[]")));
    const keys = configKeys();
    // A top-level key without nested keys goes to the first table, "General".
    const sectionOf = (key: string) => (/[.[]/.test(key) ? key.split(/[.[]/)[0] : "General");
    const sections = [...new Set(keys.map((k) => sectionOf(k.key)))].sort((a, b) => Number(b === "General") - Number(a === "General"));
    const lines = [
        "# Config reference",
        "",
        "<!-- Generated by `npm run docs` from components/config.ts (the schema), the components' defaults objects,",
        "     components/relaxations.ts and components/reference.ts (the descriptions). Do not edit by hand. -->",
        "",
        `All keys live in the \`${CONFIG_NAMESPACE}\` namespace (\`${CONFIG_NAMESPACE}:<key>\` in the stack file), besides \`aws:region\` (required: the`,
        "AWS region of the stack, e.g. `eu-west-1`). The config is validated before any resource is registered: an unknown key, a value of",
        "the wrong type or a value out of range stops the program with one message listing every problem. A key in a namespace nothing",
        "reads (`platfrom:database`) is an error that suggests the closest one (`platform`, `aws`, `kubernetes`, `postgresql`, `random`,",
        '`pulumi` are read). Only structured keys (maps and lists) are read as JSON: `platform:release: "2"` stays the string `2`.',
        "",
        "Defaults are the production values. *Production* marks the keys production holds to (see [Staging relaxations](#staging-relaxations)).",
        "*Secret* says where secret values are accepted: `always` (the key is secret whether or not the stack file marks it), `values may be`",
        "(individual values may be set with `--secret`); everywhere else a secret is refused, as its value would end up in plaintext.",
        "",
    ];
    for (const section of sections) {
        lines.push(
            section === "General" ? "## General" : `## \`${section}\``,
            "",
            "| Key | Type | Default | Allowed | Production | Secret | Meaning |",
            "|---|---|---|---|---|---|---|",
        );
        for (const entry of keys.filter((k) => sectionOf(k.key) === section)) {
            const production = guarded.has(entry.key) ? "held" : "";
            lines.push(
                `| \`${entry.key}\` | ${typeOf(entry.schema)} | ${defaultOf(entry)} | ${cell(allowedOf(entry.schema))} | ${production} | ` +
                    `${secretOf(entry.key)} | ${cell(CONFIG_DESCRIPTIONS[entry.key] ?? "")} |`,
            );
        }
        lines.push("");
    }
    lines.push(
        "## Staging relaxations",
        "",
        "What staging may relax and production may not (`components/relaxations.ts`): the config schema refuses the key's relaxed value",
        "in production, and `policies/config/staging.json` judges staging by the policy settings given here.",
        "",
        "| Relaxation | Key | Production needs | Staging policy config |",
        "|---|---|---|---|",
    );
    for (const relaxation of STAGING_RELAXATIONS) {
        const key = relaxation.production ? `\`${relaxation.production.path.join(".").replace(/\.\*/g, "[]")}\`` : "";
        const policies = Object.entries(relaxation.stagingPolicies ?? {})
            .map(([name, settings]) => `\`${name}\`: \`${JSON.stringify(settings)}\``)
            .join("; ");
        lines.push(`| ${cell(relaxation.what)} | ${key} | ${cell(relaxation.production?.need ?? "")} | ${cell(policies)} |`);
    }
    lines.push("");
    return lines.join("\n");
}
