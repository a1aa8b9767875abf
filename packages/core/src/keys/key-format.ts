import { createHmac } from 'node:crypto';
import { encodeBase62, randomBase62 } from '../base62';
import { crc32 } from '../crc32';

/** Random part of the secret, in base62 characters (≈178 bits). */
export const SECRET_RANDOM_LENGTH = 30;
/** CRC32 checksum, base62, appended to the random part. */
export const SECRET_CHECKSUM_LENGTH = 6;
export const SECRET_LENGTH = SECRET_RANDOM_LENGTH + SECRET_CHECKSUM_LENGTH;
/** Secret characters kept in the display prefix. */
export const PREFIX_SECRET_CHARS = 4;
/** Environment word of admin keys; app environments may not use it. */
export const ADMIN_KEY_ENVIRONMENT = 'admin';
export const DEFAULT_BRAND = 'kw';

export const BRAND_PATTERN = /^[a-z]{2,8}$/;
export const ENVIRONMENT_PATTERN = /^[a-z]{2,16}$/;
const KEY_PATTERN = /^([a-z]{2,8})_([a-z]{2,16})_([0-9A-Za-z]{36})$/;
/** Longest possible well-formed key; anything longer is rejected before the regex runs. */
const MAX_KEY_LENGTH = 8 + 1 + 16 + 1 + SECRET_LENGTH;

export interface ParsedKey {
  brand: string;
  environment: string;
  /** First characters of the key, safe to display and log. */
  prefix: string;
}

export type KeyParseFailure = 'malformed' | 'wrong_brand' | 'bad_checksum';
export type KeyParseResult = { ok: true; key: ParsedKey } | { ok: false; reason: KeyParseFailure };

function checksumOf(body: string): string {
  return encodeBase62(crc32(body), SECRET_CHECKSUM_LENGTH);
}

export function displayPrefix(brand: string, environment: string, secret: string): string {
  return `${brand}_${environment}_${secret.slice(0, PREFIX_SECRET_CHARS)}`;
}

export interface GeneratedKey {
  /** The full key: shown to its owner once, never stored. */
  key: string;
  prefix: string;
}

/** `{brand}_{env}_{30 random base62}{6-char base62 CRC32 of everything before it}`. */
export function generateKey(
  brand: string,
  environment: string,
  random?: (size: number) => Uint8Array,
): GeneratedKey {
  if (!BRAND_PATTERN.test(brand)) throw new RangeError(`invalid key brand "${brand}"`);
  if (!ENVIRONMENT_PATTERN.test(environment)) throw new RangeError(`invalid key environment "${environment}"`);
  const body = `${brand}_${environment}_${randomBase62(SECRET_RANDOM_LENGTH, random)}`;
  const key = body + checksumOf(body);
  return { key, prefix: displayPrefix(brand, environment, key.slice(body.length - SECRET_RANDOM_LENGTH)) };
}

/**
 * Checks shape, brand and checksum without any lookup, so typos and garbage never reach
 * the database.
 */
export function parseKey(candidate: string, expectedBrand: string): KeyParseResult {
  if (typeof candidate !== 'string' || candidate.length > MAX_KEY_LENGTH) return { ok: false, reason: 'malformed' };
  const match = KEY_PATTERN.exec(candidate);
  if (!match) return { ok: false, reason: 'malformed' };
  const [, brand, environment, secret] = match;
  if (brand !== expectedBrand) return { ok: false, reason: 'wrong_brand' };
  const body = candidate.slice(0, candidate.length - SECRET_CHECKSUM_LENGTH);
  if (checksumOf(body) !== candidate.slice(-SECRET_CHECKSUM_LENGTH)) return { ok: false, reason: 'bad_checksum' };
  return { ok: true, key: { brand, environment, prefix: displayPrefix(brand, environment, secret) } };
}

/**
 * Anything shaped like a key (`{brand}_{env}_{36 base62}`), of any brand, wherever it
 * stands in a text: no checksum is needed to be withheld.
 */
const KEY_LIKE = /[a-z]{2,8}_[a-z]{2,16}_[0-9A-Za-z]{36}/g;
export const REDACTED_KEY = '[redacted]';

/**
 * Free text with every key-shaped run replaced by `[redacted]`. For text a caller wrote
 * that may quote a key (an error message naming a field, the source or URL of a leak
 * report) before it is echoed, stored, audited or sent in an event.
 */
export function withoutKeyMaterial(text: string): string {
  return text.replace(KEY_LIKE, REDACTED_KEY);
}

/** What is stored instead of the key: HMAC-SHA256 under a server-side pepper. */
export function hashKey(pepper: string, key: string): Buffer {
  return createHmac('sha256', pepper).update(key).digest();
}
