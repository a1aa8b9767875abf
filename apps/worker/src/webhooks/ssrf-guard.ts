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

/**
 * Only public unicast addresses pass: loopback, private (RFC 1918), carrier-grade NAT,
 * link-local (so 169.254.169.254, the cloud metadata address), unique-local IPv6 (so
 * fd00:ec2::254), multicast, reserved, and IPv6 forms that embed an IPv4 address
 * (mapped, 6to4, Teredo, NAT64) are refused. Mapped IPv4 is judged as the IPv4 it is.
 */
export function isPublicAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  return ipaddr.process(address).range() === 'unicast';
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
