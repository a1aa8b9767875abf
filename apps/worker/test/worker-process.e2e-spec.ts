import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { WORKER_TEST_PEPPER } from './harness';

const MAIN = join(__dirname, '..', 'dist', 'main.js');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  server.close();
  return port;
}

function requireEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} must point at the test ${name.split('_')[0]} (infra/test.sh sets it)`);
  return value;
}

async function waitForReady(url: string, timeoutMs = 20_000): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`worker not ready at ${url}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('worker process', () => {
  let worker: ChildProcess;
  let baseUrl: string;
  let output = '';

  beforeAll(async () => {
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    worker = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: requireEnv('DATABASE_URL'),
        REDIS_URL: requireEnv('REDIS_URL'),
        WORKER_PORT: String(port),
        HOST: '127.0.0.1',
        KW_PEPPER: WORKER_TEST_PEPPER,
      },
    });
    worker.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await waitForReady(`${baseUrl}/health/live`);
  });

  afterAll(() => {
    if (worker.exitCode === null) worker.kill('SIGKILL');
  });

  it('reports ready once PostgreSQL and Redis answer', async () => {
    const response = await waitForReady(`${baseUrl}/health/ready`);
    expect(await response.json()).toMatchObject({
      status: 'ok',
      info: { postgres: { status: 'up' }, redis: { status: 'up' } },
    });
  });

  it('writes structured JSON logs', () => {
    const lines = output.split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ service: 'worker' });
  });

  it('shuts down gracefully on SIGTERM', async () => {
    worker.kill('SIGTERM');
    const [code] = (await once(worker, 'exit')) as [number | null];
    expect(code).toBe(0);
  });
});

describe('worker configuration', () => {
  /** Starts the worker with exactly `env` (plus PATH) and collects how it refused. */
  async function refusal(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
    const worker = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, ...env } });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(worker, 'exit')) as [number];
    return { code, stderr };
  }

  const UNREACHABLE = { DATABASE_URL: 'postgres://127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1' };

  it('refuses to start without DATABASE_URL and names the variable', async () => {
    const { code, stderr } = await refusal({ REDIS_URL: 'redis://127.0.0.1:1' });
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL');
  });

  it('reports an unreachable PostgreSQL in one line, without a stack trace', async () => {
    const { code, stderr } = await refusal({ ...UNREACHABLE, KW_PEPPER: WORKER_TEST_PEPPER, KW_QUEUE_PREFIX: 'kwunreachable' });
    expect(code).toBe(1);
    expect(stderr).toBe('keywarden worker failed to start: cannot reach PostgreSQL (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1\n');
  });

  it('refuses a bad usage setting and names it', async () => {
    const { code, stderr } = await refusal({ ...UNREACHABLE, KW_USAGE_CONCURRENCY: '0', KW_ACCESS_LOG_RETENTION_DAYS: 'soon' });
    expect(code).toBe(1);
    expect(stderr).toContain('KW_USAGE_CONCURRENCY');
    expect(stderr).toContain('KW_ACCESS_LOG_RETENTION_DAYS');
  });

  it('refuses a bad detection setting and names it', async () => {
    const { code, stderr } = await refusal({
      ...UNREACHABLE,
      KW_DETECTION_INTERVAL_MS: '10',
      KW_DETECTION_CLOSE_DELAY_MS: '-1',
      KW_DETECTION_ALERT_WINDOW_MINUTES: 'an hour',
    });
    expect(code).toBe(1);
    for (const name of ['KW_DETECTION_INTERVAL_MS', 'KW_DETECTION_CLOSE_DELAY_MS', 'KW_DETECTION_ALERT_WINDOW_MINUTES']) {
      expect(stderr).toContain(name);
    }
  });
});
