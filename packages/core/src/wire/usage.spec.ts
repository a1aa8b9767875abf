import { costToMicros, microsToCost } from './usage';

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

  it('rejects negative and non-finite amounts', () => {
    expect(() => costToMicros(-1)).toThrow(RangeError);
    expect(() => costToMicros(Number.NaN)).toThrow(RangeError);
  });

  it('converts back to a decimal', () => {
    expect(microsToCost(1_600_001)).toBe(1.600001);
  });
});
