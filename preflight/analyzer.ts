import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerError, PolicyPackProcess } from "./pack-process";

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

export { AnalyzerError };

/** Encoded properties by the object they encode: a resource goes to `analyze` and again to `analyzeStack`. */
const encoded = new WeakMap<Record<string, unknown>, Struct>();

function struct(value: Record<string, unknown>): Struct {
    let found = encoded.get(value);
    if (!found) {
        // Struct cannot hold `undefined`; the engine drops such properties too.
        found = Struct.fromJavaScript(JSON.parse(JSON.stringify(value)));
        encoded.set(value, found);
    }
    return found;
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
 * The gRPC client the Pulumi engine uses to talk to a policy pack, connected to a pack running as
 * its own process.
 */
export class AnalyzerProcess {
    private constructor(private readonly pack: PolicyPackProcess, private readonly client: analyzerRpc.AnalyzerClient) {}

    /** Starts the pack in `packDir` and connects to it. */
    static start(packDir: string): Promise<AnalyzerProcess> {
        return AnalyzerProcess.connect(PolicyPackProcess.spawn(packDir));
    }

    /** Connects to a pack that was started already, once it serves. */
    static async connect(pack: PolicyPackProcess): Promise<AnalyzerProcess> {
        const port = await pack.port;
        const client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new AnalyzerProcess(pack, client);
    }

    private call<Req, Res>(method: (req: Req, cb: (err: grpc.ServiceError | null, res: Res) => void) => unknown, request: Req): Promise<Res> {
        return new Promise((resolve, reject) => {
            method.call(this.client, request, (err, res) => {
                if (err) {
                    // The pack sends the policy's exception with its stack trace; the message is what the report needs.
                    const message = (err.details || err.message).split("\n").filter((line) => !/^\s+at /.test(line)).join(" ");
                    reject(new AnalyzerError(message));
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
        this.pack.kill();
    }
}
