import { randomBytes } from 'node:crypto';

export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

/** Fixed-width base62 of a non-negative integer, left-padded with '0'. */
export function encodeBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  while (rest > 0) {
    out = BASE62_ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  if (out.length > width) throw new RangeError(`${value} does not fit in ${width} base62 digits`);
  return out.padStart(width, '0');
}

/**
 * Uniformly random base62 string from the CSPRNG. Bytes >= 248 are discarded so that
 * `byte % 62` carries no modulo bias (248 = 4 * 62).
 */
export function randomBase62(length: number, random: (size: number) => Uint8Array = randomBytes): string {
  let out = '';
  while (out.length < length) {
    for (const byte of random(length * 2)) {
      if (byte < 248) out += BASE62_ALPHABET[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}
