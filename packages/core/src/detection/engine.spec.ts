import { closeIncident, newAppDetectionState, restoreAppDetectionState, stepMinute, type AppDetectionState } from './engine';
import { DAY, HOUR, MINUTE, MONDAY, WEEK, hourlyNoise, opened, run, settingsFor, type Traffic } from './traffic.test-support';

const steady = (rate: number): Traffic => () => ({ key_a: rate });
const hourOfDay = (t: number) => new Date(t).getUTCHours();
const weekday = (t: number) => new Date(t).getUTCDay();
/** A 24/7 backend with a daily wave, quieter weekends and 25% hour-to-hour noise. */
function backend(peak: number, seed = 7): Traffic {
  const noise = hourlyNoise(seed, 0.25);
  return (t) => {
    const wave = 0.3 + 0.7 * (0.5 - 0.5 * Math.cos((2 * Math.PI * (hourOfDay(t) - 4)) / 24));
    const weekend = weekday(t) === 0 || weekday(t) === 6 ? 0.6 : 1;
    return { key_a: peak * wave * weekend * noise(t) };
  };
}
function withLeak(base: Traffic, keyId: string, from: number, to: number, extra: (t: number) => number): Traffic {
  return (t) => {
    const rates = base(t);
    if (t >= from && t < to) rates[keyId] = (rates[keyId] ?? 0) + extra(t);
    return rates;
  };
}

