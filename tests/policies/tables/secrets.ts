import { AWS, AWS_DATA, K8S, RANDOM } from "../../../policies/lib/types";
import { CaseTable, changed, ResourceCase, StackCase } from "../cases";
import { TestResource } from "../helpers";

const deployment = (env: object[]) => ({
    metadata: { name: "api", namespace: "app" },
    spec: { template: { spec: { containers: [{ name: "api", image: "ghcr.io/acme/api:1.4.2", env }] } } },
});

const generated: TestResource[] = [
    { type: RANDOM.password, name: "db-password", props: { length: 32, special: false } },
    { type: AWS.secret, name: "db-credentials", props: { name: "shop/db" } },
    {
        type: AWS_DATA.secretVersion,
        name: "db-credentials",
        props: { secretString: '{"username":"shop","password":"Zq4vN8rT2xLm6PbW9cYd3KfH"}' },
        deps: { secretString: ["db-password"] },
    },
    {
        type: AWS.rdsInstance,
        name: "db",
        props: { engine: "mysql", username: "shop", password: "Zq4vN8rT2xLm6PbW9cYd3KfH" },
        deps: { password: ["db-password"] },
    },
    // A third-party key from secret config: long and random, so it may have been typed in.
    { type: AWS_DATA.secretVersion, name: "stripe", props: { secretString: "sk_live_51HxQ2eKz8vN4rT7yLm0PbW3c" } },
    // What the preflight shows for a secret it cannot decrypt.
    { type: AWS_DATA.secretVersion, name: "exported", props: { secretString: "[secret]" } },
    { type: AWS.rdsCluster, name: "aurora", props: { engine: "aurora-postgresql", manageMasterUserPassword: true } },
];

