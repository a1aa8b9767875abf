import fc from 'fast-check';
import { BASE62_ALPHABET, encodeBase62 } from '../base62';
import { crc32 } from '../crc32';
import {
  DEFAULT_BRAND,
  SECRET_CHECKSUM_LENGTH,
  SECRET_LENGTH,
  SECRET_RANDOM_LENGTH,
  generateKey,
  hashKey,
  parseKey,
  withoutKeyMaterial,
} from './key-format';

const brands = fc.stringMatching(/^[a-z]{2,8}$/);
const environments = fc.stringMatching(/^[a-z]{2,16}$/);
const zeros = (size: number) => new Uint8Array(size);

/** The key with the character at `index` replaced. */
function substitute(key: string, index: number, char: string): string {
  return key.slice(0, index) + char + key.slice(index + 1);
}

describe('generateKey', () => {
  it('produces `{brand}_{env}_{36 base62}`', () => {
    expect(generateKey('kw', 'live').key).toMatch(/^kw_live_[0-9A-Za-z]{36}$/);
  });

  it('uses a 36-character secret: 30 random characters and a 6-character checksum', () => {
    expect(SECRET_RANDOM_LENGTH).toBe(30);
    expect(SECRET_CHECKSUM_LENGTH).toBe(6);
    expect(SECRET_LENGTH).toBe(36);
  });

  it('gives kw_live_ keys a 12-character display prefix that starts the key', () => {
    const { key, prefix } = generateKey('kw', 'live');
    expect(prefix).toHaveLength(12);
    expect(prefix).toMatch(/^kw_live_[0-9A-Za-z]{4}$/);
    expect(key.startsWith(prefix)).toBe(true);
  });

  it('gives any brand and environment a prefix of `{brand}_{env}_` plus 4 secret characters', () => {
    fc.assert(
      fc.property(brands, environments, (brand, environment) => {
        const { key, prefix } = generateKey(brand, environment);
        expect(prefix).toBe(key.slice(0, brand.length + environment.length + 2 + 4));
      }),
    );
  });

  it('appends the base62 CRC32 of everything before it as the checksum', () => {
    const { key } = generateKey('kw', 'test', zeros);
    const body = `kw_test_${'0'.repeat(30)}`;
    expect(key).toBe(body + encodeBase62(crc32(body), 6));
  });

  it('takes its random part from the injected source', () => {
    const { key, prefix } = generateKey('kw', 'live', zeros);
    expect(key.slice(8, 38)).toBe('0'.repeat(30));
    expect(prefix).toBe('kw_live_0000');
  });

  it('produces a different key on every call', () => {
    const keys = new Set(Array.from({ length: 100 }, () => generateKey('kw', 'live').key));
    expect(keys.size).toBe(100);
  });

  it.each(['', 'k', 'KW', 'Kw', 'kw1', 'k_w', 'k-w', 'abcdefghi', ' kw'])('rejects the brand %j', (brand) => {
    expect(() => generateKey(brand, 'live')).toThrow(RangeError);
  });

  it.each(['', 'l', 'LIVE', 'live1', 'live_eu', 'live-eu', 'abcdefghijklmnopq'])(
    'rejects the environment %j',
    (environment) => {
      expect(() => generateKey('kw', environment)).toThrow(RangeError);
    },
  );

  it('accepts the longest brand and environment', () => {
    expect(generateKey('abcdefgh', 'abcdefghijklmnop').key).toHaveLength(8 + 1 + 16 + 1 + 36);
  });
});

