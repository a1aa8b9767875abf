import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runDir, SECRETS_FILE } from './paths';

/**
 * Anything shaped like a Keywarden key (`{brand}_{env}_{36 base62}`), whatever the
 * brand: what a leak scanner would look for.
 */
export const KEY_SHAPE = /\b[a-z]{2,8}_[a-z]{2,16}_[0-9A-Za-z]{36}\b/g;

/** A webhook signing secret (`whsec_` + base64 of 24–64 bytes). */
export const WEBHOOK_SECRET_SHAPE = /whsec_[A-Za-z0-9+/]{32,88}={0,2}/g;

const known = new Set<string>();

/**
 * Every secret the tests were handed (bootstrap, key create, rotate, admin key create).
 * Kept in memory for this process and appended to a file of the run directory, so the
 * global teardown (another module instance) sees the secrets of every test file.
 */
export function registerSecret(secret: string): void {
  if (known.has(secret)) return;
  known.add(secret);
  appendFileSync(join(runDir(), SECRETS_FILE), `${secret}\n`, { mode: 0o600 });
}

/** Registers every key-shaped string of a response body (secrets only ever appear there). */
export function registerSecretsIn(text: string): void {
  for (const match of text.matchAll(KEY_SHAPE)) registerSecret(match[0]);
  for (const match of text.matchAll(WEBHOOK_SECRET_SHAPE)) registerSecret(match[0]);
}

export function issuedSecrets(): string[] {
  return [...known];
}

export function readSecretsFile(dir: string): string[] {
  const file = join(dir, SECRETS_FILE);
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean);
}

/** Safe to print: the display prefix and the length, never the secret. */
export function describeSecret(secret: string): string {
  return `${secret.slice(0, secret.lastIndexOf('_') + 5)}… (${secret.length} chars)`;
}

export interface Leak {
  what: string;
  line: number;
}

/** Issued secrets and key-shaped strings found in a text (a log file). */
export function findLeaks(text: string, secrets: readonly string[]): Leak[] {
  const leaks: Leak[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    for (const secret of secrets) {
      if (line.includes(secret)) leaks.push({ what: `issued secret ${describeSecret(secret)}`, line: index + 1 });
    }
    for (const match of line.matchAll(KEY_SHAPE)) {
      if (!secrets.includes(match[0])) leaks.push({ what: `key-shaped string ${describeSecret(match[0])}`, line: index + 1 });
    }
    for (const match of line.matchAll(WEBHOOK_SECRET_SHAPE)) {
      if (!secrets.includes(match[0])) leaks.push({ what: 'webhook-secret-shaped string', line: index + 1 });
    }
  });
  return leaks;
}

/** Every leak in the `.log` files of a run directory, as `file:line: what`. */
export function leaksInRun(dir: string, logSuffix: string): string[] {
  const secrets = readSecretsFile(dir);
  return readdirSync(dir)
    .filter((name) => name.endsWith(logSuffix))
    .flatMap((name) => findLeaks(readFileSync(join(dir, name), 'utf8'), secrets).map((leak) => `${name}:${leak.line}: ${leak.what}`));
}
