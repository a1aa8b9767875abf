import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { API_CLI, API_DIR, runDir } from './paths';
import { registerSecret } from './secrets';

const run = promisify(execFile);

export interface Workspace {
  workspaceId: string;
  /** The owner admin key's id. */
  keyId: string;
  /** The owner admin key. */
  secret: string;
}

/** A name no other test (or earlier run on the same database) uses. */
export function uniqueName(label: string): string {
  return `${label}-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * `kw bootstrap --json`: a new workspace and its owner key. Every test file makes its
 * own, so files never see each other's data. `env` points it at another database.
 */
export async function bootstrapWorkspace(label: string, env: NodeJS.ProcessEnv = process.env): Promise<Workspace> {
  const { stdout, stderr } = await run(process.execPath, [API_CLI, 'bootstrap', '--json', '--name', uniqueName(label)], {
    cwd: API_DIR,
    env,
  });
  // stderr goes to the scanned logs; stdout carries the secret by design and does not.
  if (stderr) appendFileSync(join(runDir(), `cli-${process.pid}.log`), stderr);
  const printed = JSON.parse(stdout) as Workspace & { prefix: string };
  registerSecret(printed.secret);
  return { workspaceId: printed.workspaceId, keyId: printed.keyId, secret: printed.secret };
}
