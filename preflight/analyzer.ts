import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { AnalyzerError, PackFailure, PolicyPackProcess } from "./pack-process";
import { encodeResource, stackRequest, WireResource } from "./wire";

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
    configSchema: { properties: Record<string, ConfigPropertySchema>; required: string[] };
}

/** One setting's JSON schema as the pack declares it; the preflight reads only these keys itself (ajv reads the rest). */
export interface ConfigPropertySchema {
    description?: string;
    format?: string;
    default?: unknown;
    [keyword: string]: unknown;
}

export interface PackInfo {
    name: string;
    version: string;
    policies: PolicyInfo[];
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

export { AnalyzerError, PackFailure };

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

/** A resource as the engine sends it to an analyzer: properties with secrets wrapped, unknowns as the unknown sentinel. */
export type AnalyzerResource = WireResource;

/** A resource encoded once for the analyzer protocol, for `analyze` and `analyzeStack`. */
export interface EncodedResource {
    urn: string;
    type: string;
    bytes: Buffer;
}

export function encode(resource: AnalyzerResource): EncodedResource {
    return { urn: resource.urn, type: resource.type, bytes: encodeResource(resource) };
}

const encoded = (resource: AnalyzerResource | EncodedResource) => ("bytes" in resource ? resource : encode(resource));

/** The deadline of every call to the pack, unless the command line sets another. */
export const DEFAULT_CALL_TIMEOUT_MS = 60000;

const identity = (bytes: Buffer) => bytes;

/**
 * The gRPC client the Pulumi engine uses to talk to a policy pack, connected to a pack running as
 * its own process. Every call has a deadline; a pack that misses it, or dies, fails the run with a
 * `PackFailure` that says so once.
 */
export class AnalyzerProcess {
    private failure?: PackFailure;

    private constructor(
        private readonly pack: PolicyPackProcess,
        private readonly client: grpc.Client,
        private readonly callTimeoutMs: number,
    ) {}

    /** Starts the pack in `packDir` and connects to it. */
    static start(packDir: string, callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<AnalyzerProcess> {
        return AnalyzerProcess.connect(PolicyPackProcess.spawn(packDir), callTimeoutMs);
    }

    /** Connects to a pack that was started already, once it serves. */
    static async connect(pack: PolicyPackProcess, callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<AnalyzerProcess> {
        const port = await pack.port;
        const client = new grpc.Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
            "grpc.max_receive_message_length": 400 * 1024 * 1024,
            "grpc.max_send_message_length": 400 * 1024 * 1024,
        });
        return new AnalyzerProcess(pack, client, callTimeoutMs);
    }

    /** One unary call; `what` names it in the message when the pack does not answer in time. */
    private call<Req, Res>(method: string, serialize: (req: Req) => Buffer, deserialize: (bytes: Buffer) => Res, request: Req, what: string): Promise<Res> {
        if (this.failure) {
            return Promise.reject(this.failure);
        }
        return new Promise((resolve, reject) => {
            const deadline = Date.now() + this.callTimeoutMs;
            this.client.makeUnaryRequest(`/pulumirpc.Analyzer/${method}`, serialize, deserialize, request, { deadline }, (err, res) => {
                if (!err) {
                    resolve(res!);
                    return;
                }
                this.explain(err, what).then(reject, reject);
            });
        });
    }

