import proxyAddr from '@fastify/proxy-addr';
import type { ApiConfig } from '../config/api-config';

/** Whether an address `hop` steps from the server (0: the peer) is a proxy whose X-Forwarded-* entries count. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * KW_TRUST_PROXY as one function, given to Fastify (`request.ip`, `request.protocol`) and to
 * the verify fast path alike, so both read a request's address by the same rule: N hops
 * believes the last N proxies in front (Fastify's own reading of a number trusts no peer),
 * a list believes those addresses or CIDRs. null: no proxy is believed.
 */
export function proxyTrustOf(trustProxy: ApiConfig['trustProxy']): ProxyTrust | null {
  if (trustProxy === false) return null;
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  return proxyAddr.compile(trustProxy.split(',').map((entry) => entry.trim()));
}