describe('volume detection', () => {
  it('raises nothing while the app is in its first week, whatever the traffic', () => {
    const { events } = run(withLeak(steady(5), 'key_a', MONDAY + 3 * DAY, MONDAY + 4 * DAY, () => 200), MONDAY, MONDAY + WEEK);
    expect(events).toEqual([]);
  });

  it('opens one spike with evidence when a steady key quintuples', () => {
    const leakAt = MONDAY + 2 * WEEK + 10 * HOUR;
    const { events } = run(withLeak(backend(20), 'key_a', leakAt, leakAt + 3 * HOUR, (t) => 4 * backend(20)(t).key_a), MONDAY, leakAt + 3 * HOUR);
    const alerts = opened(events);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ type: 'spike', keyId: 'key_a', model: null });
    expect(Date.parse(alerts[0].at) - leakAt).toBeLessThanOrEqual(30 * MINUTE);
    expect(alerts[0].evidence).toEqual(expect.objectContaining({ observed: expect.any(Number), expected: expect.any(Number), window: expect.stringMatching(/^\d+m$/), baselineHours: expect.any(Number) }));
    expect(alerts[0].evidence.observed).toBeGreaterThan(3 * alerts[0].evidence.expected);
  });

  it('catches a quiet key jumping to one request a minute', () => {
    const leakAt = MONDAY + 2 * WEEK + 15 * HOUR;
    const { events } = run(withLeak(steady(0.05), 'key_a', leakAt, leakAt + 2 * HOUR, () => 1), MONDAY, leakAt + 2 * HOUR);
    expect(opened(events).map((e) => e.type)).toEqual(['spike']);
    expect(Date.parse(opened(events)[0].at) - leakAt).toBeLessThanOrEqual(60 * MINUTE);
  });

  it('alerts within five minutes on a burst far beyond anything the key has done', () => {
    const at = MONDAY + 2 * WEEK + 12 * HOUR;
    const { events } = run(withLeak(steady(10), 'key_a', at, at + 3 * MINUTE, () => 1000), MONDAY, at + 5 * MINUTE);
    expect(opened(events)).toEqual([expect.objectContaining({ type: 'spike', at: new Date(at + MINUTE).toISOString(), evidence: expect.objectContaining({ window: '5m', detector: 'burst' }) })]);
  });

  it('needs fifteen minutes of excess: a ten-minute surge to four times the rate stays quiet', () => {
    const at = MONDAY + 2 * WEEK + 12 * HOUR;
    const base = backend(20);
    expect(opened(run(withLeak(base, 'key_a', at, at + 10 * MINUTE, (t) => 3 * base(t).key_a), MONDAY, at + 2 * HOUR).events)).toEqual([]);
  });

  it('stays quiet on a burst smaller than the key\'s recent record, and alerts on one that beats it', () => {
    const first = MONDAY + 2 * WEEK + 3 * HOUR;
    const { state, events } = run(withLeak(steady(10), 'key_a', first, first + 5 * MINUTE, () => 290), MONDAY, first + DAY);
    expect(opened(events)).toHaveLength(1);
    // A day later: fifteen times the rate is far beyond the minimum ratio, but half the key's record.
    const smaller = first + DAY + 5 * HOUR;
    const quiet = run(withLeak(steady(10), 'key_a', smaller, smaller + 5 * MINUTE, () => 140), first + DAY, smaller + 3 * HOUR, { state });
    expect(opened(quiet.events)).toEqual([]);
    const bigger = smaller + 4 * HOUR;
    const loud = run(withLeak(steady(10), 'key_a', bigger, bigger + 5 * MINUTE, () => 590), smaller + 3 * HOUR, bigger + 10 * MINUTE, { state });
    expect(opened(loud.events)).toEqual([expect.objectContaining({ type: 'spike', evidence: expect.objectContaining({ detector: 'burst' }) })]);
  });

  it('remembers a key\'s burst record for weeks: ten days on, half its size stays quiet; a month on, it alerts', () => {
    const burst = (at: number, extra: number) => withLeak(steady(10), 'key_a', at, at + 5 * MINUTE, () => extra);
    const first = MONDAY + 2 * WEEK + 3 * HOUR;
    const { state, events } = run(burst(first, 290), MONDAY, first + DAY);
    expect(opened(events)).toHaveLength(1);
    // The record (thirty times the rate) halves every two weeks: fifteen times is still under it ten days later…
    const tenDaysOn = first + 10 * DAY;
    expect(opened(run(burst(tenDaysOn, 140), first + DAY, tenDaysOn + 3 * HOUR, { state }).events)).toEqual([]);
    // …and well over it a month after the first.
    const monthOn = first + 30 * DAY;
    const loud = run(burst(monthOn, 140), tenDaysOn + 3 * HOUR, monthOn + 10 * MINUTE, { state });
    expect(opened(loud.events)).toEqual([expect.objectContaining({ type: 'spike', evidence: expect.objectContaining({ detector: 'burst' }) })]);
  });

  it('needs more sustained evidence on a key that alarms every day than on a quiet one', () => {
    // Half an hour at four times the usual rate every day: the first surges alert, then the key is over its alarm budget.
    const surging: Traffic = (t) => {
      const day = Math.floor((t - MONDAY) / DAY);
      const surgeAt = MONDAY + day * DAY + ((day * 5) % 24) * HOUR;
      return { key_a: t >= surgeAt && t < surgeAt + 30 * MINUTE ? 40 : 10 };
    };
    const alerts = opened(run(surging, MONDAY, MONDAY + 4 * WEEK).events);
    // 21 surges after the warm-up week: without the budget every one of them alerts.
    expect(alerts.length).toBeGreaterThan(0);
    expect(alerts.length).toBeLessThanOrEqual(7);
  });

  describe('a level that triples for half a day on a key whose hours are too noisy for the minute-level CUSUM', () => {
    const leakAt = MONDAY + 3 * WEEK + 2 * DAY + 6 * HOUR;
    const noise = hourlyNoise(12, 0.4);
    const base: Traffic = (t) => ({ key_a: 2 * noise(t) });
    const leak = withLeak(base, 'key_a', leakAt, leakAt + 12 * HOUR, () => 4);

    it('is caught by the level detector within eight hours', () => {
      const alerts = opened(run(leak, MONDAY, leakAt + 12 * HOUR).events);
      expect(alerts).toEqual([expect.objectContaining({ type: 'spike', evidence: expect.objectContaining({ detector: 'level', window: expect.stringMatching(/^\d+h$/) }) })]);
      expect(Date.parse(alerts[0].at) - leakAt).toBeLessThanOrEqual(8 * HOUR);
    });

    it('resolves within two hours after it stops, though its 12-hour window still holds the excess', () => {
      const resolved = run(leak, MONDAY, leakAt + 16 * HOUR).events.filter((e) => e.change === 'resolved');
      expect(resolved).toHaveLength(1);
      expect(Date.parse(resolved[0].at) - (leakAt + 12 * HOUR)).toBeLessThanOrEqual(2 * HOUR);
    });
  });

  it('stays silent on four weeks of overdispersed 24/7 traffic', () => {
    expect(opened(run(backend(50, 11), MONDAY, MONDAY + 4 * WEEK).events)).toEqual([]);
  });

  it('stays silent on heavy-tailed hours (log-normal, 30% spread) once it has learned them', () => {
    const noise = hourlyNoise(3, 0.3);
    expect(opened(run((t) => ({ key_a: 8 * noise(t) }), MONDAY, MONDAY + 4 * WEEK).events)).toEqual([]);
  });

  it('stays silent on two-minute retry bursts of three times the usual rate', () => {
    const bursts: Traffic = (t) => {
      const rates = backend(60)(t);
      if ((t / MINUTE) % 997 < 2 && t > MONDAY + WEEK) rates.key_a *= 3;
      return rates;
    };
    expect(opened(run(bursts, MONDAY, MONDAY + 3 * WEEK).events)).toEqual([]);
  });

  it('stays silent on organic growth to twice the traffic over four weeks', () => {
    const base = backend(10);
    const growth: Traffic = (t) => ({ key_a: base(t).key_a * (1 + Math.max(0, t - MONDAY - WEEK) / (4 * WEEK)) });
    expect(opened(run(growth, MONDAY, MONDAY + 5 * WEEK).events)).toEqual([]);
  });

  it('stays silent on a weekly job that runs only on Sunday mornings', () => {
    const weekly: Traffic = (t) => ({ key_a: weekday(t) === 0 && hourOfDay(t) === 3 ? 80 : 0.05 });
    expect(opened(run(weekly, MONDAY, MONDAY + 4 * WEEK).events)).toEqual([]);
  });

  it('stays silent the day after a holiday', () => {
    const base = backend(30);
    const holiday = MONDAY + 2 * WEEK + 2 * DAY;
    const traffic: Traffic = (t) => ({ key_a: base(t).key_a * (t >= holiday && t < holiday + DAY ? 0.1 : 1) });
    expect(opened(run(traffic, MONDAY, MONDAY + 4 * WEEK).events)).toEqual([]);
  });

  it('accepts a lasting step change: the incident resolves within five days and does not reopen', () => {
    // The spread is not learned from the suspicious first day, so the new level is accepted by the baseline alone (a few days).
    const stepAt = MONDAY + 2 * WEEK + 9 * HOUR;
    const { events } = run((t) => ({ key_a: t < stepAt ? 5 : 25 }), MONDAY, stepAt + 6 * DAY);
    expect(events.filter((e) => e.change !== 'updated').map((e) => e.change)).toEqual(['opened', 'resolved']);
    expect(Date.parse(events.find((e) => e.change === 'resolved')!.at) - stepAt).toBeLessThan(5 * DAY);
  });

  it('keeps a brand-new key quiet in its first week, even when it surges', () => {
    const firstSeen = MONDAY + 2 * WEEK;
    const traffic: Traffic = (t) => ({ key_a: 5, ...(t >= firstSeen ? { key_new: t > firstSeen + 3 * DAY ? 60 : 2 } : {}) });
    expect(opened(run(traffic, MONDAY, firstSeen + WEEK - HOUR).events)).toEqual([]);
  });

  it('learns a muted key but never alerts on it', () => {
    const leakAt = MONDAY + 2 * WEEK;
    const settings = settingsFor({ mutedKeyIds: ['key_a'] });
    expect(run(withLeak(steady(5), 'key_a', leakAt, leakAt + 2 * HOUR, () => 100), MONDAY, leakAt + 2 * HOUR, { settings }).events).toEqual([]);
  });

  it('detects a sustained doubling at high sensitivity that it tolerates at low sensitivity', () => {
    const leakAt = MONDAY + 2 * WEEK + 10 * HOUR;
    const traffic = withLeak(steady(20), 'key_a', leakAt, leakAt + 3 * HOUR, () => 20);
    const high = run(traffic, MONDAY, leakAt + 3 * HOUR, { settings: settingsFor({ sensitivity: 'high' }) });
    const low = run(traffic, MONDAY, leakAt + 3 * HOUR, { settings: settingsFor({ sensitivity: 'low' }) });
    expect(opened(high.events)).toHaveLength(1);
    expect(opened(low.events)).toEqual([]);
  });
});

