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
  it('refuses to start without DATABASE_URL and names the variable', async () => {
    const worker = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH, REDIS_URL: 'redis://127.0.0.1:1' } });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(worker, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain('DATABASE_URL');
  });

  it('refuses a bad usage setting and names it', async () => {
    const worker = spawn(process.execPath, [MAIN], {
      env: {
        PATH: process.env.PATH,
        DATABASE_URL: 'postgres://127.0.0.1:1/none',
        REDIS_URL: 'redis://127.0.0.1:1',
        KW_USAGE_CONCURRENCY: '0',
        KW_ACCESS_LOG_RETENTION_DAYS: 'soon',
      },
    });
    let stderr = '';
    worker.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(worker, 'exit')) as [number];
    expect(code).toBe(1);
    expect(stderr).toContain('KW_USAGE_CONCURRENCY');
    expect(stderr).toContain('KW_ACCESS_LOG_RETENTION_DAYS');
  });
});
