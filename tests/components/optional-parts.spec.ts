import * as assert from "assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service as KubeService } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Job } from "kubernetes-models/batch/v1/Job";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { StorageClass } from "kubernetes-models/storage.k8s.io/v1/StorageClass";
import { PrometheusRule } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule";
import { ServiceMonitor } from "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor";
import { ScaledObject } from "@kubernetes-models/keda/keda.sh/v1alpha1/ScaledObject";
import { TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1/TriggerAuthentication";
import { ConfigError, parsePlatformConfig } from "../../components/config";
import { StaticSite } from "../../components/frontend";
import { Registry } from "../../components/registry";
import { Service } from "../../components/service";
import { PROJECT_DIR, planStack as planOffline } from "../../preflight/plan";
import { PolicyPackProcess } from "../../preflight/pack-process";
import { RecordedResource } from "../../preflight/program";
import { runPreflight } from "../../preflight/run";
import { readStackConfig } from "../../preflight/stack-config";
import { AWS, AWS_DATA, AWS_PLATFORM, K8S, PULUMI } from "../../policies/lib/types";
import { Plan, planComponents, planStack } from "../helpers";

const FIXTURE = path.join(__dirname, "fixtures", "Pulumi.llm.yaml");
const PACK_DIR = path.join(PROJECT_DIR, "policies");
const DEPLOYMENT = K8S.deployment;

const projects: string[] = [];

/** A project directory holding the fixture as stack "llm", whose program is the real one (index.ts). */
function llmProject(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "llm-stack-"));
    projects.push(dir);
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.copyFileSync(FIXTURE, path.join(dir, "Pulumi.llm.yaml"));
    // The real program registers its resources when loaded: load it afresh, as planStack does its entry point.
    fs.writeFileSync(
        path.join(dir, "index.ts"),
        `const program = require.resolve(${JSON.stringify(path.join(PROJECT_DIR, "index"))});\n` +
            "delete require.cache[program];\nmodule.exports = require(program);\n",
    );
    return dir;
}

async function planLlm(): Promise<Plan> {
    const run = await planOffline("llm", { projectDir: llmProject() });
    return new Plan(run.resources, run.outputs);
}

/** The Kubernetes API's schema for each kind the program registers (kubernetes-models, generated from the API's OpenAPI documents). */
const SCHEMAS: Record<string, new (data: any) => { validate(): void }> = {
    [K8S.namespace]: Namespace,
    [K8S.configMap]: ConfigMap,
    [K8S.secret]: Secret,
    [K8S.service]: KubeService,
    [AWS_PLATFORM.serviceAccount]: ServiceAccount,
    [DEPLOYMENT]: Deployment,
    [K8S.job]: Job,
    [K8S.hpa]: HorizontalPodAutoscaler,
    [K8S.pdb]: PodDisruptionBudget,
    [K8S.networkPolicy]: NetworkPolicy,
    [K8S.storageClass]: StorageClass,
    [K8S.prometheusRule]: PrometheusRule,
    [K8S.serviceMonitor]: ServiceMonitor,
    [K8S.kedaScaledObject]: ScaledObject,
    [AWS_PLATFORM.kedaTriggerAuthentication]: TriggerAuthentication,
};

/** A manifest as the provider sends it: the inputs with apiVersion and kind, secrets as their values. */
function manifest(plan: Plan, resource: RecordedResource): Record<string, unknown> {
    const [, group, kind] = resource.type.split(":");
    const inputs = Object.fromEntries(Object.keys(resource.inputs).map((key) => [key, plan.input(resource, key)]));
    const reveal = (value: unknown): unknown =>
        JSON.parse(JSON.stringify(value, (_k, v) => (v && typeof v === "object" && "4dabf18193072939515e22adb298388d" in v ? v.value : v)));
    return { ...(reveal(inputs) as object), apiVersion: group.startsWith("core/") ? group.slice(5) : group, kind };
}

