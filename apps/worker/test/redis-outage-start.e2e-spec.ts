import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { JOBS, QUEUES, type UsageBatchJob } from '@keywarden/core';
import { Queue } from 'bullmq';
import type { Client } from 'pg';
import { connectDb, createFixture, event, freePort, QUEUE_PREFIX, requireEnv, uid, waitFor, WorkerProcess } from './harness';

/**
 * A TCP relay to the test Redis on `port`: the worker's Redis "comes up" when it starts
 * listening; until then the port refuses connections like a Redis that is down.
 */
async function relayToRedis(port: number, redisUrl: URL): Promise<{ close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(redisUrl.port || 6379), redisUrl.hostname);
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => (socket === client ? upstream : client).destroy());
    }
    client.pipe(upstream).pipe(client);
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return {
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

const isStackFrame = (line: string) => /^\s+at /.test(line);

describe('worker started while Redis is unreachable', () => {
  const redisUrl = new URL(requireEnv('REDIS_URL'));
  let workerRedisUrl: URL;
  let worker: WorkerProcess;
  let relay: { close(): Promise<void> } | undefined;
  let db: Client;
  let queue: Queue;

  beforeAll(async () => {
    db = await connectDb();
    queue = new Queue(QUEUES.usage, { connection: { url: redisUrl.href }, prefix: QUEUE_PREFIX });
    workerRedisUrl = new URL(redisUrl.href);
    workerRedisUrl.hostname = '127.0.0.1';
    workerRedisUrl.port = String(await freePort()); // nothing listens there yet
    worker = await new WorkerProcess({ REDIS_URL: workerRedisUrl.href }).launch();
  });

  afterAll(async () => {
    await worker?.stop('SIGKILL');
    await relay?.close();
    await queue?.obliterate({ force: true }).catch(() => undefined);
    await queue?.close();
    await db?.end();
  });

  it('starts, reports not ready and logs the outage as warnings', async () => {
    await waitFor(async () => (await fetch(`${worker.baseUrl}/health/live`)).status === 200, 'worker live', 20_000);
    expect((await fetch(`${worker.baseUrl}/health/ready`)).status).toBe(503);
    await waitFor(async () => worker.output.includes('Redis unreachable'), 'a Redis warning', 20_000);
  });

  it('serves /metrics while Redis is unreachable', async () => {
    const response = await fetch(`${worker.baseUrl}/metrics`, { signal: AbortSignal.timeout(5_000) });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('kw_usage_batches_processed_total');
  });

  it('becomes ready and processes usage batches once Redis answers', async () => {
    relay = await relayToRedis(Number(workerRedisUrl.port), redisUrl);
    await waitFor(async () => (await fetch(`${worker.baseUrl}/health/ready`)).status === 200, 'worker ready', 20_000);

    const fixture = await createFixture(db, 1, 1);
    const batchId = uid('b');
    const job: UsageBatchJob = {
      batchId,
      events: [event({ workspaceId: fixture.workspaceId, appId: fixture.apps[0], keyId: fixture.keys[0][0] })],
    };
    await queue.add(JOBS.usageBatch, job, { jobId: batchId });
    await waitFor(
      async () => (await db.query(`SELECT 1 FROM processed_batches WHERE batch_id = $1`, [batchId])).rowCount === 1,
      'the batch processed',
      20_000,
    );
  });

  it('printed no stack trace, only JSON log lines, from start to a clean stop', async () => {
    // Once the process has closed its output, every line it wrote has been read.
    const closed = once(worker.child, 'close');
    worker.child.kill('SIGTERM');
    const [code] = (await closed) as [number | null];
    expect(code).toBe(0);

    const lines = worker.output.split('\n').filter(Boolean);
    expect(lines.filter(isStackFrame)).toEqual([]);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ service: 'worker' });
  });
});