describe('off-hours detection', () => {
  /** Office traffic: weekdays 09:00–17:00 UTC, near silence otherwise. */
  const office: Traffic = (t) => {
    const working = weekday(t) >= 1 && weekday(t) <= 5 && hourOfDay(t) >= 9 && hourOfDay(t) < 17;
    return { key_a: working ? 6 : 0.01 };
  };

  it('flags a weekday night used at daytime level', () => {
    const night = MONDAY + 2 * WEEK + 2 * DAY + 2 * HOUR;
    const { events } = run(withLeak(office, 'key_a', night, night + 3 * HOUR, () => 6), MONDAY, night + 3 * HOUR);
    expect(opened(events)).toHaveLength(1);
    expect(['off_hours', 'spike']).toContain(opened(events)[0].type);
    expect(Date.parse(opened(events)[0].at) - night).toBeLessThanOrEqual(60 * MINUTE);
  });

  it('raises nothing below the off-hours floor', () => {
    const night = MONDAY + 2 * WEEK + 2 * DAY + 2 * HOUR;
    const settings = settingsFor({ offHoursFloorPerMinute: 50, spikeFloorPerMinute: 50 });
    expect(run(withLeak(office, 'key_a', night, night + 3 * HOUR, () => 6), MONDAY, night + 3 * HOUR, { settings }).events).toEqual([]);
  });

  it('follows business hours across a daylight-saving change', () => {
    // Europe/Berlin moves to summer time on 2026-03-29: office hours move one hour earlier in UTC.
    const settings = settingsFor({ timezone: 'Europe/Berlin' });
    const dstStart = Date.UTC(2026, 2, 29, 1);
    const berlinOffice: Traffic = (t) => {
      const local = new Date(t + (t >= dstStart ? 2 : 1) * HOUR);
      const working = local.getUTCDay() >= 1 && local.getUTCDay() <= 5 && local.getUTCHours() >= 9 && local.getUTCHours() < 17;
      return { key_a: working ? 6 : 0.01 };
    };
    expect(opened(run(berlinOffice, MONDAY, MONDAY + 5 * WEEK, { settings }).events)).toEqual([]);
  });
});

