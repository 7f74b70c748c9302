import { AWS } from "./types";

/** RDS databases: instances and (Aurora or Multi-AZ DB) clusters. */
export const RDS = [AWS.rdsInstance, AWS.rdsCluster];
/** RDS for PostgreSQL or Aurora PostgreSQL. */
export const isPostgres = (props: Record<string, any>) => typeof props.engine === "string" && /^(aurora-)?postgres/.test(props.engine);

/** The eviction policies Redis and Valkey accept for maxmemory-policy. */
export const REDIS_MAXMEMORY_POLICIES = [
    "volatile-lru",
    "allkeys-lru",
    "volatile-lfu",
    "allkeys-lfu",
    "volatile-random",
    "allkeys-random",
    "volatile-ttl",
    "noeviction",
] as const;
