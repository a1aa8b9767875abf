import { keyInvalidationChannel } from '@keywarden/core';
import type { Propagation } from '@keywarden/sdk';
import Redis from 'ioredis';
import { eventually, rawRequest, uniqueName } from './harness';
import { keyWithPolicy, twoInstancesForSuite } from './policy/helpers';

/**
 * Revocation is read-your-writes across instances: once revoke (disable, a leak report,
 * a customer suspension) has answered on instance A, instance B, which had the key in its
 * cache, refuses it on the very next verify. A answers only after every instance
 * listening for invalidations confirmed it dropped the key, and says so in `propagation`.
 */

const two = twoInstancesForSuite('revocation');

type Change = 'revoke' | 'disable' | 'leak' | 'suspend';

/** A fresh key, verified once on B so that B answers it from its cache. */
async function keyCachedOnB(withCustomer: boolean) {
  const customer = withCustomer ? await two.viaA.customers.create({ externalId: uniqueName('holder') }) : undefined;
  const key = await keyWithPolicy(two.viaA, two.app, undefined, customer ? { customerId: customer.id } : {});
  expect((await two.viaB.verifyKey(key.secret)).code).toBe('VALID');
  return { key, customerId: customer?.id };
}

/** Makes the change on A and answers its propagation report. */
async function changeOnA(change: Change, keyId: string, customerId: string | undefined): Promise<Propagation> {
  if (change === 'revoke') return (await two.viaA.keys.revoke(keyId)).propagation;
  if (change === 'disable') return (await two.viaA.keys.disable(keyId)).propagation;
  if (change === 'suspend') return (await two.viaA.customers.suspend(customerId as string)).propagation;
  const reported = await rawRequest(two.apiA.baseUrl, '/v1/leaks', { apiKey: two.ownerSecret, body: JSON.stringify({ keyId }) });
  expect(reported.status).toBe(200);
  return (reported.json as { propagation: Propagation }).propagation;
}

const REFUSAL: Record<Change, string> = { revoke: 'KEY_REVOKED', disable: 'KEY_DISABLED', leak: 'KEY_REVOKED', suspend: 'KEY_DISABLED' };
const TRIALS_PER_CHANGE = 15;

it.each(['revoke', 'disable', 'leak', 'suspend'] as const)(
  `%s on A: B refuses the key on its first verify after the answer, ${TRIALS_PER_CHANGE} times out of ${TRIALS_PER_CHANGE}`,
  async (change) => {
    const afterReturn: string[] = [];
    for (let trial = 0; trial < TRIALS_PER_CHANGE; trial++) {
      const { key, customerId } = await keyCachedOnB(change === 'suspend');
      const propagation = await changeOnA(change, key.id, customerId);
      afterReturn.push((await two.viaB.verifyKey(key.secret)).code);
      expect(propagation).toEqual({ confirmed: true, instances: 2, acknowledged: 2 });
    }
    expect(afterReturn).toEqual(Array(TRIALS_PER_CHANGE).fill(REFUSAL[change]));
  },
  120_000,
);

it('a second rotation on A inside the first one\'s grace: B refuses the original secret on its first verify after the answer', async () => {
  const { key } = await keyCachedOnB(false);
  await two.viaA.keys.rotate(key.id, { gracePeriodSeconds: 3_600 });
  // Still in its grace: B looks it up again and caches it with its deadline.
  expect((await two.viaB.verifyKey(key.secret)).code).toBe('VALID');
  const second = await two.viaA.keys.rotate(key.id, { gracePeriodSeconds: 3_600 });
  expect((await two.viaB.verifyKey(key.secret)).code).toBe('KEY_REVOKED');
  expect((await two.viaB.verifyKey(second.secret)).code).toBe('VALID');
});

it('reports an unconfirmed propagation when a receiver never confirms, and still revokes', async () => {
  // A subscriber that receives invalidations but is no API instance: it never confirms.
  const channel = keyInvalidationChannel(await two.apiA.queueNamespace());
  const silent = new Redis(process.env.REDIS_URL as string);
  const observer = new Redis(process.env.REDIS_URL as string);
  try {
    await silent.subscribe(channel);
    // Redis itself counts three receivers (A, B and the silent one) before the revoke.
    await eventually(async () => expect(await observer.pubsub('NUMSUB', channel)).toEqual([channel, 3]), { timeoutMs: 5_000, intervalMs: 20 });
    const { key } = await keyCachedOnB(false);
    const propagation = await changeOnA('revoke', key.id, undefined);
    expect(propagation).toEqual({ confirmed: false, instances: 3, acknowledged: 2 });
    expect((await two.viaB.verifyKey(key.secret)).code).toBe('KEY_REVOKED');
  } finally {
    silent.disconnect();
    observer.disconnect();
  }
});
