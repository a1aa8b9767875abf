import { awayFromWindowEdge, drive, keyWithPolicy, redisGet, twoInstancesForSuite } from './policy/helpers';

/**
 * The bound of local-first rate limiting (docs/policies.md, "Across instances"): across instances a
 * window never admits more than its limit; what goes unused is at most what the
 * instances hold unspent, each at most a fair share (remaining / (2 × instances)).
 */
const LIMIT = 400;
const LOOPS_PER_INSTANCE = 6;

const two = twoInstancesForSuite('policy-rate-bound');

it('two instances under concurrent load admit exactly the limit between them, never more', async () => {
  const key = await keyWithPolicy(two.viaA, two.app, { rateLimits: { perMinute: LIMIT } });
  await awayFromWindowEdge(60_000, 15_000);
  const [admittedA, admittedB] = await Promise.all([drive(two.viaA, key.secret, LOOPS_PER_INSTANCE), drive(two.viaB, key.secret, LOOPS_PER_INSTANCE)]);
  expect(admittedA + admittedB).toBe(LIMIT);
  // Both instances took part, in blocks: neither got everything.
  expect(admittedA).toBeGreaterThan(0);
  expect(admittedB).toBeGreaterThan(0);
  const windowStart = Math.floor(Date.now() / 60_000) * 60;
  expect(await redisGet(`kw:rl:{${key.id}}:minute:${windowStart}`)).toBe(String(LIMIT));
  // Once refused everywhere, it stays refused on both.
  expect((await two.viaA.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
  expect((await two.viaB.verifyKey(key.secret)).code).toBe('RATE_LIMITED');
});

it('an instance that goes idle holds back at most its fair share, and spends it later', async () => {
  const key = await keyWithPolicy(two.viaA, two.app, { rateLimits: { perMinute: LIMIT } });
  await awayFromWindowEdge(60_000, 15_000);
  // A reserves blocks under load, then goes quiet holding what it has not spent.
  const warm = await Promise.all(Array.from({ length: 40 }, () => two.viaA.verifyKey(key.secret)));
  expect(warm.every((answer) => answer.code === 'VALID')).toBe(true);
  const admittedB = await drive(two.viaB, key.secret, LOOPS_PER_INSTANCE);
  const heldByA = LIMIT - 40 - admittedB;
  expect(heldByA).toBeGreaterThanOrEqual(0);
  expect(heldByA).toBeLessThanOrEqual(LIMIT / 4);
  // What A held is not lost within the window: A admits exactly that much more.
  expect(await drive(two.viaA, key.secret, 1)).toBe(heldByA);
}, 60_000);
