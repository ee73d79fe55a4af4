import { parseCidr, subnetCidr, type Ipv4Block } from "../config/cidr";

/** Extra prefix bits used to carve subnets out of a VPC block of the given prefix length. */
export function subnetBits(prefixLength: number): number {
  // A /16 to /24 VPC is cut into 16 equal blocks (a /16 gives /20s of 4,091 usable addresses); smaller
  // VPCs into 4. The private subnets take the first slots; the rest stay free for later tiers.
  return prefixLength <= 24 ? 4 : 2;
}

/** The largest VPC prefix that still yields /28 subnets (the AWS minimum) with `subnetBits`. */
export const SMALLEST_VPC_PREFIX = 26;

/**
 * The private subnet blocks of a VPC, one per availability zone, always the first slots of the VPC
 * block in order: the same configuration always gives the same CIDRs, so plans stay stable.
 */
export function privateSubnetCidrs(vpcCidr: string, count: number): string[] {
  const block = parseCidr(vpcCidr);
  if (typeof block === "string") throw new Error(`VPC CIDR ${vpcCidr} ${block}`);
  return Array.from({ length: count }, (_, i) => subnetCidr(block as Ipv4Block, subnetBits(block.prefixLength), i));
}

/** Number of equal subnet slots a VPC block of the given prefix length is cut into. */
export function subnetSlots(prefixLength: number): number {
  return 2 ** subnetBits(prefixLength);
}

/**
 * The public subnet blocks of a VPC (edge tier only), one per availability zone, taken from the last
 * slots backwards: the private subnets grow from the front, so adding a zone never moves either.
 */
export function publicSubnetCidrs(vpcCidr: string, count: number): string[] {
  const block = parseCidr(vpcCidr);
  if (typeof block === "string") throw new Error(`VPC CIDR ${vpcCidr} ${block}`);
  const slots = subnetSlots(block.prefixLength);
  return Array.from({ length: count }, (_, i) => subnetCidr(block as Ipv4Block, subnetBits(block.prefixLength), slots - 1 - i));
}
