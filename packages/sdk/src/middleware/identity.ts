import type { KeywardenIdentity, KeywardenRequest } from './types';

/**
 * The identity the middleware attached to a request of any framework, without
 * augmenting its request type: `undefined` if the middleware did not run, `null` if
 * `failOpen` let the request through while Keywarden was unreachable.
 */
export function keywardenIdentity(request: object): KeywardenIdentity | null | undefined {
  return (request as KeywardenRequest).keywarden;
}
