import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

const IPV4_MAPPED_ZERO = ipaddr.IPv6.parse('::ffff:0.0.0.0');

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
  if (!text.includes(':') || text.includes('%')) return null;
  const ipv6 = withHexTail(text);
  return ipv6 !== null && ipaddr.IPv6.isValid(ipv6) ? ipaddr.IPv6.parse(ipv6) : null;
}

/**
 * IPv6 text with a dotted IPv4 tail (`::1.2.3.4`, `::ffff:1.2.3.4`) written as two hex
 * groups: ipaddr.js reads every such tail as IPv4-mapped, so `::1.2.3.4` (the IPv6 address
 * `::102:304`) would pass for the IPv4 client 1.2.3.4. null when the tail is no IPv4 address.
 */
function withHexTail(text: string): string | null {
  const lastColon = text.lastIndexOf(':');
  const tail = text.slice(lastColon + 1);
  if (!tail.includes('.')) return text;
  if (!ipaddr.IPv4.isValidFourPartDecimal(tail)) return null;
  const [a, b, c, d] = tail.split('.').map(Number);
  return `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
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
 * A strict dotted-quad IPv4 address (what `parseAddress` accepts as IPv4) as an unsigned
 * 32-bit number, or -1 for anything else. Read character by character, without regexes
 * or ipaddr.js objects: every verify with an `ip` reads one.
 */
export function ipv4Number(text: string): number {
  if (text.length < 7 || text.length > 15) return -1;
  let value = 0;
  let octet = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 46 /* . */) {
      if (digits === 0 || dots === 3) return -1;
      value = value * 256 + octet;
      octet = 0;
      digits = 0;
      dots++;
    } else if (code >= 48 && code <= 57) {
      // A leading zero (`010`) is refused, as parseAddress refuses it.
      if (digits > 0 && octet === 0) return -1;
      octet = octet * 10 + (code - 48);
      if (octet > 255) return -1;
      digits++;
    } else {
      return -1;
    }
  }
  return dots === 3 && digits > 0 ? value * 256 + octet : -1;
}

/** Whether a client address parses: an IPv4 dotted quad, or IPv6 (without a zone). */
export function isClientIp(text: string): boolean {
  return ipv4Number(text) !== -1 || parseClientIp(text) !== null;
}

/**
 * The IPv4 clients a list of ranges lets in, as flat `network, mask` pairs of 32-bit
 * numbers. An IPv6 range lets in every IPv4 client or none: all IPv4-mapped addresses
 * share their first 96 bits, and a range of a longer prefix inside them was read as the
 * IPv4 range it maps (`parseCidr`).
 */
export function ipv4Masks(ranges: CidrRange[]): number[] {
  const masks: number[] = [];
  for (const { address, prefix } of ranges) {
    if (address.kind() === 'ipv4') {
      const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
      const network = (address as ipaddr.IPv4).octets.reduce((value, octet) => value * 256 + octet, 0);
      masks.push((network & mask) >>> 0, mask);
    } else if (prefix <= 96 && (address as ipaddr.IPv6).match(IPV4_MAPPED_ZERO, prefix)) {
      masks.push(0, 0);
    }
  }
  return masks;
}

/** Whether an IPv4 client (`ipv4Number`) lies in one of the `ipv4Masks` pairs. */
export function ipv4Within(client: number, masks: number[]): boolean {
  for (let i = 0; i < masks.length; i += 2) {
    if ((client & masks[i + 1]) >>> 0 === masks[i]) return true;
  }
  return false;
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
