import type { Keywarden } from '@keywarden/sdk';
import { type ApiProcess, bootstrapWorkspace, client, startApi, uniqueName } from './harness';

/**
 * Keys created while their app is being deleted, through two API instances: whatever
 * the interleaving, no key of a deleted app ever verifies, and every one that was
 * created is revoked.
 */

const ROUNDS = 5;
const CREATES_PER_ROUND = 30;

let apiA: ApiProcess;
let apiB: ApiProcess;
let viaA: Keywarden;
let viaB: Keywarden;

beforeAll(async () => {
  // No credential cache on either instance: every verify reads the database.
  [apiA, apiB] = await Promise.all([startApi({ KW_KEY_CACHE_TTL_MS: '0' }), startApi({ KW_KEY_CACHE_TTL_MS: '0' })]);
  const workspace = await bootstrapWorkspace('app-delete-race');
  viaA = client(apiA.baseUrl, workspace.secret);
  viaB = client(apiB.baseUrl, workspace.secret);
}, 150_000);

afterAll(async () => {
  await Promise.all([apiA?.stop(), apiB?.stop()]);
});

it(`no key created concurrently with its app's delete verifies (${ROUNDS} rounds of ${CREATES_PER_ROUND} creates and one delete)`, async () => {
  const created: Array<{ id: string; secret: string }> = [];
  let refused = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const app = await viaA.apps.create({ name: uniqueName('doomed'), scopeCatalog: ['generation.create'] });
    const creates = Array.from({ length: CREATES_PER_ROUND }, (_, index) =>
      (index % 2 === 0 ? viaA : viaB).keys
        .create({ appId: app.id, name: `racer-${index}`, environment: 'live', scopes: ['generation.create'] })
        .then(
          (key) => created.push({ id: key.id, secret: key.secret }),
          (error: { status?: number; code?: string }) => {
            // Creates that come after the delete find no app.
            expect({ status: error.status, code: error.code }).toEqual({ status: 404, code: 'NOT_FOUND' });
            refused++;
          },
        ),
    );
    // The delete lands in the middle of the burst.
    const deletion = (async () => {
      await new Promise((resolve) => setImmediate(resolve));
      await viaB.apps.delete(app.id);
    })();
    await Promise.all([...creates, deletion]);
  }
  const stillValid: string[] = [];
  for (const key of created) {
    const [onA, onB] = await Promise.all([viaA.verifyKey(key.secret), viaB.verifyKey(key.secret)]);
    if (onA.valid || onB.valid) stillValid.push(key.id);
    expect(onA.code).toBe('KEY_REVOKED');
    expect((await viaA.keys.get(key.id)).status).toBe('revoked');
  }
  expect(stillValid).toEqual([]);
  expect(created.length + refused).toBe(ROUNDS * CREATES_PER_ROUND);
  // The race was real: both outcomes happened.
  expect(created.length).toBeGreaterThan(0);
}, 120_000);
