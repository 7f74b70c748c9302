import * as pulumi from "@pulumi/pulumi";
import { loadPlatformConfig } from "./components/config";
import { Platform } from "./components/platform";

const config = loadPlatformConfig();
const platform = new Platform(`${pulumi.getProject()}-${config.environment}`, { config });

// Only identifiers are exported; secret values stay in Secrets Manager and in Pulumi secrets.
export const environment = config.environment;
export const region = config.region;
export const vpcId = platform.network.vpcId;
export const publicSubnetIds = platform.network.publicSubnetIds;
export const privateSubnetIds = platform.network.privateSubnetIds;
export const isolatedSubnetIds = platform.network.isolatedSubnetIds;
export const kmsKeyArn = platform.secrets.kmsKeyArn;
export const kmsKeyAlias = platform.secrets.kmsAliasName;
export const secretArns = platform.secrets.secretArns;
export const appSecurityGroupId = platform.network.appSecurityGroupId;
export const databaseInstance = platform.database.instanceIdentifier;
export const databaseProxyEndpoint = platform.database.proxyEndpoint;
export const databaseCredentialSecretArns = platform.database.credentialSecretArns;
export const loadBalancerDnsName = platform.loadBalancer.dnsName;
export const webAclArn = platform.loadBalancer.webAclArn;
export const alertTopicArn = platform.monitoring.topicArn;
export const backupVaultArn = platform.backup.vaultArn;
export const backupBucket = platform.backup.bucketName;
export const cachePrimaryEndpoint = platform.cache.primaryEndpoint;
export const cacheReaderEndpoint = platform.cache.readerEndpoint;
export const applicationLogGroup = platform.monitoring.applicationLogGroup;
export const uptimeHealthCheckId = platform.monitoring.healthCheckId;
export const monitoringNamespace = platform.clusterMonitoring.namespace;
