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

        this.secrets = new Secrets(
            `${name}-secrets`,
            {
                ...config.secrets,
                apiKeys: config.apiKeys,
                protect: production,
                tags,
            },
            { parent: this },
        );

        this.network = new Network(
            `${name}-network`,
            {
                ...config.network,
                logsKmsKeyArn: this.secrets.kmsKeyArn,
                tags,
            },
            { parent: this },
        );

        this.database = new Database(
            `${name}-db`,
            {
                ...config.database,
                vpcId: this.network.vpcId,
                subnetIds: this.network.isolatedSubnetIds,
                proxySubnetIds: this.network.privateSubnetIds,
                clientSecurityGroupIds: [this.network.appSecurityGroupId],
                kmsKeyArn: this.secrets.kmsKeyArn,
                secretRecoveryWindowDays: config.secrets.recoveryWindowDays,
                protect: production,
                tags,
            },
            { parent: this },
        );

        this.cache = new Cache(
            `${name}-cache`,
            {
                ...config.cache,
                vpcId: this.network.vpcId,
                subnetIds: this.network.isolatedSubnetIds,
                clientSecurityGroupIds: [this.network.appSecurityGroupId],
                kmsKeyArn: this.secrets.kmsKeyArn,
                authToken: this.secrets.redisAuthToken,
                protect: production,
                tags,
            },
            { parent: this },
        );

        const edge = config.edge;
        this.loadBalancer = new LoadBalancer(
            `${name}-edge`,
            {
                ...edge,
                vpcId: this.network.vpcId,
                subnetIds: this.network.publicSubnetIds,
                targetSecurityGroupId: this.network.appSecurityGroupId,
                domainName: config.domainName,
                services: config.services.filter((s) => s.public).map((s) => ({ name: s.name, port: s.port, healthPath: s.healthPath })),
                tags,
            },
            { parent: this },
        );

        const site = config.frontend;
        this.frontend = site
            ? new StaticSite(
                  `${name}-frontend`,
                  {
                      ...site,
                      hostedZoneName: site.hostedZoneName ?? edge.hostedZoneName,
                      alertEmails: config.alerts.emails,
                      wafBlockedRequests: config.alerts.thresholds.wafBlockedRequests,
                      runbookBaseUrl: config.alerts.runbookBaseUrl,
                      protect: production,
                      tags,
                  },
                  { parent: this },
              )
            : undefined;

        const registry = config.registry;
        this.registry = registry?.enabled
            ? new Registry(
                  `${name}-registry`,
                  {
                      ...registry,
                      repositories: config.services.map((s) => s.name),
                      prefix: config.kubernetes.namespace,
                      kmsKeyArn: this.secrets.kmsKeyArn,
                      protect: production,
                      tags,
                  },
                  { parent: this },
              )
            : undefined;

        this.backup = new Backup(
            `${name}-backup`,
            {
                ...config.backup,
                kmsKeyArn: this.secrets.kmsKeyArn,
                resourceArns: [this.database.instanceArn],
                protect: production,
                tags,
            },
            { parent: this },
        );
        const observability = config.observability;
        this.monitoring = new Monitoring(
            `${name}-monitoring`,
            {
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
                    ...observability.uptime,
                    fqdn: config.domainName,
                    path: observability.uptime.path ?? config.services.find((s) => s.public)!.healthPath,
                },
                protect: production,
                tags,
            },
            { parent: this },
        );
        this.budget = new Budget(
            `${name}-budget`,
            {
                monthlyLimitUsd: config.budget.monthlyLimitUsd,
                environment: config.environment,
                emails: config.alerts.emails,
                topicArns: [this.monitoring.topicArn],
                tags,
            },
            { parent: this },
        );

        // The cluster is an input: its kubeconfig from secret config, or the ambient context.
        const kubernetes = new k8s.Provider(
            `${name}-k8s`,
            {
                kubeconfig: config.kubeconfig,
                context: config.kubernetes.context,
                namespace: config.kubernetes.namespace,
                enableServerSideApply: true,
            },
            { parent: this },
        );
        const inCluster = { parent: this, provider: kubernetes };
        const namespace = config.kubernetes.namespace;
        const ns = new k8s.core.v1.Namespace(
            `${name}-namespace`,
            {
                metadata: { name: namespace, labels: { "pod-security.kubernetes.io/enforce": "restricted" } },
            },
            inCluster,
        );
        // Nothing reaches or leaves a pod unless a service's own policy allows it.
        const denyAll = new k8s.networking.v1.NetworkPolicy(
            `${name}-default-deny`,
            {
                metadata: { name: "default-deny", namespace },
                spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
            },
            { ...inCluster, dependsOn: [ns] },
        );
        const inNamespace = { parent: this, providers: [kubernetes], dependsOn: [ns, denyAll] };

        // A bare name:tag is a tag of the service's own repository in the platform's registry.
        const registryUrls = this.registry?.repositoryUrls;
        const imageOf = (svc: PlatformConfig["services"][number]): pulumi.Input<string> =>
            registryUrls && isBareImage(svc.image) ? pulumi.interpolate`${registryUrls[svc.name]}${svc.image.slice(svc.name.length)}` : svc.image;
        const migrating = config.services.find((s) => s.name === config.migrations?.service);
        this.migration =
            config.migrations && migrating
                ? new Migration(
                      `${name}-release`,
                      {
                          namespace,
                          release: config.release,
                          dbInstanceIdentifier: `${name}-db`,
                          image: imageOf(migrating),
                          command: config.migrations.command,
                          databaseUrl: this.database.migratorUrl,
                          vpcCidr: this.network.cidrBlock,
                          tags,
                      },
                      { ...inNamespace, dependsOn: [ns, denyAll, this.database] },
                  )
                : undefined;

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
        this.services = config.services.map(
            (svc) =>
                new Service(
                    svc.name,
                    {
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
                            ...(traces
                                ? {
                                      OTEL_EXPORTER_OTLP_ENDPOINT: traces.otlpEndpoint,
                                      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
                                      OTEL_SERVICE_NAME: svc.name,
                                      OTEL_RESOURCE_ATTRIBUTES: `deployment.environment=${config.environment},service.version=${config.release},service.namespace=${namespace}`,
                                  }
                                : {}),
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
                        queueScaler:
                            svc.scaler && config.kubernetes.keda
                                ? {
                                      listName: svc.scaler.listName,
                                      listLength: svc.scaler.listLength,
                                      address: pulumi.interpolate`${this.cache.primaryEndpoint}:6379`,
                                      authToken: this.secrets.redisAuthToken,
                                  }
                                : undefined,
                    },
                    inNamespace,
                ),
        );

        this.clusterMonitoring = new ClusterMonitoring(
            `${name}-cluster-monitoring`,
            {
                namespace: observability.namespace,
                agentsNamespace: observability.agentsNamespace,
                vpcCidr: this.network.cidrBlock,
                serviceNamespace: namespace,
                // Workers have no Service to scrape through.
                services: this.services.flatMap((svc) => (svc.serviceName ? [{ name: svc.serviceName, labels: svc.labels, port: svc.portName }] : [])),
                grafanaAdminPassword: this.secrets.grafanaAdminPassword,
                prometheus: observability.prometheus,
                grafanaStorageGi: observability.grafanaStorageGi,
                fluentBitChartVersion: observability.fluentBitChartVersion,
                logGroupName: this.monitoring.applicationLogGroup,
                logGroupArn: this.monitoring.applicationLogGroupArn,
                alertTopicArn: this.monitoring.topicArn,
                alertTopicKmsKeyArn: this.secrets.kmsKeyArn,
                region: config.region,
                clusterName: config.kubernetes.clusterName,
                runbookBaseUrl: config.alerts.runbookBaseUrl,
                thresholds: config.alerts.thresholds,
                tracing: traces && tracingConfig ? { namespace: tracingConfig.namespace, queryUrl: traces.queryUrl, queryPort: traces.queryPort } : undefined,
                tags,
            },
            { parent: this, providers: [kubernetes] },
        );

        this.tracing = tracingConfig
            ? new Tracing(
                  `${name}-tracing`,
                  {
                      ...tracingConfig,
                      serviceNamespace: namespace,
                      grafanaNamespace: observability.namespace,
                      storageClassName: this.clusterMonitoring.storageClassName,
                  },
                  { parent: this, providers: [kubernetes] },
              )
            : undefined;

        this.registerOutputs({
            vpcId: this.network.vpcId,
            loadBalancerDnsName: this.loadBalancer.dnsName,
            kmsKeyArn: this.secrets.kmsKeyArn,
            databaseProxyEndpoint: this.database.proxyEndpoint,
            cachePrimaryEndpoint: this.cache.primaryEndpoint,
        });
    }
}
