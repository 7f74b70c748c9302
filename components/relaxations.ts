import type { ParsedConfig } from "./config";

/** A policy's settings in `policies/config/<stack>.json` (the `--policy-pack-config` format). */
export type PolicySettings = Record<string, unknown>;

/**
 * One thing staging may relax that production may not. Where the relaxation is a config key, the
 * schema refuses the relaxed value in production (`production`); where the staging policy config
 * judges it more leniently, `stagingPolicies` says how.
 */
export interface Relaxation {
    /** What staging may do, in words. */
    what: string;
    /** The config key under `platform:` (`*` for each list entry), with what production needs of it. */
    production?: {
        path: string[];
        /** Whether the value is acceptable in production. */
        holds(value: unknown, config: ParsedConfig): boolean;
        /** What production needs, after "production needs ". */
        need: string;
    };
    /** The staging policy config entries that match the relaxation, by policy name. */
    stagingPolicies?: Record<string, PolicySettings>;
}

const ADVISORY = { enforcementLevel: "advisory" };

/** The one table of staging relaxations: the schema's production guardrails and the staging policy config both follow it. */
export const STAGING_RELAXATIONS: Relaxation[] = [
    {
        what: "one shared NAT gateway instead of one per zone",
        production: {
            path: ["network", "natGateways"],
            holds: (v, c) => !!c.network.existing || v === "perAz",
            need: 'one NAT gateway per availability zone: expected "perAz"',
        },
    },
    {
        what: "no VPC flow logs",
        production: { path: ["network", "flowLogs", "enabled"], holds: (v) => v === true, need: "VPC flow logs: expected true" },
    },
    {
        what: "a single-AZ database",
        production: { path: ["database", "multiAz"], holds: (v) => v === true, need: "a Multi-AZ database: expected true" },
        stagingPolicies: { "rds-multi-az": ADVISORY },
    },
    {
        what: "a database without deletion protection",
        production: { path: ["database", "deletionProtection"], holds: (v) => v === true, need: "deletion protection: expected true" },
        stagingPolicies: { "rds-deletion-protection": ADVISORY },
    },
    {
        what: "fewer than 7 days of database backups (policy: at least 3)",
        production: { path: ["database", "backupRetentionDays"], holds: (v) => (v as number) >= 7, need: "at least 7 days of backups" },
        stagingPolicies: { "rds-backup-retention": { minimumDays: 3 } },
    },
    {
        what: "no final snapshot when the database is deleted",
        production: { path: ["database", "skipFinalSnapshot"], holds: (v) => v === false, need: "a final snapshot: expected false" },
        stagingPolicies: { "rds-final-snapshot": ADVISORY },
    },
    {
        what: "no enhanced monitoring of the database",
        production: { path: ["database", "monitoringIntervalSeconds"], holds: (v) => (v as number) > 0, need: "enhanced monitoring: expected 1 to 60" },
    },
    {
        what: "no copy of the backups in a second region",
        production: {
            path: ["backup", "copyRegion"],
            holds: (v) => v !== undefined,
            need: "backups copied to a second region: expected a region other than the stack's",
        },
    },
    {
        what: "a load balancer without deletion protection",
        production: { path: ["edge", "deletionProtection"], holds: (v) => v === true, need: "load balancer deletion protection: expected true" },
        stagingPolicies: { "alb-deletion-protection": ADVISORY },
    },
    {
        what: "a cache without a replica to fail over to",
        production: { path: ["cache", "replicas"], holds: (v) => (v as number) >= 1, need: "at least one replica to fail over to" },
        stagingPolicies: { "redis-automatic-failover": ADVISORY },
    },
    {
        what: "a single-AZ cache",
        production: { path: ["cache", "multiAz"], holds: (v) => v === true, need: "a Multi-AZ cache: expected true" },
        stagingPolicies: { "redis-automatic-failover": ADVISORY },
    },
    {
        what: "fewer than 7 days of cache snapshots (policy: at least 1)",
        production: { path: ["cache", "snapshotRetentionDays"], holds: (v) => (v as number) >= 7, need: "at least 7 days of snapshots" },
        stagingPolicies: { "redis-snapshot-retention": { minimumDays: 1 } },
    },
    {
        what: "a governance-mode vault lock, which an administrator can lift",
        production: {
            path: ["backup", "vaultLock", "mode"],
            holds: (v) => v !== "governance",
            need: 'a vault lock in compliance mode, which no one can lift: expected "compliance"',
        },
        stagingPolicies: { "backup-vault-locked": { requireComplianceMode: false } },
    },
    {
        what: "a single replica of each service",
        production: { path: ["services", "*", "replicas"], holds: (v) => (v as number) >= 2, need: "at least 2 replicas per service" },
        stagingPolicies: { "k8s-min-replicas": { minimum: 1 } },
    },
    {
        what: "stateful resources without Pulumi's protect (the platform protects them in production only)",
        stagingPolicies: { "stateful-resources-protected": ADVISORY },
    },
    {
        what: "a month of logs instead of 90 days",
        stagingPolicies: { "cloudwatch-log-retention": { minimumDays: 30 } },
    },
    {
        what: "smaller instances: burstable database and cache, half-core services",
        stagingPolicies: { "compute-sizing": { minDatabaseVcpus: 2, minDatabaseMemoryGiB: 4, minServiceCpuCores: 0.5, minServiceMemoryGiB: 1 } },
    },
    {
        what: "a budget alert that advises instead of failing the review",
        stagingPolicies: { "budget-alert": ADVISORY },
    },
    {
        what: "third-party endpoints of sandboxes and test accounts",
        stagingPolicies: { "third-party-endpoints-production": { enforcementLevel: "disabled" } },
    },
];

/** The staging policy config entries the relaxations call for, merged by policy (two relaxations may name one policy alike). */
export function stagingPolicySettings(): Record<string, PolicySettings> {
    const merged: Record<string, PolicySettings> = {};
    for (const relaxation of STAGING_RELAXATIONS) {
        for (const [policy, settings] of Object.entries(relaxation.stagingPolicies ?? {})) {
            merged[policy] = { ...merged[policy], ...settings };
        }
    }
    return merged;
}

/** The config keys production holds to (`*` for each list entry), as dotted paths: what the reference marks "not relaxed in production". */
export function productionGuardedKeys(): string[] {
    return STAGING_RELAXATIONS.flatMap((r) => (r.production ? [r.production.path.join(".")] : []));
}
