import * as assert from "assert/strict";
import { isSecretValue, planStack, Plan } from "../helpers";
import { RecordedResource } from "../../preflight/program";
import { iamLeastPrivilege } from "../../policies/rules/access";
import { checkResource } from "../policies/helpers";
import { AWS, PULUMI } from "../../policies/lib/types";

/**
 * A resource without `protect`, environment names, and the values the mocks derive from names
 * (key ids, generated secrets, auto-name suffixes, other hashes), to compare the plans of two environments.
 */
function shape(resource: RecordedResource) {
    const { protect: _protect, ...rest } = resource;
    const text = JSON.stringify(rest, (_key, value) => (isSecretValue(value) ? "[secret]" : value));
    return JSON.parse(
        text
            .replace(/production|staging/g, "ENV")
            .replace(/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/g, "UUID")
            // An auto-name ends a string, or a string inside a JSON text (a dashboard body names the web ACL).
            .replace(/-[0-9a-f]{7}(?=\\?")/g, "-AUTONAME")
            .replace(/(?<![0-9a-f])(?=[0-9a-f]*[a-f])[0-9a-f]{8,}(?![0-9a-f])/g, "HEX"),
    );
}

describe("Platform", () => {
    let production: Plan;
    before(async () => {
        production = await planStack("production");
    });

    it("composes secrets, network, database and cache under one Platform under the stack", () => {
        const stack = production.one(PULUMI.stack);
        const platform = production.one("platform:core:Platform");
        assert.equal(platform.parent, stack.urn);
        for (const type of ["platform:security:Secrets", "platform:network:Network", "platform:data:Database", "platform:data:Cache"]) {
            assert.equal(production.one(type).parent, platform.urn, type);
        }
    });

    it("encrypts the flow logs with the platform's KMS key", () => {
        const key = production.one(AWS.kmsKey, "-secrets-key");
        const flowLogs = production.one(AWS.logGroup, "-flow-logs");
        assert.deepEqual(flowLogs.propertyDependencies.kmsKeyId, [key.urn]);
    });

    it("tags every AWS resource that takes tags with project, environment, owner and cost center", () => {
        const tagged = production.resources.filter((r) => r.type.startsWith("aws:") && r.inputs.tags !== undefined);
        assert.ok(tagged.length > 30);
        for (const resource of tagged) {
            const tags = production.input(resource, "tags");
            assert.deepEqual(
                { Project: tags.Project, Environment: tags.Environment, ManagedBy: tags.ManagedBy, Owner: tags.Owner, CostCenter: tags.CostCenter },
                { Project: "platform", Environment: "production", ManagedBy: "pulumi", Owner: "platform-team", CostCenter: "4100" },
                resource.name,
            );
        }
    });

    it("exports ids and ARNs of the network, the key and the monitoring", () => {
        assert.equal(production.outputs.environment, "production");
        assert.equal(production.outputs.vpcId, "platform-production-network-vpc-id");
        assert.equal((production.outputs.privateSubnetIds as string[]).length, 3);
        assert.match(production.outputs.kmsKeyArn as string, /^arn:aws:kms:/);
        assert.equal(production.outputs.applicationLogGroup, "/platform/platform-production-monitoring/application");
        assert.equal(production.outputs.uptimeHealthCheckId, "platform-production-monitoring-uptime-id");
        assert.equal(production.outputs.monitoringNamespace, "monitoring");
    });

    it("grants least privilege in every IAM document and attachment, with the values a deployment sends", async () => {
        // A preview cannot read the documents built from ARNs; here the mocks give them as the update would.
        const iam = production.resources.filter((r) => iamLeastPrivilege.resourceTypes.includes(r.type));
        assert.deepEqual([...new Set(iam.map((r) => r.type))].sort(), [AWS.iamRole, AWS.iamRolePolicy, AWS.iamPolicyAttachments[0]]);
        for (const resource of iam) {
            const props = Object.fromEntries(Object.keys(resource.inputs).map((key) => [key, production.input(resource, key)]));
            assert.ok(typeof props.policy === "string" || typeof props.assumeRolePolicy === "string" || typeof props.policyArn === "string", resource.name);
            assert.deepEqual(await checkResource(iamLeastPrivilege.name, { type: resource.type, name: resource.name, props }), [], resource.name);
        }
    });

    it("depends on the environment only for protection: other differences come from the stack file", async () => {
        // Production's stack file with the environment switched: everything but `protect` must stay the same.
        const relabelled = await planStack("production", { "platform:environment": "staging" });
        assert.deepEqual(relabelled.resources.map(shape), production.resources.map(shape));
        const protectedTypes = (plan: Plan) =>
            plan.resources
                .filter((r) => r.protect)
                .map((r) => r.type)
                .sort();
        assert.deepEqual(protectedTypes(production), [
            AWS.backupVault,
            AWS.backupVault,
            AWS.replicationGroup,
            AWS.kmsKey,
            AWS.kmsKey,
            AWS.rdsInstance,
            AWS.buckets[0],
        ]);
        assert.deepEqual(protectedTypes(relabelled), []);
    });
});
