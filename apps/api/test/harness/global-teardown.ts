import { readdirSync } from 'node:fs';
import type { ApiProcess } from './api-process';
import { WORKER_HANDLE } from './global-setup';
import { LOG_SUFFIX, RUN_DIR_ENV } from './paths';
import { leaksInRun, readSecretsFile } from './secrets';

/**
 * The run fails if any API process ever wrote an issued secret, or anything shaped like
 * a key, to its output.
 */
export default async function globalTeardown(): Promise<void> {
  const worker = (globalThis as Record<symbol, unknown>)[WORKER_HANDLE] as ApiProcess | undefined;
  if (worker) await worker.stop();
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return;
  const problems = leaksInRun(dir, LOG_SUFFIX);
  const secrets = readSecretsFile(dir);
  const logs = readdirSync(dir).filter((name) => name.endsWith(LOG_SUFFIX));
  process.stderr.write(`[e2e] scanned ${logs.length} log files in ${dir} for ${secrets.length} issued secrets\n`);
  if (problems.length > 0) {
    throw new Error(`Secrets leaked into API logs (${problems.length}):\n  ${problems.join('\n  ')}`);
  }
}
