import * as grpc from "@grpc/grpc-js";
import { ChildProcess, spawn } from "child_process";
import * as path from "path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled" | "remediate";
export type Severity = "unspecified" | "low" | "medium" | "high" | "critical";

const LEVELS: EnforcementLevel[] = ["advisory", "mandatory", "disabled", "remediate"];
const SEVERITIES: Severity[] = ["unspecified", "low", "medium", "high", "critical"];

export interface PolicyInfo {
    name: string;
    description: string;
    kind: "resource" | "stack";
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    remediationSteps: string;
    tags: string[];
    configSchema: { properties: Record<string, any>; required: string[] };
}

export interface PackInfo {
    name: string;
    version: string;
    policies: PolicyInfo[];
}

/** A resource as the engine sends it to an analyzer. */
export interface AnalyzerResource {
    urn: string;
    type: string;
    name: string;
    /** Properties with the engine's encoding: secrets wrapped, unknowns as the unknown sentinel. */
    properties: Record<string, unknown>;
    parent?: string;
    dependencies?: string[];
    propertyDependencies?: Record<string, string[]>;
    protect?: boolean;
    ignoreChanges?: string[];
    additionalSecretOutputs?: string[];
    deleteBeforeReplace?: boolean;
}

export interface Diagnostic {
    policyName: string;
    policyPackName: string;
    policyPackVersion: string;
    description: string;
    message: string;
    enforcementLevel: EnforcementLevel;
    severity: Severity;
    urn: string;
}

/** The per-policy config the engine sends: an enforcement level and the properties. */
export type ResolvedPolicyConfig = Record<string, { enforcementLevel: EnforcementLevel; properties: Record<string, unknown> }>;

/** The policy pack could not be started or answered with an error. */
export class AnalyzerError extends Error {}

function struct(value: Record<string, unknown>): Struct {
    // Struct cannot hold `undefined`; the engine drops such properties too.
    return Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
}

function options(resource: AnalyzerResource): analyzer.AnalyzerResourceOptions {
    const opts = new analyzer.AnalyzerResourceOptions();
    opts.setProtect(resource.protect ?? false);
    opts.setIgnorechangesList(resource.ignoreChanges ?? []);
    opts.setAdditionalsecretoutputsList(resource.additionalSecretOutputs ?? []);
    opts.setDeletebeforereplace(resource.deleteBeforeReplace ?? false);
    opts.setDeletebeforereplacedefined(resource.deleteBeforeReplace !== undefined);
    if (resource.parent) {
        opts.setParent(resource.parent);
    }
    return opts;
}

function diagnostics(response: analyzer.AnalyzeResponse): Diagnostic[] {
    return response.getDiagnosticsList().map((d) => ({
        policyName: d.getPolicyname(),
        policyPackName: d.getPolicypackname(),
        policyPackVersion: d.getPolicypackversion(),
        description: d.getDescription(),
        message: d.getMessage(),
        enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
        severity: SEVERITIES[d.getSeverity()] ?? "unspecified",
        urn: d.getUrn(),
    }));
}

/**
 * A policy pack running as its own process, the way the Pulumi engine runs it, and the gRPC
 * client the engine would use to talk to it.
 */
export class AnalyzerProcess {
    private constructor(private readonly child: ChildProcess, private readonly client: analyzerRpc.AnalyzerClient, private readonly stderr: () => string) {}

