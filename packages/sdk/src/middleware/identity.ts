import type { KeywardenIdentity, KeywardenRequest } from './types';

/**
 * Identities of web-standard `Request`s. A `Request` is not ours to extend, and the
 * entry goes away with the request.
 */
const identities = new WeakMap<object, KeywardenIdentity | null>();

export function attachIdentity(request: object, identity: KeywardenIdentity | null): void {
  identities.set(request, identity);
}

/**
 * The identity the middleware attached to a request of any framework, without
 * augmenting its request type: `undefined` if the middleware did not run, `null` if
 * `failOpen` let the request through while Keywarden was unreachable.
 */
export function keywardenIdentity(request: object): KeywardenIdentity | null | undefined {
  return identities.has(request) ? identities.get(request) : (request as KeywardenRequest).keywarden;
}