describe('incidents', () => {
  const leakAt = MONDAY + 2 * WEEK + 10 * HOUR;
  const leak = withLeak(steady(5), 'key_a', leakAt, leakAt + 4 * HOUR, () => 40);

  it('reports a long leak as one incident: opened, updated, then resolved after it stops', () => {
    const { events } = run(leak, MONDAY, leakAt + 8 * HOUR);
    const changes = events.map((e) => e.change);
    expect(changes.filter((c) => c === 'opened')).toHaveLength(1);
    expect(changes).toContain('updated');
    expect(changes[changes.length - 1]).toBe('resolved');
    expect(new Set(events.map((e) => e.fingerprint)).size).toBe(1);
  });

  it('opens a new incident when the leak recurs after an admin closed the first', () => {
    const first = run(leak, MONDAY, leakAt + 2 * HOUR);
    closeIncident(first.state, opened(first.events)[0].fingerprint);
    const second = run(leak, leakAt + 2 * HOUR, leakAt + 3 * HOUR, { state: first.state, seed: 2 });
    expect(opened(second.events)).toHaveLength(1);
  });

  it('ignores a minute it has already stepped', () => {
    const { state } = run(steady(5), MONDAY, MONDAY + 2 * WEEK);
    const before = JSON.stringify(state);
    expect(stepMinute(state, settingsFor(), MONDAY + 2 * WEEK - MINUTE, [{ keyId: 'key_a', model: null, count: 10_000 }])).toEqual([]);
    expect(JSON.stringify(state)).toBe(before);
  });

  it('behaves identically when its state goes through JSON between minutes', () => {
    const from = MONDAY;
    const to = leakAt + 2 * HOUR;
    const direct = run(leak, from, to).events;
    let state = newAppDetectionState();
    const viaJson = [];
    for (let t = from; t < to; t += 6 * HOUR) {
      const part = run(leak, t, Math.min(t + 6 * HOUR, to), { state, seed: t });
      viaJson.push(...part.events);
      state = JSON.parse(JSON.stringify(part.state));
    }
    const reference = [];
    state = newAppDetectionState();
    for (let t = from; t < to; t += 6 * HOUR) reference.push(...run(leak, t, Math.min(t + 6 * HOUR, to), { state, seed: t }).events);
    expect(viaJson).toEqual(reference);
    expect(opened(direct)).toHaveLength(1);
  });

  /** State as an earlier version saved it: without the volume and open-hour fields later versions added. */
  function savedBy(version: 1 | 2): AppDetectionState {
    const saved = JSON.parse(JSON.stringify(run(leak, MONDAY, leakAt).state));
    saved.version = version;
    for (const series of Object.values<{ volume: Record<string, unknown> & { hour: Record<string, unknown> | null } }>(saved.series)) {
      const { volume } = series;
      for (const field of ['level', 'levelZ', ...(version === 1 ? ['burstRecord', 'alarmLoad', 'lastAlarmMs'] : [])]) delete volume[field];
      if (!volume.hour) continue;
      for (const field of ['alerted', 'seasonalExpected', ...(version === 1 ? ['quarterExpected', 'quarterTainted'] : [])]) delete volume.hour[field];
      if (version === 1) volume.hour.alarmed = false;
    }
    return saved;
  }

  it('migrates state saved by version 1, keeping what it learned', () => {
    const state = restoreAppDetectionState(savedBy(1));
    expect(state.version).toBe(3);
    expect(state.series.key_a.volume.baseline.learnedHours).toBeGreaterThan(200);
    const after = run(leak, leakAt, leakAt + 2 * HOUR, { state });
    expect(opened(after.events)).toEqual([expect.objectContaining({ type: 'spike', keyId: 'key_a' })]);
    expect(Number.isFinite(after.state.series.key_a.volume.burstRecord)).toBe(true);
  });

  it('migrates state saved by version 2: the level detector starts from no closed hour', () => {
    const state = restoreAppDetectionState(savedBy(2));
    expect(state.version).toBe(3);
    expect(state.series.key_a.volume.level.hours).toEqual([]);
    const after = run(leak, leakAt, leakAt + 2 * HOUR, { state });
    expect(opened(after.events)).toEqual([expect.objectContaining({ type: 'spike', keyId: 'key_a' })]);
    expect(after.state.series.key_a.volume.level.hours).toHaveLength(2);
  });
});

