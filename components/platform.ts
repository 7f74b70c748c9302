import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Backup } from "./backup";
import { Budget } from "./budget";
import { Cache } from "./cache";
import { ClusterMonitoring } from "./cluster-monitoring";
import { isBareImage, PlatformConfig } from "./config";
import { Database } from "./database";
import { StaticSite } from "./frontend";
import { LoadBalancer } from "./load-balancer";
import { Migration } from "./migration";
import { Monitoring } from "./monitoring";
import { Service } from "./service";
import { Network } from "./network";
import { Registry } from "./registry";
import { Secrets } from "./secrets";
import { Tracing, tracingAddresses } from "./tracing";

export interface PlatformArgs {
    /** The validated stack config (see `loadPlatformConfig`). */
    config: PlatformConfig;
}

/** The whole platform of one environment, composed from the stack config. */
export class Platform extends pulumi.ComponentResource {
    public readonly secrets: Secrets;
    public readonly network: Network;
    public readonly database: Database;
    public readonly cache: Cache;
    public readonly loadBalancer: LoadBalancer;
    public readonly migration: Migration | undefined;
    public readonly services: Service[];
    public readonly backup: Backup;
    public readonly budget: Budget;
    public readonly monitoring: Monitoring;
    public readonly clusterMonitoring: ClusterMonitoring;
    /** The optional parts, each present when its config section is. */
    public readonly frontend: StaticSite | undefined;
    public readonly registry: Registry | undefined;
    public readonly tracing: Tracing | undefined;

