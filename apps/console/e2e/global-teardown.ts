import type { ApiProcess } from '../../api/test/harness';
import { LOG_SUFFIX, RUN_DIR_ENV } from '../../api/test/harness/paths';
import { leaksInRun } from '../../api/test/harness/secrets';
import { STACK_HANDLE } from './global-setup';

/** Stops the stack; the run fails if any key the tests were handed shows up in its output. */
export default async function globalTeardown(): Promise<void> {
  const processes = (globalThis as Record<symbol, ApiProcess[] | undefined>)[STACK_HANDLE] ?? [];
  await Promise.all(processes.map((process) => process.stop()));
  const dir = process.env[RUN_DIR_ENV];
  if (!dir) return;
  const problems = leaksInRun(dir, LOG_SUFFIX);
  if (problems.length > 0) throw new Error(`Secrets leaked into API or worker logs:\n  ${problems.join('\n  ')}`);
}
