import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { Client } from 'pg';
import { connectDb, createFixture, waitFor, WorkerProcess } from './harness';
import { insertEndpoint, insertEvents, StatusReceiver } from './webhook-fixtures';

/**
 * One endpoint that never answers must not take every delivery slot: with 10 slots (a cap
 * of 1 per endpoint), another workspace's endpoint gets all its deliveries through while
 * the slow one never has more than one request in flight.
 */

let db: Client;
let worker: WorkerProcess;
let fast: StatusReceiver;
let slow: Server;
let slowUrl = '';
let slowInFlight = 0;
let slowMaxInFlight = 0;

beforeAll(async () => {
  db = await connectDb();
  fast = await new StatusReceiver(200).start();
  // Holds every request open: each attempt ends only at the delivery timeout.
  slow = createServer((request) => {
    slowInFlight++;
    slowMaxInFlight = Math.max(slowMaxInFlight, slowInFlight);
    request.on('close', () => slowInFlight--);
  });
  slow.listen(0, '127.0.0.1');
  await once(slow, 'listening');
  slowUrl = `http://127.0.0.1:${(slow.address() as { port: number }).port}`;
  worker = await new WorkerProcess({
    KW_WEBHOOK_CONCURRENCY: '10',
    KW_WEBHOOK_TIMEOUT_MS: '5000',
    KW_WEBHOOK_RETRY_SCHEDULE: '60s',
    KW_WEBHOOK_POLL_MS: '50',
    KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  }).start();
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  await fast?.stop();
  slow?.closeAllConnections();
  slow?.close();
  await db?.end();
});

it('delivers to other endpoints while one slow endpoint holds at most its cap of slots', async () => {
  const [slowSide, fastSide] = await Promise.all([createFixture(db, 1, 1), createFixture(db, 1, 1)]);
  const slowEndpoint = await insertEndpoint(db, { workspaceId: slowSide.workspaceId, appId: slowSide.apps[0], url: `${slowUrl}/hook` });
  const fastEndpoint = await insertEndpoint(db, { workspaceId: fastSide.workspaceId, appId: fastSide.apps[0], url: `${fast.url}/hook` });
  await insertEvents(db, { workspaceId: slowSide.workspaceId, appId: slowSide.apps[0], count: 30 });
  await insertEvents(db, { workspaceId: fastSide.workspaceId, appId: fastSide.apps[0], count: 10 });

  await waitFor(async () => {
    const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'succeeded'`, [fastEndpoint.id]);
    return rows[0].n === 10 ? true : undefined;
  }, 'all 10 deliveries to the fast endpoint', 30_000);
  expect(fast.received).toHaveLength(10);
  expect(slowMaxInFlight).toBe(1);
  const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_deliveries WHERE endpoint_id = $1 AND status = 'pending'`, [slowEndpoint.id]);
  expect(rows[0].n).toBeGreaterThan(0);
}, 60_000);
