import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { DEFAULT_BUSINESS_HOURS, type UsageEvent } from '@keywarden/core';
import { Client } from 'pg';

export const MAIN = join(__dirname, '..', 'dist', 'main.js');

/** The pepper the test workers open webhook secrets with (the migrate step uses the same default). */
export const WORKER_TEST_PEPPER = process.env.KW_PEPPER ?? 'worker-e2e-pepper-0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * BullMQ prefix for this test run: the real queue name, but keys no other consumer on
 * the same Redis (a dev worker, a benchmark) would take jobs from. The test workers get
 * it whatever KW_QUEUE_PREFIX the run sets: they do not inherit the environment.
 */
export const QUEUE_PREFIX = `kwtest-${process.pid}-${Date.now().toString(36)}`;

export async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

export function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must point at the test ${name.split('_')[0]} (infra/test.sh sets it)`);
  return value;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 60_000,
  intervalMs = 100,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch {
      // not there yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A worker process spawned from dist, with its output kept for diagnostics. */
export class WorkerProcess {
  child!: ChildProcess;
  output = '';
  baseUrl!: string;

  constructor(private readonly extraEnv: Record<string, string> = {}) {}

  /** Spawns the worker and waits until it reports ready. */
  async start(): Promise<this> {
    await this.launch();
    await waitFor(async () => (await fetch(`${this.baseUrl}/health/ready`)).status === 200, 'worker ready', 20_000);
    return this;
  }

  /** Spawns the worker without waiting for it: for starts that are not expected to become ready at once. */
  async launch(): Promise<this> {
    const port = await freePort();
    this.baseUrl = `http://127.0.0.1:${port}`;
    this.child = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: requireEnv('DATABASE_URL'),
        REDIS_URL: requireEnv('REDIS_URL'),
        WORKER_PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        KW_QUEUE_PREFIX: QUEUE_PREFIX,
        KW_PEPPER: WORKER_TEST_PEPPER,
        ...this.extraEnv,
      },
    });
    this.child.stdout?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    this.child.stderr?.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
    return this;
  }

  async metrics(): Promise<string> {
    return (await fetch(`${this.baseUrl}/metrics`)).text();
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = once(this.child, 'exit');
    this.child.kill(signal);
    await exited;
  }
}

export function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : NaN;
}

export async function connectDb(): Promise<Client> {
  const client = new Client({ connectionString: requireEnv('DATABASE_URL') });
  await client.connect();
  return client;
}

export function uid(prefix: string): string {
  return `${prefix}_${randomUUID().replace(/-/g, '').slice(0, 20)}`;
}

export interface Fixture {
  workspaceId: string;
  apps: string[];
  /** keys[app index] = that app's key ids. */
  keys: string[][];
}

/** A workspace with `apps` apps of `keysPerApp` keys each, inserted directly. */
export async function createFixture(db: Client, apps = 2, keysPerApp = 3): Promise<Fixture> {
  const workspaceId = uid('ws');
  await db.query(`INSERT INTO workspaces (id, name) VALUES ($1, $2)`, [workspaceId, workspaceId]);
  const fixture: Fixture = { workspaceId, apps: [], keys: [] };
  for (let a = 0; a < apps; a++) {
    const appId = uid('app');
    await db.query(
      `INSERT INTO apps (id, workspace_id, name, timezone, business_hours, environments)
       VALUES ($1, $2, $3, 'UTC', $4, '{live}')`,
      [appId, workspaceId, `app-${a}`, JSON.stringify(DEFAULT_BUSINESS_HOURS)],
    );
    fixture.apps.push(appId);
    const keys: string[] = [];
    for (let k = 0; k < keysPerApp; k++) {
      const keyId = uid('key');
      await db.query(
        `INSERT INTO api_keys (id, workspace_id, kind, app_id, environment, name, scopes, status)
         VALUES ($1, $2, 'app', $3, 'live', $4, '{}', 'active')`,
        [keyId, workspaceId, appId, `key-${a}-${k}`],
      );
      keys.push(keyId);
    }
    fixture.keys.push(keys);
  }
  return fixture;
}

export function event(fields: Partial<UsageEvent> & Pick<UsageEvent, 'workspaceId'>): UsageEvent {
  return {
    id: uid('evt'),
    timestamp: new Date().toISOString(),
    appId: null,
    keyId: null,
    kind: 'verify',
    route: 'POST /v1/keys/verify',
    scope: null,
    model: null,
    outcome: 'VALID',
    status: 200,
    ip: '127.0.0.1',
    units: 1,
    costMicros: 0,
    latencyMs: 1.5,
    requestId: null,
    ...fields,
  };
}

export function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
