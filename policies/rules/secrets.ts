import { containersOf, podSpecOf, WORKLOADS } from "../lib/kubernetes";
import { ResourceRule } from "../lib/rule";
import { AWS, K8S, RANDOM } from "../lib/types";
import { isSet, listOf, numberOf, objectOf, peek, requireBoolean, show } from "../lib/values";

export const kmsKeyRotation: ResourceRule = {
    name: "kms-key-rotation",
    description: "Customer-managed KMS keys rotate their key material.",
    severity: "high",
    checklist: ["SEC-02"],
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


/** Names of settings that hold secrets: they must come from a Secret, never a literal or a ConfigMap. */
export const SECRET_NAME_PATTERN = "(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE_KEY|API_KEY|ACCESS_KEY|ENCRYPTION_KEY|DATABASE_URL|REDIS_URL|DSN|CREDENTIALS)";

export const k8sNoPlaintextSecrets: ResourceRule<{ secretNamePattern: string }> = {
    name: "k8s-no-plaintext-secrets",
    description: "Secret settings reach workloads from Kubernetes Secrets, never as literal env values or ConfigMap data.",
    severity: "critical",
    checklist: ["SEC-03"],
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
            const literal = (listOf(container.spec.env) ?? []).map(objectOf)
                .filter((e) => e && typeof e.name === "string" && secretName.test(e.name) && e.value !== undefined)
                .map((e) => e!.name);
            if (literal.length > 0) {
                report(`${container.label} sets ${literal.join(", ")} as literal values; use valueFrom.secretKeyRef`);
            }
        }
    },
};

export const secretsRules = { resource: [kmsKeyRotation, secretsManagerKmsEncrypted, randomSecretLength, k8sNoPlaintextSecrets] as ResourceRule<any>[] };
