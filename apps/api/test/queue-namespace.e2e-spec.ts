import { JOBS, newId, QUEUES, type UsageBatchJob, type UsageEvent } from '@keywarden/core';
import type { AppKey, Keywarden, WithSecret } from '@keywarden/sdk';
import { Queue } from 'bullmq';
import { Client } from 'pg';
import {
  type ApiProcess,
  bootstrapWorkspace,
  client,
  dropDatabase,
  eventually,
  metricTotal,
  migrateDatabase,
  recreateDatabase,
  startApi,
  startWorker,
  uniqueName,
  type Workspace,
} from './harness';

/**
 * Two deployments (API + worker, each with its own database) on one Redis. B has no
 * KW_QUEUE_PREFIX: it derives its queue namespace from its database, so each worker rolls
 * up exactly its own API's events. A batch that reaches a worker anyway (a shared
 * namespace set by hand) but names workspaces or keys of another database is refused:
 * dead-lettered, counted and logged, never written.
 *
 * Stack A is the run's API database with the run's worker, in the run's namespace (derived
 * from its database too, unless the run sets KW_QUEUE_PREFIX); stack B gets a database of
 * its own here.
 */

const CONVERGE = { timeoutMs: 30_000, intervalMs: 250 };

interface Stack {
  databaseUrl: string;
  api: ApiProcess;
  db: Client;
  workspace: Workspace;
  owner: Keywarden;
  key: AppKey & WithSecret;
}

const secondDatabase = `${new URL(process.env.DATABASE_URL as string).pathname.slice(1)}_second_stack`;
let a: Stack;
let b: Stack;
let workerB: ApiProcess;

async function stack(databaseUrl: string, api: ApiProcess): Promise<Stack> {
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  const workspace = await bootstrapWorkspace('queue-namespace', { ...process.env, DATABASE_URL: databaseUrl });
  const owner = client(api.baseUrl, workspace.secret);
  const app = await owner.apps.create({ name: uniqueName('ns-app'), scopeCatalog: ['generation.create'] });
  const key = await owner.keys.create({ appId: app.id, name: 'ns-key', environment: 'live', scopes: ['generation.create'] });
  return { databaseUrl, api, db, workspace, owner, key };
}

async function verifies(target: Stack, count: number): Promise<void> {
  for (let i = 0; i < count; i++) expect((await target.owner.verifyKey(target.key.secret)).code).toBe('VALID');
}

async function loggedVerifies(target: Stack, workspaceId: string): Promise<number> {
  const { rows } = await target.db.query<{ n: string }>(
    `SELECT count(*) AS n FROM access_log WHERE workspace_id = $1 AND kind = 'verify'`,
    [workspaceId],
  );
  return Number(rows[0].n);
}

async function rolledUpVerifies(target: Stack): Promise<number> {
  const { rows } = await target.db.query<{ n: string | null }>(
    `SELECT sum(requests) AS n FROM usage_rollups WHERE granularity = 'day' AND key_id = $1`,
    [target.key.id],
  );
  return Number(rows[0].n ?? 0);
}

function refusedBatches(worker: ApiProcess): Promise<number> {
  return metricTotal(worker.baseUrl, 'kw_usage_batches_refused_total');
}

function verifyEvent(workspaceId: string, appId: string, keyId: string): UsageEvent {
  return {
    id: newId('event'),
    timestamp: new Date().toISOString(),
    workspaceId,
    appId,
    keyId,
    kind: 'verify',
    route: 'POST /v1/keys/verify',
    scope: null,
    model: null,
    outcome: 'VALID',
    status: 200,
    ip: '127.0.0.1',
    units: 1,
    costMicros: 0,
    latencyMs: 1,
    requestId: null,
  };
}

