/**
 * Release-pipeline evidence: reads test, coverage, lint, security, load-test and deployment artifacts and
 * recognises each by its content, returning normalised facts. Used by the preflight CLI (`--evidence DIR`)
 * and by the policy pack.
 */
export * from "./types";
export { recognise } from "./recognise";
export { readEvidence, readEvidenceFile, MAX_EVIDENCE_BYTES } from "./read";
export { VERIFY_TOOL } from "./records";
