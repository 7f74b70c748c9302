import * as pulumi from "@pulumi/pulumi";

export type Tags = pulumi.Input<Record<string, pulumi.Input<string>>>;

/** The component's tags plus a `Name` tag (the name the AWS console shows) and any extra tags. */
export function tagsNamed(tags: Tags | undefined, name: string, extra: Record<string, string> = {}): pulumi.Output<Record<string, string>> {
    return pulumi.output(tags ?? {}).apply((base): Record<string, string> => ({ ...base, ...extra, Name: name }));
}
