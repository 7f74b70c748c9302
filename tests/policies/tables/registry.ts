import { AWS, K8S } from "../../../policies/lib/types";
import { CaseTable, ResourceCase, StackCase } from "../cases";
import { deployment, ECR_IMAGE } from "../fixtures";

const repository = { name: "platform/api", imageTagMutability: "IMMUTABLE", imageScanningConfiguration: { scanOnPush: true } };

const resource: ResourceCase[] = [
    {
        policy: "ecr-scan-immutable",
        type: AWS.ecrRepository,
        compliant: repository,
        violating: [
            { change: { imageScanningConfiguration: undefined, imageTagMutability: "IMMUTABLE" }, message: /scanOnPush is not set \(false\)/ },
            {
                change: { imageTagMutability: undefined },
                message: /imageTagMutability is not set \(MUTABLE\): a push can replace the image behind a release tag/,
            },
        ],
    },
];

const stack: StackCase[] = [
    {
        policy: "workload-image-registry",
        config: { allowedRegistries: ["ghcr.io/acme/"] },
        compliant: [
            { type: AWS.ecrRepository, name: "repo", props: repository },
            { type: K8S.deployment, name: "api", props: deployment(ECR_IMAGE) },
            { type: K8S.deployment, name: "worker", props: deployment("ghcr.io/acme/worker@sha256:" + "a".repeat(64)) },
        ],
        violating: [
            {
                resources: [{ type: K8S.deployment, name: "api", props: deployment("docker.io/someone/api:2.0.0") }],
                message: /image docker\.io\/someone\/api:2\.0\.0 comes from a registry that is not allowed \(allowed: an ECR repository, ghcr\.io\/acme\/\)/,
            },
            {
                resources: [{ type: K8S.deployment, name: "api", props: deployment("ghcr.io/acme/api:latest") }],
                message: /is not pinned \(the tag latest moves\)/,
            },
        ],
    },
];

export const registryCases: CaseTable = { area: "registry", resource, stack };
