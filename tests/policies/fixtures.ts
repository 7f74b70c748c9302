import { AWS, AWS_DATA, AWS_EDGE } from "../../policies/lib/types";
import { TestResource } from "./helpers";

/* Resources that the case tables of several rule files start from. */

export const LB = AWS.loadBalancers[0];

export const alb = {
    loadBalancerType: "application",
    internal: false,
    dropInvalidHeaderFields: true,
    enableDeletionProtection: true,
    accessLogs: { enabled: true, bucket: "alb-logs" },
};

const TOPIC_ARN = "arn:aws:sns:us-east-1:123456789012:uptime-alerts";

export const publicEndpoint: TestResource[] = [
    { type: LB, name: "alb", props: { internal: false, dnsName: "alb-123.eu-west-1.elb.amazonaws.com" } },
    { type: AWS.targetGroups[0], name: "api-tg", props: { port: 3000, protocol: "HTTP", healthCheck: { enabled: true, path: "/health" } } },
    {
        type: AWS.route53Record,
        name: "api-alias",
        deps: { aliases: ["alb"] },
        props: {
            zoneId: "Z1",
            name: "api.acme.example",
            type: "A",
            aliases: [{ name: "alb-123.eu-west-1.elb.amazonaws.com", zoneId: "Z32O12XQLNTSW2", evaluateTargetHealth: true }],
        },
    },
    { type: AWS.healthCheck, name: "uptime", props: { type: "HTTPS", fqdn: "api.acme.example", port: 443, resourcePath: "/health", failureThreshold: 3 } },
    { type: AWS_DATA.snsTopic, name: "uptime-alerts", props: { arn: TOPIC_ARN } },
    {
        type: AWS_EDGE.snsTopicSubscription,
        name: "uptime-email",
        deps: { topic: ["uptime-alerts"] },
        props: { protocol: "email", endpoint: "ops@acme.example" },
    },
    {
        type: AWS.metricAlarm,
        name: "uptime-alarm",
        deps: { dimensions: ["uptime"], alarmActions: ["uptime-alerts"] },
        props: { namespace: "AWS/Route53", metricName: "HealthCheckStatus", alarmActions: [TOPIC_ARN] },
    },
];

export const postgres = {
    engine: "postgres",
    engineVersion: "17",
    identifier: "db",
    storageEncrypted: true,
    publiclyAccessible: false,
    backupRetentionPeriod: 14,
    deletionProtection: true,
    multiAz: true,
    skipFinalSnapshot: false,
    finalSnapshotIdentifier: "db-final",
    performanceInsightsEnabled: true,
    monitoringInterval: 60,
    monitoringRoleArn: "arn:aws:iam::123456789012:role/monitoring",
    enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
    vpcSecurityGroupIds: ["sg-db"],
    parameterGroupName: "db-pg17",
};

export const memorydb = {
    engineVersion: "7.1",
    nodeType: "db.r7g.large",
    aclName: "app-acl",
    kmsKeyArn: "arn:aws:kms:eu-west-1:1:key/k",
    snapshotRetentionLimit: 7,
    numReplicasPerShard: 1,
    securityGroupIds: ["sg-redis"],
};

export const redis = {
    engine: "redis",
    engineVersion: "7.1",
    nodeType: "cache.r7g.large",
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    atRestEncryptionEnabled: true,
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/k",
    authToken: "secret-token-0123456789",
    snapshotRetentionLimit: 7,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    numCacheClusters: 2,
    securityGroupIds: ["sg-redis"],
    parameterGroupName: "redis7",
};

export const store: TestResource[] = [
    { type: AWS.securityGroup, name: "app-sg" },
    { type: AWS.securityGroup, name: "db-sg" },
    {
        type: AWS.ingressRule,
        name: "db-from-app",
        props: { ipProtocol: "tcp", fromPort: 5432, toPort: 5432 },
        deps: { securityGroupId: ["db-sg"], referencedSecurityGroupId: ["app-sg"] },
    },
    {
        type: AWS.rdsParameterGroup,
        name: "db-pg17",
        props: {
            family: "postgres17",
            parameters: [
                { name: "rds.force_ssl", value: "1" },
                { name: "log_min_duration_statement", value: "500" },
            ],
        },
    },
    { type: AWS.rdsInstance, name: "db", props: postgres, deps: { vpcSecurityGroupIds: ["db-sg"], parameterGroupName: ["db-pg17"] } },
    { type: AWS.rdsProxy, name: "proxy", props: { requireTls: true } },
    { type: AWS.rdsProxyTarget, name: "proxy-target", props: { dbInstanceIdentifier: "db" }, deps: { dbInstanceIdentifier: ["db"], dbProxyName: ["proxy"] } },
    { type: AWS.cacheParameterGroup, name: "redis7", props: { family: "redis7", parameters: [{ name: "maxmemory-policy", value: "volatile-lru" }] } },
    { type: AWS.securityGroup, name: "redis-sg" },
    {
        type: AWS.ingressRule,
        name: "redis-from-app",
        props: { ipProtocol: "tcp", fromPort: 6379, toPort: 6379 },
        deps: { securityGroupId: ["redis-sg"], referencedSecurityGroupId: ["app-sg"] },
    },
    { type: AWS.replicationGroup, name: "cache", props: redis, deps: { securityGroupIds: ["redis-sg"], parameterGroupName: ["redis7"] } },
];

export const ECR_IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/platform/api:2.0.0";

export const deployment = (image: string, labels: Record<string, string> = { "app.kubernetes.io/part-of": "platform" }) => ({
    metadata: { name: "api", namespace: "app", labels },
    spec: { template: { metadata: { labels }, spec: { containers: [{ name: "api", image, envFrom: [{ configMapRef: { name: "api-env" } }] }] } } },
});
