/**
 * Engine versions AWS lets a new database or cache be created with, kept by hand from the release
 * notes (RDS for PostgreSQL updates, ElastiCache supported engine versions) as of 2026-12. A version
 * not listed here is refused at config time rather than by AWS halfway through `pulumi up`; when
 * AWS publishes a new minor, add it here (the test in tests/components/config.spec.ts checks the shape).
 */
export const ENGINE_VERSIONS = {
    /** RDS for PostgreSQL, major => minors. A major alone ("17") asks RDS for its default minor. Minors out of standard support are left out. */
    postgres: {
        "15": ["15.13", "15.14", "15.15", "15.16", "15.17", "15.18"],
        "16": ["16.9", "16.10", "16.11", "16.12", "16.13", "16.14"],
        "17": ["17.5", "17.6", "17.7", "17.8", "17.9", "17.10"],
        "18": ["18.1", "18.2", "18.3", "18.4"],
    },
    /** ElastiCache for Redis OSS: 7.x is its last line. */
    redis: { "7": ["7.0", "7.1"] },
    /** ElastiCache for Valkey. */
    valkey: { "7": ["7.2"], "8": ["8.0", "8.1", "8.2"] },
} as const satisfies Record<string, Record<string, readonly string[]>>;

export type Engine = keyof typeof ENGINE_VERSIONS;

/** Whether AWS offers `version` of `engine`; `majorAlone` also accepts a bare major ("17"). */
export function isOfferedVersion(engine: Engine, version: string, majorAlone: boolean): boolean {
    const majors: Record<string, readonly string[]> = ENGINE_VERSIONS[engine];
    return (majorAlone && version in majors) || Object.values(majors).some((minors) => minors.includes(version));
}

/** The offered versions of `engine`, for an error message. */
export function offeredVersions(engine: Engine, majorAlone: boolean): string[] {
    const majors: Record<string, readonly string[]> = ENGINE_VERSIONS[engine];
    return Object.entries(majors).flatMap(([major, minors]) => (majorAlone ? [major, ...minors] : [...minors]));
}
