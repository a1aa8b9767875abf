import fc from 'fast-check';
import { costToMicros, isCostOfMicros, microsToCost } from './usage';

describe('costToMicros', () => {
  it.each<[number, number]>([
    [0, 0],
    [1.25, 1_250_000],
    [0.1, 100_000],
    [0.0125, 12_500],
    [0.000001, 1],
    [1.0000005, 1_000_001], // Math.round(x * 1e6) gives 1_000_000
    [0.0000004, 0],
    [0.0000005, 1], // exponent form
    [2.675, 2_675_000],
    [123456.7891234, 123_456_789_123],
  ])('%p → %p micro-units', (cost, micros) => {
    expect(costToMicros(cost)).toBe(micros);
  });

  it('reads every amount of at most 6 decimals exactly', () => {
    fc.assert(fc.property(fc.nat(2 ** 45), (micros) => expect(costToMicros(microsToCost(micros))).toBe(micros)));
  });

  it('rounds any amount to a neighbouring micro-unit, half-up where it is a tie', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e7, noNaN: true }), (cost) => {
        const scaled = cost * 1e6;
        const micros = costToMicros(cost);
        expect([Math.floor(scaled), Math.ceil(scaled)]).toContain(micros);
        // Away from a tie, the nearest one.
        if (Math.abs((scaled % 1) - 0.5) > 0.01) expect(micros).toBe(Math.round(scaled));
      }),
    );
  });

  it('rejects negative and non-finite amounts', () => {
    expect(() => costToMicros(-1)).toThrow(RangeError);
    expect(() => costToMicros(Number.NaN)).toThrow(RangeError);
  });

  it('converts back to a decimal', () => {
    expect(microsToCost(1_600_001)).toBe(1.600001);
  });
});

describe('isCostOfMicros', () => {
  it.each([0, 0.1, 1.25, 0.000001, 0.0125 * 3, 0.1 + 0.2, 999_999_999.999999])('takes %s: whole micro-units, floating-point noise included', (cost) => {
    expect(isCostOfMicros(cost)).toBe(true);
  });

  it.each([0.0000001, 0.0000009, 1e-10, Number.MIN_VALUE, 1.2345678, -1, Number.NaN, Number.POSITIVE_INFINITY, '1'])('refuses %s: finer than a micro-unit, or not an amount', (cost) => {
    expect(isCostOfMicros(cost)).toBe(false);
  });
});
