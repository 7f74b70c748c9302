import * as assert from "assert/strict";
import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { AWS } from "../../policies/lib/types";
import { POLICIES, RESOURCE_RULES, RULES } from "../../policies/rules";

/** Checkov (CKV_AWS_16, CKV2_AWS_5, CKV_K8S_20) and Trivy (AVD-AWS-0080, AVD-KSV-0012) check ids. */
const EQUIVALENT_ID = /^(CKV2?_[A-Z0-9]+_\d+|AVD-[A-Z0-9]+-\d{4})$/;

describe("rule metadata", () => {
    it("gives every rule at least one https reference, each a valid URL and none twice", () => {
        const problems = RULES.flatMap((rule) => {
            const references = rule.references ?? [];
            if (references.length === 0) {
                return [`${rule.name}: no references`];
            }
            const malformed = references.filter((url) => !URL.canParse(url) || new URL(url).protocol !== "https:");
            const repeated = references.filter((url, i) => references.indexOf(url) !== i);
            return [...malformed.map((url) => `${rule.name}: ${url} is not an https URL`), ...repeated.map((url) => `${rule.name}: ${url} twice`)];
        });
        assert.deepEqual(problems, []);
    });

    it("marks a resource policy of one type as validateResourceOfType does, so @pulumi/policy skips other types before building their arguments", () => {
        const typeOf = (validation: unknown) => (validation as { __pulumiType?: string }).__pulumiType;
        // The mark is the library's own: what its helper sets on a validation of one type.
        assert.equal(typeOf(validateResourceOfType(aws.rds.Instance, () => undefined)), AWS.rdsInstance);
        const marked = new Map(POLICIES.filter((p): p is ResourceValidationPolicy => "validateResource" in p).map((p) => [p.name, typeOf(p.validateResource)]));
        const expected = new Map(RESOURCE_RULES.map((r) => [r.name, r.resourceTypes.length === 1 && !r.alsoAppliesTo ? r.resourceTypes[0] : undefined]));
        assert.deepEqual(marked, expected);
        assert.ok([...expected.values()].filter(Boolean).length >= 10, "most single-type rules are marked");
    });

    it("names equivalents by Checkov or Trivy check id, none twice", () => {
        const problems = RULES.flatMap((rule) => {
            const equivalents = rule.equivalents ?? [];
            return [
                ...equivalents.filter((id) => !EQUIVALENT_ID.test(id)).map((id) => `${rule.name}: ${id} is not a Checkov or Trivy id`),
                ...equivalents.filter((id, i) => equivalents.indexOf(id) !== i).map((id) => `${rule.name}: ${id} twice`),
            ];
        });
        assert.deepEqual(problems, []);
    });
});
