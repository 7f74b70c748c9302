import * as assert from "assert/strict";
import { releaseSlug } from "../../components/migration";
import { Service, ServiceArgs } from "../../components/service";
import { AWS, K8S, PULUMI } from "../../policies/lib/types";
import { isSecretValue, Plan, planComponents, planStack } from "../helpers";

const DEPLOYMENT = K8S.deployment;
const JOB = K8S.job;
const POLICY = K8S.networkPolicy;

const podSpec = (workload: { inputs: Record<string, unknown> }) => (workload.inputs as any).spec.template.spec;

const componentArgs: ServiceArgs = {
    namespace: "apps",
    image: "ghcr.io/acme/api:2.0.0",
    port: 8080,
    healthPath: "/healthz",
    vpcCidr: "10.0.0.0/16",
};

describe("Service and migrations", () => {
    describe("production stack", () => {
        let plan: Plan;
        before(async () => {
            plan = await planStack("production");
        });

        it("runs every container non-root, without privilege escalation, on a read-only root, with limits", () => {
            const workloads = [...plan.ofType(DEPLOYMENT), ...plan.ofType(JOB)];
            assert.equal(workloads.length, 3);
            for (const workload of workloads) {
                const spec = podSpec(workload);
                assert.equal(spec.securityContext.runAsNonRoot, true, workload.name);
                assert.deepEqual(spec.securityContext.seccompProfile, { type: "RuntimeDefault" });
                assert.deepEqual(spec.volumes, [{ name: "tmp", emptyDir: { sizeLimit: "256Mi" } }]);
                for (const container of spec.containers) {
                    assert.deepEqual(
                        container.securityContext,
                        {
                            runAsNonRoot: true,
                            allowPrivilegeEscalation: false,
                            privileged: false,
                            readOnlyRootFilesystem: true,
                            capabilities: { drop: ["ALL"] },
                        },
                        workload.name,
                    );
                    assert.ok(container.resources.requests.cpu && container.resources.requests.memory && container.resources.limits.memory);
                    assert.match(container.image, /^ghcr\.io\/acme\/(api|worker):1\.4\.2$/);
                }
            }
        });

        it("probes each service's health endpoint, rolls out without losing capacity and spreads over zones", () => {
            for (const deployment of plan.ofType(DEPLOYMENT)) {
                const spec = (deployment.inputs as any).spec;
                const [container] = spec.template.spec.containers;
                assert.deepEqual(container.readinessProbe.httpGet, { path: "/health", port: "http" });
                assert.deepEqual(container.livenessProbe.httpGet, { path: "/health", port: "http" });
                assert.deepEqual(spec.strategy.rollingUpdate, { maxSurge: 1, maxUnavailable: 0 });
                assert.equal(spec.template.spec.topologySpreadConstraints[0].topologyKey, "topology.kubernetes.io/zone");
            }
            const replicas = Object.fromEntries(plan.ofType(DEPLOYMENT).map((d) => [d.name, (d.inputs as any).spec.replicas]));
            assert.deepEqual(replicas, { "api-deployment": 3, "worker-deployment": 2 });
        });

        it("scales each service with an HPA, keeps a disruption budget and denies traffic by default", () => {
            const hpas = plan.ofType(K8S.hpa).map((h) => (h.inputs as any).spec);
            assert.deepEqual(hpas.map((s) => [s.scaleTargetRef.name, s.minReplicas, s.maxReplicas, s.metrics.length]).sort(), [
                ["api", 3, 12, 2],
                ["worker", 2, 10, 2],
            ]);
            assert.equal(plan.ofType(K8S.pdb).length, 2);
            const deny = plan.one(POLICY, "production-default-deny");
            assert.deepEqual((deny.inputs as any).spec, { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
            const ingress = plan.one(POLICY, "api-allow-load-balancer");
            assert.deepEqual(
                (ingress.inputs as any).spec.ingress[0].from.map((f: any) => f.ipBlock.cidr),
                ["10.20.0.0/21", "10.20.8.0/21", "10.20.16.0/21"],
            );
            assert.equal(plan.ofType(POLICY).filter((p) => p.name === "worker-allow-load-balancer").length, 0, "the worker takes no traffic");
        });

        it("declares each service a platform service on its objects and pods, but not in its immutable selector", () => {
            const profile = "platform.checklist/profile";
            for (const deployment of plan.ofType(DEPLOYMENT)) {
                const { metadata, spec } = deployment.inputs as any;
                assert.equal(metadata.labels[profile], "node-api", deployment.name);
                assert.equal(spec.template.metadata.labels[profile], "node-api", deployment.name);
                assert.equal(spec.selector.matchLabels[profile], undefined, deployment.name);
            }
            assert.equal((plan.one(K8S.configMap, "api-env").inputs as any).metadata.labels[profile], "node-api");
        });

        it("passes secret settings through the service's Secret only, as Pulumi secrets", () => {
            const configMap = plan.one(K8S.configMap, "api-env");
            const data = (configMap.inputs as any).data;
            assert.equal(data.NODE_ENV, "production");
            assert.equal(data.TEMPLATE_CACHE_TTL, "3600");
            assert.equal(data.CORS_ORIGINS, "https://api.acme-example.com");
            assert.deepEqual(
                Object.keys(data).filter((k) => /SECRET|KEY|URL|TOKEN|PASSWORD|DSN/.test(k)),
                [],
            );
            const secret = plan.one(K8S.secret, "api-secrets");
            assert.ok(isSecretValue(secret.inputs.stringData));
            assert.deepEqual(Object.keys(plan.input(secret, "stringData")).sort(), [
                "DATABASE_URL",
                "ENCRYPTION_KEY",
                "JWT_SECRET",
                "OPENAI_API_KEY",
                "REDIS_URL",
                "SENTRY_DSN",
            ]);
            for (const deployment of plan.ofType(DEPLOYMENT)) {
                const [container] = podSpec(deployment).containers;
                const secretName = `${deployment.name.replace(/-deployment$/, "")}-secrets`;
                assert.ok(container.env.length > 0);
                for (const env of container.env) {
                    assert.equal(env.value, undefined, `${env.name} is no literal`);
                    assert.deepEqual(env.valueFrom, { secretKeyRef: { name: secretName, key: env.name } });
                }
                assert.deepEqual(
                    container.envFrom.map((e: any) => Object.keys(e)[0]),
                    ["configMapRef"],
                );
            }
        });

        it("gives each service only the secrets it lists, and the migration only the migrator's URL", () => {
            const keys = (name: string) => Object.keys(plan.input(plan.one(K8S.secret, name), "stringData")).sort();
            assert.deepEqual(keys("worker-secrets"), ["DATABASE_URL", "ENCRYPTION_KEY", "JWT_SECRET", "REDIS_URL", "SENTRY_DSN"]);
            assert.deepEqual(keys("-release-migrator"), ["DATABASE_URL"]);
        });

        it("registers the public service's pods in the load balancer's target group", () => {
            const binding = plan.one(K8S.targetGroupBinding);
            assert.deepEqual(binding.propertyDependencies.spec.includes(plan.one(AWS.targetGroups[0]).urn), true);
            assert.deepEqual((binding.inputs as any).spec.serviceRef, { name: "api", port: 3000 });
            assert.equal((binding.inputs as any).spec.targetType, "ip");
        });

        it("snapshots the database for the release, then migrates as migrator, then rolls out", () => {
            const snapshot = plan.one(AWS.rdsSnapshot);
            assert.equal(plan.input(snapshot, "dbSnapshotIdentifier"), "platform-production-db-pre-1-4-2");
            assert.equal(snapshot.retainOnDelete, true);
            const job = plan.one(JOB);
            assert.ok(job.dependencies.includes(snapshot.urn), "the Job waits for the snapshot");
            assert.equal((job.inputs as any).metadata.name, "platform-production-release-migrate-1-4-2");
            assert.deepEqual(podSpec(job).containers[0].command, ["node", "dist/migrate.js"]);
            const migrator = plan.one(K8S.secret, "-release-migrator");
            assert.match(plan.input(migrator, "stringData").DATABASE_URL, /^postgresql:\/\/migrator:/);
            for (const deployment of plan.ofType(DEPLOYMENT)) {
                assert.ok(deployment.dependencies.includes(job.urn), `${deployment.name} rolls out after the migration`);
            }
        });

        it("talks to the cluster through the platform's explicit Kubernetes provider", () => {
            const provider = plan.one(PULUMI.kubernetesProvider);
            assert.equal(plan.input(provider, "namespace"), "platform");
            const kubernetesResources = plan.resources.filter((r) => r.type.startsWith("kubernetes:"));
            assert.ok(kubernetesResources.length > 20);
            assert.ok(kubernetesResources.every((r) => r.provider?.startsWith(provider.urn)));
        });
    });

    it("staging runs one replica of each service, up to three", async () => {
        const plan = await planStack("staging");
        const specs = plan.ofType(K8S.hpa).map((h) => (h.inputs as any).spec);
        assert.deepEqual(
            specs.map((s) => [s.minReplicas, s.maxReplicas]),
            [
                [1, 3],
                [1, 3],
            ],
        );
    });

    describe("component defaults and overrides", () => {
        it("defaults to 2 to 10 replicas, 250m/512Mi, and no ingress or target group without a load balancer", async () => {
            const plan = await planComponents(() => new Service("api", componentArgs));
            const spec = (plan.one(DEPLOYMENT).inputs as any).spec;
            assert.equal(spec.replicas, 2);
            assert.deepEqual(spec.template.spec.containers[0].resources, { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } });
            assert.equal((plan.one(K8S.hpa).inputs as any).spec.maxReplicas, 10);
            assert.deepEqual(plan.ofType(K8S.targetGroupBinding), []);
            assert.deepEqual(
                plan.ofType(POLICY).map((p) => p.name),
                ["api-allow-egress"],
            );
            assert.equal((plan.one(K8S.configMap).inputs as any).data.NODE_ENV, "production");
        });

        it("takes sizes, a target group and the load balancer's ranges when asked", async () => {
            const plan = await planComponents(
                () =>
                    new Service("api", {
                        ...componentArgs,
                        replicas: 4,
                        maxReplicas: 20,
                        cpu: "1",
                        memory: "2Gi",
                        targetGroupArn: "arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/api/1",
                        loadBalancerCidrs: ["10.0.0.0/24"],
                    }),
            );
            const spec = (plan.one(DEPLOYMENT).inputs as any).spec;
            assert.equal(spec.replicas, 4);
            assert.deepEqual(spec.template.spec.containers[0].resources.requests, { cpu: "1", memory: "2Gi" });
            assert.equal((plan.one(K8S.targetGroupBinding).inputs as any).spec.serviceRef.port, 8080);
            assert.deepEqual((plan.one(POLICY, "-allow-load-balancer").inputs as any).spec.ingress[0].ports, [{ protocol: "TCP", port: 8080 }]);
        });

        it("names snapshots and Jobs with a safe form of the release", () => {
            assert.equal(releaseSlug("1.4.2"), "1-4-2");
            assert.equal(releaseSlug("2.0.0-RC.1+build"), "2-0-0-rc-1-build");
        });
    });
});
