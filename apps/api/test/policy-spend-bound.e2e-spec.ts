import { eventually, uniqueName } from './harness';
import { drive, type DriveOptions, keyWithPolicy, redisGet, sql, twoInstancesForSuite } from './policy/helpers';

/**
 * The bound of spend caps across instances (docs/policies.md, "Across instances"): an
 * instance admits a verify only with budget it reserved from Redis, so two instances
 * bursting at one cap admit at most the cap plus one request's cost per instance, and
 * leave unspent at most one request's cost per instance.
 */
const CAP = 1;
const COST = 0.01;
const LOOPS_PER_INSTANCE = 6;
const MICROS = 1_000_000;
const BURST: DriveOptions = { refusal: 'USAGE_EXCEEDED', verify: { cost: COST } };

const two = twoInstancesForSuite('policy-spend-bound');

/** Admitted spend in micro-units (exact: costs are whole micro-units). */
const spentMicros = (admitted: number) => admitted * COST * MICROS;

/** Both instances took part, and together admitted the cap give or take one request's cost each. */
function expectCapHeld(what: string, admittedA: number, admittedB: number): void {
  const spent = spentMicros(admittedA + admittedB);
  process.stdout.write(`[figure] ${what}: ${(spent / MICROS).toFixed(2)} admitted under a ${CAP.toFixed(2)} cap (${admittedA} + ${admittedB} verifies of ${COST})\n`);
  expect(spent).toBeLessThanOrEqual(CAP * MICROS + 2 * COST * MICROS);
  expect(spent).toBeGreaterThanOrEqual(CAP * MICROS - 2 * COST * MICROS);
  expect(admittedA).toBeGreaterThan(0);
  expect(admittedB).toBeGreaterThan(0);
}

function limitEvents(subjectId: string): Promise<Array<{ data: Record<string, unknown> }>> {
  return sql(`SELECT data FROM webhook_events WHERE type = 'usage.limit_reached' AND dedupe_key LIKE $1`, [`usage.limit_reached:${subjectId}:%`]);
}

it("a burst of 0.01 verifies over two instances admits at most a 1.00 cap plus one request's cost per instance", async () => {
  const key = await keyWithPolicy(two.viaA, two.app, { dailySpendLimit: CAP });
  const [admittedA, admittedB] = await Promise.all([drive(two.viaA, key.secret, LOOPS_PER_INSTANCE, BURST), drive(two.viaB, key.secret, LOOPS_PER_INSTANCE, BURST)]);
  expectCapHeld('key cap, two instances', admittedA, admittedB);
  // Refused with the same code everywhere, also without a cost.
  expect((await two.viaA.verifyKey(key.secret, { cost: COST })).code).toBe('USAGE_EXCEEDED');
  expect((await two.viaB.verifyKey(key.secret)).code).toBe('USAGE_EXCEEDED');
  await eventually(async () => expect(await limitEvents(key.id)).toHaveLength(1), { timeoutMs: 5_000 });
});

it("a customer's shared cap holds with the same bound, whichever of its keys and instances spend", async () => {
  const customer = await two.viaA.customers.create({ externalId: uniqueName('acct'), policy: { dailySpendLimit: CAP } });
  const [keyA, keyB] = await Promise.all([0, 1].map(() => keyWithPolicy(two.viaA, two.app, undefined, { customerId: customer.id })));
  const [admittedA, admittedB] = await Promise.all([drive(two.viaA, keyA.secret, LOOPS_PER_INSTANCE, BURST), drive(two.viaB, keyB.secret, LOOPS_PER_INSTANCE, BURST)]);
  expectCapHeld('customer cap, two keys on two instances', admittedA, admittedB);
  expect((await two.viaB.verifyKey(keyA.secret, { cost: COST })).code).toBe('USAGE_EXCEEDED');
  expect((await two.viaA.verifyKey(keyB.secret)).code).toBe('USAGE_EXCEEDED');
  await eventually(async () => expect((await limitEvents(customer.id)).map(({ data }) => data.limitOf)).toEqual(['customer']), { timeoutMs: 5_000 });
});

it('an instance that goes quiet gives back the budget it reserved and did not spend', async () => {
  const key = await keyWithPolicy(two.viaA, two.app, { dailySpendLimit: CAP });
  // A reserves ahead of its own traffic under load, then stops.
  const warm = await Promise.all(Array.from({ length: 40 }, () => two.viaA.verifyKey(key.secret, { cost: COST })));
  expect(warm.every((answer) => answer.code === 'VALID')).toBe(true);
  // Once A has given back what it held, the counter is exactly what A admitted...
  const counter = `kw:spend:{${key.id}}:${new Date().toISOString().slice(0, 10)}`;
  await eventually(async () => expect(await redisGet(counter)).toBe(String(spentMicros(40))), { timeoutMs: 10_000 });
  // ...and B may spend all the rest of the cap.
  expect(await drive(two.viaB, key.secret, LOOPS_PER_INSTANCE, BURST)).toBe(60);
});