function validateManifests(plan: Plan): string[] {
    const kinds = new Set<string>();
    for (const resource of plan.resources.filter((r) => SCHEMAS[r.type])) {
        kinds.add(resource.type.split(":")[2]);
        const model = new SCHEMAS[resource.type](manifest(plan, resource));
        assert.doesNotThrow(() => model.validate(), `${resource.name} (${resource.type})`);
    }
    return [...kinds].sort();
}

describe("optional parts: frontend, registry, tracing, workers", () => {
    after(() => projects.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

    describe("the LLM product's stack (tests/components/fixtures/Pulumi.llm.yaml)", () => {
        let llm: Plan;
        before(async () => {
            llm = await planLlm();
        });

        it("passes the preflight's plan gate with every optional part on: no mandatory violation", async () => {
            const dir = llmProject();
            const config = JSON.parse(fs.readFileSync(path.join(PACK_DIR, "config", "production.json"), "utf8"));
            // A product whose checklist asks to see its traces: the pipeline is required.
            config["tracing-pipeline"] = { required: true };
            fs.writeFileSync(path.join(dir, "policy.json"), JSON.stringify(config));
            const pack = PolicyPackProcess.spawn(PACK_DIR);
            try {
                const outcome = await runPreflight(
                    { stacks: ["llm"], policyConfig: path.join(dir, "policy.json"), format: "json", gate: "plan", evidenceDirs: [], help: false } as any,
                    { packDir: PACK_DIR, projectDir: dir },
                    pack,
                );
                const [stack] = JSON.parse(outcome.report).stacks;
                assert.deepEqual(
                    stack.violations.filter((v: any) => v.enforcementLevel === "mandatory"),
                    [],
                );
                assert.equal(outcome.exitCode, 0);
                const status = (id: string) => stack.checklist.find((c: any) => c.id === id).status;
                assert.deepEqual(["EDGE-09", "BUILD-03", "OBS-08"].map(status), ["pass", "pass", "pass"]);
            } finally {
                pack.kill();
            }
        });

        it("runs llm-worker with 3 replicas and no Service, target group or load balancer ingress", () => {
            const worker = llm.one(DEPLOYMENT, "llm-worker-deployment");
            const spec = (worker.inputs as any).spec;
            assert.equal(spec.replicas, 3);
            assert.deepEqual(spec.template.spec.containers[0].livenessProbe.exec, { command: ["node", "dist/worker-health.js"] });
            assert.deepEqual(spec.template.spec.containers[0].readinessProbe.tcpSocket, undefined);
            const names = llm.resources.map((r) => r.name);
            for (const missing of ["llm-worker-service", "llm-worker-target-group-binding", "llm-worker-allow-load-balancer"]) {
                assert.ok(!names.includes(missing), missing);
            }
            assert.ok(names.includes("llm-worker-pdb") && names.includes("llm-worker-hpa"));
            const exportProbe = (llm.one(DEPLOYMENT, "export-worker-deployment").inputs as any).spec.template.spec.containers[0].livenessProbe;
            assert.deepEqual(exportProbe.tcpSocket, { port: 8081 });
        });

        it("gives every service the OTLP settings and lets it reach the collector only", () => {
            for (const service of ["api", "llm-worker", "export-worker"]) {
                const data = llm.input(llm.one(K8S.configMap, `${service}-env`), "data");
                assert.equal(data.OTEL_EXPORTER_OTLP_ENDPOINT, "http://opentelemetry-collector.tracing.svc.cluster.local:4318");
                assert.equal(data.OTEL_SERVICE_NAME, service);
                assert.equal(data.OTEL_RESOURCE_ATTRIBUTES, "deployment.environment=production,service.version=2.0.0,service.namespace=valuecanvas");
                const egress = llm.input(llm.one(K8S.networkPolicy, `${service}-allow-egress`), "spec").egress;
                assert.deepEqual(egress[3].to[0].podSelector.matchLabels["app.kubernetes.io/name"], "opentelemetry-collector");
            }
            const admits = llm.input(llm.one(K8S.networkPolicy, "-tracing-services-to-collector"), "spec").ingress;
            assert.deepEqual(admits[0].from[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "valuecanvas" });
            const tempo = llm.one(K8S.helmRelease, "-tracing-tempo");
            const values = llm.input(tempo, "values");
            assert.equal(values.tempo.retention, "336h");
            assert.equal(values.persistence.enabled, true);
            assert.deepEqual(tempo.propertyDependencies.values, [llm.one(K8S.storageClass).urn]);
            const grafana = llm.input(llm.one(K8S.helmRelease, "-cluster-monitoring-prometheus"), "values").grafana;
            assert.deepEqual(
                grafana.additionalDataSources.map((d: any) => [d.type, d.url]),
                [["tempo", "http://tempo.tracing.svc.cluster.local:3100"]],
            );
        });

        it("resolves bare images from the service's own ECR repository and adds the frontend to the API's CORS list", () => {
            const repositories = llm
                .ofType(AWS.ecrRepository)
                .map((r) => r.inputs.name)
                .sort();
            assert.deepEqual(repositories, ["valuecanvas/api", "valuecanvas/export-worker", "valuecanvas/llm-worker"]);
            // The mocks give no repository URL: the image is the repository's output with the tag, so the Deployment depends on it.
            const api = llm.one(DEPLOYMENT, "api-deployment");
            const repository = llm.one(AWS.ecrRepository, "-registry-api");
            assert.ok(api.propertyDependencies.spec.includes(repository.urn));
            assert.match((api.inputs as any).spec.template.spec.containers[0].image, /:2\.0\.0$/);
            const cors = llm.input(llm.one(K8S.configMap, "api-env"), "data").CORS_ORIGINS;
            assert.equal(cors, "https://api.acme-example.com,https://app.acme-example.com");
        });

        it("registers Kubernetes objects that the Kubernetes API schema accepts, CRDs of Prometheus and KEDA included", async () => {
            const kinds = validateManifests(llm);
            assert.deepEqual(kinds, [
                "ConfigMap",
                "Deployment",
                "HorizontalPodAutoscaler",
                "Job",
                "Namespace",
                "NetworkPolicy",
                "PodDisruptionBudget",
                "PrometheusRule",
                "Secret",
                "Service",
                "ServiceAccount",
                "ServiceMonitor",
                "StorageClass",
            ]);
            // The fixture leaves KEDA out (see its comment); with it, the llm-worker scales on its queue.
            const run = await planOffline("llm", {
                projectDir: llmProject(),
                overrides: {
                    "platform:kubernetes": JSON.stringify({ namespace: "valuecanvas", clusterName: "valuecanvas-production", keda: true }),
                },
            });
            const keda = new Plan(run.resources, run.outputs);
            assert.deepEqual(
                validateManifests(keda).filter((k) => /Scaled|Trigger/.test(k)),
                ["ScaledObject", "TriggerAuthentication"],
            );
            const scaler = keda.input(keda.one(K8S.kedaScaledObject), "spec");
            assert.deepEqual(
                [scaler.minReplicaCount, scaler.triggers[0].type, scaler.triggers[0].metadata.listName, scaler.triggers[0].metadata.enableTLS],
                [3, "redis", "llm-jobs", "true"],
            );
            assert.ok(!keda.resources.some((r) => r.name === "llm-worker-hpa"), "KEDA makes the worker's HPA");
        });
    });

    for (const stack of ["staging", "production"]) {
        it(`registers Kubernetes objects in ${stack} that the Kubernetes API schema accepts`, async () => {
            const kinds = validateManifests(await planStack(stack));
            assert.ok(kinds.includes("Deployment") && kinds.includes("NetworkPolicy") && kinds.includes("ServiceMonitor"), kinds.join(", "));
        });
    }

    describe("stack config", () => {
        const base = () => readStackConfig(PROJECT_DIR, "production").config;
        const services = (extra: object[]) => JSON.stringify([...JSON.parse(base()["platform:services"]), ...extra]);
        const refused = (config: Record<string, string>) => {
            try {
                parsePlatformConfig(config);
            } catch (err) {
                assert.ok(err instanceof ConfigError);
                return err.message;
            }
            return assert.fail("accepted");
        };

        it("accepts the issue's minimal forms as written, and leaves every part off without them", () => {
            const config = parsePlatformConfig({
                ...base(),
                "platform:frontend": JSON.stringify({ domainName: "app.acme-example.com" }),
                "platform:registry": JSON.stringify({ enabled: true }),
                "platform:observability": JSON.stringify({ tracing: { enabled: true } }),
                "platform:services": services([{ name: "llm-worker", kind: "worker", image: "ghcr.io/acme/llm-worker:1.4.2", replicas: 3 }]),
            });
            assert.equal(config.frontend?.priceClass, "PriceClass_100");
            assert.equal(config.registry?.keepReleases, 30);
            assert.equal(config.observability.tracing?.retentionDays, 14);
            assert.equal(config.services[2].kind, "worker");
            const plain = parsePlatformConfig(base());
            assert.deepEqual([plain.frontend, plain.registry, plain.observability.tracing], [undefined, undefined, undefined]);
        });

        it("refuses a public worker, a service's probe, and a bare image without the registry, naming key and value", () => {
            const message = refused({
                ...base(),
                "platform:services": services([
                    { name: "llm-worker", kind: "worker", image: "llm-worker:1.4.2", public: true },
                    { name: "mailer", image: "ghcr.io/acme/mailer:1.0.0", probe: { port: 3000 } },
                ]),
            });
            assert.match(message, /platform:services\[2\]\.public: got true; expected false: a worker has no Service/);
            assert.match(message, /platform:services\[2\]\.image: got "llm-worker:1\.4\.2"; expected a registry in the image/);
            assert.match(message, /platform:services\[3\]\.probe: got \{"port":3000\}; expected no probe: it is for kind: worker/);
            assert.match(
                refused({
                    ...base(),
                    "platform:registry": '{"enabled":true}',
                    "platform:services": services([{ name: "llm-worker", kind: "worker", image: "worker:1.4.2" }]),
                }),
                /services\[2\]\.image: got "worker:1\.4\.2"; expected llm-worker:<tag>/,
            );
        });
    });

    describe("components", () => {
        it("StaticSite: a private bucket behind CloudFront with OAC, TLS 1.2, HTTP/3, security headers, SPA fallback, logs and a CLOUDFRONT WAF", async () => {
            const plan = await planComponents(
                () =>
                    new StaticSite("web", {
                        domainName: "app.example.com",
                        contentSecurityPolicy: "default-src 'self'",
                        alertEmails: ["ops@example.com"],
                    }),
            );
            const cdn = plan.one(AWS.cloudfrontDistribution);
            const props = cdn.inputs as any;
            assert.equal(props.defaultCacheBehavior.viewerProtocolPolicy, "redirect-to-https");
            assert.equal(props.viewerCertificate.minimumProtocolVersion, "TLSv1.2_2021");
            assert.equal(props.httpVersion, "http2and3");
            assert.deepEqual(
                props.customErrorResponses.map((r: any) => [r.errorCode, r.responseCode, r.responsePagePath]),
                [
                    [403, 200, "/index.html"],
                    [404, 200, "/index.html"],
                ],
            );
            assert.equal(props.loggingConfig.prefix, "cloudfront/");
            assert.equal(plan.one(AWS.webAcl).inputs.scope, "CLOUDFRONT");
            const block = plan.ofType(AWS.bucketPublicAccessBlock);
            assert.equal(block.length, 2);
            assert.ok(block.every((b) => b.inputs.blockPublicPolicy === true && b.inputs.restrictPublicBuckets === true));
            const headers = (plan.one(AWS.cloudfrontResponseHeadersPolicy).inputs as any).securityHeadersConfig;
            assert.deepEqual(Object.keys(headers).sort(), [
                "contentSecurityPolicy",
                "contentTypeOptions",
                "frameOptions",
                "referrerPolicy",
                "strictTransportSecurity",
            ]);
            const policy = JSON.parse(plan.input(plan.one(AWS.bucketPolicy, "web-site"), "policy"));
            assert.deepEqual(policy.Statement[0].Principal, { Service: "cloudfront.amazonaws.com" });
            // The certificate and the web ACL go to us-east-1, whatever the stack's region.
            const provider = plan.one(PULUMI.awsProvider, "web-us-east-1");
            assert.equal(provider.inputs.region, "us-east-1");
        });

        it("Registry: immutable, scanned, KMS-encrypted repositories that keep the last releases; overrides apply", async () => {
            const plan = await planComponents(
                () =>
                    new Registry("reg", {
                        repositories: ["api"],
                        prefix: "apps",
                        kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
                        keepReleases: 5,
                        pushRoleNames: ["ci-deploy"],
                        pullRoleNames: ["eks-node"],
                    }),
            );
            const repo = plan.one(AWS.ecrRepository).inputs as any;
            assert.deepEqual(
                [repo.name, repo.imageTagMutability, repo.imageScanningConfiguration.scanOnPush, repo.encryptionConfigurations[0].encryptionType],
                ["apps/api", "IMMUTABLE", true, "KMS"],
            );
            const rules = JSON.parse(plan.one(AWS_PLATFORM.ecrLifecyclePolicy).inputs.policy as string).rules;
            assert.deepEqual(
                rules.map((r: any) => [r.selection.tagStatus, r.selection.countNumber]),
                [
                    ["untagged", 7],
                    ["any", 5],
                ],
            );
            const statements = JSON.parse(plan.input(plan.one(AWS_DATA.ecrRepositoryPolicy), "policy")).Statement;
            assert.deepEqual(
                statements.map((s: any) => s.Principal.AWS),
                [["arn:aws:iam::123456789012:role/ci-deploy"], ["arn:aws:iam::123456789012:role/eks-node"]],
            );
            assert.ok(!statements[1].Action.includes("ecr:PutImage"), "nodes only pull");
        });

        it("Service as a worker: CPU autoscaling, a disruption budget, no preStop sleep for a load balancer, no scrape ingress", async () => {
            const plan = await planComponents(
                () =>
                    new Service("jobs", {
                        namespace: "apps",
                        image: "ghcr.io/acme/jobs:1.0.0",
                        port: 3000,
                        healthPath: "/health",
                        vpcCidr: "10.0.0.0/16",
                        kind: "worker",
                        prometheusNamespace: "monitoring",
                        loadBalancerCidrs: ["10.0.0.0/24"],
                    }),
            );
            assert.deepEqual(plan.ofType(K8S.service), []);
            const hpa = plan.input(plan.one(K8S.hpa), "spec");
            assert.deepEqual(
                hpa.metrics.map((m: any) => m.resource.name),
                ["cpu"],
            );
            const container = (plan.one(DEPLOYMENT).inputs as any).spec.template.spec.containers[0];
            assert.deepEqual(container.livenessProbe.tcpSocket, { port: 3000 });
            assert.equal(container.lifecycle, undefined);
            assert.deepEqual(
                plan.ofType(K8S.networkPolicy).map((p) => p.name),
                ["jobs-allow-egress"],
            );
            assert.equal((plan.one(DEPLOYMENT).inputs as any).spec.template.metadata.labels["platform.checklist/kind"], "worker");
        });
    });
});
