import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './api-process';
import { eventually } from './http';

/**
 * A redis-server of a test's own, on a free port, that the test may stop and start again
 * (an outage) without touching the Redis every other test shares. Nothing is persisted:
 * a stop loses what it held, as a crashed Redis without persistence does.
 */
export interface OwnRedis {
  url: string;
  /** Starts it (again) and resolves once it answers PING. */
  start(): Promise<void>;
  /** Shuts it down and resolves once it no longer answers. */
  stop(): Promise<void>;
  /** Stops it if running and removes its directory. */
  remove(): Promise<void>;
}

export async function startOwnRedis(): Promise<OwnRedis> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'kw-redis-'));
  const cli = (...args: string[]) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const answers = (): boolean => {
    try {
      return cli('ping').includes('PONG');
    } catch {
      return false;
    }
  };
  const until = (up: boolean) => eventually(async () => expect(answers()).toBe(up), { timeoutMs: 10_000, intervalMs: 100 });
  const redis: OwnRedis = {
    url: `redis://127.0.0.1:${port}/0`,
    async start() {
      if (answers()) return;
      execFileSync('redis-server', [
        '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
        '--daemonize', 'yes', '--dir', dir, '--pidfile', join(dir, 'redis.pid'),
      ]);
      await until(true);
    },
    async stop() {
      try {
        cli('shutdown', 'nosave');
      } catch {
        // already gone: redis-cli reports the closed connection as a failure
      }
      await until(false);
    },
    async remove() {
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await redis.start();
  return redis;
}
