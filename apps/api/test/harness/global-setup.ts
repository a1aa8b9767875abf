import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startWorker } from './api-process';
import { recreateDatabase } from './databases';
import { API_CLI, API_DIR, assertBuilt, REPO_ROOT, RUN_DIR_ENV } from './paths';

/** The run's usage worker, shared by every test file; stopped by the global teardown. */
export const WORKER_HANDLE = Symbol.for('keywarden.e2e.worker');
export const WORKER_URL_ENV = 'KW_E2E_WORKER_URL';

// Overridable so that several checkouts can share one PostgreSQL server.
const E2E_DATABASE = process.env.KW_E2E_DATABASE ?? 'keywarden_e2e';
const TEST_PEPPER = 'keywarden-e2e-pepper-0123456789abcdefghijklmnopqrstuvwxyz';
export const LOGS_ROOT = process.env.KW_E2E_LOGS_DIR ?? join(tmpdir(), 'keywarden-e2e-logs');
const RUNS_KEPT = 5;

function log(message: string): void {
  process.stderr.write(`[e2e] ${message}\n`);
}

function redactUrl(url: string): string {
  return url.replace(/(:\/\/[^:/@]*):[^@/]*@/, '$1:***@');
}

/** Starts (or reuses) the local PostgreSQL + Redis and returns the URLs infra would use. */
function localServices(): { databaseUrl: string; redisUrl: string } {
  const services = join(REPO_ROOT, 'infra', 'services.sh');
  log('DATABASE_URL or REDIS_URL unset: bash infra/services.sh start');
  execFileSync('bash', [services, 'start'], { stdio: ['ignore', 'ignore', 'inherit'] });
  const printed = execFileSync(
    'bash',
    ['-c', 'eval "$(bash "$1" env)" && node -e "console.log(JSON.stringify([process.env.DATABASE_URL, process.env.REDIS_URL]))"', '_', services],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const [databaseUrl, redisUrl] = JSON.parse(printed.trim().split('\n').pop() as string) as [string, string];
  return { databaseUrl, redisUrl };
}

function pruneOldRuns(): void {
  let runs: string[];
  try {
    runs = readdirSync(LOGS_ROOT).filter((name) => name.startsWith('run-'));
  } catch {
    return;
  }
  const byAge = runs
    .map((name) => ({ path: join(LOGS_ROOT, name), mtime: statSync(join(LOGS_ROOT, name)).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime);
  for (const old of byAge.slice(RUNS_KEPT)) rmSync(old.path, { recursive: true, force: true });
}

export default async function globalSetup(): Promise<void> {
  assertBuilt();

  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
    const local = localServices();
    if (!process.env.DATABASE_URL) process.env.DATABASE_URL = await recreateDatabase(local.databaseUrl, E2E_DATABASE);
    if (!process.env.REDIS_URL) process.env.REDIS_URL = local.redisUrl;
  }
  process.env.KW_PEPPER ??= TEST_PEPPER;
  process.env.NODE_ENV ??= 'test';

  // One directory per run: every API process appends its output here, and the secret
  // registry lives next to it for the teardown's leak scan.
  pruneOldRuns();
  const dir = join(LOGS_ROOT, `run-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  process.env[RUN_DIR_ENV] = dir;

  log(`DATABASE_URL=${redactUrl(process.env.DATABASE_URL)} REDIS_URL=${redactUrl(process.env.REDIS_URL)}`);
  log(`API logs: ${dir}`);
  execFileSync(process.execPath, [API_CLI, 'migrate'], { cwd: API_DIR, env: process.env, stdio: ['ignore', 'ignore', 'inherit'] });

  // Detection steps closed minutes within a second or two and alerts on the last 4 hours,
  // so that tests can seed recent history instead of waiting for wall-clock minutes.
  process.env.KW_DETECTION_INTERVAL_MS ??= '1000';
  process.env.KW_DETECTION_CLOSE_DELAY_MS ??= '1000';
  process.env.KW_DETECTION_ALERT_WINDOW_MINUTES ??= '240';

  // Usage events (and last_used_at) are written by the worker from the queue; it also
  // runs the detectors. Webhook receivers in the tests listen on 127.0.0.1, and retries
  // must come in seconds.
  const worker = await startWorker();
  (globalThis as Record<symbol, unknown>)[WORKER_HANDLE] = worker;
  process.env[WORKER_URL_ENV] = worker.baseUrl;
  log(`worker: ${worker.baseUrl} (log ${worker.logFile})`);
}
