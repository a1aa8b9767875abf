import { uniqueName } from './harness';
import { awayFromWindowEdge, drive, keyWithPolicy, redisGet, twoInstancesForSuite } from './policy/helpers';

/**
 * A customer's shared rate limit holds across API instances with the same bound as a key's
 * (docs/policies.md, "Across instances"): the customer's window never admits more than its
 * limit, whichever of its keys and whichever instance the requests come through.
 */
const LIMIT = 300;
const LOOPS_PER_KEY = 3;

const two = twoInstancesForSuite('customers-rate-bound');

it("two instances and four keys admit exactly the customer's limit between them, never more", async () => {
  const customer = await two.viaA.customers.create({ externalId: uniqueName('acct'), policy: { rateLimits: { perMinute: LIMIT } } });
  const keys = await Promise.all([0, 1, 2, 3].map(() => keyWithPolicy(two.viaA, two.app, undefined, { customerId: customer.id })));
  await awayFromWindowEdge(60_000, 15_000);
  const admitted = await Promise.all([
    drive(two.viaA, keys[0].secret, LOOPS_PER_KEY),
    drive(two.viaA, keys[1].secret, LOOPS_PER_KEY),
    drive(two.viaB, keys[2].secret, LOOPS_PER_KEY),
    drive(two.viaB, keys[3].secret, LOOPS_PER_KEY),
  ]);
  expect(admitted.reduce((sum, count) => sum + count, 0)).toBe(LIMIT);
  expect(admitted[0] + admitted[1]).toBeGreaterThan(0);
  expect(admitted[2] + admitted[3]).toBeGreaterThan(0);
  const windowStart = Math.floor(Date.now() / 60_000) * 60;
  expect(await redisGet(`kw:rl:{${customer.id}}:minute:${windowStart}`)).toBe(String(LIMIT));
  for (const key of keys) expect((await two.viaB.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
});
