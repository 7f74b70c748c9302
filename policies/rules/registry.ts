import { PolicyResource } from "@pulumi/policy";
import { containersOf, imageParts, podSpecOf, PreviewUnknowns, WORKLOADS } from "../lib/kubernetes";
import { ResourceRule, RuleFile, StackRule } from "../lib/rule";
import { AWS } from "../lib/types";
import { peek, show, UNKNOWN } from "../lib/values";

/** An ECR repository URL: `<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`. */
const ECR_IMAGE = /^\d{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export const workloadImageRegistry: StackRule<{ allowedRegistries: string[]; allowEcr: boolean }> = {
    name: "workload-image-registry",
    appliesTo: WORKLOADS,
    description: "Every workload's images come from an allowed registry (the platform's ECR or a listed one) and are pinned by tag or digest.",
    severity: "high",
    checklist: ["BUILD-03", "APP-04"],
    references: ["https://kubernetes.io/docs/concepts/containers/images/", "https://docs.aws.amazon.com/AmazonECR/latest/userguide/what-is-ecr.html"],
    equivalents: ["AVD-KSV-0125"],
    remediation:
        "Push the image to the platform's ECR repository (platform:registry; a bare name:tag in platform:services[].image resolves there) " +
        "or to a registry listed in this policy's allowedRegistries, and reference it by a version tag or a digest.",
    config: {
        allowedRegistries: {
            type: "array",
            items: { type: "string" },
            default: [],
            description: 'Image prefixes allowed besides ECR, e.g. "ghcr.io/acme/" (the registry host and the organisation).',
        },
        allowEcr: {
            type: "boolean",
            default: true,
            description: "Whether images from an ECR repository (<account>.dkr.ecr.<region>.amazonaws.com/) are allowed.",
        },
    },
    validate(stack, { allowedRegistries, allowEcr }, report) {
        const unknowns = new PreviewUnknowns();
        const repositories = stack.ofType(AWS.ecrRepository);
        unknowns.each(stack.ofType(...WORKLOADS), (workload) => {
            for (const container of containersOf(podSpecOf(workload.type, workload.props))) {
                const image = peek(container.spec, "image");
                if (image === UNKNOWN) {
                    // A preview does not know a new repository's URL: the image then comes from the stack's own ECR repository, or is unjudgeable.
                    if (!(allowEcr && fromRepository(stack.referencedBy(workload, "spec"), repositories))) {
                        unknowns.attempt(() => container.spec.image);
                    }
                    continue;
                }
                const problem = imageProblem(image, allowedRegistries, allowEcr);
                if (problem) {
                    report(`${workload.name} ${container.label}: ${problem}`, workload);
                }
            }
        });
        unknowns.settle();
    },
};

function fromRepository(sources: PolicyResource[], repositories: PolicyResource[]): boolean {
    return sources.some((source) => repositories.some((repository) => repository.urn === source.urn));
}

function imageProblem(image: unknown, allowedRegistries: string[], allowEcr: boolean): string | undefined {
    if (typeof image !== "string" || image === "") {
        return `image is ${show(image)}`;
    }
    const allowed = (allowEcr && ECR_IMAGE.test(image)) || allowedRegistries.some((prefix) => image.startsWith(prefix));
    if (!allowed) {
        const list = [...(allowEcr ? ["an ECR repository"] : []), ...allowedRegistries].join(", ") || "none";
        return `image ${image} comes from a registry that is not allowed (allowed: ${list}); an unreviewed registry can serve anything under that name`;
    }
    const { tag, digest } = imageParts(image);
    if (digest === undefined && (tag === undefined || tag === "latest")) {
        return `image ${image} is not pinned (${tag === undefined ? "no tag means latest" : "the tag latest moves"}); use a version tag or a digest`;
    }
    return undefined;
}

export const ecrScanImmutable: ResourceRule = {
    name: "ecr-scan-immutable",
    description: "ECR repositories scan every pushed image and keep tags immutable, so a release tag always names the image that was scanned.",
    severity: "high",
    checklist: ["BUILD-03"],
    references: [
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html",
        "https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-tag-mutability.html",
    ],
    equivalents: ["CKV_AWS_163", "CKV_AWS_51", "AVD-AWS-0030", "AVD-AWS-0031"],
    remediation:
        'Set imageScanningConfiguration: { scanOnPush: true } and imageTagMutability: "IMMUTABLE" (or a registry-wide enhanced scanning configuration).',
    resourceTypes: [AWS.ecrRepository],
    validate({ props }, _config, report) {
        const scanOnPush = (props.imageScanningConfiguration ?? {}).scanOnPush;
        if (scanOnPush !== true) {
            report(
                `imageScanningConfiguration.scanOnPush is ${scanOnPush === undefined ? "not set (false)" : show(scanOnPush)}: pushed images are not scanned`,
            );
        }
        const mutability = props.imageTagMutability;
        if (mutability !== "IMMUTABLE" && mutability !== "IMMUTABLE_WITH_EXCLUSION") {
            report(
                `imageTagMutability is ${mutability === undefined ? "not set (MUTABLE)" : show(mutability)}: a push can replace the image behind a release tag`,
            );
        }
    },
};

export const registryRules: RuleFile = {
    title: "Container images and Amazon ECR",
    resource: [ecrScanImmutable] as ResourceRule<any>[],
    stack: [workloadImageRegistry] as StackRule<any>[],
};
