import { VERIFIED_BY } from "../../policies/catalog";
import { CHECKLIST_STATUSES } from "../evaluate";
import { GATES } from "../gates";
import { PreflightResult, verdict } from "./model";

/** The JSON report's schema (JSON Schema draft 7); docs/preflight.md documents it. */
export const JSON_REPORT_SCHEMA = {
    $schema: "http://json-schema.org/draft-07/schema#",
    type: "object",
    required: ["gate", "stacks"],
    additionalProperties: false,
    properties: {
        gate: { enum: [...GATES], description: "What READY means: plan (review) or release (deploy)." },
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
                    ready: { type: "boolean", description: "Whether the gate's requirements hold for this stack." },
                    error: { type: "string", description: "Present when the stack could not be evaluated." },
                    errors: { type: "array", items: { type: "string" }, description: "Policies that failed to run." },
                    evidenceIgnored: {
                        type: "array",
                        items: { type: "string" },
                        description: "Files of the evidence directories of no kind the preflight reads.",
                    },
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
                            required: ["id", "text", "status", "verifiedBy", "sources", "evidence"],
                            additionalProperties: false,
                            properties: {
                                id: { type: "string" },
                                text: { type: "string" },
                                status: { enum: [...CHECKLIST_STATUSES] },
                                verifiedBy: { enum: [...VERIFIED_BY] },
                                sources: {
                                    type: "array",
                                    items: {
                                        type: "object",
                                        required: ["file", "line"],
                                        additionalProperties: false,
                                        properties: { file: { type: "string" }, line: { type: "integer", minimum: 1 } },
                                    },
                                },
                                evidence: {
                                    type: "array",
                                    items: {
                                        type: "object",
                                        required: ["kind", "file", "summary"],
                                        additionalProperties: false,
                                        properties: { kind: { type: "string" }, file: { type: "string" }, summary: { type: "string" } },
                                    },
                                },
                                note: { type: "string", description: "What it still needs, or why it is out of scope." },
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
            ready: verdict(s, result.gate) === "ready",
            ...(s.errors.length > 0 ? { errors: s.errors } : {}),
            ...(s.evidenceIgnored?.length ? { evidenceIgnored: s.evidenceIgnored } : {}),
            violations: s.violations,
            checklist: s.checklist.map(({ id, text, status, verifiedBy, sources, evidence, note }) => ({
                id,
                text,
                status,
                verifiedBy,
                sources,
                evidence,
                ...(note ? { note } : {}),
            })),
        })),
        ...result.failures.map((f) => ({ stack: f.stack, resources: 0, policies: 0, ready: false, error: f.message, violations: [], checklist: [] })),
    ];
    return `${JSON.stringify({ gate: result.gate, stacks }, null, 2)}\n`;
}