    /** The error to report for a failed call: the pack's own (a policy threw), or why the pack stopped answering. */
    private async explain(err: grpc.ServiceError, what: string): Promise<AnalyzerError> {
        if (this.failure) {
            return this.failure;
        }
        if (err.code === grpc.status.DEADLINE_EXCEEDED) {
            this.failure = new PackFailure(`the policy pack did not answer within ${this.callTimeoutMs / 1000} s: ${what}`);
            this.pack.kill();
            return this.failure;
        }
        if (err.code === grpc.status.UNAVAILABLE || err.code === grpc.status.CANCELLED || err.code === grpc.status.INTERNAL) {
            // A dropped connection is the pack dying: its exit code and stderr say why, once they are in.
            const exited = await Promise.race([this.pack.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 2000).unref())]);
            if (exited) {
                this.failure = new PackFailure(this.pack.death() ?? "the policy pack stopped serving");
                return this.failure;
            }
        }
        // The pack sends the policy's exception with its stack trace; the message is what the report needs.
        return new AnalyzerError(
            (err.details || err.message)
                .split("\n")
                .filter((line) => !/^\s+at /.test(line))
                .join(" "),
        );
    }

    async info(): Promise<PackInfo> {
        const info = await this.call(
            "GetAnalyzerInfo",
            (req: Empty) => Buffer.from(req.serializeBinary()),
            (bytes) => analyzer.AnalyzerInfo.deserializeBinary(bytes),
            new Empty(),
            "its description (GetAnalyzerInfo)",
        );
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
                    properties: (p.getConfigschema()?.getProperties()?.toJavaScript() ?? {}) as Record<string, ConfigPropertySchema>,
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
            policyConfig.setProperties(Struct.fromJavaScript(JSON.parse(JSON.stringify(properties)) as Record<string, JavaScriptValue>));
            map.set(name, policyConfig);
        }
        await this.call(
            "Configure",
            (req: analyzer.ConfigureAnalyzerRequest) => Buffer.from(req.serializeBinary()),
            identity,
            request,
            "the policy config (Configure)",
        );
    }

    async analyze(resource: AnalyzerResource | EncodedResource, what = `the resource ${resource.urn}`): Promise<Diagnostic[]> {
        return diagnostics(await this.call("Analyze", identity, (bytes) => analyzer.AnalyzeResponse.deserializeBinary(bytes), encoded(resource).bytes, what));
    }

    async analyzeStack(resources: (AnalyzerResource | EncodedResource)[], what = "the stack policies"): Promise<Diagnostic[]> {
        return diagnostics(
            await this.call(
                "AnalyzeStack",
                identity,
                (bytes) => analyzer.AnalyzeResponse.deserializeBinary(bytes),
                stackRequest(resources.map((r) => encoded(r).bytes)),
                what,
            ),
        );
    }

    /** Closes the connection and stops the pack, waiting until its process is gone. */
    async stop(): Promise<void> {
        this.client.close();
        await this.pack.stop();
    }
}

/** What the preflight asks of the pack: one process, or a pool of them. */
export type PolicyAnalyzer = Pick<AnalyzerProcess, "info" | "configure" | "analyze" | "analyzeStack" | "stop">;

/**
 * Copies of the pack, each in its own process, that share a stack's work: the pack answers one call at
 * a time, so on a machine with more than one core a large stack is analysed in parallel. Resource calls
 * go to the copy with the fewest waiting; the stack policies are dealt out among the copies (each copy's
 * config disables the others'), and every copy runs its share over the whole stack.
 */
export class AnalyzerPool implements PolicyAnalyzer {
    private readonly pending: number[];
    private described?: Promise<PackInfo>;

    private constructor(private readonly members: AnalyzerProcess[]) {
        this.pending = members.map(() => 0);
    }

    /** Connects to packs that were started already, once all serve; a pack that fails to start fails the pool. */
    static async connect(packs: PolicyPackProcess[], callTimeoutMs = DEFAULT_CALL_TIMEOUT_MS): Promise<AnalyzerPool> {
        const connected = await Promise.allSettled(packs.map((pack) => AnalyzerProcess.connect(pack, callTimeoutMs)));
        const failed = connected.find((c): c is PromiseRejectedResult => c.status === "rejected");
        if (failed) {
            await Promise.all(packs.map((pack) => pack.stop()));
            throw failed.reason;
        }
        return new AnalyzerPool(connected.map((c) => (c as PromiseFulfilledResult<AnalyzerProcess>).value));
    }

    /** What the first copy says of the pack (all run the same code). */
    info(): Promise<PackInfo> {
        return (this.described ??= this.members[0].info());
    }

    async configure(config: ResolvedPolicyConfig): Promise<void> {
        if (this.members.length === 1) {
            await this.members[0].configure(config);
            return;
        }
        const { policies } = await this.info();
        const stackPolicies = policies.filter((p) => p.kind === "stack" && config[p.name] !== undefined && config[p.name].enforcementLevel !== "disabled");
        const share = (index: number): ResolvedPolicyConfig => {
            const others = stackPolicies.filter((_, i) => i % this.members.length !== index);
            return { ...config, ...Object.fromEntries(others.map((p) => [p.name, { ...config[p.name], enforcementLevel: "disabled" as const }])) };
        };
        await Promise.all(this.members.map((member, index) => member.configure(share(index))));
    }

    /** Sent to the copy with the fewest calls waiting. */
    async analyze(resource: AnalyzerResource | EncodedResource, what?: string): Promise<Diagnostic[]> {
        const index = this.pending.indexOf(Math.min(...this.pending));
        this.pending[index]++;
        try {
            return await this.members[index].analyze(resource, what);
        } finally {
            this.pending[index]--;
        }
    }

    /** Every copy runs its share of the stack policies; their findings together are the stack's. */
    async analyzeStack(resources: (AnalyzerResource | EncodedResource)[], what?: string): Promise<Diagnostic[]> {
        const asSent = resources.map(encoded);
        return (await Promise.all(this.members.map((member) => member.analyzeStack(asSent, what)))).flat();
    }

    async stop(): Promise<void> {
        await Promise.all(this.members.map((member) => member.stop()));
    }
}
