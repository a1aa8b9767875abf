import { once } from 'node:events';
import { spawn } from 'node:child_process';
import type { Client } from 'pg';
import { connectDb, createFixture, MAIN, waitFor, WorkerProcess } from './harness';
import { dataSourceOptions, scheduleRedelivery } from '@keywarden/db';
import { DataSource } from 'typeorm';
import { HoldingReceiver, insertEndpoint, insertEvents, StatusReceiver } from './webhook-fixtures';

/**
 * Webhook delivery in the worker alone: outbox rows and endpoints inserted directly,
 * real worker processes, real receivers.
 */

let db: Client;

beforeAll(async () => {
  db = await connectDb();
});

afterAll(async () => {
  await db?.end();
});

interface DeliveryState {
  status: string;
  attempts: number;
  errors: Array<string | null>;
}

async function deliveryOf(endpointId: string): Promise<DeliveryState | undefined> {
  const { rows } = await db.query(
    `SELECT d.status, d.attempts, array_agg(a.error ORDER BY a.id) AS errors
       FROM webhook_deliveries d LEFT JOIN webhook_attempts a ON a.delivery_id = d.id
      WHERE d.endpoint_id = $1 GROUP BY d.id`,
    [endpointId],
  );
  return rows[0];
}

function settled(endpointId: string, status: string): Promise<DeliveryState> {
  return waitFor(async () => {
    const delivery = await deliveryOf(endpointId);
    return delivery?.status === status ? delivery : undefined;
  }, `delivery to ${endpointId} ${status}`, 20_000);
}

describe('SSRF guard (private targets not allowed)', () => {
  let worker: WorkerProcess;
  let receiver: StatusReceiver;

  beforeAll(async () => {
    receiver = await new StatusReceiver(200).start();
    worker = await new WorkerProcess({ KW_WEBHOOK_RETRY_SCHEDULE: '100ms', KW_WEBHOOK_POLL_MS: '50' }).start();
  });

  afterAll(async () => {
    await worker?.stop();
    await receiver?.stop();
  });

  it.each([
    ['loopback by address', () => `${receiver.url}/hook`, '127.0.0.1'],
    ['loopback by name', () => receiver.url.replace('127.0.0.1', 'localhost'), '127.0.0.1'],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/', '169.254.169.254'],
    ['the IPv6 metadata address', () => 'http://[fd00:ec2::254]/latest/meta-data/', 'fd00:ec2::254'],
    ['a private network address', () => 'http://10.0.0.1/hook', '10.0.0.1'],
  ])('refuses %s, sends nothing and logs why on every attempt', async (_, url, address) => {
    const fixture = await createFixture(db, 1, 0);
    const endpoint = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0], url: url() });
    await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
    const delivery = await settled(endpoint.id, 'failed');
    expect(delivery.attempts).toBe(2);
    for (const error of delivery.errors) expect(error).toContain(`the host resolves to ${address}`);
    expect(receiver.received).toHaveLength(0);
  });
});

/** The value of a counter line on the worker's /metrics, 0 when the line is not there yet. */
function counterValue(metrics: string, line: string): number {
  const found = metrics.split('\n').find((candidate) => candidate.startsWith(`${line} `));
  return found === undefined ? 0 : Number(found.split(' ').pop());
}

describe("the worker's webhook metrics", () => {
  let worker: WorkerProcess;
  let accepting: StatusReceiver;
  let refusing: StatusReceiver;

  beforeAll(async () => {
    [accepting, refusing] = await Promise.all([new StatusReceiver(204).start(), new StatusReceiver(503).start()]);
    worker = await new WorkerProcess({ KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', KW_WEBHOOK_RETRY_SCHEDULE: '100ms', KW_WEBHOOK_POLL_MS: '50' }).start();
  });

  afterAll(async () => {
    await worker?.stop();
    await Promise.all([accepting?.stop(), refusing?.stop()]);
  });

  it('count each attempt by result and time it', async () => {
    const fixture = await createFixture(db, 2, 0);
    const delivered = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0], url: `${accepting.url}/hook` });
    const failing = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[1], url: `${refusing.url}/hook` });
    await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
    await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[1] });
    await settled(delivered.id, 'succeeded');
    // One attempt, then one retry after 100 ms: two failed attempts.
    const failed = await settled(failing.id, 'failed');
    const metrics = await worker.metrics();
    const counted = {
      delivered: counterValue(metrics, 'kw_webhook_attempts_total{result="delivered"}'),
      failed: counterValue(metrics, 'kw_webhook_attempts_total{result="failed"}'),
      timed: counterValue(metrics, 'kw_webhook_attempt_duration_seconds_count'),
    };
    // At least: the database may hold other tests' endpoints with events still to deliver.
    expect(counted.delivered).toBeGreaterThanOrEqual(1);
    expect(counted.failed).toBeGreaterThanOrEqual(failed.attempts);
    expect(counted.timed).toBe(counted.delivered + counted.failed);
  });
});

