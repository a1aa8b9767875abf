import { LEVEL_WINDOWS, closeLevelHour, levelBias, levelVariance, newLevelState, type LevelEvidence, type LevelState } from './level';
import { lognormal, poisson, seededRandom } from './traffic.test-support';

const EXPECTED_PER_HOUR = 120;
const THREE_WEEKS = 21 * 24;
const LONGEST = LEVEL_WINDOWS.length;

/**
 * Closed hours of a series against a baseline that expects EXPECTED_PER_HOUR: Poisson counts
 * around the expectation times an hour-level and a day-level log-normal deviation (the hours
 * of one day share the day's), times `factor`.
 */
function feed(s: LevelState, hours: number, options: { hourSpread?: number; daySpread?: number; factor?: number; clean?: boolean; seed?: number } = {}): LevelEvidence[] {
  const random = seededRandom(options.seed ?? 1);
  const verdicts: LevelEvidence[] = [];
  let day = 1;
  for (let i = 0; i < hours; i++) {
    if (i % 24 === 0) day = lognormal(random, options.daySpread ?? 0);
    const mean = EXPECTED_PER_HOUR * day * lognormal(random, options.hourSpread ?? 0.15) * (options.factor ?? 1);
    const verdict = closeLevelHour(s, { observed: poisson(random, mean), expected: EXPECTED_PER_HOUR, clean: options.clean ?? true });
    if (verdict) verdicts.push(verdict);
  }
  return verdicts;
}

const strongest = (verdicts: LevelEvidence[]) => Math.max(...verdicts.map((v) => v.z));

describe('hour-scale level detector', () => {
  it('judges nothing before the shortest window has its closed hours', () => {
    const s = newLevelState();
    expect(closeLevelHour(s, { observed: 500, expected: 100, clean: true })).toBeNull();
    expect(closeLevelHour(s, { observed: 500, expected: 100, clean: true })).toBeNull();
    expect(closeLevelHour(s, { observed: 500, expected: 100, clean: true })).toEqual(expect.objectContaining({ hours: 3, observed: 1500, expected: 300 }));
  });

  it('scores three hours at three times the expectation far beyond what three weeks of calm hours did', () => {
    const s = newLevelState();
    const calm = feed(s, THREE_WEEKS);
    const surge = feed(s, 3, { factor: 3, seed: 2 });
    expect(strongest(calm.slice(-7 * 24))).toBeLessThan(3);
    expect(surge.at(-1)!.z).toBeGreaterThan(5);
    expect(surge.at(-1)!.observed).toBeGreaterThan(2.5 * surge.at(-1)!.expected);
  });

  it('does not let one extreme hour carry a window', () => {
    const s = newLevelState();
    feed(s, THREE_WEEKS);
    closeLevelHour(s, { observed: 20 * EXPECTED_PER_HOUR, expected: EXPECTED_PER_HOUR, clean: true });
    expect(strongest(feed(s, 2, { seed: 3 }))).toBeLessThan(2);
  });

  it('learns that long windows stray further on a series whose hours share a day-level deviation', () => {
    const independent = newLevelState();
    const daily = newLevelState();
    feed(independent, THREE_WEEKS, { hourSpread: 0.3 });
    feed(daily, THREE_WEEKS, { hourSpread: 0.1, daySpread: 0.3 });
    expect(levelVariance(daily, LONGEST)).toBeGreaterThan(3 * levelVariance(independent, LONGEST));
    // A single hour strays about as far on both.
    expect(levelVariance(daily, 0) / levelVariance(independent, 0)).toBeGreaterThan(0.5);
    expect(levelVariance(daily, 0) / levelVariance(independent, 0)).toBeLessThan(2);
  });

  it('tolerates on a series with day-level deviations a half-day excess it flags on a calm one', () => {
    const calm = newLevelState();
    const daily = newLevelState();
    feed(calm, THREE_WEEKS);
    feed(daily, THREE_WEEKS, { hourSpread: 0.1, daySpread: 0.35 });
    expect(strongest(feed(calm, 12, { factor: 1.8, seed: 4 }))).toBeGreaterThan(4);
    expect(strongest(feed(daily, 12, { factor: 1.8, seed: 4 }))).toBeLessThan(4);
  });

  it('learns nothing from hours in which a detector alarmed', () => {
    const s = newLevelState();
    feed(s, THREE_WEEKS);
    const before = JSON.parse(JSON.stringify({ excess: s.excess, weight: s.weight, bias: s.bias }));
    feed(s, 6, { factor: 5, clean: false, seed: 5 });
    expect({ excess: s.excess, weight: s.weight, bias: s.bias }).toEqual(before);
  });

  it('judges no window that holds an hour in which an alarm fired', () => {
    const s = newLevelState();
    feed(s, THREE_WEEKS);
    expect(feed(s, 3, { factor: 5, clean: false, seed: 7 })).toEqual([]);
    // Two clean hours later the 3-hour window still holds an alarmed hour; the third clean hour frees it.
    expect(feed(s, 2, { seed: 8 })).toEqual([]);
    expect(feed(s, 1, { seed: 9 })).toEqual([expect.objectContaining({ hours: 3 })]);
  });

  it('learns the lag of a baseline that a growing series keeps running above', () => {
    const s = newLevelState();
    feed(s, THREE_WEEKS, { factor: 1.4 });
    expect(levelBias(s, LONGEST)).toBeGreaterThan(0.2);
    expect(strongest(feed(s, 12, { factor: 1.4, seed: 6 }))).toBeLessThan(2.5);
  });
});
