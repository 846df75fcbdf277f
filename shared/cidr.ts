/** IPv4 CIDR arithmetic shared by the configuration (security group rules) and the bootstrap (the hosts' capture filter). */

/** IPv4 CIDR blocks whose address has bits set past the prefix (Terraform refuses them): "10.1.2.3/8 (the network is 10.0.0.0/8)". */
export function cidrsWithHostBits(cidrs: readonly string[]): string[] {
  return cidrs.flatMap((cidr) => {
    const [address, prefix] = cidr.split('/');
    const value = address.split('.').reduce((sum, octet) => sum * 256 + Number(octet), 0);
    const size = 2 ** (32 - Number(prefix));
    const network = value - (value % size);
    if (network === value) return [];
    const dotted = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256).join('.');
    return [`${cidr} (the network is ${dotted}/${prefix})`];
  });
}
