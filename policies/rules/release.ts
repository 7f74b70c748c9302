import * as path from "path";
import { RuleFile, StackRule } from "../lib/rule";
import { isCalendarDate } from "../lib/dates";
import type { ReleaseEvidenceSettings } from "../readiness/release";

/** Relative evidence directories are taken from the project root: the directory that holds this pack's folder. */
export const PROJECT_ROOT = path.resolve(__dirname, "..", "..");

/**
 * The release gate inside `pulumi preview`: the requirements that no plan can show, judged from the
 * release artifacts in the configured directories, a `verify` report and attestation records — the
 * same evaluation as the preflight's `--evidence`.
 */
export const releaseEvidence: StackRule<ReleaseEvidenceSettings> = {
    name: "release-evidence",
    appliesTo: [],
    description: "Requirements the plan cannot show are verified by release evidence, a live check or an attestation.",
    severity: "high",
    // It judges the catalog's evidence, live and attestation requirements, not a plan requirement of its own.
    checklist: [],
    references: ["https://www.pulumi.com/docs/iac/using-pulumi/crossguard/"],
    remediation:
        "Add the missing artifact (test report, scan, load test, drill or sign-off record) to an evidence directory, fix what it shows failing, or attest.",
    config: {
        evidenceDirs: {
            type: "array",
            items: { type: "string", minLength: 1 },
            default: [],
            description: "Directories of release artifacts, relative to the project root.",
        },
        asOf: { type: "string", pattern: "^\\d{4}-\\d{2}-\\d{2}$", description: "The day evidence is judged on (YYYY-MM-DD); default: today." },
        gate: {
            type: "string",
            enum: ["plan", "release"],
            default: "plan",
            description: "plan: what is missing or failing is advisory; release: it is a violation at this policy's level.",
        },
        criteria: { type: "object", default: {}, description: "Per requirement id and evidence kind, criteria that replace the catalog's." },
    },
    validate(stack, settings, report) {
        if (settings.evidenceDirs.length === 0 && settings.gate === "plan") {
            // Review without release artifacts: nothing to say yet.
            return;
        }
        if (settings.asOf !== undefined && !isCalendarDate(settings.asOf)) {
            throw new Error(`release-evidence.asOf: ${JSON.stringify(settings.asOf)} is not a date (YYYY-MM-DD)`);
        }
        // The catalog, the evidence readers and their schemas load when a release is judged, not with every pack.
        const { criteriaProblems, evidenceOf, judgeRelease } = require("../readiness/release") as typeof import("../readiness/release");
        const problems = criteriaProblems(settings.criteria);
        if (problems.length > 0) {
            throw new Error(`release-evidence: ${problems.join("; ")}`);
        }
        const stackName = stack.root?.urn.split("::")[0].replace(/^urn:pulumi:/, "") ?? "";
        const { evidence } = evidenceOf(settings, PROJECT_ROOT);
        const unverified = [...judgeRelease(stackName, stack.resources, evidence, settings).values()].filter(
            ({ judgement }) => judgement.status === "fail" || judgement.status === "missing",
        );
        if (unverified.length > 0) {
            // One violation for the release, a line per requirement: a preview shows them together.
            const lines = unverified.map(({ requirement, judgement }) => `${requirement.id} ${judgement.status}: ${requirement.text}: ${judgement.note}`);
            report(`${unverified.length} requirement(s) not verified for release:\n${lines.join("\n")}`, undefined, settings.gate === "plan");
        }
    },
};

export const releaseRules: RuleFile = {
    title: "Release evidence",
    resource: [],
    stack: [releaseEvidence] as StackRule<any>[],
};
