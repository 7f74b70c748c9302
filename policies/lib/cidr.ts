import { isIP } from "net";

/** An address range: first and last address as numbers. */
interface Range {
    version: 4 | 6;
    start: bigint;
    end: bigint;
}

const BITS = { 4: 32, 6: 128 } as const;

function ipv4Number(address: string): bigint {
    return address.split(".").reduce((n, octet) => (n << 8n) + BigInt(Number(octet)), 0n);
}

function ipv6Number(address: string): bigint {
    // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two groups.
    const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(address);
    let text = address;
    if (tail) {
        const v4 = ipv4Number(tail[1]);
        text = `${address.slice(0, -tail[1].length)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
    }
    const [head, rest] = text.split("::");
    const left = head ? head.split(":") : [];
    const right = rest === undefined ? [] : rest ? rest.split(":") : [];
    const groups = rest === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill("0"), ...right];
    return groups.reduce((n, group) => (n << 16n) + BigInt(parseInt(group, 16)), 0n);
}

/** A CIDR block ("203.0.113.0/24", "2001:db8::/32", or a bare address) as a range, or undefined when it is not one. */
export function parseCidr(text: string): Range | undefined {
    const [address, prefixText, extra] = text.trim().split("/");
    const version = isIP(address);
    if ((version !== 4 && version !== 6) || extra !== undefined) {
        return undefined;
    }
    const bits = BITS[version];
    const prefix = prefixText === undefined ? bits : Number(prefixText);
    if (!/^\d+$/.test(prefixText ?? String(bits)) || prefix > bits) {
        return undefined;
    }
    const value = version === 4 ? ipv4Number(address) : ipv6Number(address);
    const hostBits = BigInt(bits - prefix);
    const start = (value >> hostBits) << hostBits;
    return { version, start, end: start + (1n << hostBits) - 1n };
}

/** Ranges that are not the internet: private, shared (CGNAT), loopback, link-local, "this network", unique-local. */
const NON_PUBLIC = [
    "0.0.0.0/8",
    "10.0.0.0/8",
    "100.64.0.0/10",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "::/128",
    "::1/128",
    "fc00::/7",
    "fe80::/10",
].map((c) => parseCidr(c)!);

/** How many public addresses make a range "the internet": as many as an IPv4 /8, or an IPv6 /16. */
const WORLD_SIZE = { 4: 1n << 24n, 6: 1n << 112n } as const;

/** The public addresses a range covers, as disjoint ranges. */
function publicParts(range: Range): Range[] {
    let parts = [range];
    for (const hole of NON_PUBLIC.filter((h) => h.version === range.version)) {
        parts = parts.flatMap((p) => {
            if (hole.end < p.start || hole.start > p.end) {
                return [p];
            }
            return [...(hole.start > p.start ? [{ ...p, end: hole.start - 1n }] : []), ...(hole.end < p.end ? [{ ...p, start: hole.end + 1n }] : [])];
        });
    }
    return parts;
}

/** How many distinct public addresses the ranges cover together. */
function publicAddresses(ranges: Range[]): bigint {
    const parts = ranges.flatMap(publicParts).sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
    let total = 0n;
    let reached = -1n;
    for (const part of parts) {
        const start = part.start > reached ? part.start : reached + 1n;
        if (part.end >= start) {
            total += part.end - start + 1n;
            reached = part.end;
        }
    }
    return total;
}

/**
 * The CIDR blocks among `cidrs` that open a rule to the internet: together they cover at least as many public
 * addresses as an IPv4 /8 (or an IPv6 /16). So 0.0.0.0/0 and ::/0 count, and so do 0.0.0.0/1 + 128.0.0.0/1, 1.0.0.0/8
 * or 2000::/3; 10.0.0.0/8 (private) and 203.0.113.0/24 do not. Empty when they do not; text that is no CIDR is ignored.
 */
export function worldOpenCidrs(cidrs: readonly unknown[]): string[] {
    const parsed = cidrs
        .filter((c): c is string => typeof c === "string")
        .map((text) => ({ text, range: parseCidr(text) }))
        .filter((c) => c.range !== undefined);
    return ([4, 6] as const).flatMap((version) => {
        const mine = parsed.filter((c) => c.range!.version === version && publicParts(c.range!).length > 0);
        return publicAddresses(mine.map((c) => c.range!)) >= WORLD_SIZE[version] ? mine.map((c) => c.text) : [];
    });
}

/** Whether the CIDR blocks together open a rule to the internet (see worldOpenCidrs). */
export const opensToWorld = (cidrs: readonly unknown[]) => worldOpenCidrs(cidrs).length > 0;
