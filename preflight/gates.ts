/** What READY means: `plan` (review) needs the plan's rules to hold, `release` (deploy) every requirement. */
export const GATES = ["plan", "release"] as const;
export type Gate = (typeof GATES)[number];
