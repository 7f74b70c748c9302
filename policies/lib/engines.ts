import { AWS } from "./types";

/** RDS databases: instances and (Aurora or Multi-AZ DB) clusters. */
export const RDS = [AWS.rdsInstance, AWS.rdsCluster];
/** RDS for PostgreSQL or Aurora PostgreSQL. */
export const isPostgres = (props: Record<string, any>) => typeof props.engine === "string" && /^(aurora-)?postgres/.test(props.engine);
