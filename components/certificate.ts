import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Tags, tagsNamed } from "./tags";

export interface DnsValidatedCertificateArgs {
    domainName: string;
    /** The public hosted zone that validates it; default: the domain's parent. */
    hostedZoneName?: string;
    tags?: Tags;
}

/**
 * An ACM certificate for a domain, validated through a DNS record in its public hosted zone.
 * `certificateOpts` places the certificate and its validation (CloudFront's must be in us-east-1);
 * the record lives wherever `parent` is.
 */
export function dnsValidatedCertificate(
    name: string,
    args: DnsValidatedCertificateArgs,
    parent: pulumi.Resource,
    certificateOpts: pulumi.CustomResourceOptions,
): { arn: pulumi.Output<string>; zoneId: pulumi.Output<string> } {
    const zoneName = args.hostedZoneName ?? args.domainName.split(".").slice(1).join(".");
    const zone = aws.route53.getZoneOutput({ name: zoneName, privateZone: false }, { parent });
    const certificate = new aws.acm.Certificate(
        `${name}-certificate`,
        {
            domainName: args.domainName,
            validationMethod: "DNS",
            keyAlgorithm: "EC_prime256v1",
            tags: tagsNamed(args.tags, `${name}-certificate`),
        },
        certificateOpts,
    );
    const option = certificate.domainValidationOptions[0];
    const record = new aws.route53.Record(
        `${name}-certificate-validation`,
        {
            zoneId: zone.zoneId,
            name: option.resourceRecordName,
            type: option.resourceRecordType,
            records: [option.resourceRecordValue],
            ttl: 300,
            allowOverwrite: true,
        },
        { parent },
    );
    const validation = new aws.acm.CertificateValidation(
        `${name}-certificate`,
        {
            certificateArn: certificate.arn,
            validationRecordFqdns: [record.fqdn],
        },
        certificateOpts,
    );
    return { arn: validation.certificateArn, zoneId: zone.zoneId };
}
