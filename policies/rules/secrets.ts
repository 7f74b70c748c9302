import { containersOf, podSpecOf, WORKLOADS } from "../lib/kubernetes";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { exposesSecret, isSecretSetting, SECRET_NAME_PATTERN, weakSecretsIn } from "../lib/secret-values";
import { AWS, AWS_DATA, K8S, RANDOM } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, requireBoolean, show, UNKNOWN } from "../lib/values";

export const kmsKeyRotation: ResourceRule = {
    name: "kms-key-rotation",
    description: "Customer-managed KMS keys rotate their key material.",
    severity: "high",
    checklist: ["SEC-02"],
    references: ["https://docs.aws.amazon.com/kms/latest/developerguide/rotate-keys.html"],
    equivalents: ["CKV_AWS_7", "AVD-AWS-0065"],
    remediation: "Set enableKeyRotation: true (and rotationPeriodInDays, 90-2560).",
    resourceTypes: [AWS.kmsKey],
    validate(resource, config, report) {
        const spec = resource.props.customerMasterKeySpec ?? resource.props.keySpec;
        // AWS rotates only symmetric encryption keys.
        if (spec === undefined || spec === "SYMMETRIC_DEFAULT") {
            requireBoolean("enableKeyRotation", true, false)(resource, config, report);
        }
    },
};

export const secretsManagerKmsEncrypted: ResourceRule = {
    name: "secrets-manager-kms-encrypted",
    description: "Secrets Manager secrets are encrypted with a customer-managed KMS key.",
    severity: "high",
    checklist: ["SEC-02"],
    references: [
        "https://docs.aws.amazon.com/secretsmanager/latest/userguide/security-encryption.html",
        "https://docs.aws.amazon.com/kms/latest/developerguide/services-secrets-manager.html",
    ],
    equivalents: ["CKV_AWS_149", "AVD-AWS-0098"],
    remediation: "Set kmsKeyId to the platform KMS key instead of the default aws/secretsmanager key.",
    resourceTypes: [AWS.secret],
    validate({ props }, _config, report) {
        if (!isSet(props, "kmsKeyId") || peek(props, "kmsKeyId") === "alias/aws/secretsmanager") {
            report(`kmsKeyId is ${show(props.kmsKeyId)}; use the platform's customer-managed key`);
        }
    },
};

export const randomSecretLength: ResourceRule<{ minimumCharacters: number; minimumBytes: number }> = {
    name: "random-secret-length",
    description: "Generated secrets are long enough to resist guessing (32+ characters, 32+ random bytes).",
    severity: "high",
    checklist: ["SEC-01"],
    references: [
        "https://www.pulumi.com/registry/packages/random/api-docs/randompassword/",
        "https://www.pulumi.com/registry/packages/random/api-docs/randombytes/",
    ],
    remediation: "Raise length to the minimum (64 characters for a JWT secret, 32 bytes for an encryption key).",
    resourceTypes: [RANDOM.password, RANDOM.string, RANDOM.bytes],
    config: {
        minimumCharacters: { type: "integer", minimum: 8, default: 32, description: "Shortest RandomPassword/RandomString." },
        minimumBytes: { type: "integer", minimum: 8, default: 32, description: "Shortest RandomBytes." },
    },
    validate({ type, props }, { minimumCharacters, minimumBytes }, report) {
        const [minimum, unit] = type === RANDOM.bytes ? [minimumBytes, "bytes"] : [minimumCharacters, "characters"];
        const length = numberOf(props.length);
        if (length === undefined) {
            report(`length is ${show(props.length)}, not a number`);
        } else if (length < minimum) {
            report(`length is ${length} ${unit}; at least ${minimum} ${unit} is required`);
        }
    },
};

