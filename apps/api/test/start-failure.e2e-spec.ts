import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { withUnmigratedDatabase } from './harness/databases';
import { API_DIR } from './harness/paths';

/** An API that cannot start says why in one line on stderr, and exits 1. */

/** Starts the API with `env` (plus what every start needs) and collects how it refused. */
async function start(env: Record<string, string>): Promise<{ code: number; stderr: string }> {
  const api = spawn(process.execPath, ['dist/main.js'], {
    cwd: API_DIR,
    env: {
      PATH: process.env.PATH,
      KW_PEPPER: 'keywarden-e2e-pepper-0123456789abcdefghijklmnopqrstuvwxyz',
      KW_QUEUE_PREFIX: 'kwstartfailure',
      PORT: '0',
      ...env,
    },
  });
  let stderr = '';
  api.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(api, 'exit')) as [number];
  return { code, stderr };
}

it.each([
  ['with a queue prefix set', 'kwstartfailure'],
  ['reading the deployment identity first (no queue prefix)', ''],
])('reports an unreachable PostgreSQL in one line, without a stack trace, %s', async (_label, prefix) => {
  const { code, stderr } = await start({ DATABASE_URL: 'postgres://127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1', KW_QUEUE_PREFIX: prefix });
  expect(code).toBe(1);
  expect(stderr).toBe('keywarden api failed to start: cannot reach PostgreSQL (DATABASE_URL): connect ECONNREFUSED 127.0.0.1:1\n');
});

it('refuses a database the migrations have not reached, saying to run them', async () => {
  const { code, stderr } = await withUnmigratedDatabase(process.env.DATABASE_URL as string, (url) =>
    start({ DATABASE_URL: url, REDIS_URL: process.env.REDIS_URL as string }),
  );
  expect(code).toBe(1);
  expect(stderr).toBe('keywarden api failed to start: the database has no Keywarden schema: run the migrations first (cli.js migrate)\n');
});

it('refuses PORT=0x1f90 (it listened on 8080) with the bad variable, never the value', async () => {
  const { code, stderr } = await start({ DATABASE_URL: 'postgres://127.0.0.1:1/none', REDIS_URL: 'redis://127.0.0.1:1', PORT: '0x1f90' });
  expect(code).toBe(1);
  expect(stderr).toBe('keywarden api failed to start: Invalid configuration:\n  - PORT: PORT must be a whole number from 0 to 65535, in plain decimal digits\n');
});
