import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A parsed allowlist entry: an address and how many leading bits must match. */
export interface CidrRange {
  address: Address;
  prefix: number;
}

export const CIDR_FORMAT_MESSAGE =
  'must contain IPv4 or IPv6 addresses or CIDR ranges (e.g. 203.0.113.0/24, 2001:db8::/32)';

/**
 * Strict dotted-quad IPv4 or IPv6 without a zone: inet_aton forms (`10`, `0x0a.0.0.1`,
 * `1.2.3`) are refused, they are almost always typos in an allowlist.
 */
function parseAddress(text: string): Address | null {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) return ipaddr.IPv4.parse(text);
  if (text.includes(':') && !text.includes('%') && ipaddr.IPv6.isValid(text)) return ipaddr.IPv6.parse(text);
  return null;
}

/** An IPv4-mapped IPv6 address (`::ffff:1.2.3.4`) is the IPv4 address it carries. */
function normalise(address: Address): Address {
  return address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()
    ? (address as ipaddr.IPv6).toIPv4Address()
    : address;
}

/** A client address as policy sees it, or null when it is not an IP address. */
export function parseClientIp(text: string): Address | null {
  const address = parseAddress(text);
  return address === null ? null : normalise(address);
}

/**
 * `address/prefix`, or a bare address (a single host: /32 or /128). A range inside
 * `::ffff:0:0/96` is the IPv4 range it maps.
 */
export function parseCidr(text: string): CidrRange | null {
  const slash = text.indexOf('/');
  const address = parseAddress(slash === -1 ? text : text.slice(0, slash));
  if (address === null) return null;
  const bits = address.kind() === 'ipv4' ? 32 : 128;
  let prefix = bits;
  if (slash !== -1) {
    const prefixText = text.slice(slash + 1);
    if (!/^(0|[1-9][0-9]{0,2})$/.test(prefixText)) return null;
    prefix = Number(prefixText);
    if (prefix > bits) return null;
  }
  if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && prefix >= 96) {
    return { address: (address as ipaddr.IPv6).toIPv4Address(), prefix: prefix - 96 };
  }
  return { address, prefix };
}

export function isCidr(value: unknown): boolean {
  return typeof value === 'string' && value.length <= 64 && parseCidr(value) !== null;
}

/**
 * Whether a (normalised) client address lies in a range. An IPv4 address is also inside
 * the IPv6 ranges that cover its mapped form (`::/0` allows every client).
 */
export function cidrContains(range: CidrRange, client: Address): boolean {
  if (client.kind() === range.address.kind()) {
    return client.match(range.address as never, range.prefix);
  }
  if (client.kind() === 'ipv4') {
    return (client as ipaddr.IPv4).toIPv4MappedAddress().match(range.address as ipaddr.IPv6, range.prefix);
  }
  return false;
}
