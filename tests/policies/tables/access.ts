import { AWS, AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, ResourceCase } from "../cases";

const document = (...statements: object[]) => ({ Version: "2012-10-17", Statement: statements });

const json = (...statements: object[]) => JSON.stringify(document(...statements));

/** Trust and permissions as components/network.ts writes them for the flow-log role. */
const flowLogsTrust = json({
    Effect: "Allow",
    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } },
});

const logGroup = "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/vpc/platform-production-network/flow-logs";

const flowLogsPolicy = json({
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
    Resource: [logGroup, `${logGroup}:*`],
});

/** The RDS Proxy's policy of components/database.ts: named secrets, and the key only through Secrets Manager. */
const proxyPolicy = json(
    { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:db/postgres/app-AbCdEf"] },
    {
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "arn:aws:kms:eu-west-1:123456789012:key/k",
        Condition: { StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } },
    },
);

const role = {
    description: "Lets VPC flow logs write to CloudWatch Logs",
    assumeRolePolicy: flowLogsTrust,
    inlinePolicies: [{ name: "logs", policy: flowLogsPolicy }],
};

const inline = (...statements: object[]) => ({ inlinePolicies: [{ name: "logs", policy: json(...statements) }] });

const trust = (statement: object) => ({ assumeRolePolicy: json({ Effect: "Allow", Action: "sts:AssumeRole", ...statement }) });

const statement = (action: unknown, resource: unknown = "*") => ({ policy: json({ Effect: "Allow", Action: action, Resource: resource }) });

/** Resource policies as programs write them: a bucket's TLS-only deny, an ECR pull for the organisation, a KMS key's default policy. */
const tlsOnly = {
    Sid: "DenyWithoutTls",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: ["arn:aws:s3:::shop", "arn:aws:s3:::shop/*"],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
};

