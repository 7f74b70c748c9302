/**
 * Whether a resource belongs to one of this project's own components (type tokens `platform:<area>:<Name>`),
 * read from its URN's type chain. Only then may a message name this project's stack config keys: other
 * teams' programs have no such keys.
 */
export function inPlatformComponent(urn: string): boolean {
    const qualifiedType = urn.split("::")[2] ?? "";
    return qualifiedType
        .split("$")
        .slice(0, -1)
        .some((type) => type.startsWith("platform:"));
}

/** ` (stack config <key>)` for a resource of this project's components, else nothing. */
export function configHint(urn: string, key: string): string {
    return inPlatformComponent(urn) ? ` (stack config ${key})` : "";
}