describe('an endpoint failing for too long', () => {
  let worker: WorkerProcess;
  let receiver: StatusReceiver;

  beforeAll(async () => {
    receiver = await new StatusReceiver(500).start();
    worker = await new WorkerProcess({
      KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      KW_WEBHOOK_RETRY_SCHEDULE: '700ms,700ms,700ms,700ms',
      KW_WEBHOOK_DISABLE_AFTER_FAILING_SECONDS: '1',
      KW_WEBHOOK_POLL_MS: '50',
    }).start();
  });

  afterAll(async () => {
    await worker?.stop();
    await receiver?.stop();
  });

  it('is disabled with the reason, and its delivery given up', async () => {
    const fixture = await createFixture(db, 1, 0);
    const endpoint = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0], url: `${receiver.url}/down` });
    await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
    const delivery = await settled(endpoint.id, 'failed');
    // Attempts at ~0 s and ~0.7 s are inside the 1 s window; the one at ~1.4 s is not.
    expect(delivery.attempts).toBe(3);
    const { rows } = await db.query(
      `SELECT enabled, disabled_reason, disabled_message, failing_since FROM webhook_endpoints WHERE id = $1`,
      [endpoint.id],
    );
    expect(rows[0]).toMatchObject({ enabled: false, disabled_reason: 'failing' });
    expect(rows[0].disabled_message).toBe(`Every delivery attempt failed since ${rows[0].failing_since.toISOString()}`);
  });
});

