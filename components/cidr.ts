/**
 * The `netnum`-th subnet of `cidr` that is `newBits` longer (Terraform's `cidrsubnet`):
 * cidrSubnet("10.0.0.0/16", 4, 2) is "10.0.32.0/20".
 */
export function cidrSubnet(cidr: string, newBits: number, netnum: number): string {
    const [address, prefixText] = cidr.split("/");
    const prefix = Number(prefixText);
    const length = prefix + newBits;
    if (length > 32 || netnum < 0 || netnum >= 2 ** newBits) {
        throw new RangeError(`cannot take subnet ${netnum} of /${length} from ${cidr}`);
    }
    const base = address.split(".").reduce((value, octet) => value * 256 + Number(octet), 0);
    const network = base - (base % 2 ** (32 - prefix));
    const subnet = network + netnum * 2 ** (32 - length);
    const octets = [24, 16, 8, 0].map((shift) => Math.floor(subnet / 2 ** shift) % 256);
    return `${octets.join(".")}/${length}`;
}

/** The Amazon-provided DNS server of a VPC: its range's base address plus two. */
export function vpcResolverAddress(cidr: string): string {
    const [network] = cidrSubnet(cidr, 0, 0).split("/");
    const octets = network.split(".").map(Number);
    octets[3] += 2;
    return octets.join(".");
}
