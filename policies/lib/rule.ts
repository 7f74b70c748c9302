import {
    EnforcementLevel,
    PolicyResource,
    ReportViolation,
    ResourceValidation,
    ResourceValidationPolicy,
    Severity,
    StackValidationPolicy,
} from "@pulumi/policy";
import { PolicyConfigJSONSchema } from "@pulumi/policy/schema";
import { StackView } from "./stack";
import { activeWaiver, parseWaivers, Waiver, WAIVERS_SCHEMA } from "./waivers";

export type Props = Record<string, any>;

/** What every rule declares besides its check: the metadata the pack, the reports and the catalog read. */
export interface RuleMetadata {
    /** Stable kebab-case name. */
    name: string;
    /** One line: what the rule requires. */
    description: string;
    severity: Severity;
    /** Ids of the checklist requirements it enforces (policies/checklist.ts). */
    checklist: string[];
    /** Instead of checklist ids, for a rule that checks a practice no checklist line asks for: why the pack checks it anyway. */
    beyondChecklist?: string;
    /** How to fix a violation. */
    remediation: string;
    /** Default "mandatory"; the stack's policy config may change it. */
    enforcementLevel?: EnforcementLevel;
    /** Thresholds, each with its default. */
    config?: Record<string, PolicyConfigJSONSchema>;
    /** Documentation of what it requires (AWS, Kubernetes, Pulumi; https), the most direct first: SARIF's helpUri is the first. */
    references?: string[];
    /** Ids of the Checkov (CKV_AWS_16) and Trivy (AVD-AWS-0080) checks that check the same thing, where there are any. */
    equivalents?: string[];
}

/** The resource a resource rule is looking at. */
export interface ResourceUnderTest {
    type: string;
    name: string;
    urn: string;
    props: Props;
    protect: boolean;
}

export interface ResourceRule<C = Props> extends RuleMetadata {
    /** The resource types it checks; others are not its business. */
    resourceTypes: readonly string[];
    /** Checks resources of other types too when this says so (e.g. any AWS resource that has tags). */
    alsoAppliesTo?(type: string, props: Props): boolean;
    validate(resource: ResourceUnderTest, config: C, report: (message: string) => void): void;
}

export interface StackRule<C = Props> extends RuleMetadata {
    /** The resource types whose presence makes the rule relevant; empty when every stack needs it. */
    appliesTo: readonly string[];
    /** Reports against a resource, or against the stack when none is named; `advisory` reports below the policy's level. */
    validate(stack: StackView, config: C, report: (message: string, resource?: PolicyResource, advisory?: boolean) => void): void;
}

/** The rules of one file of policies/rules/, named after the service they check. */
export interface RuleFile {
    /** The service, as the policy reference heads its section. */
    title: string;
    resource: ResourceRule<any>[];
    stack: StackRule<any>[];
}

export const CHECKLIST_TAG_PREFIX = "checklist:";
/** Tags the types a rule looks at, so a report can tell a rule that passed from one that had nothing to check. */
export const APPLIES_TO_TAG_PREFIX = "applies-to:";
/** Tag a rule's references and equivalents, so that what reads the pack through the analyzer protocol (the preflight's SARIF) gets them. */
export const REFERENCE_TAG_PREFIX = "reference:";
export const EQUIVALENT_TAG_PREFIX = "equivalent:";

function configSchema(rule: RuleMetadata) {
    return { properties: { ...rule.config, waivers: WAIVERS_SCHEMA } };
}

/** The rule's config: its schema defaults, overridden by what the stack's policy config gives. */
function resolveConfig(rule: RuleMetadata, given: Props): { config: Props; waivers: Waiver[] } {
    const defaults = Object.fromEntries(Object.entries(rule.config ?? {}).map(([key, schema]) => [key, schema.default]));
    const { waivers, ...rest } = given;
    return { config: { ...defaults, ...rest }, waivers: parseWaivers(rule.name, waivers) };
}

