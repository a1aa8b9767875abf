import { DETECTION_HISTORY_DAYS, lastClosedMinuteStart, MINUTE_MS, planSteps } from './step-plan';

const T = Date.parse('2026-11-26T12:00:00.000Z');
const DAY = 86_400_000;

describe('lastClosedMinuteStart', () => {
  it('is the previous minute once the close delay has passed after it ended', () => {
    expect(lastClosedMinuteStart(T + 5_000, 5_000)).toBe(T - MINUTE_MS);
  });

  it('is the minute before that while the close delay is still running', () => {
    expect(lastClosedMinuteStart(T + 4_999, 5_000)).toBe(T - 2 * MINUTE_MS);
  });

  it('is always a whole minute', () => {
    for (const now of [T + 1, T + 31_337, T + 59_999]) expect(lastClosedMinuteStart(now, 1_234) % MINUTE_MS).toBe(0);
  });
});

describe('planSteps', () => {
  it('steps from the minute after the watermark up to the last closed minute', () => {
    const plan = planSteps({ watermarkMs: T - 10 * MINUTE_MS, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 1440 });
    expect(plan).toEqual({ fromMs: T - 9 * MINUTE_MS, toMs: T, more: false, liveFromMs: T - 59 * MINUTE_MS });
  });

  it('has nothing to do when the watermark is the last closed minute', () => {
    expect(planSteps({ watermarkMs: T, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 1440 })).toBeNull();
  });

  it('starts a never-stepped app at its oldest stored minute', () => {
    const plan = planSteps({ watermarkMs: null, firstDataMs: T - 3 * DAY, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 1440 });
    expect(plan?.fromMs).toBe(T - 3 * DAY);
  });

  it('has nothing to do for a never-stepped app without data', () => {
    expect(planSteps({ watermarkMs: null, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 1440 })).toBeNull();
  });

  it('never steps minutes older than the history horizon', () => {
    const plan = planSteps({ watermarkMs: T - 90 * DAY, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 1440 });
    expect(plan?.fromMs).toBe(T - DETECTION_HISTORY_DAYS * DAY);
  });

  it('lets only the last alertWindowMinutes minutes alert', () => {
    const plan = planSteps({ watermarkMs: T - DAY, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 1, maxMinutes: 1440 });
    expect(plan?.liveFromMs).toBe(T);
  });

  it('covers at most maxMinutes and says that more remain', () => {
    const plan = planSteps({ watermarkMs: T - DAY, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 100 });
    expect(plan).toMatchObject({ fromMs: T - DAY + MINUTE_MS, toMs: T - DAY + 100 * MINUTE_MS, more: true });
  });

  it('keeps the alert window of the last closed minute while catching up in parts', () => {
    const plan = planSteps({ watermarkMs: T - DAY, firstDataMs: null, lastClosedMs: T, alertWindowMinutes: 60, maxMinutes: 100 });
    expect(plan?.liveFromMs).toBe(T - 59 * MINUTE_MS);
  });
});