    constructor(name: string, args: PlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:core:Platform", name, {}, opts);
        const { config } = args;
        const production = config.environment === "production";
        const tags = {
            Project: pulumi.getProject(),
            Environment: config.environment,
            ManagedBy: "pulumi",
            ...config.tags,
        };

        this.secrets = new Secrets(`${name}-secrets`, {
            kmsDeletionWindowDays: config.secrets.kmsDeletionWindowDays,
            recoveryWindowDays: config.secrets.recoveryWindowDays,
            apiKeys: config.apiKeys,
            protect: production,
            tags,
        }, { parent: this });

        const network = config.network;
        this.network = new Network(`${name}-network`, {
            cidrBlock: network.cidrBlock,
            availabilityZoneCount: network.availabilityZoneCount,
            natGateways: network.natGateways,
            existingVpc: network.existing,
            enableFlowLogs: network.flowLogs.enabled,
            flowLogTrafficType: network.flowLogs.trafficType,
            flowLogRetentionDays: network.flowLogs.retentionDays,
            logsKmsKeyArn: this.secrets.kmsKeyArn,
            tags,
        }, { parent: this });

        const db = config.database;
        this.database = new Database(`${name}-db`, {
            vpcId: this.network.vpcId,
            subnetIds: this.network.isolatedSubnetIds,
            proxySubnetIds: this.network.privateSubnetIds,
            clientSecurityGroupIds: [this.network.appSecurityGroupId],
            kmsKeyArn: this.secrets.kmsKeyArn,
            engineVersion: db.engineVersion,
            instanceClass: db.instanceClass,
            allocatedStorageGb: db.allocatedStorageGb,
            maxAllocatedStorageGb: db.maxAllocatedStorageGb,
            databaseName: db.databaseName,
            multiAz: db.multiAz,
            deletionProtection: db.deletionProtection,
            backupRetentionDays: db.backupRetentionDays,
            skipFinalSnapshot: db.skipFinalSnapshot,
            backupWindow: db.backupWindow,
            maintenanceWindow: db.maintenanceWindow,
            performanceInsightsRetentionDays: db.performanceInsightsRetentionDays,
            monitoringIntervalSeconds: db.monitoringIntervalSeconds,
            slowQueryMs: db.slowQueryMs,
            appConnectionLimit: db.appConnectionLimit,
            proxyMaxConnectionsPercent: db.proxy.maxConnectionsPercent,
            proxyMaxIdleConnectionsPercent: db.proxy.maxIdleConnectionsPercent,
            proxyBorrowTimeoutSeconds: db.proxy.borrowTimeoutSeconds,
            manageRoles: db.manageRoles,
            logRetentionDays: db.logRetentionDays,
            secretRecoveryWindowDays: config.secrets.recoveryWindowDays,
            protect: production,
            tags,
        }, { parent: this });

        const cache = config.cache;
        this.cache = new Cache(`${name}-cache`, {
            vpcId: this.network.vpcId,
            subnetIds: this.network.isolatedSubnetIds,
            clientSecurityGroupIds: [this.network.appSecurityGroupId],
            kmsKeyArn: this.secrets.kmsKeyArn,
            authToken: this.secrets.redisAuthToken,
            engine: cache.engine,
            engineVersion: cache.engineVersion,
            nodeType: cache.nodeType,
            replicas: cache.replicas,
            multiAz: cache.multiAz,
            snapshotRetentionDays: cache.snapshotRetentionDays,
            snapshotWindow: cache.snapshotWindow,
            maintenanceWindow: cache.maintenanceWindow,
            maxmemoryPolicy: cache.maxmemoryPolicy,
            logRetentionDays: cache.logRetentionDays,
            protect: production,
            tags,
        }, { parent: this });

        const edge = config.edge;
        this.loadBalancer = new LoadBalancer(`${name}-edge`, {
            vpcId: this.network.vpcId,
            subnetIds: this.network.publicSubnetIds,
            targetSecurityGroupId: this.network.appSecurityGroupId,
            domainName: config.domainName,
            hostedZoneName: edge.hostedZoneName,
            services: config.services.filter((s) => s.public).map((s) => ({ name: s.name, port: s.port, healthPath: s.healthPath })),
            sslPolicy: edge.sslPolicy,
            rateLimitPerFiveMinutes: edge.rateLimitPerFiveMinutes,
            deletionProtection: edge.deletionProtection,
            accessLogRetentionDays: edge.accessLogRetentionDays,
            idleTimeoutSeconds: edge.idleTimeoutSeconds,
            tags,
        }, { parent: this });

        const site = config.frontend;
        this.frontend = site ? new StaticSite(`${name}-frontend`, {
            domainName: site.domainName,
            hostedZoneName: site.hostedZoneName ?? edge.hostedZoneName,
            priceClass: site.priceClass,
            rateLimitPerFiveMinutes: site.rateLimitPerFiveMinutes,
            contentSecurityPolicy: site.contentSecurityPolicy,
            logRetentionDays: site.logRetentionDays,
            alertEmails: config.alerts.emails,
            blockedRequestsThreshold: config.alerts.thresholds.wafBlockedRequests,
            runbookBaseUrl: config.alerts.runbookBaseUrl,
            protect: production,
            tags,
        }, { parent: this }) : undefined;

        const registry = config.registry;
        this.registry = registry?.enabled ? new Registry(`${name}-registry`, {
            repositories: config.services.map((s) => s.name),
            prefix: config.kubernetes.namespace,
            kmsKeyArn: this.secrets.kmsKeyArn,
            keepReleases: registry.keepReleases,
            untaggedExpiryDays: registry.untaggedExpiryDays,
            pushRoleNames: registry.pushRoleNames,
            pullRoleNames: registry.pullRoleNames,
            protect: production,
            tags,
        }, { parent: this }) : undefined;

        const backup = config.backup;
        this.backup = new Backup(`${name}-backup`, {
            kmsKeyArn: this.secrets.kmsKeyArn,
            resourceArns: [this.database.instanceArn],
            dailyRetentionDays: backup.dailyRetentionDays,
            weeklyRetentionDays: backup.weeklyRetentionDays,
            copyRegion: backup.copyRegion,
            bucketTransitionDays: backup.bucketTransitionDays,
            bucketExpirationDays: backup.bucketExpirationDays,
            vaultLock: backup.vaultLock,
            recoveryObjectives: { rpoHours: backup.rpoHours, rtoHours: backup.rtoHours },
            protect: production,
            tags,
        }, { parent: this });
        const observability = config.observability;
        this.monitoring = new Monitoring(`${name}-monitoring`, {
            alertEmails: config.alerts.emails,
            alertWebhooks: config.alertWebhooks,
            kmsKeyArn: this.secrets.kmsKeyArn,
            dbInstanceIdentifier: this.database.instanceIdentifier,
            dbProxyName: this.database.proxyName,
            cacheReplicationGroupId: this.cache.replicationGroupId,
            cacheHasReplicas: config.cache.replicas > 0,
            loadBalancerArnSuffix: this.loadBalancer.arnSuffix,
            targetGroupArnSuffixes: this.loadBalancer.targetGroupArnSuffixes,
            webAclName: this.loadBalancer.webAclName,
            backupVaultName: this.backup.vaultName,
            runbookBaseUrl: config.alerts.runbookBaseUrl,
            thresholds: config.alerts.thresholds,
            uptime: {
                fqdn: config.domainName,
                path: observability.uptime.path ?? config.services.find((s) => s.public)!.healthPath,
                requestIntervalSeconds: observability.uptime.requestIntervalSeconds,
                failureThreshold: observability.uptime.failureThreshold,
            },
            protect: production,
            tags,
        }, { parent: this });
        this.budget = new Budget(`${name}-budget`, {
            monthlyLimitUsd: config.budget.monthlyLimitUsd,
            environment: config.environment,
            emails: config.alerts.emails,
            topicArns: [this.monitoring.topicArn],
            tags,
        }, { parent: this });

        // The cluster is an input: its kubeconfig from secret config, or the ambient context.
        const kubernetes = new k8s.Provider(`${name}-k8s`, {
            kubeconfig: config.kubeconfig,
            context: config.kubernetes.context,
            namespace: config.kubernetes.namespace,
            enableServerSideApply: true,
        }, { parent: this });
        const inCluster = { parent: this, provider: kubernetes };
        const namespace = config.kubernetes.namespace;
        const ns = new k8s.core.v1.Namespace(`${name}-namespace`, {
            metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
        }, inCluster);
        // Nothing reaches or leaves a pod unless a service's own policy allows it.
        const denyAll = new k8s.networking.v1.NetworkPolicy(`${name}-default-deny`, {
            metadata: { name: "default-deny", namespace },
            spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
        }, { ...inCluster, dependsOn: [ns] });
        const inNamespace = { parent: this, providers: [kubernetes], dependsOn: [ns, denyAll] };

        // A bare name:tag is a tag of the service's own repository in the platform's registry.
        const registryUrls = this.registry?.repositoryUrls;
        const imageOf = (svc: PlatformConfig["services"][number]): pulumi.Input<string> => registryUrls && isBareImage(svc.image)
            ? pulumi.interpolate`${registryUrls[svc.name]}${svc.image.slice(svc.name.length)}`
            : svc.image;
        const migrating = config.services.find((s) => s.name === config.migrations?.service);
        this.migration = config.migrations && migrating ? new Migration(`${name}-release`, {
            namespace,
            release: config.release,
            dbInstanceIdentifier: `${name}-db`,
            image: imageOf(migrating),
            command: config.migrations.command,
            databaseUrl: this.database.migratorUrl,
            vpcCidr: this.network.cidrBlock,
            tags,
        }, { ...inNamespace, dependsOn: [ns, denyAll, this.database] }) : undefined;

        const platformSecrets: Record<string, pulumi.Input<string>> = {
            DATABASE_URL: this.database.databaseUrl,
            REDIS_URL: this.cache.redisUrl,
            JWT_SECRET: this.secrets.jwtSecret,
            ENCRYPTION_KEY: this.secrets.encryptionKey,
            ...config.apiKeys,
        };
        const tracingConfig = config.observability.tracing?.enabled ? config.observability.tracing : undefined;
        const traces = tracingConfig && tracingAddresses(tracingConfig.namespace);
        const corsOrigins = [`https://${config.domainName}`, ...(this.frontend ? [this.frontend.origin] : [])].join(",");
        this.services = config.services.map((svc) => new Service(svc.name, {
            namespace,
            kind: svc.kind,
            probe: svc.probe,
            image: imageOf(svc),
            port: svc.port,
            healthPath: svc.healthPath,
            replicas: svc.replicas,
            maxReplicas: svc.maxReplicas,
            cpu: svc.cpu,
            memory: svc.memory,
            env: {
                CORS_ORIGINS: corsOrigins,
                RELEASE: config.release,
                ...(traces ? {
                    OTEL_EXPORTER_OTLP_ENDPOINT: traces.otlpEndpoint,
                    OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
                    OTEL_SERVICE_NAME: svc.name,
                    OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${config.environment},service.version=${config.release},service.namespace=${namespace}`,
                } : {}),
                ...svc.env,
            },
            // Each service gets only the secrets it lists, and its own env values that came in secret.
            secretEnv: { ...Object.fromEntries(svc.secrets.map((secret) => [secret, platformSecrets[secret]])), ...svc.secretEnv },
            loadBalancerCidrs: svc.public ? this.network.publicSubnetCidrs : undefined,
            targetGroupArn: svc.public ? this.loadBalancer.targetGroupArns[svc.name] : undefined,
            vpcCidr: this.network.cidrBlock,
            rolloutAfter: this.migration ? [this.migration.job] : undefined,
            prometheusNamespace: observability.namespace,
            tracingCollector: traces?.collector,
            queueScaler: svc.scaler && config.kubernetes.keda ? {
                listName: svc.scaler.listName,
                listLength: svc.scaler.listLength,
                address: pulumi.interpolate`${this.cache.primaryEndpoint}:6379`,
                authToken: this.secrets.redisAuthToken,
            } : undefined,
        }, inNamespace));

        const thresholds = config.alerts.thresholds;
        this.clusterMonitoring = new ClusterMonitoring(`${name}-cluster-monitoring`, {
            namespace: observability.namespace,
            agentsNamespace: observability.agentsNamespace,
            vpcCidr: this.network.cidrBlock,
            serviceNamespace: namespace,
            // Workers have no Service to scrape through.
            services: this.services.flatMap((svc) => svc.serviceName ? [{ name: svc.serviceName, labels: svc.labels, port: svc.portName }] : []),
            grafanaAdminPassword: this.secrets.grafanaAdminPassword,
            prometheusChartVersion: observability.prometheus.chartVersion,
            retentionDays: observability.prometheus.retentionDays,
            storageGi: observability.prometheus.storageGi,
            replicas: observability.prometheus.replicas,
            grafanaStorageGi: observability.grafanaStorageGi,
            fluentBitChartVersion: observability.fluentBitChartVersion,
            logGroupName: this.monitoring.applicationLogGroup,
            logGroupArn: this.monitoring.applicationLogGroupArn,
            alertTopicArn: this.monitoring.topicArn,
            alertTopicKmsKeyArn: this.secrets.kmsKeyArn,
            region: config.region,
            clusterName: config.kubernetes.clusterName,
            runbookBaseUrl: config.alerts.runbookBaseUrl,
            errorRatePercent: thresholds.errorRatePercent,
            latencyP95Seconds: thresholds.latencyP95Seconds,
            cpuPercent: thresholds.cpuPercent,
            memoryPercent: thresholds.memoryPercent,
            tracing: traces && tracingConfig ? { namespace: tracingConfig.namespace, queryUrl: traces.queryUrl, queryPort: traces.queryPort } : undefined,
            tags,
        }, { parent: this, providers: [kubernetes] });

        this.tracing = tracingConfig ? new Tracing(`${name}-tracing`, {
            namespace: tracingConfig.namespace,
            serviceNamespace: namespace,
            grafanaNamespace: observability.namespace,
            collectorChartVersion: tracingConfig.collectorChartVersion,
            tempoChartVersion: tracingConfig.tempoChartVersion,
            retentionDays: tracingConfig.retentionDays,
            storageGi: tracingConfig.storageGi,
            storageClassName: this.clusterMonitoring.storageClassName,
            collectorReplicas: tracingConfig.collectorReplicas,
        }, { parent: this, providers: [kubernetes] }) : undefined;

        this.registerOutputs({
            vpcId: this.network.vpcId,
            loadBalancerDnsName: this.loadBalancer.dnsName,
            kmsKeyArn: this.secrets.kmsKeyArn,
            databaseProxyEndpoint: this.database.proxyEndpoint,
            cachePrimaryEndpoint: this.cache.primaryEndpoint,
        });
    }
}
