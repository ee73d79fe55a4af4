/** IPv4 CIDR blocks: parsing and overlap, for checking that peered VPCs can route to each other. */

export interface Ipv4Block {
  /** First address of the block as an unsigned 32-bit number. */
  readonly start: number;
  /** Last address of the block. */
  readonly end: number;
  readonly prefixLength: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns an error message instead when the text is not a canonical block. */
export function parseCidr(text: string): Ipv4Block | string {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return "must be an IPv4 CIDR block such as 10.10.0.0/16";
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o) => o > 255)) return "has an octet above 255";
  // AWS accepts VPC blocks between /16 and /28.
  if (prefixLength < 16 || prefixLength > 28) return "must have a prefix length between /16 and /28 (AWS VPC limits)";
  const address = ((octets[0] << 24) >>> 0) + (octets[1] << 16) + (octets[2] << 8) + octets[3];
  const size = 2 ** (32 - prefixLength);
  if (address % size !== 0) return `has host bits set; did you mean ${formatAddress(address - (address % size))}/${prefixLength}?`;
  return { start: address, end: address + size - 1, prefixLength };
}

export function overlaps(a: Ipv4Block, b: Ipv4Block): boolean {
  return a.start <= b.end && b.start <= a.end;
}

/** Splits a block into `2^extraBits` equal sub-blocks and returns the one at `index`, as text. */
export function subnetCidr(block: Ipv4Block, extraBits: number, index: number): string {
  const prefixLength = block.prefixLength + extraBits;
  const size = 2 ** (32 - prefixLength);
  return `${formatAddress(block.start + index * size)}/${prefixLength}`;
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".");
}