describe('escalation of an open incident', () => {
  const night = MONDAY + 2 * WEEK + 2 * DAY + 1 * HOUR;
  const office: Traffic = (t) => ({ key_a: weekday(t) >= 1 && weekday(t) <= 5 && hourOfDay(t) >= 9 && hourOfDay(t) < 17 ? 6 : 0.05 });

  it('opens a high-severity spike naming the off-hours incident when the night-time leak becomes a flood', () => {
    const floodAt = night + HOUR;
    const traffic = withLeak(withLeak(office, 'key_a', night, night + 4 * HOUR, () => 6), 'key_a', floodAt, floodAt + HOUR, () => 60);
    const alerts = opened(run(traffic, MONDAY, floodAt + HOUR).events);
    expect(alerts).toHaveLength(2);
    const [first, escalation] = alerts;
    expect(escalation).toMatchObject({ type: 'spike', severity: 'high', evidence: expect.objectContaining({ detector: 'escalation', escalates: first.fingerprint, escalatesType: first.type }) });
    expect(escalation.fingerprint).not.toBe(first.fingerprint);
    expect(Date.parse(escalation.at) - floodAt).toBeLessThanOrEqual(15 * MINUTE);
  });

  it('gives the escalation of a spike a fingerprint of its own', () => {
    const leakAt = MONDAY + 2 * WEEK + 10 * HOUR;
    const traffic = withLeak(withLeak(steady(5), 'key_a', leakAt, leakAt + 3 * HOUR, () => 20), 'key_a', leakAt + HOUR, leakAt + 3 * HOUR, () => 200);
    const alerts = opened(run(traffic, MONDAY, leakAt + 3 * HOUR).events);
    expect(alerts.map((e) => [e.type, e.fingerprint])).toEqual([
      ['spike', 'spike:key_a:*'],
      ['spike', 'spike:key_a:*:2'],
    ]);
  });

  it('does not escalate a steady leak as the daily wave under it rises', () => {
    const leakAt = MONDAY + 2 * WEEK + 2 * DAY + 1 * HOUR;
    const base = backend(20);
    const traffic = withLeak(base, 'key_a', leakAt, leakAt + 14 * HOUR, (t) => 4 * base(t).key_a);
    expect(opened(run(traffic, MONDAY, leakAt + 14 * HOUR).events)).toHaveLength(1);
  });

  it('does not escalate a night-time leak when the office opens under it', () => {
    const traffic = withLeak(office, 'key_a', night, night + 12 * HOUR, () => 1);
    expect(opened(run(traffic, MONDAY, night + 12 * HOUR).events)).toHaveLength(1);
  });

  it('does not escalate on short bursts within a leak', () => {
    const leakAt = MONDAY + 2 * WEEK + 10 * HOUR;
    const traffic = withLeak(steady(5), 'key_a', leakAt, leakAt + 4 * HOUR, (t) => ((t - leakAt) / MINUTE) % 37 < 2 ? 400 : 40);
    expect(opened(run(traffic, MONDAY, leakAt + 4 * HOUR).events)).toHaveLength(1);
  });

  it('keeps a second leak that adds a request a minute to an open night-time leak inside its incident', () => {
    // The second leak is five times the key's night traffic: about 5% on top of the first leak, within its noise.
    const secondAt = night + 54 * MINUTE;
    const traffic = withLeak(withLeak(office, 'key_a', night, night + 4 * HOUR, () => 6), 'key_a', secondAt, secondAt + 6 * HOUR, () => 1);
    const { events } = run(traffic, MONDAY, secondAt + 6 * HOUR);
    expect(opened(events)).toHaveLength(1);
    expect(Date.parse(opened(events)[0].at)).toBeLessThan(secondAt);
    expect(events.filter((e) => e.change === 'resolved')).toEqual([]);
  });

  it('does not escalate a leak that grows slowly', () => {
    const leakAt = MONDAY + 2 * WEEK + 10 * HOUR;
    const traffic = withLeak(steady(5), 'key_a', leakAt, leakAt + 6 * HOUR, (t) => 30 * (1 + (t - leakAt) / (3 * HOUR)));
    expect(opened(run(traffic, MONDAY, leakAt + 6 * HOUR).events)).toHaveLength(1);
  });
});