beforeAll(async () => {
  const databaseB = await recreateDatabase(process.env.DATABASE_URL as string, secondDatabase);
  await migrateDatabase(databaseB);
  // One at a time: process start-up is CPU-bound.
  const apiA = await startApi();
  // An empty KW_QUEUE_PREFIX is an unset one: B derives its namespace whatever the run sets.
  const deploymentB = { DATABASE_URL: databaseB, KW_QUEUE_PREFIX: '' };
  const apiB = await startApi(deploymentB);
  workerB = await startWorker(deploymentB);
  a = await stack(process.env.DATABASE_URL as string, apiA);
  b = await stack(databaseB, apiB);
}, 120_000);

afterAll(async () => {
  await Promise.all([a?.api.stop(), b?.api.stop(), workerB?.stop()]);
  await Promise.all([a?.db.end(), b?.db.end()]);
  await dropDatabase(process.env.DATABASE_URL as string, secondDatabase);
});

test('the two deployments work in different queue namespaces', async () => {
  const [namespaceA, namespaceB] = await Promise.all([a.api.queueNamespace(), b.api.queueNamespace()]);
  expect(namespaceA).not.toBe(namespaceB);
});

test("each worker rolls up exactly its own API's verifies, and none of the other's", async () => {
  await Promise.all([verifies(a, 40), verifies(b, 25)]);

  await eventually(async () => {
    expect(await rolledUpVerifies(a)).toBe(40);
    expect(await rolledUpVerifies(b)).toBe(25);
  }, CONVERGE);
  expect(await loggedVerifies(a, a.workspace.workspaceId)).toBe(40);
  expect(await loggedVerifies(b, b.workspace.workspaceId)).toBe(25);
  expect(await loggedVerifies(a, b.workspace.workspaceId)).toBe(0);
  expect(await loggedVerifies(b, a.workspace.workspaceId)).toBe(0);
  expect(await refusedBatches(workerB)).toBe(0);
}, 60_000);

test("a batch naming another database's workspace or keys is dead-lettered, counted and logged, not written", async () => {
  const queue = new Queue<UsageBatchJob>(QUEUES.usage, {
    connection: { url: process.env.REDIS_URL as string },
    prefix: await b.api.queueNamespace(),
  });
  try {
    const refusedBefore = await refusedBatches(workerB);
    const rolledUpBefore = await rolledUpVerifies(b);
    const foreignWorkspace: UsageBatchJob = {
      batchId: newId('batch'),
      events: [verifyEvent(a.workspace.workspaceId, a.key.appId, a.key.id)],
    };
    // B's own workspace, but A's key: a key id is only B's when B holds it in that workspace.
    const foreignKey: UsageBatchJob = {
      batchId: newId('batch'),
      events: [verifyEvent(b.workspace.workspaceId, b.key.appId, b.key.id), verifyEvent(b.workspace.workspaceId, a.key.appId, a.key.id)],
    };
    for (const job of [foreignWorkspace, foreignKey]) {
      await queue.add(JOBS.usageBatch, job, { jobId: job.batchId, attempts: 20, backoff: { type: 'fixed', delay: 100 } });
    }

    for (const job of [foreignWorkspace, foreignKey]) {
      // The job is read once it has failed: a copy read before could miss its failedReason.
      const failed = await eventually(async () => {
        expect(await queue.getJobState(job.batchId)).toBe('failed');
        return queue.getJob(job.batchId);
      }, CONVERGE);
      expect(failed?.failedReason).toMatch(/not in this deployment's database/);
      expect(workerB.readLog()).toContain(`usage batch ${job.batchId} refused`);
    }
    // Once each: with 20 attempts allowed, a retried refusal would count up to 40.
    expect(await refusedBatches(workerB)).toBe(refusedBefore + 2);

    const written = await b.db.query(
      `SELECT batch_id FROM processed_batches WHERE batch_id = ANY($1)`,
      [[foreignWorkspace.batchId, foreignKey.batchId]],
    );
    expect(written.rows).toEqual([]);
    expect(await loggedVerifies(b, a.workspace.workspaceId)).toBe(0);
    expect(await rolledUpVerifies(b)).toBe(rolledUpBefore);
  } finally {
    await queue.close();
  }
}, 60_000);
