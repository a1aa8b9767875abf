import fc from 'fast-check';
import { BASE62_ALPHABET, encodeBase62, randomBase62 } from './base62';

function decodeBase62(text: string): number {
  let value = 0;
  for (const char of text) value = value * 62 + BASE62_ALPHABET.indexOf(char);
  return value;
}

/** A `random` source that hands out `stream` in order, then zeros forever. */
function scriptedRandom(stream: readonly number[]) {
  let position = 0;
  const source = jest.fn((size: number) => {
    const chunk = new Uint8Array(size);
    for (let i = 0; i < size; i++) chunk[i] = position < stream.length ? stream[position++] : 0;
    return chunk;
  });
  return source;
}

describe('BASE62_ALPHABET', () => {
  it('holds 62 distinct characters in ASCII order', () => {
    expect(BASE62_ALPHABET).toHaveLength(62);
    expect(new Set(BASE62_ALPHABET).size).toBe(62);
    expect([...BASE62_ALPHABET].sort().join('')).toBe(BASE62_ALPHABET);
  });
});

describe('encodeBase62', () => {
  it.each([
    [0, 1, '0'],
    [0, 6, '000000'],
    [1, 3, '001'],
    [9, 1, '9'],
    [10, 1, 'A'],
    [36, 1, 'a'],
    [61, 1, 'z'],
    [62, 2, '10'],
    [62 ** 2 - 1, 2, 'zz'],
    [62 ** 2, 3, '100'],
    [0xffffffff, 6, '4gfFC3'],
  ])('encodes %d in width %d as %j', (value, width, expected) => {
    expect(encodeBase62(value, width)).toBe(expected);
  });

  it('left-pads with "0" up to the requested width', () => {
    expect(encodeBase62(61, 5)).toBe('0000z');
  });

  it.each([
    [62, 1],
    [62 ** 2, 2],
    [1, 0],
    [62 ** 6, 6],
  ])('throws a RangeError when %d does not fit in %d digits', (value, width) => {
    expect(() => encodeBase62(value, width)).toThrow(RangeError);
  });

  it('always returns exactly `width` characters for values that fit', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }).chain((width) =>
          fc.tuple(fc.constant(width), fc.integer({ min: 0, max: Math.min(62 ** width - 1, Number.MAX_SAFE_INTEGER) })),
        ),
        ([width, value]) => {
          expect(encodeBase62(value, width)).toHaveLength(width);
        },
      ),
    );
  });

  it('round-trips through base62 decoding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (value) => {
        expect(decodeBase62(encodeBase62(value, 6))).toBe(value);
      }),
    );
  });

  it('preserves numeric order as string order at a fixed width', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 0, max: 0xffffffff }), (a, b) => {
        fc.pre(a < b);
        expect(encodeBase62(a, 6) < encodeBase62(b, 6)).toBe(true);
      }),
    );
  });
});

describe('randomBase62', () => {
  it.each([0, 1, 30, 36, 200])('returns a string of length %d', (length) => {
    expect(randomBase62(length)).toHaveLength(length);
  });

  it('uses only base62 characters', () => {
    expect(randomBase62(1000)).toMatch(/^[0-9A-Za-z]{1000}$/);
  });

  it('differs between calls', () => {
    expect(randomBase62(30)).not.toBe(randomBase62(30));
  });

  it('maps each accepted byte to the alphabet by byte % 62', () => {
    const random = scriptedRandom([0, 9, 10, 61, 62, 123, 247]);
    expect(randomBase62(7, random)).toBe('09Az0zz');
  });

  it('skips bytes 248 to 255', () => {
    const random = scriptedRandom([248, 1, 249, 250, 2, 251, 252, 253, 3, 254, 255, 4]);
    expect(randomBase62(4, random)).toBe('1234');
  });

  it('draws again from the source when a whole batch is rejected', () => {
    const random = scriptedRandom(new Array(8).fill(255));
    expect(randomBase62(4, random)).toBe('0000');
    expect(random).toHaveBeenCalledTimes(2);
  });

  it('maps the 248 accepted byte values onto every character exactly four times', () => {
    const everyByte = Array.from({ length: 256 }, (_, byte) => byte);
    const counts = new Map<string, number>();
    for (const char of randomBase62(248, scriptedRandom(everyByte))) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(62);
    expect([...counts.values()].every((count) => count === 4)).toBe(true);
  });

  it('returns the first `length` accepted bytes of any source, in order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 300 }), fc.integer({ min: 0, max: 100 }), (stream, length) => {
        const expected = [...stream, ...new Array<number>(length).fill(0)]
          .filter((byte) => byte < 248)
          .map((byte) => BASE62_ALPHABET[byte % 62])
          .slice(0, length)
          .join('');
        expect(randomBase62(length, scriptedRandom(stream))).toBe(expected);
      }),
    );
  });
});