const resource: ResourceCase[] = [
    {
        policy: "kms-key-rotation",
        type: AWS.kmsKey,
        compliant: { enableKeyRotation: true, keySpec: "SYMMETRIC_DEFAULT" },
        violating: [{ change: { enableKeyRotation: undefined }, message: /enableKeyRotation is not set, and the provider default is false/ }],
    },
    {
        policy: "secrets-manager-kms-encrypted",
        type: AWS.secret,
        compliant: { name: "app/JWT", kmsKeyId: "arn:aws:kms:eu-west-1:1:key/k" },
        violating: [
            { change: { kmsKeyId: undefined }, message: /kmsKeyId is not set; use the platform's customer-managed key/ },
            { change: { kmsKeyId: "alias/aws/secretsmanager" }, message: /kmsKeyId is "alias\/aws\/secretsmanager"/ },
        ],
    },
    {
        policy: "random-secret-length",
        type: RANDOM.password,
        compliant: { length: 64, special: false },
        violating: [
            { change: { length: 16 }, message: /length is 16 characters; at least 32 characters/ },
            { change: { length: undefined }, message: /length is not set, not a number/ },
        ],
    },
    {
        policy: "random-secret-length",
        type: RANDOM.bytes,
        compliant: { length: 32 },
        violating: [{ change: { length: 16 }, message: /length is 16 bytes; at least 32 bytes/ }],
    },
    {
        policy: "k8s-no-plaintext-secrets",
        type: K8S.deployment,
        compliant: deployment([
            { name: "NODE_ENV", value: "production" },
            { name: "JWT_SECRET", valueFrom: { secretKeyRef: { name: "api", key: "JWT_SECRET" } } },
        ]),
        violating: [
            {
                change: deployment([
                    { name: "JWT_SECRET", value: "hunter2" },
                    { name: "DATABASE_URL", value: "postgresql://x" },
                ]),
                message: /container api sets JWT_SECRET, DATABASE_URL as literal values/,
            },
        ],
    },
    {
        policy: "k8s-no-plaintext-secrets",
        type: K8S.configMap,
        compliant: { data: { NODE_ENV: "production", CORS_ORIGINS: "https://acme.example" } },
        violating: [{ change: { data: { NODE_ENV: "production", OPENAI_API_KEY: "sk-1" } }, message: /ConfigMap data holds secret settings OPENAI_API_KEY/ }],
    },
    {
        policy: "ssm-secure-string",
        type: AWS_DATA.ssmParameter,
        compliant: { name: "/shop/prod/db-password", type: "SecureString", value: "x" },
        violating: [
            { change: { type: "String" }, message: /type is "String" for "\/shop\/prod\/db-password", whose name says it holds a secret/ },
            { change: { name: "/shop/prod/stripeApiKey", type: "String" }, message: /stripeApiKey/ },
        ],
    },
    {
        // A plain setting that names where the secret is, not the secret, may be a String.
        policy: "ssm-secure-string",
        type: AWS_DATA.ssmParameter,
        compliant: { name: "/shop/prod/db-secret-arn", type: "String", value: "arn:aws:secretsmanager:x" },
        violating: [{ change: { name: "/shop/prod/JWT_SECRET" }, message: /JWT_SECRET/ }],
    },
    {
        policy: "aws-env-no-plaintext-secrets",
        type: AWS_DATA.ecsTaskDefinition,
        compliant: {
            family: "web",
            containerDefinitions: JSON.stringify([
                {
                    name: "web",
                    image: "nginx:1.27",
                    essential: true,
                    environment: [
                        { name: "NODE_ENV", value: "production" },
                        { name: "DATABASE_URL", value: "postgres://db.internal:5432/shop" },
                    ],
                    secrets: [{ name: "DB_PASSWORD", valueFrom: "arn:aws:secretsmanager:eu-west-1:1:secret:db-AbCd" }],
                },
            ]),
        },
        violating: [
            {
                change: {
                    containerDefinitions: JSON.stringify([
                        {
                            name: "web",
                            image: "nginx:1.27",
                            environment: [
                                { name: "DB_PASSWORD", value: "hunter2" },
                                { name: "DATABASE_URL", value: "postgres://shop:hunter2@db.internal:5432/shop" },
                            ],
                        },
                    ]),
                },
                message: /container web sets DB_PASSWORD, DATABASE_URL in environment; put them in secrets/,
            },
            { change: { containerDefinitions: '[{"name": ' }, message: /containerDefinitions is not valid JSON/ },
        ],
    },
    {
        policy: "aws-env-no-plaintext-secrets",
        type: AWS_DATA.lambdaFunction,
        compliant: {
            runtime: "nodejs20.x",
            handler: "index.handler",
            environment: { variables: { TABLE: "orders", API_KEY_SECRET_ARN: "arn:aws:secretsmanager:x" } },
        },
        violating: [
            {
                change: { environment: { variables: { TABLE: "orders", STRIPE_API_KEY: "sk_test_abc" } } },
                message: /environment\.variables sets STRIPE_API_KEY in plain text/,
            },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "secret-values-generated",
        compliant: generated,
        violating: [
            {
                resources: [...generated, { type: AWS_DATA.secretVersion, name: "literal", props: { secretString: "SuperSecretPassword123!" } }],
                message: /literal: secretString is written in the program or its config, not generated, and is weak \(it contains "password"/,
            },
            {
                resources: [
                    ...generated,
                    { type: AWS_DATA.secretVersion, name: "json", props: { secretString: '{"username":"admin","password":"changeme"}' } },
                ],
                message: /json: secretString .* \(its field password: it is 8 characters long/,
            },
            {
                resources: changed(generated, "db", { props: { password: "P@ssw0rd2024!xyz-long-enough" }, deps: {} }),
                message: /db: password .*contains "password".*use manageMasterUserPassword: true/,
            },
            {
                resources: [...generated, { type: AWS.replicationGroup, name: "cache", props: { authToken: "aaaaaaaaaaaaaaaaaaaaaaaa" } }],
                message: /cache: authToken .*its characters repeat too much/,
            },
        ],
    },
    {
        // Enforced, findings are violations at the policy's level (advisory otherwise: see rules.spec.ts).
        policy: "secrets-manager-rotation",
        config: { enforce: true },
        compliant: [
            { type: AWS.secret, name: "db-credentials", props: { name: "shop/db" } },
            {
                type: AWS_DATA.secretRotation,
                name: "db-credentials-rotation",
                props: { rotationRules: { automaticallyAfterDays: 30 } },
                deps: { secretId: ["db-credentials"] },
            },
            // Rotated by a schedule expression, the secret named by its name.
            { type: AWS.secret, name: "stripe", props: { name: "shop/stripe" } },
            {
                type: AWS_DATA.secretRotation,
                name: "stripe-rotation",
                props: { secretId: "shop/stripe", rotationRules: { scheduleExpression: "rate(60 days)" } },
            },
        ],
        violating: [
            {
                resources: [{ type: AWS.secret, name: "jwt", props: { name: "shop/jwt" } }],
                message: /jwt has no SecretRotation, so its value stays the same until someone changes it by hand/,
            },
            {
                resources: [
                    { type: AWS.secret, name: "db-credentials", props: { name: "shop/db" } },
                    {
                        type: AWS_DATA.secretRotation,
                        name: "db-credentials-rotation",
                        props: { rotationRules: { automaticallyAfterDays: 365 } },
                        deps: { secretId: ["db-credentials"] },
                    },
                ],
                message: /db-credentials rotates every 365 days \(db-credentials-rotation\); at most 90/,
            },
            {
                resources: [
                    { type: AWS.secret, name: "stripe", props: { name: "shop/stripe" } },
                    {
                        type: AWS_DATA.secretRotation,
                        name: "stripe-rotation",
                        props: { secretId: "shop/stripe", rotationRules: { scheduleExpression: "rate(180 days)" } },
                    },
                ],
                message: /stripe rotates every 180 days/,
            },
        ],
    },
];

export const secretsCases: CaseTable = { area: "secrets", resource, stack };