describe('an endpoint that recovers while a failing attempt is in flight', () => {
  let worker: WorkerProcess;

  beforeAll(async () => {
    worker = await new WorkerProcess({
      KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      KW_WEBHOOK_RETRY_SCHEDULE: '1h',
      KW_WEBHOOK_DISABLE_AFTER_FAILING_SECONDS: '3600',
      KW_WEBHOOK_POLL_MS: '50',
    }).start();
  });

  afterAll(async () => {
    await worker?.stop();
  });

  it('is not disabled by that attempt: the success in between ended the failing streak', async () => {
    const receiver = await new HoldingReceiver().start();
    try {
      const fixture = await createFixture(db, 1, 0);
      const endpoint = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0], url: `${receiver.url}/hook` });
      // Failing for two hours (the limit is one), and not disabled yet: the next failure would disable it.
      await db.query(`UPDATE webhook_endpoints SET failing_since = now() - interval '2 hours' WHERE id = $1`, [endpoint.id]);
      await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
      await waitFor(async () => receiver.received.length === 1 || undefined, 'the first attempt in flight');
      // A second delivery succeeds while the first attempt is held: the endpoint has recovered.
      await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
      await waitFor(async () => {
        const { rows } = await db.query(`SELECT failing_since FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
        return rows[0].failing_since === null || undefined;
      }, 'the success recorded');

      receiver.answerFirst(500);
      await waitFor(async () => {
        const { rows } = await db.query(`SELECT count(*)::int AS n FROM webhook_attempts a JOIN webhook_deliveries d ON d.id = a.delivery_id WHERE d.endpoint_id = $1`, [endpoint.id]);
        return rows[0].n === 2 || undefined;
      }, 'the held attempt recorded');

      const { rows } = await db.query(`SELECT enabled, disabled_reason, failing_since FROM webhook_endpoints WHERE id = $1`, [endpoint.id]);
      expect(rows[0]).toMatchObject({ enabled: true, disabled_reason: null });
      // The failure starts a new streak.
      expect(Date.now() - rows[0].failing_since.getTime()).toBeLessThan(60_000);
    } finally {
      await receiver.stop();
    }
  });
});

describe('a redelivery asked for while an attempt is in flight', () => {
  let worker: WorkerProcess;
  // The API's redeliver route runs scheduleRedelivery through TypeORM.
  let dataSource: DataSource;

  beforeAll(async () => {
    dataSource = await new DataSource(dataSourceOptions(process.env.DATABASE_URL as string)).initialize();
    // A failed attempt would wait an hour: only the redelivery can bring a second one.
    worker = await new WorkerProcess({
      KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      KW_WEBHOOK_RETRY_SCHEDULE: '1h',
      KW_WEBHOOK_POLL_MS: '50',
    }).start();
  });

  afterAll(async () => {
    await worker?.stop();
    await dataSource?.destroy();
  });

  it.each([
    ['succeeds', 200],
    ['fails', 500],
  ])('is sent again when the attempt in flight %s', async (_, firstStatus) => {
    const receiver = await new HoldingReceiver().start();
    try {
      const fixture = await createFixture(db, 1, 0);
      const endpoint = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0], url: `${receiver.url}/hook` });
      await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
      await waitFor(async () => receiver.received.length === 1 || undefined, 'the first attempt in flight');
      const { rows } = await db.query(`SELECT id FROM webhook_deliveries WHERE endpoint_id = $1`, [endpoint.id]);
      // What POST /v1/webhooks/:id/deliveries/:did/redeliver does.
      expect(await scheduleRedelivery(dataSource, rows[0].id, endpoint.id)).toBe(true);
      receiver.answerFirst(firstStatus);

      const delivery = await settled(endpoint.id, 'succeeded');
      expect(delivery.attempts).toBe(2);
      expect(receiver.received).toHaveLength(2);
    } finally {
      await receiver.stop();
    }
  });
});

describe('a worker stopped while a delivery hangs', () => {
  it('lets the attempt time out, records it, and exits 0 (the hard stop leaves it time)', async () => {
    // KW_SHUTDOWN_TIMEOUT_MS unset: the delivery timeout plus the margin (7 s here).
    const worker = await new WorkerProcess({
      KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
      KW_WEBHOOK_RETRY_SCHEDULE: '1h',
      KW_WEBHOOK_TIMEOUT_MS: '2000',
      KW_WEBHOOK_POLL_MS: '50',
    }).start();
    // Never answers: the attempt runs until the delivery timeout.
    const receiver = await new HoldingReceiver().start();
    try {
      const fixture = await createFixture(db, 1, 0);
      const endpoint = await insertEndpoint(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0], url: `${receiver.url}/hung` });
      await insertEvents(db, { workspaceId: fixture.workspaceId, appId: fixture.apps[0] });
      await waitFor(async () => receiver.received.length === 1 || undefined, 'the attempt in flight');

      const exited = once(worker.child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
      worker.child.kill('SIGTERM');
      const [code, signal] = await exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      // Recorded before the worker exited: it waited for the attempt instead of cutting it.
      expect(await deliveryOf(endpoint.id)).toEqual({ status: 'pending', attempts: 1, errors: ['no complete answer within 2000 ms'] });
    } finally {
      await worker.stop('SIGKILL');
      await receiver.stop();
    }
  });
});

describe('two workers sharing the outbox', () => {
  const workers: WorkerProcess[] = [];
  let receiver: StatusReceiver;

  beforeAll(async () => {
    receiver = await new StatusReceiver(204).start();
    const env = { KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true', KW_WEBHOOK_POLL_MS: '20', KW_WEBHOOK_DISPATCH_BATCH: '25' };
    workers.push(await new WorkerProcess(env).start(), await new WorkerProcess(env).start());
  });

  afterAll(async () => {
    await Promise.all(workers.map((worker) => worker.stop()));
    await receiver?.stop();
  });

  it('deliver every event to every endpoint exactly once', async () => {
    const fixture = await createFixture(db, 1, 0);
    const [appId, workspaceId] = [fixture.apps[0], fixture.workspaceId];
    const endpoints = [
      await insertEndpoint(db, { workspaceId, appId, url: `${receiver.url}/one` }),
      await insertEndpoint(db, { workspaceId, appId, url: `${receiver.url}/two` }),
    ];
    const events = await insertEvents(db, { workspaceId, appId, count: 300 });
    // Every delivery settled: nothing is left that could still send a request.
    await waitFor(async () => {
      const { rows } = await db.query(
        `SELECT count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded, count(*) FILTER (WHERE status <> 'succeeded')::int AS open
         FROM webhook_deliveries WHERE endpoint_id = ANY($1)`,
        [endpoints.map((endpoint) => endpoint.id)],
      );
      return rows[0].succeeded === 600 && rows[0].open === 0;
    }, '600 settled deliveries', 30_000);
    expect(receiver.received).toHaveLength(600);
    const pairs = new Set(receiver.received.map((request) => `${request.headers['webhook-id']}|${request.headers['webhook-signature']}`));
    expect(pairs.size).toBe(600);
    expect(new Set(receiver.received.map((request) => request.headers['webhook-id']))).toEqual(new Set(events));
  });
});

describe('webhook configuration', () => {
  it('refuses a bad retry schedule and a missing pepper, naming both', async () => {
    const worker = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: 'postgres://127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
        KW_WEBHOOK_RETRY_SCHEDULE: '5s,soon',
      },
    });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(worker, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain('KW_WEBHOOK_RETRY_SCHEDULE: "soon" is not a duration');
    expect(stderr).toContain('KW_PEPPER');
  });

  it('refuses a hard stop that leaves a delivery in flight no time to end, naming both variables', async () => {
    const worker = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: 'postgres://127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
        KW_PEPPER: 'worker-e2e-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
        KW_WEBHOOK_TIMEOUT_MS: '10000',
        KW_SHUTDOWN_TIMEOUT_MS: '10000',
      },
    });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(worker, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toBe(
      'keywarden worker failed to start: Invalid configuration:\n' +
        '  - KW_SHUTDOWN_TIMEOUT_MS: KW_SHUTDOWN_TIMEOUT_MS must exceed KW_WEBHOOK_TIMEOUT_MS by at least 5000 ms (here at least 15000), ' +
        'so that a delivery in flight when the worker stops can end and be recorded; leave it unset for that\n',
    );
  });
});
