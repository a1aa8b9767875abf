import { randomBytes } from 'node:crypto';

// Crockford base32, lowercase: sorts the same bytewise and under any database collation.
const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;

export const ID_PREFIXES = {
  workspace: 'ws',
  app: 'app',
  key: 'key',
  adminKey: 'akey',
  keySecret: 'ksec',
  audit: 'aud',
  request: 'req',
  event: 'evt',
  batch: 'ubat',
  webhookEvent: 'msg',
  webhookEndpoint: 'ep',
  webhookDelivery: 'dlv',
  alert: 'alrt',
  lease: 'lease',
  customer: 'cus',
  portalLink: 'plt',
  bulkOperation: 'bulk',
  containment: 'cont',
} as const;
export type IdKind = keyof typeof ID_PREFIXES;

// One CSPRNG call per 256 ids instead of one per id: ids are minted on every request.
// The pool holds alphabet characters (each random byte mapped once, at refill), so an
// id's random part is one slice of it.
const POOL_SIZE = 4096;
const ALPHABET_CODES = Buffer.from(ALPHABET, 'latin1');
let pool = Buffer.alloc(0);
let poolOffset = POOL_SIZE;

function refillPool(): void {
  pool = randomBytes(POOL_SIZE);
  // 256 is a multiple of 32: every character stays equally likely.
  for (let i = 0; i < POOL_SIZE; i++) pool[i] = ALPHABET_CODES[pool[i] % 32];
  poolOffset = 0;
}

// Many ids share a millisecond under load: its time characters are encoded once.
let encodedMs = -1;
let encodedTime = '';

function timeChars(nowMs: number): string {
  if (nowMs !== encodedMs) {
    let time = '';
    let rest = nowMs;
    for (let i = 0; i < TIME_CHARS; i++) {
      time = ALPHABET[rest % 32] + time;
      rest = Math.floor(rest / 32);
    }
    encodedMs = nowMs;
    encodedTime = time;
  }
  return encodedTime;
}

/**
 * `{prefix}_{10 chars of ms time}{16 random chars}`: ULID-shaped, so ids sort by creation
 * time and serve directly as pagination cursors.
 */
export function newId(kind: IdKind, nowMs: number = Date.now()): string {
  if (poolOffset + RANDOM_CHARS > POOL_SIZE) refillPool();
  const random = pool.toString('latin1', poolOffset, poolOffset + RANDOM_CHARS);
  poolOffset += RANDOM_CHARS;
  return `${ID_PREFIXES[kind]}_${timeChars(nowMs)}${random}`;
}

const ID_PATTERN = new RegExp(`^[a-z]+_[${ALPHABET}]{${TIME_CHARS + RANDOM_CHARS}}$`);

export function isId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(`${ID_PREFIXES[kind]}_`) && ID_PATTERN.test(value);
}
