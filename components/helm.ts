/** How every Helm release of the platform is installed: rolled back whole if it fails, with a bounded history. */
export const HELM_RELEASE_DEFAULTS = { atomic: true, cleanupOnFail: true, maxHistory: 10 } as const;