    /** Starts the pack in `packDir` (its index.ts through ts-node) and connects to the port it prints. */
    static async start(packDir: string, timeoutMs = 60000): Promise<AnalyzerProcess> {
        const child = spawn(process.execPath, ["-r", require.resolve("ts-node/register"), path.join(packDir, "index.ts")], {
            cwd: packDir,
            env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "1", TS_NODE_PROJECT: path.join(packDir, "tsconfig.json") },
            stdio: ["ignore", "pipe", "pipe"],
        });
        let stderr = "";
        child.stderr!.on("data", (chunk) => (stderr += chunk));
        const port = await new Promise<number>((resolve, reject) => {
            let stdout = "";
            const timer = setTimeout(() => fail(`the policy pack did not start within ${timeoutMs / 1000} s`), timeoutMs);
            const fail = (why: string) => {
                clearTimeout(timer);
                child.kill();
                reject(new AnalyzerError(`${why}${stderr ? `:\n${stderr.trim()}` : ""}`));
            };
            child.stdout!.on("data", (chunk) => {
                stdout += chunk;
                const line = stdout.split("\n")[0];
                if (stdout.includes("\n") && /^\d+$/.test(line.trim())) {
                    clearTimeout(timer);
                    resolve(Number(line.trim()));
                }
            });
            child.on("exit", (code) => fail(`the policy pack exited with code ${code} before serving`));
            child.on("error", (err) => fail(`the policy pack could not be started (${err.message})`));
        });
        child.removeAllListeners("exit");
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new AnalyzerProcess(child, client, () => stderr);
    }

    private call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
        return new Promise((resolve, reject) => {
            method.call(this.client, request, (err, res) => {
                if (err) {
                    reject(new AnalyzerError(`${err.details || err.message}${this.stderr() ? `\n${this.stderr().trim()}` : ""}`));
                } else {
                    resolve(res);
                }
            });
        });
    }

    async info(): Promise<PackInfo> {
        const info = await this.call<Empty, analyzer.AnalyzerInfo>(this.client.getAnalyzerInfo, new Empty());
        return {
            name: info.getName(),
            version: info.getVersion(),
            policies: info.getPoliciesList().map((p) => ({
                name: p.getName(),
                description: p.getDescription(),
                kind: p.getPolicyType() === analyzer.PolicyType.POLICY_TYPE_STACK ? "stack" : "resource",
                enforcementLevel: LEVELS[p.getEnforcementlevel()] ?? "advisory",
                severity: SEVERITIES[p.getSeverity()] ?? "unspecified",
                remediationSteps: p.getRemediationSteps(),
                tags: p.getTagsList(),
                configSchema: {
                    properties: (p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, any>,
                    required: p.getConfigschema()?.getRequiredList() ?? [],
                },
            })),
        };
    }

    async configure(config: ResolvedPolicyConfig): Promise<void> {
        const request = new analyzer.ConfigureAnalyzerRequest();
        const map = request.getPolicyconfigMap();
        for (const [name, { enforcementLevel, properties }] of Object.entries(config)) {
            const policyConfig = new analyzer.PolicyConfig();
            policyConfig.setEnforcementlevel(LEVELS.indexOf(enforcementLevel));
            policyConfig.setProperties(struct(properties));
            map.set(name, policyConfig);
        }
        await this.call(this.client.configure, request);
    }

    async analyze(resource: AnalyzerResource): Promise<Diagnostic[]> {
        const request = new analyzer.AnalyzeRequest();
        request.setUrn(resource.urn);
        request.setType(resource.type);
        request.setName(resource.name);
        request.setProperties(struct(resource.properties));
        request.setOptions(options(resource));
        return diagnostics(await this.call<analyzer.AnalyzeRequest, analyzer.AnalyzeResponse>(this.client.analyze, request));
    }

    async analyzeStack(resources: AnalyzerResource[]): Promise<Diagnostic[]> {
        const request = new analyzer.AnalyzeStackRequest();
        request.setResourcesList(resources.map((r) => {
            const resource = new analyzer.AnalyzerResource();
            resource.setUrn(r.urn);
            resource.setType(r.type);
            resource.setName(r.name);
            resource.setProperties(struct(r.properties));
            resource.setOptions(options(r));
            resource.setParent(r.parent ?? "");
            resource.setDependenciesList(r.dependencies ?? []);
            const deps = resource.getPropertydependenciesMap();
            for (const [key, urns] of Object.entries(r.propertyDependencies ?? {})) {
                const list = new analyzer.AnalyzerPropertyDependencies();
                list.setUrnsList(urns);
                deps.set(key, list);
            }
            return resource;
        }));
        return diagnostics(await this.call<analyzer.AnalyzeStackRequest, analyzer.AnalyzeResponse>(this.client.analyzeStack, request));
    }

    stop(): void {
        this.client.close();
        this.child.kill();
    }
}
