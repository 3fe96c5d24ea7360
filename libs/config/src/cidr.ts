/** An IPv4 CIDR block parsed into numbers, for alignment, containment and overlap checks. */
export interface Ipv4Block {
  readonly network: number;
  readonly prefixLength: number;
}

const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined for anything that is not a well-formed IPv4 CIDR. */
export function parseIpv4Cidr(cidr: string): Ipv4Block | undefined {
  const match = IPV4_CIDR.exec(cidr);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((octet) => octet > 255) || prefixLength > 32) return undefined;
  const address = octets.reduce((acc, octet) => acc * 256 + octet, 0);
  return { network: address, prefixLength };
}

function blockSize(block: Ipv4Block): number {
  return 2 ** (32 - block.prefixLength);
}

/** True when no host bits are set (10.0.0.0/16 is aligned, 10.0.1.0/16 is not). */
export function isAligned(block: Ipv4Block): boolean {
  return block.network % blockSize(block) === 0;
}

/** True when the two blocks share at least one address. */
export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  const aEnd = a.network + blockSize(a);
  const bEnd = b.network + blockSize(b);
  return a.network < bEnd && b.network < aEnd;
}

/** The network address a block would have with its host bits cleared, as `a.b.c.d/n`. */
export function alignedCidr(block: Ipv4Block): string {
  const network = block.network - (block.network % blockSize(block));
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(network / 2 ** shift) % 256);
  return `${octets.join('.')}/${block.prefixLength}`;
}
