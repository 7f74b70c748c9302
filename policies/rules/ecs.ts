import { imageParts } from "../lib/kubernetes";
import { ResourceRule, RuleFile } from "../lib/rule";
import { AWS_DATA } from "../lib/types";
import { listOf, objectOf, peek, show, UNKNOWN } from "../lib/values";

type Definition = Record<string, any>;

/**
 * The container definitions of a task definition: @pulumi/aws registers containerDefinitions as a JSON string.
 * Reports (and returns none) when it is not JSON; reading one unknown in a preview reports that the rule cannot decide.
 */
function containersOf(props: Record<string, any>, report: (message: string) => void): Definition[] {
    const raw = peek(props, "containerDefinitions");
    if (raw === UNKNOWN) {
        void props.containerDefinitions;
    }
    let parsed: unknown = raw;
    if (typeof raw === "string") {
        try {
            parsed = JSON.parse(raw);
        } catch {
            report(`containerDefinitions is not JSON (${show(raw)}); it cannot be checked`);
            return [];
        }
    }
    return (listOf(parsed) ?? []).map(objectOf).filter((c): c is Definition => !!c);
}

/** A rule that reports, per container definition, what `check` finds wrong with it (and the task's own settings through `task`). */
function perContainer(check: (container: Definition) => string[], task: (props: Record<string, any>) => string[] = () => []) {
    return ({ props }: { props: Record<string, any> }, _config: unknown, report: (message: string) => void) => {
        const problems = [...task(props), ...containersOf(props, report).flatMap((c) => check(c).map((p) => `container ${c.name ?? "(unnamed)"}: ${p}`))];
        if (problems.length > 0) {
            report(problems.join("; "));
        }
    };
}

const ROOT_USERS = ["root", "0"];

export const ecsContainerHardened: ResourceRule = {
    name: "ecs-container-hardened",
    description: "ECS containers run unprivileged, as a non-root user, on a read-only root filesystem, without the host's PID or IPC namespace.",
    severity: "high",
    checklist: ["APP-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/security-tasks-containers.html",
    ],
    equivalents: ["CKV_AWS_334", "CKV_AWS_335", "CKV_AWS_336"],
    remediation:
        "In each containerDefinitions entry set privileged false (or leave it out), add no linuxParameters.capabilities.add, set " +
        'readonlyRootFilesystem true and user to a non-root UID (e.g. "1000"); leave the task\'s pidMode and ipcMode unset rather than host.',
    resourceTypes: [AWS_DATA.ecsTaskDefinition],
    validate: perContainer(
        (container) => {
            const user = typeof container.user === "string" ? container.user.split(":")[0] : undefined;
            const added = listOf(objectOf(objectOf(container.linuxParameters)?.capabilities)?.add) ?? [];
            return [
                container.privileged === true ? "privileged is true" : undefined,
                added.length > 0 ? `linuxParameters.capabilities.add is ${show(added)}` : undefined,
                container.readonlyRootFilesystem === true
                    ? undefined
                    : `readonlyRootFilesystem is ${show(container.readonlyRootFilesystem)} (ECS defaults to false)`,
                user === undefined
                    ? "user is not set, so it runs as the image's user, root unless the image says otherwise"
                    : ROOT_USERS.includes(user)
                      ? `user is ${show(container.user)} (root)`
                      : undefined,
            ].filter((p): p is string => p !== undefined);
        },
        (props) => ["pidMode", "ipcMode"].filter((key) => props[key] === "host").map((key) => `${key} is "host"`),
    ),
};

export const ecsImagePinned: ResourceRule = {
    name: "ecs-image-pinned",
    description: "ECS container images are pinned to a version tag or a digest, never latest.",
    severity: "high",
    checklist: ["APP-04"],
    references: [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    ],
    remediation: "Set each container definition's image to registry/name:1.2.3 or registry/name@sha256:<digest>.",
    resourceTypes: [AWS_DATA.ecsTaskDefinition],
    validate: perContainer((container) => {
        const image = container.image;
        if (typeof image !== "string" || image === "") {
            return [`image is ${show(image)}`];
        }
        const { tag, digest } = imageParts(image);
        if (digest) {
            return [];
        }
        return tag === undefined ? [`image ${image} has no tag, so it means latest`] : tag === "latest" ? [`image ${image} uses the tag latest`] : [];
    }),
};

export const ecsLogConfiguration: ResourceRule = {
    name: "ecs-log-configuration",
    description: "ECS containers send their logs to a log driver (CloudWatch Logs, FireLens), so they are kept centrally.",
    severity: "medium",
    checklist: ["OBS-01"],
    references: [
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_awslogs.html",
        "https://docs.aws.amazon.com/AmazonECS/latest/developerguide/using_firelens.html",
    ],
    remediation:
        'Give each container definition logConfiguration: { logDriver: "awslogs", options: { "awslogs-group": <log group>, "awslogs-region": ..., ' +
        '"awslogs-stream-prefix": ... } } (or awsfirelens).',
    resourceTypes: [AWS_DATA.ecsTaskDefinition],
    validate: perContainer((container) => {
        const driver = objectOf(container.logConfiguration)?.logDriver;
        return typeof driver === "string" && driver !== "" ? [] : [`logConfiguration.logDriver is ${show(driver)}, so its logs are lost with the task`];
    }),
};

export const ecsRules: RuleFile = {
    title: "Amazon ECS",
    resource: [ecsContainerHardened, ecsImagePinned, ecsLogConfiguration] as ResourceRule<any>[],
    stack: [],
};
