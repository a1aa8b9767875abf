import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const API_CLI = join(__dirname, '..', '..', 'api', 'dist', 'cli.js');

/** Brings the test database's schema up to date the way operators do: `kw migrate`. */
export default function globalSetup(): void {
  if (!process.env.DATABASE_URL || !process.env.REDIS_URL) {
    throw new Error('DATABASE_URL and REDIS_URL must point at the test services (infra/test.sh sets them)');
  }
  if (!existsSync(API_CLI)) throw new Error(`${API_CLI} is missing: run pnpm build first`);
  execFileSync(process.execPath, [API_CLI, 'migrate'], {
    env: { ...process.env, KW_PEPPER: process.env.KW_PEPPER ?? 'worker-e2e-pepper-0123456789abcdefghijklmnopqrstuvwxyz' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}