function metadata(rule: RuleMetadata, appliesTo: readonly string[]) {
    return {
        name: rule.name,
        description: rule.description,
        severity: rule.severity,
        enforcementLevel: rule.enforcementLevel ?? "mandatory",
        remediationSteps: rule.remediation,
        tags: [
            ...rule.checklist.map((id) => `${CHECKLIST_TAG_PREFIX}${id}`),
            ...appliesTo.map((type) => `${APPLIES_TO_TAG_PREFIX}${type}`),
            ...(rule.references ?? []).map((url) => `${REFERENCE_TAG_PREFIX}${url}`),
            ...(rule.equivalents ?? []).map((id) => `${EQUIVALENT_TAG_PREFIX}${id}`),
        ],
        configSchema: configSchema(rule),
    };
}

/**
 * Reports a violation unless an active waiver names the resource: then it is reported as advisory,
 * with the waiver's reason and end date. After that date it blocks again and says so.
 */
function waiverAwareReporter(rule: RuleMetadata, waivers: Waiver[], report: ReportViolation) {
    // @pulumi/policy's server takes a violation object with its own enforcement level; its type only declares strings.
    const reportAdvisory = (message: string, urn: string | undefined) =>
        (report as unknown as (violation: { message: string; urn?: string; enforcementLevel: string }) => void)({ message, urn, enforcementLevel: "advisory" });
    return (message: string, target?: { urn: string; name: string }, advisory = false) => {
        const { waiver, expired } = activeWaiver(waivers, target);
        if (waiver && !expired) {
            reportAdvisory(`${rule.description}\nwaived: ${waiver.reason}, until ${waiver.expires}. ${message}`, target?.urn);
            return;
        }
        if (advisory) {
            reportAdvisory(`${rule.description}\n${message}`, target?.urn);
            return;
        }
        const note = waiver ? ` (the waiver for this resource expired on ${waiver.expires}: ${waiver.reason})` : "";
        report(`${message}${note}`, target?.urn);
    };
}

/** Starts the message of a policy that could not read what it was given: the preflight reports it as an error, the CLI as a violation. */
export const POLICY_ERROR_PREFIX = "policy error: ";

/**
 * Runs a rule's check so that its failure on one resource (or stack) stays there: reported, so the
 * gate does not pass, instead of failing the pack's whole call and every other policy in it. Values
 * unknown during a preview still go to @pulumi/policy, which reports them its own way.
 */
function isolated(check: () => void, report: (message: string) => void): void {
    try {
        check();
    } catch (err) {
        if (err instanceof Error && "unknownTypeSentinel" in err) {
            throw err;
        }
        report(`${POLICY_ERROR_PREFIX}${err instanceof Error ? err.message : String(err)}`);
    }
}

export function resourcePolicy<C>(rule: ResourceRule<C>): ResourceValidationPolicy {
    const types = new Set(rule.resourceTypes);
    const validateResource: ResourceValidation & { __pulumiType?: string } = (args, reportViolation) => {
        if (!types.has(args.type) && !rule.alsoAppliesTo?.(args.type, args.props)) {
            return;
        }
        const { config, waivers } = resolveConfig(rule, args.getConfig<Props>());
        const report = waiverAwareReporter(rule, waivers, reportViolation);
        const resource = { type: args.type, name: args.name, urn: args.urn, props: args.props, protect: !!args.opts?.protect };
        isolated(
            () => rule.validate(resource, config as C, (message) => report(message, resource)),
            (message) => reportViolation(message, args.urn),
        );
    };
    if (types.size === 1 && !rule.alsoAppliesTo) {
        // As `validateResourceOfType` marks it: @pulumi/policy then skips other types before it builds their arguments.
        validateResource.__pulumiType = rule.resourceTypes[0];
    }
    return { ...metadata(rule, rule.resourceTypes), validateResource };
}

export function stackPolicy<C>(rule: StackRule<C>): StackValidationPolicy {
    return {
        ...metadata(rule, rule.appliesTo),
        validateStack: (args, reportViolation) => {
            const { config, waivers } = resolveConfig(rule, args.getConfig<Props>());
            const report = waiverAwareReporter(rule, waivers, reportViolation);
            const stack = new StackView(args.resources);
            isolated(
                () => rule.validate(stack, config as C, (message, resource, advisory) => report(message, resource ?? stack.root, advisory)),
                (message) => reportViolation(message, stack.root?.urn),
            );
        },
    };
}
