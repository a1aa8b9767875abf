import { lookup } from 'node:dns/promises';
import ipaddr from 'ipaddr.js';

/** A delivery target refused before any connection was made; the message names the address, never the URL. */
export class TargetRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetRefusedError';
  }
}

export interface ResolvedTarget {
  address: string;
  family: 4 | 6;
}

type Embedding = 'mapped' | 'nat64' | 'compatible' | '6to4' | 'teredo';

function ipv4Of(high: number, low: number): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}

/**
 * The IPv4 address an IPv6 address carries, and how: mapped (::ffff:0:0/96), NAT64
 * (64:ff9b::/96 and the local-use 64:ff9b:1::/48), IPv4-compatible (::/96, deprecated:
 * `http://[::127.0.0.1]/` is written `::7f00:1`), 6to4 (2002::/16) and Teredo
 * (2001::/32, client address stored inverted).
 */
export function embeddedIPv4(address: ipaddr.IPv6): { embedding: Embedding; ipv4: ipaddr.IPv4 } | null {
  const p = address.parts;
  const zeros = (from: number, to: number) => p.slice(from, to).every((part) => part === 0);
  if (zeros(0, 5) && p[5] === 0xffff) return { embedding: 'mapped', ipv4: ipv4Of(p[6], p[7]) };
  if (zeros(0, 6) && (p[6] !== 0 || p[7] > 1)) return { embedding: 'compatible', ipv4: ipv4Of(p[6], p[7]) };
  if (p[0] === 0x64 && p[1] === 0xff9b && (zeros(2, 6) || p[2] === 1)) return { embedding: 'nat64', ipv4: ipv4Of(p[6], p[7]) };
  if (p[0] === 0x2002) return { embedding: '6to4', ipv4: ipv4Of(p[1], p[2]) };
  if (p[0] === 0x2001 && p[1] === 0) return { embedding: 'teredo', ipv4: ipv4Of(~p[6] & 0xffff, ~p[7] & 0xffff) };
  return null;
}

function isPublicIPv4(address: ipaddr.IPv4): boolean {
  return address.range() === 'unicast';
}

/**
 * Only public unicast addresses pass: loopback, private (RFC 1918), carrier-grade NAT,
 * link-local (so 169.254.169.254, the cloud metadata address), unique-local IPv6 (so
 * fd00:ec2::254), multicast and reserved are refused. An IPv6 address that embeds an
 * IPv4 address is judged by that IPv4 (mapped and NAT64 of a public IPv4 pass); the
 * tunnelling and deprecated forms (IPv4-compatible, 6to4, Teredo) are refused whatever
 * they carry.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv4') return isPublicIPv4(parsed as ipaddr.IPv4);
  const embedded = embeddedIPv4(parsed as ipaddr.IPv6);
  if (embedded) return (embedded.embedding === 'mapped' || embedded.embedding === 'nat64') && isPublicIPv4(embedded.ipv4);
  return parsed.range() === 'unicast';
}

function literalAddress(hostname: string): string | null {
  const bare = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(bare) && (ipaddr.IPv6.isValid(bare) || ipaddr.IPv4.isValidFourPartDecimal(bare)) ? bare : null;
}

/**
 * Resolves the URL's host once and returns the address to connect to. Every address the
 * name resolves to must be public (unless private targets are allowed), so a name that
 * mixes public and private answers is refused; connecting to exactly the returned
 * address leaves no gap for DNS rebinding between check and connection.
 */
export async function resolveTarget(hostname: string, allowPrivate: boolean): Promise<ResolvedTarget> {
  const literal = literalAddress(hostname);
  let addresses: Array<{ address: string; family: number }>;
  if (literal !== null) {
    addresses = [{ address: literal, family: ipaddr.IPv6.isValid(literal) ? 6 : 4 }];
  } else {
    try {
      addresses = await lookup(hostname, { all: true, verbatim: true });
    } catch (error) {
      throw new TargetRefusedError(`could not resolve the host (${(error as NodeJS.ErrnoException).code ?? 'DNS error'})`);
    }
  }
  if (addresses.length === 0) throw new TargetRefusedError('the host resolves to no address');
  if (!allowPrivate) {
    const refused = addresses.find(({ address }) => !isPublicAddress(address));
    if (refused) {
      throw new TargetRefusedError(
        `refused: the host resolves to ${refused.address}, a non-public address (loopback, private, link-local or metadata)`,
      );
    }
  }
  return { address: addresses[0].address, family: addresses[0].family === 6 ? 6 : 4 };
}
