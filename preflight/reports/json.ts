import { PreflightResult } from "./model";

/** The JSON report's schema (JSON Schema draft 7); the README documents it. */
export const JSON_REPORT_SCHEMA = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["stacks"],
    additionalProperties: false,
    properties: {
        stacks: {
            type: "array",
            items: {
                type: "object",
                required: ["stack", "resources", "policies", "violations", "checklist"],
                additionalProperties: false,
                properties: {
                    stack: { type: "string" },
                    resources: { type: "integer", minimum: 0 },
                    policies: { type: "integer", minimum: 0 },
                    error: { type: "string", description: "Present when the stack could not be evaluated." },
                    errors: { type: "array", items: { type: "string" }, description: "Policies that failed to run." },
                    violations: {
                        type: "array",
                        items: {
                            type: "object",
                            required: ["policy", "enforcementLevel", "severity", "urn", "type", "name", "message", "checklist"],
                            additionalProperties: false,
                            properties: {
                                policy: { type: "string" },
                                enforcementLevel: { enum: ["advisory", "mandatory", "disabled", "remediate"] },
                                severity: { enum: ["low", "medium", "high", "critical", "unspecified"] },
                                urn: { type: "string" },
                                type: { type: "string" },
                                name: { type: "string" },
                                message: { type: "string" },
                                checklist: { type: "array", items: { type: "string" } },
                            },
                        },
                    },
                    checklist: {
                        type: "array",
                        items: {
                            type: "object",
                            required: ["id", "text", "status"],
                            additionalProperties: false,
                            properties: {
                                id: { type: "string" },
                                text: { type: "string" },
                                status: { enum: ["pass", "fail", "warn", "manual", "not-applicable"] },
                            },
                        },
                    },
                },
            },
        },
    },
} as const;

/** The JSON report of DESIGN.md: per stack, counts, violations and every checklist line's status. */
export function jsonReport(result: PreflightResult): string {
    const stacks = [
        ...result.stacks.map((s) => ({
            stack: s.stack,
            resources: s.resources,
            policies: s.policies,
            ...(s.errors.length > 0 ? { errors: s.errors } : {}),
            violations: s.violations,
            checklist: s.checklist.map(({ id, text, status }) => ({ id, text, status })),
        })),
        ...result.failures.map((f) => ({ stack: f.stack, resources: 0, policies: 0, error: f.message, violations: [], checklist: [] })),
    ];
    return `${JSON.stringify({ stacks }, null, 2)}\n`;
}
