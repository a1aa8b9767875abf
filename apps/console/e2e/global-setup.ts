import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { bootstrapWorkspace, startApi, startWorker, type ApiProcess } from '../../api/test/harness';
import { API_CLI, API_DIR, RUN_DIR_ENV } from '../../api/test/harness/paths';
import { STACK_ENV } from './stack';

export const STACK_HANDLE = Symbol.for('keywarden.console-e2e.stack');

const TEST_PEPPER = 'keywarden-console-e2e-pepper-0123456789abcdefghijklmnopqrstuv';

function log(message: string): void {
  process.stderr.write(`[console-e2e] ${message}\n`);
}

/** The suite's own database next to the one it was given: `<name>_console`, created fresh. */
async function ownDatabase(url: string): Promise<string> {
  const given = new URL(url);
  const name = `${given.pathname.slice(1) || 'keywarden'}_console`;
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  given.pathname = `/${name}`;
  return given.toString();
}

/**
 * A real stack for the browser: migrations, an API and a worker on free ports (their
 * output goes to a run directory that the teardown scans for leaked keys), and a workspace.
 */
export default async function globalSetup(): Promise<void> {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl || !process.env.REDIS_URL) {
    throw new Error('DATABASE_URL and REDIS_URL must be set (infra/test.sh sets them; see docs/console.md)');
  }
  process.env.DATABASE_URL = await ownDatabase(databaseUrl);
  process.env.KW_PEPPER ??= TEST_PEPPER;
  process.env.NODE_ENV ??= 'test';
  const dir = join(tmpdir(), 'keywarden-console-e2e', `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env[RUN_DIR_ENV] = dir;
  execFileSync(process.execPath, [API_CLI, 'migrate'], { cwd: API_DIR, env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });
  // Detection steps closed minutes within seconds, so seeded history alerts at once.
  const detection = { KW_DETECTION_INTERVAL_MS: '1000', KW_DETECTION_CLOSE_DELAY_MS: '1000', KW_DETECTION_ALERT_WINDOW_MINUTES: '240' };
  const [api, worker] = await Promise.all([startApi(), startWorker(detection)]);
  (globalThis as Record<symbol, ApiProcess[]>)[STACK_HANDLE] = [api, worker];
  const workspace = await bootstrapWorkspace('console');
  process.env[STACK_ENV.baseUrl] = api.baseUrl;
  process.env[STACK_ENV.ownerKey] = workspace.secret;
  process.env[STACK_ENV.workspaceId] = workspace.workspaceId;
  log(`API ${api.baseUrl}, worker ${worker.baseUrl}, logs ${dir}`);
}