describe('parseKey', () => {
  it('accepts a freshly generated key and reports its parts', () => {
    const { key, prefix } = generateKey('kw', 'live');
    expect(parseKey(key, 'kw')).toEqual({ ok: true, key: { brand: 'kw', environment: 'live', prefix } });
  });

  it('round-trips every generated key for any brand and environment', () => {
    fc.assert(
      fc.property(brands, environments, (brand, environment) => {
        const { key, prefix } = generateKey(brand, environment);
        expect(parseKey(key, brand)).toEqual({ ok: true, key: { brand, environment, prefix } });
      }),
      { numRuns: 300 },
    );
  });

  it('accepts the longest possible key', () => {
    const { key } = generateKey('abcdefgh', 'abcdefghijklmnop');
    expect(parseKey(key, 'abcdefgh').ok).toBe(true);
  });

  it('rejects any single-character substitution in the secret as bad_checksum', () => {
    fc.assert(
      fc.property(
        brands,
        environments,
        fc.integer({ min: 0, max: SECRET_LENGTH - 1 }),
        fc.integer({ min: 1, max: 61 }),
        (brand, environment, offset, shift) => {
          const { key } = generateKey(brand, environment);
          const index = key.length - SECRET_LENGTH + offset;
          const replacement = BASE62_ALPHABET[(BASE62_ALPHABET.indexOf(key[index]) + shift) % 62];
          expect(parseKey(substitute(key, index, replacement), brand)).toEqual({ ok: false, reason: 'bad_checksum' });
        },
      ),
      { numRuns: 500 },
    );
  });

  it('rejects a key whose environment was changed as bad_checksum', () => {
    const { key } = generateKey('kw', 'live');
    expect(parseKey(key.replace('kw_live_', 'kw_test_'), 'kw')).toEqual({ ok: false, reason: 'bad_checksum' });
  });

  it('rejects a well-formed key of another brand as wrong_brand', () => {
    const { key } = generateKey('acme', 'live');
    expect(parseKey(key, 'kw')).toEqual({ ok: false, reason: 'wrong_brand' });
  });

  it('reports wrong_brand before checking the checksum', () => {
    const { key } = generateKey('acme', 'live');
    const corrupted = substitute(key, key.length - 1, key.endsWith('0') ? '1' : '0');
    expect(parseKey(corrupted, DEFAULT_BRAND)).toEqual({ ok: false, reason: 'wrong_brand' });
  });

  const valid = generateKey('kw', 'live', zeros).key;
  const secret = valid.slice('kw_live_'.length);

  it.each<[string, unknown]>([
    ['the empty string', ''],
    ['a 10 000-character string', 'a'.repeat(10_000)],
    ['a valid key padded to 10 000 characters', valid + 'a'.repeat(10_000 - valid.length)],
    ['a number', 12345],
    ['null', null],
    ['undefined', undefined],
    ['an object', { key: valid }],
    ['an uppercase brand', `KW_live_${secret}`],
    ['an uppercase environment', `kw_LIVE_${secret}`],
    ['a one-letter brand', `k_live_${secret}`],
    ['a missing environment', `kw_${secret}`],
    ['a missing secret', 'kw_live_'],
    ['a missing brand', `_live_${secret}`],
    ['an extra underscore between parts', `kw__live_${secret}`],
    ['an extra underscore inside the environment', `kw_li_ve_${secret}`],
    ['an underscore in the secret', `kw_live_${secret.slice(0, 10)}_${secret.slice(11)}`],
    ['a secret one character short', valid.slice(0, -1)],
    ['a secret one character long', `${valid}0`],
    ['a non-base62 character in the secret', substitute(valid, 20, '-')],
    ['a trailing newline', `${valid}\n`],
    ['leading whitespace', ` ${valid}`],
    ['trailing whitespace', `${valid} `],
  ])('rejects %s as malformed', (_description, candidate) => {
    expect(parseKey(candidate as string, 'kw')).toEqual({ ok: false, reason: 'malformed' });
  });
});

describe('hashKey', () => {
  const { key } = generateKey('kw', 'live');

  it('returns a 32-byte HMAC-SHA256 digest', () => {
    expect(hashKey('pepper', key)).toHaveLength(32);
  });

  it('is deterministic for the same pepper and key', () => {
    expect(hashKey('pepper', key).equals(hashKey('pepper', key))).toBe(true);
  });

  it('differs across peppers', () => {
    expect(hashKey('pepper-one', key).equals(hashKey('pepper-two', key))).toBe(false);
  });

  it('differs across keys', () => {
    const other = generateKey('kw', 'live').key;
    expect(hashKey('pepper', key).equals(hashKey('pepper', other))).toBe(false);
  });

  it('matches the published HMAC-SHA256 test vector', () => {
    // RFC 4231 is binary-keyed; this is the widely published `key` / fox vector.
    expect(hashKey('key', 'The quick brown fox jumps over the lazy dog').toString('hex')).toBe(
      'f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8',
    );
  });
});

describe('withoutKeyMaterial', () => {
  it('withholds every key quoted in a text, of any brand and environment, and keeps the rest', () => {
    const live = generateKey('kw', 'live').key;
    const staging = generateKey('acme', 'staging').key;
    expect(withoutKeyMaterial(`https://paste.example/raw?api_key=${live}&x=1`)).toBe('https://paste.example/raw?api_key=[redacted]&x=1');
    expect(withoutKeyMaterial(`found ${live} and ${staging} in a ticket`)).toBe('found [redacted] and [redacted] in a ticket');
  });

  it('never leaves a generated key in any text around it', () => {
    fc.assert(
      fc.property(brands, environments, fc.string(), fc.string(), (brand, environment, before, after) => {
        const { key } = generateKey(brand, environment);
        expect(withoutKeyMaterial(`${before}${key}${after}`)).not.toContain(key);
      }),
    );
  });

  it('leaves text without a key as it was, display prefixes included', () => {
    expect(withoutKeyMaterial('https://github.com/octo/leaky/blob/main/.env#L3 kw_live_a1B2')).toBe(
      'https://github.com/octo/leaky/blob/main/.env#L3 kw_live_a1B2',
    );
  });
});
