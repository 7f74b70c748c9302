import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** Makes a bucket private: object ownership enforced (no ACLs) and every public access path blocked. */
export function makePrivate(name: string, bucket: aws.s3.Bucket, opts: pulumi.CustomResourceOptions): void {
    new aws.s3.BucketOwnershipControls(name, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
    new aws.s3.BucketPublicAccessBlock(
        name,
        {
            bucket: bucket.id,
            blockPublicAcls: true,
            blockPublicPolicy: true,
            ignorePublicAcls: true,
            restrictPublicBuckets: true,
        },
        opts,
    );
}

/** The bucket policy statement that refuses every request made without TLS. */
export function denyWithoutTls(bucketArn: string) {
    return {
        Sid: "DenyWithoutTls",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [bucketArn, `${bucketArn}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
    };
}
