/** Small IPv4 CIDR helpers, so subnet ranges are computed (and testable) at synth time. */

export interface Ipv4Cidr {
  readonly address: number;
  readonly prefix: number;
}

const CIDR_PATTERN = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Parses `a.b.c.d/n`; returns undefined when it is not a valid IPv4 network in canonical form. */
export function parseCidr(text: string): Ipv4Cidr | undefined {
  const match = CIDR_PATTERN.exec(text);
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) return undefined;
  const address = ((octets[0] << 24) | (octets[1] << 16) | (octets[2] << 8) | octets[3]) >>> 0;
  // Host bits must be zero: "10.0.0.1/16" is almost always a typo for "10.0.0.0/16".
  if (prefix < 32 && (address & (0xffffffff >>> prefix)) !== 0) return undefined;
  return { address, prefix };
}

export function formatCidr(cidr: Ipv4Cidr): string {
  const a = cidr.address;
  return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/${cidr.prefix}`;
}

/** Same contract as Terraform's cidrsubnet(prefix, newbits, netnum). */
export function cidrSubnet(parent: string, newBits: number, netNum: number): string {
  const base = parseCidr(parent);
  if (!base) throw new Error(`invalid CIDR "${parent}"`);
  const prefix = base.prefix + newBits;
  if (prefix > 32 || netNum < 0 || netNum >= 2 ** newBits) {
    throw new Error(`cannot take subnet ${netNum} of /${prefix} inside ${parent}`);
  }
  const address = (base.address + netNum * 2 ** (32 - prefix)) >>> 0;
  return formatCidr({ address, prefix });
}
