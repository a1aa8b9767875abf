import fc from 'fast-check';
import { ID_PREFIXES, type IdKind, isId, newId } from './ids';

const KINDS = Object.keys(ID_PREFIXES) as IdKind[];
const CROCKFORD = '0123456789abcdefghjkmnpqrstvwxyz';
/** Every millisecond the 10-character time part can hold: [0, 2^50). */
const timestamps = fc.bigInt({ min: 0n, max: 2n ** 50n - 1n }).map(Number);

describe('newId', () => {
  it.each(KINDS.map((kind) => [kind, ID_PREFIXES[kind]]))('starts %s ids with "%s_"', (kind, prefix) => {
    expect(newId(kind).startsWith(`${prefix}_`)).toBe(true);
  });

  it.each(KINDS)('gives %s ids 26 lowercase Crockford base32 characters after the prefix', (kind) => {
    expect(newId(kind)).toMatch(new RegExp(`^${ID_PREFIXES[kind]}_[${CROCKFORD}]{26}$`));
  });

  it('never uses the ambiguous letters i, l, o or u', () => {
    for (let i = 0; i < 200; i++) expect(newId('key').split('_')[1]).not.toMatch(/[ilou]/);
  });

  it.each([
    [0, '0000000000'],
    [31, '000000000z'],
    [32, '0000000010'],
    [2 ** 50 - 1, 'zzzzzzzzzz'],
    [1_700_000_000_000, '01hf7yat00'],
  ])('encodes the time %d as %j in the first 10 characters', (nowMs, time) => {
    expect(newId('key', nowMs).slice('key_'.length, 'key_'.length + 10)).toBe(time);
  });

  it('uses the current time by default', () => {
    const before = newId('key', Date.now());
    const id = newId('key');
    const after = newId('key', Date.now());
    expect(id.slice(0, 14) >= before.slice(0, 14)).toBe(true);
    expect(id.slice(0, 14) <= after.slice(0, 14)).toBe(true);
  });

  it('gives different ids within the same millisecond', () => {
    const ids = new Set(Array.from({ length: 100 }, () => newId('key', 1_700_000_000_000)));
    expect(ids.size).toBe(100);
  });

  it('sorts ids of one kind by creation time', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), timestamps, timestamps, (kind, a, b) => {
        fc.pre(a !== b);
        const [t1, t2] = a < b ? [a, b] : [b, a];
        expect(newId(kind, t1) < newId(kind, t2)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it('sorts ids by creation time across adjacent milliseconds', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (offset) => {
        const t = 1_700_000_000_000 + offset;
        expect(newId('audit', t) < newId('audit', t + 1)).toBe(true);
      }),
    );
  });
});

describe('isId', () => {
  it.each(KINDS)('accepts a fresh %s id', (kind) => {
    expect(isId(kind, newId(kind))).toBe(true);
  });

  const body = '01hf0fkh00abcdefghjkmnpqrs';

  it.each<[string, unknown]>([
    ['an id of another kind', `app_${body}`],
    ['an id whose prefix only starts with the kind', `keys_${body}`],
    ['the prefix alone', 'key_'],
    ['a body one character short', `key_${body.slice(1)}`],
    ['a body one character long', `key_${body}0`],
    ['uppercase characters', `key_${body.toUpperCase()}`],
    ['the excluded letter i', `key_${body.slice(1)}i`],
    ['the excluded letter l', `key_${body.slice(1)}l`],
    ['the excluded letter o', `key_${body.slice(1)}o`],
    ['the excluded letter u', `key_${body.slice(1)}u`],
    ['a missing underscore', `key${body}`],
    ['a second underscore', `key_${body.slice(1)}_`],
    ['a trailing newline', `key_${body}\n`],
    ['the empty string', ''],
    ['a number', 42],
    ['null', null],
    ['undefined', undefined],
  ])('rejects %s as a key id', (_description, value) => {
    expect(isId('key', value)).toBe(false);
  });

  it('accepts a well-formed key id', () => {
    expect(isId('key', `key_${body}`)).toBe(true);
  });

  it('never accepts an id of one kind as another kind', () => {
    fc.assert(
      fc.property(fc.constantFrom(...KINDS), fc.constantFrom(...KINDS), (made, checked) => {
        fc.pre(made !== checked);
        expect(isId(checked, newId(made))).toBe(false);
      }),
    );
  });
});