export const k8sNoPlaintextSecrets: ResourceRule<{ secretNamePattern: string }> = {
    name: "k8s-no-plaintext-secrets",
    description: "Secret settings reach workloads from Kubernetes Secrets, never as literal env values or ConfigMap data.",
    severity: "critical",
    checklist: ["SEC-03"],
    references: [
        "https://kubernetes.io/docs/concepts/configuration/secret/",
        "https://kubernetes.io/docs/tasks/inject-data-application/distribute-credentials-secure/",
    ],
    equivalents: ["AVD-KSV-0109"],
    remediation: "Move the value into a Secret (from a Pulumi secret) and reference it with valueFrom.secretKeyRef or envFrom.secretRef.",
    resourceTypes: [...WORKLOADS, K8S.configMap],
    config: { secretNamePattern: { type: "string", default: SECRET_NAME_PATTERN, description: "Regular expression for names of secret settings." } },
    validate({ type, props }, { secretNamePattern }, report) {
        const secretName = new RegExp(secretNamePattern, "i");
        if (type === K8S.configMap) {
            const keys = Object.keys(objectOf(props.data) ?? {}).filter((k) => secretName.test(k));
            if (keys.length > 0) {
                report(`ConfigMap data holds secret settings ${keys.join(", ")}; put them in a Secret`);
            }
            return;
        }
        for (const container of containersOf(podSpecOf(type, props))) {
            const literal = (listOf(container.spec.env) ?? [])
                .map(objectOf)
                .filter((e) => e && typeof e.name === "string" && secretName.test(e.name) && e.value !== undefined)
                .map((e) => e!.name);
            if (literal.length > 0) {
                report(`${container.label} sets ${literal.join(", ")} as literal values; use valueFrom.secretKeyRef`);
            }
        }
    },
};

/** Where programs write secret values, and how to generate each instead. */
const SECRET_INPUTS: { type: string; key: string; instead: string; skip?: (props: Record<string, any>) => boolean }[] = [
    { type: AWS_DATA.secretVersion, key: "secretString", instead: "secretString from a random.RandomPassword (or the service that owns the credential)" },
    // @pulumi/aws names an instance's master password `password`, a cluster's `masterPassword`.
    {
        type: AWS.rdsInstance,
        key: "password",
        instead: "manageMasterUserPassword: true (RDS keeps it in Secrets Manager and rotates it)",
        skip: (props) => peek(props, "manageMasterUserPassword") === true,
    },
    {
        type: AWS.rdsCluster,
        key: "masterPassword",
        instead: "manageMasterUserPassword: true (RDS keeps it in Secrets Manager and rotates it)",
        skip: (props) => peek(props, "manageMasterUserPassword") === true,
    },
    { type: AWS.replicationGroup, key: "authToken", instead: "authToken from a random.RandomPassword" },
];

/** A URL on the reserved .invalid domain (RFC 6761) is a placeholder, as a preflight puts for a secret it cannot read. */
const isPlaceholder = (value: string) => /^[a-z]+:\/\/[^/\s]+\.invalid(\/|$)/i.test(value);

export const secretValuesGenerated: StackRule<{ minimumCharacters: number }> = {
    name: "secret-values-generated",
    appliesTo: [AWS_DATA.secretVersion, AWS.rdsInstance, AWS.rdsCluster, AWS.replicationGroup],
    description:
        "Secret values (Secrets Manager values, database master passwords, Redis AUTH tokens) are generated, never weak values written in the program.",
    severity: "critical",
    checklist: ["SEC-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/rds-secrets-manager.html",
        "https://www.pulumi.com/registry/packages/random/api-docs/randompassword/",
    ],
    remediation:
        "Generate the value (random.RandomPassword with length 32 or more, or let the service manage it, e.g. manageMasterUserPassword: true) " +
        "instead of writing it in the program or typing it into config; then rotate the exposed credential.",
    config: { minimumCharacters: { type: "integer", minimum: 8, default: 20, description: "Shortest secret value written in the program or its config." } },
    validate(stack, { minimumCharacters }, report) {
        for (const { type, key, instead, skip } of SECRET_INPUTS) {
            for (const resource of stack.ofType(type)) {
                const value = peek(resource.props, key);
                // A value another resource produced (a generator, a database) is not written out; an unknown one comes from an output.
                if (
                    typeof value !== "string" ||
                    value === "" ||
                    isPlaceholder(value) ||
                    skip?.(resource.props) ||
                    stack.referencedBy(resource, key).length > 0
                ) {
                    continue;
                }
                const weak = weakSecretsIn(value, minimumCharacters);
                if (weak.length > 0) {
                    report(
                        `${resource.name}: ${key} is written in the program or its config, not generated, and is weak (${weak.join("; ")}); ` +
                            `use ${instead}`,
                        resource,
                    );
                }
            }
        }
    },
};

