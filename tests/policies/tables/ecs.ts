import { AWS_DATA } from "../../../policies/lib/types";
import { CaseTable, ResourceCase } from "../cases";

/** A Fargate container definition as a hardened program writes it; @pulumi/aws registers the list as a JSON string. */
const web = {
    name: "web",
    image: "123456789012.dkr.ecr.eu-west-1.amazonaws.com/web:2.3.1",
    essential: true,
    user: "1000:1000",
    readonlyRootFilesystem: true,
    portMappings: [{ containerPort: 8080, protocol: "tcp" }],
    logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": "/ecs/web", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": "web" } },
};
const taskDefinition = (container: Record<string, unknown>, task: Record<string, unknown> = {}) => ({
    family: "web",
    requiresCompatibilities: ["FARGATE"],
    networkMode: "awsvpc",
    cpu: "512",
    memory: "1024",
    executionRoleArn: "arn:aws:iam::123456789012:role/web-execution",
    containerDefinitions: JSON.stringify([Object.fromEntries(Object.entries({ ...web, ...container }).filter(([, v]) => v !== undefined))]),
    ...task,
});
const TYPE = AWS_DATA.ecsTaskDefinition;

const resource: ResourceCase[] = [
    {
        policy: "ecs-container-hardened",
        type: TYPE,
        compliant: taskDefinition({}),
        violating: [
            // As most published examples write it: no user, no read-only root.
            {
                label: "the defaults",
                change: taskDefinition({ user: undefined, readonlyRootFilesystem: undefined }),
                message:
                    /^container web: readonlyRootFilesystem is not set \(ECS defaults to false\); container web: user is not set, so it runs as the image's user/m,
            },
            {
                label: "privileged with SYS_ADMIN",
                change: taskDefinition({ privileged: true, linuxParameters: { capabilities: { add: ["SYS_ADMIN"] } } }),
                message: /container web: privileged is true; container web: linuxParameters\.capabilities\.add is \["SYS_ADMIN"\]/,
            },
            {
                label: "user root and the host's PIDs",
                change: taskDefinition({ user: "0" }, { networkMode: "host", pidMode: "host", requiresCompatibilities: ["EC2"] }),
                message: /^pidMode is "host"; container web: user is "0" \(root\)$/m,
            },
        ],
    },
    {
        policy: "ecs-image-pinned",
        type: TYPE,
        compliant: taskDefinition({ image: `public.ecr.aws/nginx/nginx@sha256:${"c".repeat(64)}` }),
        violating: [
            { change: taskDefinition({ image: "nginx" }), message: /container web: image nginx has no tag, so it means latest/ },
            { change: taskDefinition({ image: "jenkins/jenkins:latest" }), message: /image jenkins\/jenkins:latest uses the tag latest/ },
        ],
    },
    {
        policy: "ecs-log-configuration",
        type: TYPE,
        compliant: taskDefinition({}),
        violating: [
            { change: taskDefinition({ logConfiguration: undefined }), message: /container web: logConfiguration\.logDriver is not set, so its logs are lost/ },
        ],
    },
];

export const ecsCases: CaseTable = { area: "ecs", resource, stack: [] };
