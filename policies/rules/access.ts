import { ResourceRule, RuleFile } from "../lib/rule";
import { AWS, AWS_DATA } from "../lib/types";
import { listOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

/** Verbs of actions that only read: allowed on every resource ("*"). */
const READ_ONLY_VERBS = ["get", "list", "describe", "head", "query", "scan", "batchget", "select"];

/** Actions whose IAM entry takes no resource ARN, so a policy can only grant them on "*". */
export const WILDCARD_ONLY_ACTIONS = [
    "cloudwatch:PutMetricData",
    "xray:PutTraceSegments",
    "xray:PutTelemetryRecords",
    "logs:CreateLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:PutResourcePolicy",
    "logs:DeleteResourcePolicy",
    "ec2:CreateNetworkInterface",
    "ec2:DeleteNetworkInterface",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
];

/** Reads that hand out secrets or data: granted on "*", they read every secret, parameter or object of the account. */
export const SENSITIVE_READ_ACTIONS = ["secretsmanager:GetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "s3:GetObject"];

/** Services our program's roles trust, and the ones other programs commonly need. */
export const SERVICE_PRINCIPALS = [
    "backup.amazonaws.com",
    "monitoring.rds.amazonaws.com",
    "pods.eks.amazonaws.com",
    "rds.amazonaws.com",
    "vpc-flow-logs.amazonaws.com",
    "apigateway.amazonaws.com",
    "codebuild.amazonaws.com",
    "ec2.amazonaws.com",
    "ecs-tasks.amazonaws.com",
    "edgelambda.amazonaws.com",
    "eks.amazonaws.com",
    "events.amazonaws.com",
    "firehose.amazonaws.com",
    "lambda.amazonaws.com",
    "logs.amazonaws.com",
    "scheduler.amazonaws.com",
    "states.amazonaws.com",
];

const ATTACHMENTS: readonly string[] = AWS.iamPolicyAttachments;

/** AWS managed policies that hand out administration. */
export const ADMINISTRATOR_POLICIES = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

/** An IAM pattern ("s3:Get*", "logs.*.amazonaws.com") as a case-insensitive regular expression. */
function globPattern(pattern: string): RegExp {
    const body = pattern
        .split("")
        .map((c) => (c === "*" ? ".*" : c === "?" ? "." : c.replace(/[.+^${}()|[\]\\]/g, "\\$&")))
        .join("");
    return new RegExp(`^${body}$`, "i");
}

/** Whether an action (or action pattern) only reads: its name starts with a read-only verb before any wildcard. */
function readOnly(action: string): boolean {
    const [service, name] = action.toLowerCase().split(":");
    if (!service || service.includes("*") || name === undefined) {
        return false;
    }
    const literal = name.split(/[*?]/)[0];
    return READ_ONLY_VERBS.some((verb) => literal.startsWith(verb));
}

/** A statement field that may be one string or a list of them. */
const strings = (value: unknown): string[] => (typeof value === "string" ? [value] : (listOf(value) ?? []).filter((v): v is string => typeof v === "string"));
const hasCondition = (statement: Record<string, any>) => Object.keys(objectOf(statement.Condition) ?? {}).length > 0;

interface AccessConfig {
    allowedWildcardActions: string[];
    sensitiveReadActions: string[];
    allowedServicePrincipals: string[];
    forbiddenManagedPolicies: string[];
}

/** The statements of a document given as a JSON string or an object, or why it cannot be read. */
function statementsOf(document: unknown): { statements: Record<string, any>[] } | { error: string } {
    let parsed = document;
    if (typeof document === "string") {
        try {
            parsed = JSON.parse(document);
        } catch (err) {
            return { error: `is not valid JSON (${(err as Error).message})` };
        }
    }
    const body = objectOf(parsed);
    if (!body) {
        return { error: `is ${show(document)}, not a policy document` };
    }
    const list = Array.isArray(body.Statement) ? body.Statement : objectOf(body.Statement) ? [body.Statement] : undefined;
    const statements = (list ?? []).map(objectOf);
    if (!list || statements.some((s) => !s)) {
        return { error: `has no readable Statement (${show(body.Statement)})` };
    }
    return { statements: statements as Record<string, any>[] };
}

/** What a permissions statement allows beyond least privilege. */
function permissionProblems(statement: Record<string, any>, config: AccessConfig): string[] {
    if (statement.NotAction !== undefined) {
        return [`allows every action except ${show(statement.NotAction)} (NotAction); list the actions instead`];
    }
    const actions = strings(statement.Action);
    if (actions.some((a) => a === "*" || a === "*:*")) {
        return ['allows every action ("*")'];
    }
    // NotResource grants on everything but the resources it lists: as wide as "*".
    const everywhere = strings(statement.Resource).includes("*") || statement.NotResource !== undefined;
    if (!everywhere) {
        return [];
    }
    const wildcardOnly = config.allowedWildcardActions.map((a) => a.toLowerCase());
    const writes = actions.filter((a) => !readOnly(a) && !wildcardOnly.includes(a.toLowerCase()));
    const sensitive = actions.filter((a) => readOnly(a) && config.sensitiveReadActions.some((s) => globPattern(a).test(s)));
    const scope = statement.NotResource !== undefined ? "every resource but NotResource" : 'Resource "*"';
    return [
        ...(writes.length > 0 ? [`allows ${writes.join(", ")} on ${scope}, not only reads`] : []),
        ...(sensitive.length > 0 ? [`allows ${sensitive.join(", ")} on ${scope}, which reads every secret or object`] : []),
    ];
}

/** What a trust statement lets assume the role beyond the intended principals. */
function trustProblems(statement: Record<string, any>, config: AccessConfig): string[] {
    if (statement.NotPrincipal !== undefined) {
        return [`trusts every principal except ${show(statement.NotPrincipal)} (NotPrincipal)`];
    }
    const principal = statement.Principal;
    const principals = objectOf(principal) ?? {};
    const problems: string[] = [];
    if ((principal === "*" || strings(principals.AWS).includes("*")) && !hasCondition(statement)) {
        problems.push('trusts every AWS principal ("*") without a Condition');
    }
    const unknownServices = strings(principals.Service).filter((s) => !config.allowedServicePrincipals.some((allowed) => globPattern(allowed).test(s)));
    if (unknownServices.length > 0) {
        problems.push(`trusts ${unknownServices.join(", ")}, not in allowedServicePrincipals`);
    }
    const federated = strings(principals.Federated);
    if (federated.length > 0 && !hasCondition(statement)) {
        problems.push(`trusts ${federated.join(", ")} without a Condition, so any identity of that provider may assume the role`);
    }
    return problems;
}

interface DocumentProperty {
    label: string;
    value: unknown;
    trust: boolean;
    /** Reads the value through the resource's properties again: for an unknown one, that makes @pulumi/policy report it. */
    reread: () => unknown;
}

function documentsOf(type: string, props: Record<string, any>): DocumentProperty[] {
    if (type !== AWS.iamRole) {
        return [{ label: "policy", value: peek(props, "policy"), trust: false, reread: () => props.policy }];
    }
    const inline = listOf(peek(props, "inlinePolicies")) ?? [];
    return [
        { label: "assumeRolePolicy", value: peek(props, "assumeRolePolicy"), trust: true, reread: () => props.assumeRolePolicy },
        ...inline.map((entry, i) => {
            const name = peek(objectOf(entry), "name");
            return {
                label: `inlinePolicies[${i}]${typeof name === "string" ? ` (${name})` : ""}`,
                value: peek(objectOf(entry), "policy"),
                trust: false,
                reread: () => props.inlinePolicies[i].policy,
            };
        }),
    ];
}

/** The AWS managed policies among `arns` (arn:aws:iam::aws:policy/[path/]Name) whose name is forbidden. */
function administratorPolicies(arns: unknown[], forbidden: string[]): string[] {
    return arns.filter(
        (arn): arn is string => typeof arn === "string" && /^arn:[\w-]+:iam::aws:policy\//.test(arn) && forbidden.includes(arn.split("/").pop()!),
    );
}

export const iamLeastPrivilege: ResourceRule<AccessConfig> = {
    name: "iam-least-privilege",
    description: "IAM policies grant named actions on named resources, and roles trust only known principals.",
    severity: "high",
    checklist: ["ACC-01"],
    references: [
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
    ],
    equivalents: ["CKV_AWS_60", "CKV_AWS_62", "CKV_AWS_63", "CKV_AWS_274", "CKV_AWS_355", "AVD-AWS-0057"],
    remediation:
        'In the policy document, list the actions the workload calls and the ARNs it calls them on (Resource "*" only for reads and ' +
        "for actions that take no resource); in assumeRolePolicy, trust a known service principal, or a principal with a Condition; " +
        "attach no administrator policy.",
    resourceTypes: [AWS.iamPolicy, AWS.iamRolePolicy, AWS.iamRole, AWS.iamUserPolicy, AWS.iamGroupPolicy, ...AWS.iamPolicyAttachments],
    config: {
        allowedWildcardActions: {
            type: "array",
            items: { type: "string" },
            default: WILDCARD_ONLY_ACTIONS,
            description: 'Write actions allowed on Resource "*" because they take no resource ARN.',
        },
        sensitiveReadActions: {
            type: "array",
            items: { type: "string" },
            default: SENSITIVE_READ_ACTIONS,
            description: "Read actions that must name their resources.",
        },
        allowedServicePrincipals: {
            type: "array",
            items: { type: "string" },
            default: SERVICE_PRINCIPALS,
            description: "Service principals a role may trust (* matches any characters, e.g. logs.*.amazonaws.com).",
        },
        forbiddenManagedPolicies: {
            type: "array",
            items: { type: "string" },
            default: ADMINISTRATOR_POLICIES,
            description: "AWS managed policies that may not be attached.",
        },
    },
    validate({ type, props }, config, report) {
        const attachment = ATTACHMENTS.includes(type);
        const attached = attachment ? [peek(props, "policyArn")] : type === AWS.iamRole ? (listOf(peek(props, "managedPolicyArns")) ?? []) : [];
        const administrator = administratorPolicies(attached, config.forbiddenManagedPolicies);
        if (administrator.length > 0) {
            report(`attaches ${administrator.join(", ")}, which grants administration; attach a policy with the actions the workload needs`);
        }
        const documents = attachment ? [] : documentsOf(type, props);
        for (const document of documents.filter((d) => d.value !== UNKNOWN && d.value !== undefined && d.value !== null)) {
            const parsed = statementsOf(document.value);
            if ("error" in parsed) {
                report(`${document.label} ${parsed.error}`);
                continue;
            }
            const problems = parsed.statements.flatMap((statement, i) => {
                if (statement.Effect !== "Allow") {
                    return [];
                }
                const label = typeof statement.Sid === "string" && statement.Sid !== "" ? statement.Sid : `${i + 1}`;
                return (document.trust ? trustProblems(statement, config) : permissionProblems(statement, config)).map((p) => `statement ${label} ${p}`);
            });
            if (problems.length > 0) {
                report(`${document.label}: ${problems.join("; ")}`);
            }
        }
        // A document built from other resources' outputs is unknown in a preview: the rule says it cannot judge it yet.
        documents.find((d) => d.value === UNKNOWN)?.reread();
    },
};

/** Resource policies: who else may use a bucket, repository, topic, queue, key or secret. */
export const RESOURCE_POLICY_TYPES = [
    AWS.bucketPolicy,
    ...AWS.buckets,
    AWS_DATA.ecrRepositoryPolicy,
    AWS_DATA.ecrRegistryPolicy,
    AWS_DATA.snsTopicPolicy,
    AWS_DATA.snsTopic,
    AWS_DATA.sqsQueuePolicy,
    AWS_DATA.sqsQueue,
    AWS.kmsKey,
    AWS_DATA.kmsKeyPolicy,
    AWS_DATA.secretPolicy,
    AWS.secret,
];

/** Condition keys that narrow who may call: an organisation, an account, a principal, a source resource or network. */
export const CALLER_CONDITION_KEYS = [
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalAccount",
    "aws:PrincipalArn",
    "aws:PrincipalServiceName",
    "aws:userid",
    "aws:username",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOwner",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:CalledVia",
    "kms:CallerAccount",
    "kms:ViaService",
    "s3:DataAccessPointAccount",
];

/** The condition keys of a statement, whatever their operators. */
const conditionKeys = (statement: Record<string, any>) =>
    Object.values(objectOf(statement.Condition) ?? {}).flatMap((block) => Object.keys(objectOf(block) ?? {}));

/** What a resource policy's Allow statement opens to everyone. */
function publicGrant(statement: Record<string, any>, callerKeys: string[]): string | undefined {
    if (statement.NotPrincipal !== undefined) {
        return `allows every principal except ${show(statement.NotPrincipal)} (NotPrincipal)`;
    }
    const principal = statement.Principal;
    if (!(principal === "*" || strings(objectOf(principal)?.AWS).includes("*"))) {
        return undefined;
    }
    const keys = conditionKeys(statement);
    const allowed = callerKeys.map((k) => k.toLowerCase());
    if (keys.some((k) => allowed.includes(k.toLowerCase()))) {
        return undefined;
    }
    const actions = statement.NotAction !== undefined ? `every action but ${show(statement.NotAction)}` : strings(statement.Action).join(", ") || "its actions";
    const condition = keys.length > 0 ? `its Condition (${keys.join(", ")}) does not narrow who calls` : "without a Condition";
    return `grants ${actions} to every principal ("*"), ${condition}`;
}

export const resourcePolicyNotPublic: ResourceRule<{ callerConditionKeys: string[] }> = {
    name: "resource-policy-not-public",
    description: 'Resource policies (S3, ECR, SNS, SQS, KMS, Secrets Manager) grant nothing to every principal ("*") unless a Condition names the callers.',
    severity: "critical",
    checklist: ["ACC-01"],
    references: [
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html",
        "https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-control-block-public-access.html",
    ],
    equivalents: ["CKV_AWS_70", "CKV_AWS_32", "CKV_AWS_33", "CKV_AWS_168", "CKV_AWS_169", "AVD-AWS-0032"],
    remediation:
        'In the policy document, replace Principal "*" with the accounts, roles or service principals that need access, or add a Condition ' +
        "on the caller (aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceArn, aws:SourceAccount, aws:SourceVpce).",
    resourceTypes: RESOURCE_POLICY_TYPES,
    config: {
        callerConditionKeys: {
            type: "array",
            items: { type: "string" },
            default: CALLER_CONDITION_KEYS,
            description: 'Condition keys that make a statement to Principal "*" acceptable.',
        },
    },
    validate({ props }, { callerConditionKeys }, report) {
        const document = peek(props, "policy");
        if (document === UNKNOWN || document === undefined || document === null || document === "") {
            return;
        }
        const parsed = statementsOf(document);
        if ("error" in parsed) {
            report(`policy ${parsed.error}`);
            return;
        }
        const problems = parsed.statements.flatMap((statement, i) => {
            const problem = statement.Effect === "Allow" ? publicGrant(statement, callerConditionKeys) : undefined;
            const label = typeof statement.Sid === "string" && statement.Sid !== "" ? statement.Sid : `${i + 1}`;
            return problem ? [`statement ${label} ${problem}`] : [];
        });
        if (problems.length > 0) {
            report(`policy: ${problems.join("; ")}`);
        }
    },
};

export const accessRules: RuleFile = {
    title: "AWS IAM and resource policies",
    resource: [iamLeastPrivilege, resourcePolicyNotPublic] as ResourceRule<any>[],
    stack: [],
};
