import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { AWS, AWS_DATA, AWS_PLATFORM, RANDOM } from "../policies/lib/types";

export const MOCK_ACCOUNT_ID = "123456789012";

/** Deterministic stand-in bytes, so a plan is the same on every run. */
function fakeBytes(seed: string, length: number): Buffer {
    const chunks: Buffer[] = [];
    for (let i = 0; Buffer.concat(chunks).length < length; i++) {
        chunks.push(createHash("sha256").update(`${seed}/${i}`).digest());
    }
    return Buffer.concat(chunks).subarray(0, length);
}

function fakeUuid(seed: string): string {
    const hex = fakeBytes(seed, 16).toString("hex");
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Answers the program's provider calls the way AWS and the providers would for a fresh account,
 * so the real program runs without credentials: invokes get realistic data, resources get ids,
 * ARNs and the computed values the program reads.
 */
export class PlatformMocks implements pulumi.runtime.Mocks {
    /**
     * In `preview`, resources come back as a first `pulumi preview` shows them: no id and no computed
     * outputs (those stay unknown), only their inputs and the names providers give them.
     */
    constructor(
        private readonly region: string,
        private readonly preview = false,
        private readonly accountId = MOCK_ACCOUNT_ID,
    ) {}

    call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
        const region = this.region;
        switch (args.token) {
            case "aws:index/getAvailabilityZones:getAvailabilityZones": {
                const letters = ["a", "b", "c"];
                return {
                    id: region,
                    names: letters.map((l) => `${region}${l}`),
                    zoneIds: letters.map((_, i) => `${region.replace(/-/g, "").slice(0, 4)}-az${i + 1}`),
                    groupNames: [region],
                };
            }
            case "aws:index/getCallerIdentity:getCallerIdentity":
                return {
                    id: this.accountId,
                    accountId: this.accountId,
                    arn: `arn:aws:iam::${this.accountId}:role/preflight`,
                    userId: "AROAPREFLIGHTEXAMPLE:preflight",
                };
            case "aws:index/getRegion:getRegion":
                return { id: region, name: region, region, description: region, endpoint: `ec2.${region}.amazonaws.com` };
            case "aws:index/getPartition:getPartition":
                return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com", reverseDnsPrefix: "com.amazonaws" };
            case "aws:route53/getZone:getZone": {
                const zoneId = `Z${fakeBytes(String(args.inputs.name), 10).toString("hex").toUpperCase().slice(0, 13)}`;
                return {
                    id: zoneId,
                    zoneId,
                    name: args.inputs.name,
                    arn: `arn:aws:route53:::hostedzone/${zoneId}`,
                    privateZone: false,
                    nameServers: ["ns-1.awsdns-01.org"],
                    primaryNameServer: "ns-1.awsdns-01.org",
                };
            }
            case "aws:elb/getServiceAccount:getServiceAccount":
                return { id: "156460612806", arn: "arn:aws:iam::156460612806:root", region: this.region };
            case "aws:ec2/getVpc:getVpc":
                return { id: args.inputs.id, arn: this.arn("ec2", `vpc/${args.inputs.id}`), cidrBlock: "10.0.0.0/16", state: "available" };
            default:
                throw new Error(`the offline plan has no answer for the provider call ${args.token}`);
        }
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, unknown> } {
        const inputs = args.inputs as Record<string, any>;
        // Providers auto-name resources whose name is not set: the logical name plus a random suffix.
        const autoName = args.custom && inputs.name === undefined ? { name: `${args.name}-${fakeBytes(args.name, 4).toString("hex").slice(0, 7)}` } : {};
        if (this.preview) {
            return { id: undefined, state: { ...autoName, ...inputs } };
        }
        const id = args.custom === false ? undefined : args.id || `${args.name}-id`;
        return { id, state: { ...autoName, ...inputs, ...this.computed(args.type, args.name, inputs) } };
    }

    private arn(service: string, resource: string): string {
        return `arn:aws:${service}:${this.region}:${this.accountId}:${resource}`;
    }

    /** The outputs the provider computes on create, for the types whose outputs the program reads. */
    private computed(type: string, name: string, inputs: Record<string, any>): Record<string, unknown> {
        switch (type) {
            case RANDOM.password: {
                const specials = inputs.special === false ? "" : (inputs.overrideSpecial ?? "!@#$%&*()-_=+[]{}<>:?");
                const alphabet = `ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789${specials}`;
                const result = [...fakeBytes(name, inputs.length)].map((b) => alphabet[b % alphabet.length]).join("");
                return { result, bcryptHash: `$2a$10$${fakeBytes(`${name}/bcrypt`, 40).toString("base64").slice(0, 53)}` };
            }
            case RANDOM.bytes: {
                const bytes = fakeBytes(name, inputs.length);
                return { base64: bytes.toString("base64"), hex: bytes.toString("hex") };
            }
            case AWS.kmsKey: {
                const keyId = fakeUuid(name);
                return { keyId, arn: this.arn("kms", `key/${keyId}`) };
            }
            case AWS_PLATFORM.kmsAlias:
                return { arn: this.arn("kms", inputs.name) };
            case AWS.secret:
                return { arn: this.arn("secretsmanager", `secret:${inputs.name}-AbCdEf`) };
            case AWS.logGroup:
                return { arn: this.arn("logs", `log-group:${inputs.name}`) };
            case AWS.iamRole:
                return { arn: `arn:aws:iam::${this.accountId}:role/${name}` };
            case AWS.rdsInstance: {
                const address = `${inputs.identifier ?? name}.c9akciq32abc.${this.region}.rds.amazonaws.com`;
                return { address, endpoint: `${address}:5432`, port: 5432, arn: this.arn("rds", `db:${inputs.identifier ?? name}`) };
            }
            case AWS.rdsProxy:
                return { endpoint: `${inputs.name}.proxy-c9akciq32abc.${this.region}.rds.amazonaws.com`, arn: this.arn("rds", `db-proxy:prx-${name}`) };
            case AWS.replicationGroup: {
                const host = `${inputs.replicationGroupId}.abc123.ng.0001.${this.region.replace(/-/g, "").slice(0, 6)}.cache.amazonaws.com`;
                return {
                    primaryEndpointAddress: `master.${host}`,
                    readerEndpointAddress: `replica.${host}`,
                    arn: this.arn("elasticache", `replicationgroup:${inputs.replicationGroupId}`),
                };
            }
            case AWS.loadBalancers[0]: {
                const suffix = `app/${name.slice(0, 32)}/${fakeBytes(name, 8).toString("hex")}`;
                return {
                    arn: this.arn("elasticloadbalancing", `loadbalancer/${suffix}`),
                    arnSuffix: suffix,
                    dnsName: `${name.slice(0, 32)}-1234567890.${this.region}.elb.amazonaws.com`,
                    zoneId: "Z32O12XQLNTSW2",
                };
            }
            case AWS.targetGroups[0]: {
                const suffix = `targetgroup/${name.slice(0, 32)}/${fakeBytes(name, 8).toString("hex")}`;
                return { arn: this.arn("elasticloadbalancing", suffix), arnSuffix: suffix };
            }
            case AWS.certificate:
                return {
                    arn: this.arn("acm", `certificate/${fakeUuid(name)}`),
                    domainValidationOptions: [
                        {
                            domainName: inputs.domainName,
                            resourceRecordName: `_${fakeBytes(name, 16).toString("hex")}.${inputs.domainName}.`,
                            resourceRecordType: "CNAME",
                            resourceRecordValue: `_${fakeBytes(`${name}/v`, 16).toString("hex")}.acm-validations.aws.`,
                        },
                    ],
                };
            case AWS_PLATFORM.certificateValidation:
                return { certificateArn: inputs.certificateArn };
            case AWS.route53Record:
                return { fqdn: String(inputs.name).replace(/\.$/, "") };
            case AWS.buckets[0]:
                return {
                    bucket: inputs.bucket ?? `${name}-${fakeBytes(name, 4).toString("hex")}`,
                    arn: `arn:aws:s3:::${inputs.bucket ?? `${name}-${fakeBytes(name, 4).toString("hex")}`}`,
                };
            case AWS_DATA.snsTopic:
                return { arn: this.arn("sns", name) };
            case AWS.backupVault:
                return { arn: this.arn("backup", `backup-vault:${name}`), name };
            case AWS.backupPlan:
                return { arn: this.arn("backup", `backup-plan:${fakeUuid(name)}`) };
            case AWS.webAcl:
                return { arn: this.arn("wafv2", `regional/webacl/${name}/${fakeUuid(name)}`) };
            case AWS_PLATFORM.vpc:
                return { arn: this.arn("ec2", `vpc/${name}-id`), defaultSecurityGroupId: `${name}-default-sg-id` };
            default: {
                const [pkg, module] = type.split(/[:/]/);
                return pkg === "aws" ? { arn: this.arn(module, `${name}`) } : {};
            }
        }
    }
}
