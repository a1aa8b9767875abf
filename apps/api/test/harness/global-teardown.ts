import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ApiProcess } from './api-process';
import { WORKER_HANDLE } from './global-setup';
import { LOG_SUFFIX, RUN_DIR_ENV } from './paths';
import { findLeaks, readSecretsFile } from './secrets';

/**
 * The run fails if any API process ever wrote an issued secret, or anything shaped like
 * a key, to its output.
 */
export default async function globalTeardown(): Promise<void> {
  const worker = (globalThis as Record<symbol, unknown>)[WORKER_HANDLE] as ApiProcess | undefined;
  if (worker) await worker.stop();
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return;
  const secrets = readSecretsFile(dir);
  const logs = readdirSync(dir).filter((name) => name.endsWith(LOG_SUFFIX));
  const problems: string[] = [];
  for (const name of logs) {
    for (const leak of findLeaks(readFileSync(join(dir, name), 'utf8'), secrets)) {
      problems.push(`${name}:${leak.line}: ${leak.what}`);
    }
  }
  process.stderr.write(`[e2e] scanned ${logs.length} log files in ${dir} for ${secrets.length} issued secrets\n`);
  if (problems.length > 0) {
    throw new Error(`Secrets leaked into API logs (${problems.length}):\n  ${problems.join('\n  ')}`);
  }
}
