import * as zlib from 'node:zlib';
import fc from 'fast-check';
import { crc32 } from './crc32';

// zlib.crc32 arrived in Node 20.15; the workspace only requires Node >= 20.
const zlibCrc32 = (zlib as { crc32?: (data: string | Uint8Array) => number }).crc32;
const describeWithZlib = zlibCrc32 ? describe : describe.skip;

describe('crc32', () => {
  it.each([
    ['', 0x00000000],
    ['a', 0xe8b7be43],
    ['abc', 0x352441c2],
    ['123456789', 0xcbf43926],
    ['The quick brown fox jumps over the lazy dog', 0x414fa339],
  ])('computes the IEEE CRC-32 of %j as the standard check value', (text, expected) => {
    expect(crc32(text)).toBe(expected);
  });

  it('returns an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary-ascii', maxLength: 200 }), (text) => {
        const value = crc32(text);
        expect(Number.isInteger(value)).toBe(true);
        expect(value).toBeGreaterThanOrEqual(0);
        expect(value).toBeLessThanOrEqual(0xffffffff);
      }),
    );
  });

  it('gives different checksums for strings that differ in one character', () => {
    expect(crc32('kw_live_abc')).not.toBe(crc32('kw_live_abd'));
  });

  describeWithZlib('against node:zlib', () => {
    it('agrees with zlib.crc32 on the check string', () => {
      expect(crc32('123456789')).toBe(zlibCrc32!('123456789'));
    });

    it('agrees with zlib.crc32 on any ASCII string', () => {
      fc.assert(
        fc.property(fc.string({ unit: 'binary-ascii', maxLength: 500 }), (text) => {
          expect(crc32(text)).toBe(zlibCrc32!(text));
        }),
        { numRuns: 500 },
      );
    });
  });
});
