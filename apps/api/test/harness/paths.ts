import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** apps/api */
export const API_DIR = resolve(__dirname, '..', '..');
export const REPO_ROOT = resolve(API_DIR, '..', '..');
export const API_MAIN = join(API_DIR, 'dist', 'main.js');
export const API_CLI = join(API_DIR, 'dist', 'cli.js');
export const WORKER_DIR = join(REPO_ROOT, 'apps', 'worker');
export const WORKER_MAIN = join(WORKER_DIR, 'dist', 'main.js');

/** Set by global setup: the directory of this run's API logs and secret registry. */
export const RUN_DIR_ENV = 'KW_E2E_RUN_DIR';
export const SECRETS_FILE = 'issued-secrets.txt';
export const LOG_SUFFIX = '.log';

export function runDir(): string {
  const dir = process.env[RUN_DIR_ENV];
  if (!dir || !existsSync(dir)) {
    throw new Error(`${RUN_DIR_ENV} is not set: run the e2e tests through jest.e2e.config.js (its global setup)`);
  }
  return dir;
}

export function assertBuilt(): void {
  for (const file of [API_MAIN, API_CLI]) {
    if (!existsSync(file)) throw new Error(`${file} is missing: run \`pnpm build\` first`);
  }
}

export function assertWorkerBuilt(): void {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`pnpm build\` first`);
}
