import * as assert from "assert/strict";
import { ClusterMonitoring, ClusterMonitoringArgs } from "../../components/cluster-monitoring";
import { AWS, AWS_DATA, AWS_PLATFORM, K8S } from "../../policies/lib/types";
import { isSecretValue, Plan, planComponents, planStack } from "../helpers";

const RELEASE = K8S.helmRelease;
const RULE = K8S.prometheusRule;
const MONITOR = K8S.serviceMonitor;
const ROLE_POLICY = AWS.iamRolePolicy;
const ASSOCIATION = AWS_PLATFORM.podIdentityAssociation;

const componentArgs: ClusterMonitoringArgs = {
    namespace: "observability",
    agentsNamespace: "observability-agents",
    vpcCidr: "10.1.0.0/16",
    serviceNamespace: "apps",
    services: [{ name: "web", labels: { app: "web" }, port: "http" }],
    grafanaAdminPassword: "grafana-test-password",
    logGroupName: "/apps/logs",
    logGroupArn: "arn:aws:logs:eu-west-1:123456789012:log-group:/apps/logs",
    alertTopicArn: "arn:aws:sns:eu-west-1:123456789012:alerts",
    alertTopicKmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/k",
    region: "eu-west-1",
};

const STORAGE_CLASS = K8S.storageClass;
/** The storage class of the Prometheus, Alertmanager and Grafana volumes. */
const volumeClasses = (plan: Plan) => {
    const values = plan.input(plan.one(RELEASE, "-prometheus"), "values");
    return [values.prometheus.prometheusSpec.storageSpec, values.alertmanager.alertmanagerSpec.storage]
        .map((storage) => storage.volumeClaimTemplate.spec.storageClassName)
        .concat(values.grafana.persistence.storageClassName);
};
const alerts = (plan: Plan) => plan.input(plan.one(RULE), "spec").groups.flatMap((g: any) => g.rules);
const alert = (plan: Plan, name: string) => alerts(plan).find((r: any) => r.alert === name);

