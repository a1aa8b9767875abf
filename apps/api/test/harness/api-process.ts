import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { infraConfigOf, infraEnvSchema, parseEnv, queuePrefixOf, resolveQueueNamespace } from '@keywarden/platform';
import { API_DIR, API_MAIN, assertBuilt, assertWorkerBuilt, LOG_SUFFIX, runDir, WORKER_DIR, WORKER_MAIN } from './paths';

// Generous: on a loaded machine a cold start (Nest, TypeORM, Swagger) can take this long.
const READY_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 15_000;

export interface ApiProcess {
  baseUrl: string;
  port: number;
  /** Everything the process wrote to stdout and stderr. */
  logFile: string;
  readLog(): string;
  /** SIGTERM, then waits for the exit; fails unless the shutdown was graceful (exit 0). */
  stop(): Promise<void>;
  /** SIGKILL, as a crash: nothing is flushed or closed. Resolves once the process is gone. */
  kill(): Promise<void>;
  /**
   * The queue namespace the process works in (queues and pub/sub channels), read from its
   * environment as it reads it at start: KW_QUEUE_PREFIX, or the one derived from its database.
   */
  queueNamespace(): Promise<string>;
}

// One registry per Node process: each test file loads this module anew.
const RUNNING = Symbol.for('keywarden.e2e.runningApis');
const holder = process as unknown as { [RUNNING]?: Set<ChildProcess> };
const running = (holder[RUNNING] ??= (() => {
  const children = new Set<ChildProcess>();
  // A test run that dies half-way must not leave API processes behind.
  process.once('exit', () => {
    for (const child of children) child.kill('SIGKILL');
  });
  return children;
})());

/** A port nobody listens on right now: bind port 0, read it, close. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

function tail(text: string, lines = 30): string {
  return text.split('\n').slice(-lines).join('\n');
}

/** What a started process must answer 200 on before the test goes on: ready (its dependencies too), or only alive. */
export type Readiness = 'ready' | 'live';

async function waitUntilReady(baseUrl: string, child: ChildProcess, logFile: string, label: string, readiness: Readiness): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${label} exited during startup (code ${child.exitCode}, signal ${child.signalCode}):\n${tail(readFileSync(logFile, 'utf8'))}`);
    }
    try {
      const response = await fetch(`${baseUrl}/health/${readiness}`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  throw new Error(`${label} not ready within ${READY_TIMEOUT_MS} ms:\n${tail(readFileSync(logFile, 'utf8'))}`);
}

/**
 * Spawns `node dist/main.js` on a free port with the run's DATABASE_URL, REDIS_URL and
 * KW_PEPPER (plus `extraEnv`), appends its output to the run's log directory and
 * resolves once GET /health/ready (or /health/live) answers 200.
 */
export function startApi(extraEnv: Record<string, string> = {}, readiness: Readiness = 'ready'): Promise<ApiProcess> {
  assertBuilt();
  return startProcess({ label: 'API', main: API_MAIN, cwd: API_DIR, portEnv: 'PORT', extraEnv, readiness });
}

/**
 * Webhook settings of every worker the tests start: receivers listen on 127.0.0.1, and
 * retries must come in fractions of a second.
 */
export const E2E_WEBHOOK_ENV = {
  KW_WEBHOOK_ALLOW_PRIVATE_TARGETS: 'true',
  KW_WEBHOOK_RETRY_SCHEDULE: '200ms,200ms,200ms,200ms',
  KW_WEBHOOK_POLL_MS: '50',
  KW_WEBHOOK_TIMEOUT_MS: '2000',
};

/**
 * The worker (`apps/worker/dist/main.js`) with the run's DATABASE_URL and REDIS_URL (or
 * those of `extraEnv`) and the test webhook settings; ready when its GET /health/ready
 * answers 200.
 */
export function startWorker(extraEnv: Record<string, string> = {}): Promise<ApiProcess> {
  assertWorkerBuilt();
  return startProcess({
    label: 'worker',
    main: WORKER_MAIN,
    cwd: WORKER_DIR,
    portEnv: 'WORKER_PORT',
    extraEnv: { ...E2E_WEBHOOK_ENV, ...extraEnv },
    readiness: 'ready',
  });
}

interface ProcessSpec {
  label: string;
  main: string;
  cwd: string;
  portEnv: string;
  extraEnv: Record<string, string>;
  readiness: Readiness;
}

async function startProcess({ label, main, cwd, portEnv, extraEnv, readiness }: ProcessSpec): Promise<ApiProcess> {
  const port = await freePort();
  const logFile = join(runDir(), `${process.pid}-${label.toLowerCase()}-${port}${LOG_SUFFIX}`);
  const fd = openSync(logFile, 'a', 0o600);
  const env = { ...process.env, LOG_LEVEL: 'debug', ...extraEnv, [portEnv]: String(port), HOST: '127.0.0.1' };
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, [main], {
      cwd,
      env,
      stdio: ['ignore', fd, fd],
    });
  } finally {
    closeSync(fd); // the child has its own copy
  }
  running.add(child);
  child.once('exit', () => running.delete(child));
  const baseUrl = `http://127.0.0.1:${port}`;
  await waitUntilReady(baseUrl, child, logFile, label, readiness);

  let stopped: Promise<void> | undefined;
  return {
    baseUrl,
    port,
    logFile,
    readLog: () => readFileSync(logFile, 'utf8'),
    queueNamespace: async () => queuePrefixOf(await resolveQueueNamespace(infraConfigOf(parseEnv(infraEnvSchema, env)))),
    kill: () =>
      (stopped ??= (async () => {
        const exited = exitOf(child);
        child.kill('SIGKILL');
        await exited;
      })()),
    stop: () =>
      (stopped ??= (async () => {
        const exited = exitOf(child);
        child.kill('SIGTERM');
        const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), STOP_TIMEOUT_MS).unref());
        const outcome = await Promise.race([exited, timeout]);
        if (outcome === 'timeout') {
          child.kill('SIGKILL');
          throw new Error(`${label} on port ${port} did not stop within ${STOP_TIMEOUT_MS} ms of SIGTERM`);
        }
        if (outcome.code !== 0) {
          throw new Error(
            `${label} on port ${port} did not shut down gracefully (code ${outcome.code}, signal ${outcome.signal}):\n${tail(readFileSync(logFile, 'utf8'))}`,
          );
        }
      })()),
  };
}