const resource: ResourceCase[] = [
    {
        policy: "iam-least-privilege",
        type: AWS.iamRole,
        compliant: role,
        violating: [
            { change: trust({ Principal: "*" }), message: /^assumeRolePolicy: statement 1 trusts every AWS principal \("\*"\) without a Condition$/m },
            {
                change: trust({ Principal: { AWS: ["arn:aws:iam::123456789012:root", "*"] } }),
                message: /trusts every AWS principal \("\*"\) without a Condition/,
            },
            {
                change: trust({ Principal: { Service: "sagemaker.amazonaws.com" } }),
                message: /trusts sagemaker\.amazonaws\.com, not in allowedServicePrincipals/,
            },
            {
                change: trust({
                    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC" },
                    Action: "sts:AssumeRoleWithWebIdentity",
                }),
                message: /trusts arn:aws:iam::123456789012:oidc-provider\/.* without a Condition/,
            },
            { change: { assumeRolePolicy: '{"Version": "2012-10-17", "Statement": [' }, message: /^assumeRolePolicy is not valid JSON/m },
            {
                change: inline({ Sid: "Everything", Effect: "Allow", Action: "*", Resource: logGroup }),
                message: /^inlinePolicies\[0\] \(logs\): statement Everything allows every action \("\*"\)$/m,
            },
            {
                change: {
                    managedPolicyArns: ["arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole", "arn:aws:iam::aws:policy/AdministratorAccess"],
                },
                message: /^attaches arn:aws:iam::aws:policy\/AdministratorAccess, which grants administration/m,
            },
        ],
    },
    {
        policy: "iam-least-privilege",
        type: AWS.iamRolePolicy,
        compliant: { role: "db-proxy", policy: proxyPolicy },
        violating: [
            { change: statement("s3:*"), message: /^policy: statement 1 allows s3:\* on Resource "\*", not only reads$/m },
            { change: statement(["ec2:Describe*", "ec2:TerminateInstances"]), message: /allows ec2:TerminateInstances on Resource "\*", not only reads$/ },
            { change: statement("*:*", logGroup), message: /statement 1 allows every action/ },
            { change: statement(["secretsmanager:Get*"]), message: /allows secretsmanager:Get\* on Resource "\*", which reads every secret or object/ },
            { change: { policy: json({ Effect: "Allow", NotAction: "iam:*", Resource: "*" }) }, message: /allows every action except "iam:\*" \(NotAction\)/ },
            {
                change: { policy: json({ Effect: "Allow", Action: "s3:PutObject", NotResource: "arn:aws:s3:::audit/*" }) },
                message: /allows s3:PutObject on every resource but NotResource/,
            },
            { change: { policy: JSON.stringify({ Version: "2012-10-17" }) }, message: /^policy has no readable Statement \(not set\)$/m },
            { change: { policy: 42 }, message: /^policy is 42, not a policy document$/m },
        ],
    },
    {
        // A document given as an object (aws.iam.PolicyDocument), with a single statement and the actions AWS only grants on "*".
        policy: "iam-least-privilege",
        type: AWS.iamPolicy,
        compliant: {
            policy: {
                Version: "2012-10-17",
                Statement: [
                    { Effect: "Allow", Action: ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "ec2:Describe*", "sts:GetCallerIdentity"], Resource: "*" },
                    { Effect: "Deny", Action: "*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": "false" } } },
                ],
            },
        },
        violating: [
            {
                change: { policy: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "iam:PassRole", Resource: "*" } } },
                message: /statement 1 allows iam:PassRole on Resource "\*"/,
            },
            {
                change: {
                    policy: {
                        Version: "2012-10-17",
                        Statement: [
                            { Effect: "Allow", Action: "logs:CreateLogDelivery", Resource: "*" },
                            { Effect: "Allow", Action: "kms:*", Resource: "*" },
                        ],
                    },
                },
                message: /^policy: statement 2 allows kms:\* on Resource "\*"/m,
            },
        ],
        config: { allowedWildcardActions: ["cloudwatch:PutMetricData", "xray:PutTraceSegments", "logs:CreateLogDelivery"] },
    },
    {
        policy: "iam-least-privilege",
        type: AWS.iamUserPolicy,
        compliant: { user: "ci", policy: json({ Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }) },
        violating: [{ change: statement(["ecr:GetAuthorizationToken", "ecr:PutImage"]), message: /allows ecr:PutImage on Resource "\*"/ }],
    },
    {
        policy: "iam-least-privilege",
        type: AWS.iamGroupPolicy,
        compliant: { group: "readers", policy: json({ Effect: "Allow", Action: "s3:ListAllMyBuckets", Resource: "*" }) },
        violating: [{ change: statement("s3:GetObject"), message: /allows s3:GetObject on Resource "\*", which reads every secret or object/ }],
    },
    {
        // AWS managed attachments are not documents: only administrator policies are refused.
        policy: "iam-least-privilege",
        type: AWS.iamPolicyAttachments[0],
        compliant: { role: "db-monitoring", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" },
        violating: [
            { change: { policyArn: "arn:aws:iam::aws:policy/AdministratorAccess" }, message: /^attaches arn:aws:iam::aws:policy\/AdministratorAccess/m },
            { change: { policyArn: "arn:aws-us-gov:iam::aws:policy/PowerUserAccess" }, message: /attaches arn:aws-us-gov:iam::aws:policy\/PowerUserAccess/ },
        ],
    },
    {
        policy: "resource-policy-not-public",
        type: AWS.bucketPolicy,
        compliant: { bucket: "shop", policy: json(tlsOnly) },
        violating: [
            {
                change: {
                    policy: json(tlsOnly, { Sid: "PublicRead", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::shop/*" }),
                },
                message: /^policy: statement PublicRead grants s3:GetObject to every principal \("\*"\), without a Condition$/m,
            },
            {
                change: {
                    policy: json({
                        Effect: "Allow",
                        Principal: { AWS: "*" },
                        Action: "s3:PutObject",
                        Resource: "arn:aws:s3:::shop/*",
                        Condition: { Bool: { "aws:SecureTransport": "true" } },
                    }),
                },
                message: /its Condition \(aws:SecureTransport\) does not narrow who calls/,
            },
        ],
    },
    {
        policy: "resource-policy-not-public",
        type: AWS_DATA.ecrRepositoryPolicy,
        compliant: {
            repository: "api",
            policy: json({
                Sid: "OrgPull",
                Effect: "Allow",
                Principal: "*",
                Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
                Condition: { StringEquals: { "aws:PrincipalOrgID": "o-abc123" } },
            }),
        },
        violating: [
            {
                change: { policy: json({ Sid: "Anyone", Effect: "Allow", Principal: "*", Action: ["ecr:PutImage", "ecr:BatchDeleteImage"] }) },
                message: /statement Anyone grants ecr:PutImage, ecr:BatchDeleteImage to every principal/,
            },
        ],
    },
    {
        policy: "resource-policy-not-public",
        type: AWS.kmsKey,
        compliant: { policy: json({ Sid: "Root", Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "kms:*", Resource: "*" }) },
        violating: [
            {
                change: { policy: json({ Effect: "Allow", Principal: { AWS: "*" }, Action: "kms:Decrypt", Resource: "*" }) },
                message: /kms:Decrypt to every principal/,
            },
        ],
    },
    {
        policy: "resource-policy-not-public",
        type: AWS_DATA.sqsQueuePolicy,
        compliant: {
            queueUrl: "https://sqs/q",
            policy: json({
                Effect: "Allow",
                Principal: { Service: "sns.amazonaws.com" },
                Action: "sqs:SendMessage",
                Resource: "arn:aws:sqs:eu-west-1:1:q",
                Condition: { ArnEquals: { "aws:SourceArn": "arn:aws:sns:eu-west-1:1:t" } },
            }),
        },
        violating: [
            {
                change: { policy: json({ Effect: "Allow", Principal: "*", Action: "sqs:*", Resource: "arn:aws:sqs:eu-west-1:1:q" }) },
                message: /sqs:\* to every principal/,
            },
            {
                change: { policy: json({ Effect: "Allow", NotPrincipal: { AWS: "arn:aws:iam::1:root" }, Action: "sqs:SendMessage" }) },
                message: /\(NotPrincipal\)/,
            },
            { change: { policy: "{" }, message: /^policy is not valid JSON/m },
        ],
    },
    {
        policy: "resource-policy-not-public",
        type: AWS_DATA.secretPolicy,
        compliant: {
            secretArn: "arn:aws:secretsmanager:x",
            policy: json({ Effect: "Deny", Principal: "*", Action: "secretsmanager:DeleteSecret", Resource: "*" }),
        },
        violating: [
            {
                change: { policy: json({ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }) },
                message: /secretsmanager:GetSecretValue to every principal/,
            },
        ],
    },
];

export const accessCases: CaseTable = { area: "access", resource, stack: [] };
