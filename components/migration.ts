import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { DNS_EGRESS, PLATFORM_SERVICE_LABEL, restrictedPod } from "./service";
import { Tags, tagsNamed } from "./tags";

export interface MigrationArgs {
    namespace: string;
    /** The release being rolled out: it names the snapshot and the Job, so each release migrates once. */
    release: string;
    /** The database instance to snapshot before migrating. */
    dbInstanceIdentifier: string;
    /** Image with the migrations, pinned (the service's release image). */
    image: pulumi.Input<string>;
    command: string[];
    /** Connection string of the `migrator` role (secret). */
    databaseUrl: pulumi.Input<string>;
    /** The VPC's range, where the database is. */
    vpcCidr: pulumi.Input<string>;
    tags?: Tags;
}

/** A Kubernetes and RDS friendly form of a release version: 1.4.2 becomes 1-4-2. */
export function releaseSlug(release: string): string {
    return release
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")
        .replace(/^-+|-+$/g, "");
}

/**
 * The release's database migration: a manual RDS snapshot named for the release, then a Job that
 * runs the migration command as the `migrator` role. Services roll out after the Job completes.
 */
export class Migration extends pulumi.ComponentResource {
    public readonly snapshot: aws.rds.Snapshot;
    public readonly job: k8s.batch.v1.Job;

    constructor(name: string, args: MigrationArgs, opts?: pulumi.ComponentResourceOptions) {
        super("platform:app:Migration", name, {}, opts);
        const slug = releaseSlug(args.release);
        // The platform-service label: the release's checks (one release across images) judge the migration with the services.
        const labels = { "app.kubernetes.io/name": `${name}-migrate`, "app.kubernetes.io/part-of": "platform", ...PLATFORM_SERVICE_LABEL };
        const pod = restrictedPod({ labels });

        // Kept when a later release replaces it: it is the restore point of this release's migration.
        this.snapshot = new aws.rds.Snapshot(
            `${name}-pre-migration`,
            {
                dbInstanceIdentifier: args.dbInstanceIdentifier,
                dbSnapshotIdentifier: `${args.dbInstanceIdentifier}-pre-${slug}`,
                tags: tagsNamed(args.tags, `${args.dbInstanceIdentifier}-pre-${slug}`, { Release: args.release }),
            },
            { parent: this, retainOnDelete: true },
        );

        const secret = new k8s.core.v1.Secret(
            `${name}-migrator`,
            {
                metadata: { name: `${name}-migrator`, namespace: args.namespace, labels },
                type: "Opaque",
                stringData: { DATABASE_URL: pulumi.secret(args.databaseUrl) },
            },
            { parent: this },
        );

        new k8s.networking.v1.NetworkPolicy(
            `${name}-migrate-egress`,
            {
                metadata: { name: `${name}-migrate-egress`, namespace: args.namespace, labels },
                spec: {
                    podSelector: { matchLabels: labels },
                    policyTypes: ["Egress"],
                    egress: [DNS_EGRESS, { to: [{ ipBlock: { cidr: args.vpcCidr } }], ports: [{ protocol: "TCP", port: 5432 }] }],
                },
            },
            { parent: this },
        );

        this.job = new k8s.batch.v1.Job(
            `${name}-migrate`,
            {
                metadata: { name: `${name}-migrate-${slug}`.slice(0, 63).replace(/-+$/, ""), namespace: args.namespace, labels },
                spec: {
                    backoffLimit: 1,
                    activeDeadlineSeconds: 1800,
                    ttlSecondsAfterFinished: 7 * 24 * 3600,
                    template: {
                        metadata: { labels },
                        spec: {
                            restartPolicy: "Never",
                            automountServiceAccountToken: false,
                            securityContext: pod.podSecurityContext,
                            containers: [
                                {
                                    name: "migrate",
                                    image: args.image,
                                    command: args.command,
                                    envFrom: [{ secretRef: { name: secret.metadata.name } }],
                                    resources: { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "512Mi" } },
                                    securityContext: pod.containerSecurityContext,
                                    volumeMounts: pod.volumeMounts,
                                },
                            ],
                            volumes: pod.volumes,
                        },
                    },
                },
            },
            { parent: this, dependsOn: [this.snapshot] },
        );

        this.registerOutputs({ snapshotId: this.snapshot.dbSnapshotIdentifier, job: this.job.metadata.name });
    }
}