describe("ClusterMonitoring", () => {
    describe("production stack", () => {
        let plan: Plan;
        let prometheus: any;
        before(async () => {
            plan = await planStack("production");
            prometheus = plan.one(RELEASE, "-prometheus");
        });

        it("installs kube-prometheus-stack at an exact chart version, with the stack's retention, volumes and replicas", () => {
            assert.deepEqual(
                ["name", "chart", "version", "namespace", "atomic"].map((k) => plan.input(prometheus, k)),
                ["kube-prometheus-stack", "kube-prometheus-stack", "82.6.0", "monitoring", true],
            );
            assert.equal(plan.input(prometheus, "repositoryOpts").repo, "https://prometheus-community.github.io/helm-charts");
            const spec = plan.input(prometheus, "values").prometheus.prometheusSpec;
            assert.deepEqual([spec.retention, spec.retentionSize, spec.replicas], ["30d", "180GB", 2]);
            assert.equal(spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage, "200Gi");
        });

        it("keeps Prometheus, Alertmanager and Grafana on encrypted gp3 volumes that outlive their claims", () => {
            const storageClass = plan.one(STORAGE_CLASS);
            assert.deepEqual(
                ["metadata", "provisioner", "parameters", "reclaimPolicy", "volumeBindingMode", "allowVolumeExpansion"].map((k) => plan.input(storageClass, k)),
                [
                    { name: "monitoring-encrypted-gp3" },
                    "ebs.csi.aws.com",
                    { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" },
                    "Retain",
                    "WaitForFirstConsumer",
                    true,
                ],
            );
            assert.deepEqual(volumeClasses(plan), ["monitoring-encrypted-gp3", "monitoring-encrypted-gp3", "monitoring-encrypted-gp3"]);
            assert.ok(prometheus.propertyDependencies.values.includes(storageClass.urn), "the release is installed before its class exists");
        });

        it("gives Grafana its admin password through a Secret, so the password is in no Helm value", () => {
            const grafana = plan.input(prometheus, "values").grafana;
            const secret = plan.one(K8S.secret, "-grafana-admin");
            assert.equal(grafana.admin.existingSecret, plan.input(secret, "metadata").name);
            assert.equal(plan.input(secret, "metadata").namespace, "monitoring");
            // The Kubernetes SDK marks the whole stringData secret when any value in it is.
            assert.ok(isSecretValue(secret.inputs.stringData), "the password is not secret");
            const password = plan.input(plan.one(AWS_DATA.secretVersion, "-grafana-admin-password"), "secretString");
            assert.equal(plan.input(secret, "stringData")["admin-password"], password);
            assert.ok(!JSON.stringify(prometheus.inputs.values).includes(password));
            assert.deepEqual(grafana.persistence, { enabled: true, size: "10Gi", storageClassName: "monitoring-encrypted-gp3" });
            assert.equal(grafana.deploymentStrategy.type, "Recreate");
        });

        it("defines the SLO alerts, labelled for the stack's Prometheus, with the checklists' thresholds", () => {
            const rule = plan.one(RULE);
            const selector = plan.input(prometheus, "values").prometheus.prometheusSpec.ruleSelector.matchLabels;
            for (const [label, value] of Object.entries(selector)) {
                assert.equal(plan.input(rule, "metadata").labels[label], value, `the rule lacks ${label}=${String(value)}`);
            }
            assert.deepEqual(
                alerts(plan).map((r: any) => r.alert),
                ["ServiceHighErrorRate", "ServiceHighLatencyP95", "ServicePodRestarting", "ServiceHpaAtMaxReplicas", "ServiceCpuHigh", "ServiceMemoryHigh"],
            );
            assert.match(
                alert(plan, "ServiceHighErrorRate").expr,
                /^100 \* sum by \(namespace, service\) \(rate\(http_requests_total\{namespace="platform", code=~"5\.\."\}\[5m\]\)\) .* > 1$/,
            );
            assert.match(
                alert(plan, "ServiceHighLatencyP95").expr,
                /^histogram_quantile\(0\.95, .*http_request_duration_seconds_bucket\{namespace="platform"\}.* > 2$/,
            );
            assert.match(
                alert(plan, "ServiceHpaAtMaxReplicas").expr,
                /current_replicas\{namespace="platform"\} >= kube_horizontalpodautoscaler_spec_max_replicas/,
            );
            assert.match(alert(plan, "ServiceCpuHigh").expr, / > 70$/);
            assert.match(alert(plan, "ServiceMemoryHigh").expr, / > 80$/);
            for (const r of alerts(plan)) {
                assert.ok(["critical", "warning"].includes(r.labels.severity), r.alert);
                assert.ok(r.annotations.summary && r.annotations.description, r.alert);
            }
            assert.deepEqual(rule.dependencies, [prometheus.urn]);
        });

        it("scrapes every service through a ServiceMonitor, which the services' network policies let in", () => {
            const selector = plan.input(prometheus, "values").prometheus.prometheusSpec.serviceMonitorSelector.matchLabels;
            const monitors = plan.ofType(MONITOR);
            assert.deepEqual(monitors.map((m) => plan.input(m, "metadata").name).sort(), ["api", "worker"]);
            for (const monitor of monitors) {
                const name = plan.input(monitor, "metadata").name;
                const service = plan.one(K8S.service, `${name}-service`);
                const spec = plan.input(monitor, "spec");
                assert.deepEqual(plan.input(monitor, "metadata").labels, selector);
                assert.deepEqual(spec.selector.matchLabels, plan.input(service, "metadata").labels);
                assert.deepEqual(spec.namespaceSelector.matchNames, ["platform"]);
                assert.equal(spec.endpoints[0].port, plan.input(service, "spec").ports[0].name);
                assert.equal(spec.endpoints[0].path, "/metrics");

                const allow = plan.input(plan.one(K8S.networkPolicy, `${name}-allow-prometheus`), "spec");
                assert.deepEqual(allow.ingress[0].from[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "monitoring" });
                assert.deepEqual(allow.ingress[0].ports, [{ protocol: "TCP", port: 3000 }]);
            }
        });

        it("ships a Grafana dashboard as a ConfigMap the sidecar loads", () => {
            const sidecar = plan.input(prometheus, "values").grafana.sidecar.dashboards;
            const dashboard = plan.one(K8S.configMap, "-dashboard");
            assert.equal(plan.input(dashboard, "metadata").labels[sidecar.label], sidecar.labelValue);
            const json = JSON.parse(plan.input(dashboard, "data")["platform-services.json"]);
            assert.deepEqual(
                json.panels.map((p: any) => p.title),
                ["Requests per second", "5xx rate (%)", "p95 latency", "Container restarts (15 min)", "Replicas / maximum"],
            );
        });

        it("ships the services' container logs to the application log group with Fluent Bit, which may only write there", () => {
            const fluentBit = plan.one(RELEASE, "-fluent-bit");
            assert.deepEqual(
                ["chart", "version", "namespace"].map((k) => plan.input(fluentBit, k)),
                ["fluent-bit", "0.56.0", "monitoring-agents"],
            );
            const config = plan.input(fluentBit, "values").config;
            assert.match(config.inputs, /Path \/var\/log\/containers\/\*_platform_\*\.log/);
            assert.match(config.inputs, /DB \/var\/log\/flb_kube\.db/);
            assert.match(config.outputs, /Name cloudwatch_logs/);
            assert.match(config.outputs, /log_group_name \/platform\/platform-production-monitoring\/application\n/);
            assert.match(config.outputs, /auto_create_group Off/);

            const logGroup = plan.one(AWS.logGroup, "-monitoring-application");
            const rolePolicy = plan.one(ROLE_POLICY, "-cluster-monitoring-fluent-bit");
            const policy = JSON.parse(plan.input(rolePolicy, "policy"));
            assert.deepEqual(
                policy.Statement.map((s: any) => s.Action),
                [["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]],
            );
            assert.deepEqual(rolePolicy.propertyDependencies.policy, [logGroup.urn]);
            const [groupArn, streamsArn] = policy.Statement[0].Resource;
            assert.match(groupArn, /^arn:aws:logs:eu-west-1:123456789012:log-group:\/platform\/platform-production-monitoring\/application$/);
            assert.equal(streamsArn, `${groupArn}:*`);
        });

        it("lets Alertmanager and Fluent Bit act in AWS through EKS Pod Identity, each with its own role", () => {
            const values = {
                alertmanager: plan.input(prometheus, "values").alertmanager.serviceAccount.name,
                "fluent-bit": plan.input(plan.one(RELEASE, "-fluent-bit"), "values").serviceAccount.name,
            };
            const namespaces: Record<string, string> = { alertmanager: "monitoring", "fluent-bit": "monitoring-agents" };
            for (const [workload, serviceAccount] of Object.entries(values)) {
                const association = plan.one(ASSOCIATION, `-${workload}`);
                assert.deepEqual(
                    ["clusterName", "namespace", "serviceAccount"].map((k) => plan.input(association, k)),
                    ["platform-production", namespaces[workload], serviceAccount],
                );
                const role = plan.one(AWS.iamRole, `-cluster-monitoring-${workload}`);
                assert.deepEqual(JSON.parse(plan.input(role, "assumeRolePolicy")).Statement[0].Principal, { Service: "pods.eks.amazonaws.com" });
            }
            const rolePolicy = plan.one(ROLE_POLICY, "-cluster-monitoring-alertmanager");
            const [publish, encrypt] = JSON.parse(plan.input(rolePolicy, "policy")).Statement;
            assert.deepEqual([publish.Action, encrypt.Action], ["sns:Publish", ["kms:GenerateDataKey*", "kms:Decrypt"]]);
            assert.match(publish.Resource, /^arn:aws:sns:eu-west-1:123456789012:/);
            assert.match(encrypt.Resource, /^arn:aws:kms:eu-west-1:123456789012:key\//);
            assert.deepEqual(
                [...rolePolicy.propertyDependencies.policy].sort(),
                [plan.one(AWS_DATA.snsTopic, "-monitoring-alerts").urn, plan.one(AWS.kmsKey, "-secrets-key").urn].sort(),
            );
            const receiver = plan.input(prometheus, "values").alertmanager.config.receivers.find((r: any) => r.sns_configs);
            assert.equal(receiver.sns_configs[0].topic_arn, publish.Resource);
            assert.ok(receiver.sns_configs[0].subject.length < 100, "SNS refuses longer subjects");
            assert.equal(plan.input(prometheus, "values").alertmanager.config.route.receiver, receiver.name);
        });
    });

    describe("namespaces and their fences", () => {
        let plan: Plan;
        const POLICY = K8S.networkPolicy;
        const labels = (name: string) => plan.input(plan.one(K8S.namespace, name), "metadata").labels;
        const policiesIn = (namespace: string) => plan.ofType(POLICY).filter((p) => plan.input(p, "metadata").namespace === namespace);
        const spec = (namespace: string, name: string) =>
            plan.input(
                policiesIn(namespace).find((p) => plan.input(p, "metadata").name === name)!,
                "spec",
            );
        before(async () => {
            plan = await planComponents(() => new ClusterMonitoring("m", componentArgs));
        });

        it("runs Prometheus, Alertmanager and Grafana under baseline, and only the node agents privileged", () => {
            assert.deepEqual(labels("m-namespace"), {
                "pod-security.kubernetes.io/enforce": "baseline",
                "pod-security.kubernetes.io/warn": "restricted",
                "pod-security.kubernetes.io/audit": "restricted",
            });
            assert.equal(labels("m-agents-namespace")["pod-security.kubernetes.io/enforce"], "privileged");
            const values = plan.input(plan.one(RELEASE, "-prometheus"), "values");
            assert.equal(values["prometheus-node-exporter"].namespaceOverride, "observability-agents");
            assert.equal(plan.input(plan.one(RELEASE, "-fluent-bit"), "namespace"), "observability-agents");
            assert.equal(plan.input(plan.one(RELEASE, "-prometheus"), "namespace"), "observability");
        });

        it("denies everything by default in both namespaces, then allows DNS and the cluster's API", () => {
            for (const namespace of ["observability", "observability-agents"]) {
                assert.deepEqual(spec(namespace, "default-deny"), { podSelector: {}, policyTypes: ["Ingress", "Egress"] });
                const [dns, api] = spec(namespace, "allow-dns-and-api").egress;
                assert.deepEqual(
                    dns.ports.map((p: any) => p.port),
                    [53, 53],
                );
                assert.deepEqual([api.to[0].ipBlock.cidr, api.ports.map((p: any) => p.port)], ["10.1.0.0/16", [443, 6443]]);
            }
        });

        it("lets only Alertmanager out to SNS over 443, Prometheus scrape, and the cluster reach Grafana", () => {
            const toSns = spec("observability", "alertmanager-to-sns");
            assert.deepEqual(toSns.podSelector.matchLabels, { "app.kubernetes.io/name": "alertmanager" });
            assert.deepEqual(toSns.egress, [{ to: [{ ipBlock: { cidr: "0.0.0.0/0" } }], ports: [{ protocol: "TCP", port: 443 }] }]);
            const scrapes = spec("observability", "prometheus-scrapes");
            assert.deepEqual(scrapes.podSelector.matchLabels, { "app.kubernetes.io/name": "prometheus" });
            assert.deepEqual(
                scrapes.egress[0].to.map((t: any) => t.namespaceSelector.matchLabels["kubernetes.io/metadata.name"]),
                ["apps", "observability-agents"],
            );
            const grafana = spec("observability", "grafana-from-cluster");
            assert.deepEqual(grafana.ingress[0].ports, [{ protocol: "TCP", port: 3000 }]);
            const agentsIn = spec("observability-agents", "from-prometheus").ingress[0];
            assert.deepEqual(agentsIn.from[0].namespaceSelector.matchLabels, { "kubernetes.io/metadata.name": "observability" });
            // Nothing in either namespace opens egress to anywhere on any port.
            for (const policy of [...policiesIn("observability"), ...policiesIn("observability-agents")]) {
                for (const rule of plan.input(policy, "spec").egress ?? []) {
                    const anywhere = (rule.to ?? []).some((t: any) => t.ipBlock?.cidr === "0.0.0.0/0");
                    if (anywhere) {
                        assert.deepEqual(rule.ports, [{ protocol: "TCP", port: 443 }], policy.name);
                    }
                }
            }
        });

        it("installs the Helm releases only after their namespace is fenced", () => {
            const deny = policiesIn("observability-agents").find((p) => plan.input(p, "metadata").name === "default-deny")!;
            assert.ok(plan.one(RELEASE, "-fluent-bit").dependencies.includes(deny.urn));
        });
    });

    describe("component defaults and overrides", () => {
        it("defaults to 15 days on 50 GiB, one replica, the checklists' thresholds and no AWS role without a cluster", async () => {
            const plan = await planComponents(() => new ClusterMonitoring("m", componentArgs));
            const spec = plan.input(plan.one(RELEASE, "-prometheus"), "values").prometheus.prometheusSpec;
            assert.deepEqual([spec.retention, spec.replicas, spec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage], ["15d", 1, "50Gi"]);
            assert.deepEqual(
                [plan.input(plan.one(RELEASE, "-prometheus"), "version"), plan.input(plan.one(RELEASE, "-fluent-bit"), "version")],
                ["82.6.0", "0.56.0"],
            );
            assert.match(alert(plan, "ServiceHighErrorRate").expr, /\{namespace="apps", code=~"5\.\."\}.* > 1$/);
            assert.match(alert(plan, "ServiceHighLatencyP95").expr, / > 2$/);
            assert.deepEqual(plan.ofType(ASSOCIATION), []);
            assert.deepEqual(plan.input(plan.one(K8S.namespace, "m-namespace"), "metadata").name, "observability");
            assert.deepEqual(plan.input(plan.one(K8S.namespace, "m-agents-namespace"), "metadata").name, "observability-agents");
        });

        it("makes an encrypted gp3 class for its volumes, retained by default, with the class name, key and reclaim policy given", async () => {
            const defaults = await planComponents(() => new ClusterMonitoring("m", componentArgs));
            const standard = defaults.one(STORAGE_CLASS);
            assert.deepEqual([defaults.input(standard, "metadata").name, defaults.input(standard, "reclaimPolicy")], ["observability-encrypted-gp3", "Retain"]);
            assert.deepEqual(defaults.input(standard, "parameters"), { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4" });
            assert.deepEqual(volumeClasses(defaults), Array(3).fill("observability-encrypted-gp3"));

            const key = "arn:aws:kms:eu-west-1:123456789012:key/volumes";
            const custom = await planComponents(
                () => new ClusterMonitoring("m", { ...componentArgs, storage: { className: "monitoring-cmk-gp3", kmsKeyArn: key, reclaimPolicy: "Delete" } }),
            );
            const own = custom.one(STORAGE_CLASS);
            assert.deepEqual([custom.input(own, "metadata").name, custom.input(own, "reclaimPolicy")], ["monitoring-cmk-gp3", "Delete"]);
            assert.deepEqual(custom.input(own, "parameters"), { type: "gp3", encrypted: "true", "csi.storage.k8s.io/fstype": "ext4", kmsKeyId: key });
            assert.deepEqual(volumeClasses(custom), Array(3).fill("monitoring-cmk-gp3"));
        });

        it("annotates each alert with its runbook section when given the runbook, and with none by default", async () => {
            const plain = await planComponents(() => new ClusterMonitoring("m", componentArgs));
            assert.ok(alerts(plain).every((rule: any) => rule.annotations.runbook_url === undefined));
            const plan = await planComponents(() => new ClusterMonitoring("m", { ...componentArgs, runbookBaseUrl: "https://runbooks.example.com/platform" }));
            assert.equal(alert(plan, "ServiceHighErrorRate").annotations.runbook_url, "https://runbooks.example.com/platform#service-high-error-rate");
            assert.equal(alert(plan, "ServiceHpaAtMaxReplicas").annotations.runbook_url, "https://runbooks.example.com/platform#service-hpa-at-max-replicas");
        });

        it("takes retention, volumes, replicas, thresholds and a cluster when given", async () => {
            const plan = await planComponents(
                () =>
                    new ClusterMonitoring("m", {
                        ...componentArgs,
                        prometheus: { chartVersion: "82.7.0", retentionDays: 60, storageGi: 500, replicas: 3 },
                        fluentBitChartVersion: "0.56.1",
                        thresholds: { errorRatePercent: 0.5, latencyP95Seconds: 1 },
                        clusterName: "c1",
                    }),
            );
            const spec = plan.input(plan.one(RELEASE, "-prometheus"), "values").prometheus.prometheusSpec;
            assert.deepEqual([spec.retention, spec.replicas, spec.retentionSize], ["60d", 3, "450GB"]);
            assert.deepEqual(
                [plan.input(plan.one(RELEASE, "-prometheus"), "version"), plan.input(plan.one(RELEASE, "-fluent-bit"), "version")],
                ["82.7.0", "0.56.1"],
            );
            assert.match(alert(plan, "ServiceHighErrorRate").expr, / > 0\.5$/);
            assert.match(alert(plan, "ServiceHighLatencyP95").expr, / > 1$/);
            assert.deepEqual(
                plan.ofType(ASSOCIATION).map((a) => plan.input(a, "clusterName")),
                ["c1", "c1"],
            );
        });
    });
});