export const ssmSecureString: ResourceRule<{ secretNamePattern: string }> = {
    name: "ssm-secure-string",
    description: "SSM parameters whose names say they hold secrets are SecureString, encrypted with KMS.",
    severity: "high",
    checklist: ["SEC-03"],
    references: ["https://docs.aws.amazon.com/systems-manager/latest/userguide/sysman-paramstore-securestring.html"],
    equivalents: ["CKV2_AWS_34"],
    remediation:
        'Set type: "SecureString" (and keyId to a customer-managed key) on the parameter; a String parameter is readable by anyone with ssm:GetParameter.',
    resourceTypes: [AWS_DATA.ssmParameter],
    config: { secretNamePattern: { type: "string", default: SECRET_NAME_PATTERN, description: "Regular expression for names of secret settings." } },
    validate({ name, props }, { secretNamePattern }, report) {
        const type = peek(props, "type");
        const parameterName = peek(props, "name");
        const named = typeof parameterName === "string" ? parameterName : name;
        if ((type === "String" || type === "StringList") && isSecretSetting(named, secretNamePattern)) {
            report(`type is "${type}" for ${show(named)}, whose name says it holds a secret, so it is stored unencrypted; set type: "SecureString"`);
        }
    },
};

/** The plain environment of each container of an ECS task definition (containerDefinitions is a JSON string). */
export function ecsEnvironments(props: Record<string, any>): { label: string; env: [string, unknown][] }[] | string {
    const raw = peek(props, "containerDefinitions");
    if (raw === UNKNOWN || raw === undefined) {
        return [];
    }
    let definitions: unknown = raw;
    if (typeof raw === "string") {
        try {
            definitions = JSON.parse(raw);
        } catch (err) {
            return `containerDefinitions is not valid JSON (${(err as Error).message})`;
        }
    }
    return (listOf(definitions) ?? [])
        .map(objectOf)
        .filter((c): c is Record<string, any> => !!c)
        .map((container, i) => ({
            label: `container ${typeof container.name === "string" ? container.name : i + 1}`,
            env: (listOf(container.environment) ?? [])
                .map(objectOf)
                .filter((e) => typeof e?.name === "string")
                .map((e) => [e!.name as string, e!.value]),
        }));
}

export const awsEnvNoPlaintextSecrets: ResourceRule<{ secretNamePattern: string }> = {
    name: "aws-env-no-plaintext-secrets",
    description: "ECS containers and Lambda functions get secrets from Secrets Manager or SSM SecureString, never as plain environment values.",
    severity: "critical",
    checklist: ["SEC-03"],
    references: [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/specifying-sensitive-data.html",
        "https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html",
    ],
    equivalents: ["CKV_AWS_45", "AVD-AWS-0036"],
    remediation:
        "ECS: move the setting from the container's environment to its secrets list (valueFrom: the Secrets Manager secret or SSM " +
        "SecureString ARN). Lambda: remove it from environment.variables and read the secret at start-up (pass its ARN instead).",
    resourceTypes: [AWS_DATA.ecsTaskDefinition, AWS_DATA.lambdaFunction],
    config: { secretNamePattern: { type: "string", default: SECRET_NAME_PATTERN, description: "Regular expression for names of secret settings." } },
    validate({ type, props }, { secretNamePattern }, report) {
        if (type === AWS_DATA.lambdaFunction) {
            const variables = objectOf(peek(objectOf(peek(props, "environment")), "variables")) ?? {};
            const exposed = Object.keys(variables).filter((name) => exposesSecret(name, peek(variables, name), secretNamePattern));
            if (exposed.length > 0) {
                report(`environment.variables sets ${exposed.join(", ")} in plain text, readable by anyone who can read the function's configuration`);
            }
            return;
        }
        const containers = ecsEnvironments(props);
        if (typeof containers === "string") {
            report(containers);
            return;
        }
        for (const { label, env } of containers) {
            const exposed = env.filter(([name, value]) => exposesSecret(name, value, secretNamePattern)).map(([name]) => name);
            if (exposed.length > 0) {
                report(`${label} sets ${exposed.join(", ")} in environment; put them in secrets (valueFrom) instead`);
            }
        }
    },
};

