import { type Baseline, expectation, HOURS_PER_WEEK, learnHour, newBaseline } from './baseline';

const BUSY_SLOT = 3 * 24 + 14; // Thursday 14:00 local

/** Mornings busy early in the week, afternoons late in it: hours of the week that the pooled profile × weekday level cannot express. */
function shiftingPeak(_week: number, hourOfWeek: number): number {
  const day = Math.floor(hourOfWeek / 24);
  const morning = hourOfWeek % 24 < 12;
  return (day < 3) === morning ? 30 : 10;
}

/** Learns `weeks` weeks of hours at `rateOf(week, hourOfWeek)` requests per minute, Poisson-free (exact counts). */
function learned(weeks: number, rateOf: (week: number, hourOfWeek: number) => number): Baseline {
  const b = newBaseline();
  for (let week = 0; week < weeks; week++) {
    for (let hourOfWeek = 0; hourOfWeek < HOURS_PER_WEEK; hourOfWeek++) {
      const rate = rateOf(week, hourOfWeek);
      const expected = expectation(b, hourOfWeek).rate * 60;
      learnHour(b, { hourOfWeek, minutes: 60, count: rate * 60, expected, peakQuarterRate: rate });
    }
  }
  return b;
}

describe('a slot above the pooled profile × weekday level', () => {
  test('raised by one busy week, it leans on the pooled estimate', () => {
    const b = learned(4, (week, slot) => (slot === BUSY_SLOT && week === 3 ? 40 : 10));
    const slotRate = b.slotRate[BUSY_SLOT];
    const pooled = expectation(b, BUSY_SLOT - 24).seasonalRate;
    const expected = expectation(b, BUSY_SLOT).seasonalRate;
    expect(slotRate).toBeGreaterThan(12);
    expect(expected).toBeGreaterThanOrEqual(pooled);
    expect(expected - pooled).toBeLessThan((slotRate - pooled) / 2);
  });

  test("where the key's hours of the week really differ from the pool, it keeps its own rate", () => {
    const b = learned(4, shiftingPeak);
    const mondayMorning = 9;
    expect(b.slotRate[mondayMorning]).toBeGreaterThan(25);
    expect(expectation(b, mondayMorning).seasonalRate).toBeGreaterThan(b.slotRate[mondayMorning] * 0.9);
  });
});

describe('the spread between slots', () => {
  test('is small for a key whose hours all look alike, and larger where they differ', () => {
    const flat = learned(3, () => 10);
    const varied = learned(3, shiftingPeak);
    expect(flat.slotSpread).toBeLessThan(0.01);
    expect(varied.slotSpread).toBeGreaterThan((flat.slotSpread as number) * 2);
  });

  test('state saved before it existed expects as with the prior, and learns it with the next hour', () => {
    const b = learned(3, (week, slot) => (slot === BUSY_SLOT && week === 2 ? 40 : 10));
    const saved = JSON.parse(JSON.stringify(b)) as Baseline;
    delete saved.slotSpread;
    expect(Number.isFinite(expectation(saved, BUSY_SLOT).rate)).toBe(true);
    learnHour(saved, { hourOfWeek: 0, minutes: 60, count: 600, expected: 600, peakQuarterRate: 10 });
    expect(saved.slotSpread).toEqual(expect.any(Number));
  });
});
