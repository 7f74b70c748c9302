/** The stacks this project defines (Pulumi.<stack>.yaml). */
export const STACKS = ["staging", "production"] as const;
export type StackName = (typeof STACKS)[number];