/** Days between rotations a rotation schedule gives: `automaticallyAfterDays`, or a `rate(N days)` schedule; undefined for a cron schedule. */
function rotationDays(rules: Record<string, any> | undefined): number | undefined {
    const days = numberOf(peek(rules, "automaticallyAfterDays"));
    if (days !== undefined) {
        return days;
    }
    const schedule = peek(rules, "scheduleExpression");
    const rate = typeof schedule === "string" ? /^rate\((\d+) days?\)$/.exec(schedule) : null;
    return rate ? Number(rate[1]) : undefined;
}

export const secretsManagerRotation: StackRule<{ maximumDays: number; enforce: boolean }> = {
    name: "secrets-manager-rotation",
    appliesTo: [AWS.secret],
    description: "Secrets Manager secrets rotate automatically, at least every 90 days.",
    severity: "medium",
    checklist: [],
    beyondChecklist:
        "No checklist line asks for it, but a credential that never changes stays valid for whoever once read it; " +
        "reported as advisory so it informs review without blocking a release.",
    references: ["https://docs.aws.amazon.com/secretsmanager/latest/userguide/rotating-secrets.html"],
    equivalents: ["CKV2_AWS_57"],
    remediation:
        "Add an aws.secretsmanager.SecretRotation for the secret (secretId: the secret's id, rotationLambdaArn: a rotation function, " +
        "rotationRules.automaticallyAfterDays at most 90); for an RDS master password, set manageMasterUserPassword: true instead.",
    config: {
        maximumDays: { type: "integer", minimum: 1, maximum: 1000, default: 90, description: "Longest time between rotations." },
        enforce: {
            type: "boolean",
            default: false,
            description: "Report at the policy's level; by default findings are advisory, since a third-party API key can only be rotated by its issuer.",
        },
    },
    validate(stack, { maximumDays, enforce }, report) {
        const rotations = stack.ofType(AWS_DATA.secretRotation);
        for (const secret of stack.ofType(AWS.secret)) {
            const names = [peek(secret.props, "name"), peek(secret.props, "arn")].filter((v) => typeof v === "string");
            const rotation = rotations.find(
                (r) => stack.referencedBy(r, "secretId").some((s) => s.urn === secret.urn) || names.includes(peek(r.props, "secretId") as string),
            );
            if (rotation === undefined) {
                report(`${secret.name} has no SecretRotation, so its value stays the same until someone changes it by hand`, secret, !enforce);
                continue;
            }
            const rules = objectOf(peek(rotation.props, "rotationRules"));
            const days = rotationDays(rules);
            if (days !== undefined && days > maximumDays) {
                report(`${secret.name} rotates every ${days} days (${rotation.name}); at most ${maximumDays}`, rotation, !enforce);
            }
        }
    },
};

export const secretsRules: RuleFile = {
    title: "Secrets and keys (KMS, Secrets Manager, SSM, Kubernetes)",
    resource: [
        kmsKeyRotation,
        secretsManagerKmsEncrypted,
        randomSecretLength,
        k8sNoPlaintextSecrets,
        ssmSecureString,
        awsEnvNoPlaintextSecrets,
    ] as ResourceRule<any>[],
    stack: [secretValuesGenerated, secretsManagerRotation] as StackRule<any>[],
};