describe('unusual models', () => {
  const newModelAt = MONDAY + 2 * WEEK + 13 * HOUR;
  const base: Traffic = () => ({ key_a: 5, key_b: 2 });
  const modelOf = (rareFrom: number) => (keyId: string, t: number) => (keyId === 'key_b' && t >= rareFrom && t < rareFrom + 10 * MINUTE ? 'o1-pro' : keyId === 'key_a' ? 'gpt-4o' : 'gpt-4o-mini');

  it('opens unusual_model in the minute a model new to the app is first used', () => {
    const { events } = run(base, MONDAY, newModelAt + 30 * MINUTE, { model: modelOf(newModelAt) });
    const alert = opened(events).find((e) => e.type === 'unusual_model');
    expect(alert).toMatchObject({ keyId: 'key_b', model: 'o1-pro', severity: 'medium', evidence: expect.objectContaining({ scope: 'app', window: '1m' }) });
    expect(Date.parse(alert!.at) - newModelAt).toBeLessThanOrEqual(3 * MINUTE);
  });

  it('does not alert on a model the app used within the last 30 days', () => {
    const first = run(base, MONDAY, newModelAt + HOUR, { model: modelOf(newModelAt) });
    const again = run(base, newModelAt + HOUR, newModelAt + 3 * DAY, { state: first.state, model: modelOf(newModelAt + DAY) });
    expect(opened(again.events)).toEqual([]);
  });

  it('alerts again on a model unused for more than 30 days', () => {
    const first = run(base, MONDAY, newModelAt + HOUR, { model: modelOf(newModelAt) });
    const later = newModelAt + 31 * DAY;
    const again = run(base, newModelAt + HOUR, later + HOUR, { state: first.state, model: modelOf(later) });
    expect(opened(again.events).map((e) => [e.type, e.model])).toEqual([['unusual_model', 'o1-pro']]);
  });

  it('alerts at low severity when an established key starts on a model only other keys used', () => {
    const switchAt = MONDAY + 2 * WEEK;
    const model = (keyId: string, t: number) => (keyId === 'key_a' || t >= switchAt ? 'gpt-4o' : 'gpt-4o-mini');
    const alert = opened(run(base, MONDAY, switchAt + HOUR, { model }).events);
    expect(alert).toEqual([expect.objectContaining({ type: 'unusual_model', keyId: 'key_b', model: 'gpt-4o', severity: 'low', evidence: expect.objectContaining({ scope: 'key' }) })]);
  });

  it('never alerts on the models of a key in its first week', () => {
    const firstSeen = MONDAY + 2 * WEEK;
    const traffic: Traffic = (t) => ({ key_a: 5, ...(t >= firstSeen ? { key_new: 3 } : {}) });
    const model = (keyId: string, t: number) => (keyId === 'key_new' ? ['gpt-4o', 'gpt-4o-mini'][Math.floor(t / DAY) % 2] : t % (2 * MINUTE) ? 'gpt-4o' : 'gpt-4o-mini');
    expect(opened(run(traffic, MONDAY, firstSeen + 6 * DAY, { model }).events)).toEqual([]);
  });

  it('alerts on a model new to the whole app even when a key in its first week brings it', () => {
    const firstSeen = MONDAY + 2 * WEEK + 13 * HOUR;
    const traffic: Traffic = (t) => ({ key_a: 5, ...(t >= firstSeen ? { key_new: 3 } : {}) });
    const model = (keyId: string) => (keyId === 'key_new' ? 'o1-pro' : 'gpt-4o');
    const alerts = opened(run(traffic, MONDAY, firstSeen + HOUR, { model }).events);
    expect(alerts).toEqual([
      expect.objectContaining({ type: 'unusual_model', keyId: 'key_new', model: 'o1-pro', severity: 'medium', evidence: expect.objectContaining({ scope: 'app' }) }),
    ]);
  });
});

describe('bounded state', () => {
  it('forgets keys idle for 30 days and the models only they used', () => {
    const stopAt = MONDAY + WEEK;
    const traffic: Traffic = (t) => ({ key_a: 3, ...(t < stopAt ? { key_gone: 3 } : {}) });
    const model = (keyId: string) => (keyId === 'key_gone' ? 'claude-3-5-haiku' : 'gpt-4o');
    const { state } = run(traffic, MONDAY, stopAt + 31 * DAY, { model });
    expect(Object.keys(state.series)).toEqual(['key_a']);
    expect(Object.keys(state.models)).toEqual(['gpt-4o']);
  });
});
