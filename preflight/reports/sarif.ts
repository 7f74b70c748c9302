import { EQUIVALENT_TAG_PREFIX, REFERENCE_TAG_PREFIX } from "../../policies/lib/rule";
import { PreflightResult } from "./model";

const LEVEL = { mandatory: "error", advisory: "warning", remediate: "error", disabled: "none" } as const;

const tagged = (tags: string[], prefix: string) => tags.filter((t) => t.startsWith(prefix)).map((t) => t.slice(prefix.length));

/** SARIF 2.1.0, one run per stack: rules with help (and its first reference as helpUri) from the policy metadata, one result per violation. */
export function sarifReport(result: PreflightResult): string {
    const rules = result.pack.policies.map((p) => ({
        id: p.name,
        helpUri: tagged(p.tags, REFERENCE_TAG_PREFIX)[0],
        name: p.name,
        shortDescription: { text: p.description },
        fullDescription: { text: p.description },
        help: { text: p.remediationSteps, markdown: `**Remediation:** ${p.remediationSteps}` },
        defaultConfiguration: { level: LEVEL[p.enforcementLevel] },
        properties: { tags: p.tags.filter((t) => t.startsWith("checklist:")), severity: p.severity, equivalents: tagged(p.tags, EQUIVALENT_TAG_PREFIX) },
    }));
    const runs = result.stacks.map((stack) => ({
        tool: { driver: { name: result.pack.name, version: result.pack.version, informationUri: "https://www.pulumi.com/docs/iac/crossguard/", rules } },
        automationDetails: { id: `preflight/${stack.stack}/` },
        results: stack.violations.map((v) => ({
            ruleId: v.policy,
            ruleIndex: rules.findIndex((r) => r.id === v.policy),
            level: LEVEL[v.enforcementLevel],
            message: { text: `${v.name} (${v.type}): ${v.message}` },
            locations: [
                {
                    physicalLocation: { artifactLocation: { uri: stack.source }, region: { startLine: 1 } },
                    logicalLocations: [{ name: v.name, fullyQualifiedName: v.urn, kind: "resource" }],
                },
            ],
            partialFingerprints: { resourcePolicy: `${v.policy}:${v.urn}` },
            properties: { stack: stack.stack, enforcementLevel: v.enforcementLevel, severity: v.severity, checklist: v.checklist },
        })),
        ...(stack.errors.length > 0
            ? { invocations: [{ executionSuccessful: false, toolExecutionNotifications: stack.errors.map((e) => ({ level: "error", message: { text: e } })) }] }
            : {}),
    }));
    const failed = result.failures.map((f) => ({
        tool: { driver: { name: result.pack.name, version: result.pack.version, rules: [] } },
        automationDetails: { id: `preflight/${f.stack}/` },
        invocations: [{ executionSuccessful: false, toolExecutionNotifications: [{ level: "error", message: { text: f.message } }] }],
        results: [],
    }));
    const sarif = { $schema: "https://json.schemastore.org/sarif-2.1.0.json", version: "2.1.0", runs: [...runs, ...failed] };
    return `${JSON.stringify(sarif, null, 2)}\n`;
}
