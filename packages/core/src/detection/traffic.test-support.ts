import { DEFAULT_BUSINESS_HOURS } from '../wire/apps';
import { newAppDetectionState, stepMinute, type AppDetectionState } from './engine';
import { DEFAULT_DETECTOR_SETTINGS } from './thresholds';
import type { DetectorSettings, IncidentEvent, MinuteCount } from './types';

/** Synthetic traffic for detector tests: seeded, so every run sees the same minutes. */

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
export const WEEK = 7 * DAY;
/** A Monday 00:00 UTC. */
export const MONDAY = Date.UTC(2026, 2, 2);

export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function poisson(random: () => number, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    const u = 1 - random();
    const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
    return Math.max(0, Math.round(mean + Math.sqrt(mean) * normal));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = random();
  while (p > limit) {
    k++;
    p *= random();
  }
  return k;
}

/** Log-normal multiplier with mean 1 and the given log standard deviation. */
export function lognormal(random: () => number, sigma: number): number {
  const u = 1 - random();
  const normal = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
  return Math.exp(sigma * normal - (sigma * sigma) / 2);
}

export function settingsFor(overrides: Partial<DetectorSettings> = {}): DetectorSettings {
  return { ...DEFAULT_DETECTOR_SETTINGS, timezone: 'UTC', businessHours: DEFAULT_BUSINESS_HOURS, ...overrides };
}

/** Expected requests per minute of each key at a UTC instant (keys absent are silent). */
export type Traffic = (minuteStartMs: number) => Record<string, number>;

export interface Run {
  state: AppDetectionState;
  events: IncidentEvent[];
}

/**
 * Steps the engine over [from, to) with Poisson counts of `traffic`, one model per key
 * (`model` names it; defaults to `gpt-4o-mini`).
 */
export function run(traffic: Traffic, from: number, to: number, options: { settings?: DetectorSettings; seed?: number; state?: AppDetectionState; model?: (keyId: string, minuteStartMs: number) => string } = {}): Run {
  const random = seededRandom(options.seed ?? 1);
  const settings = options.settings ?? settingsFor();
  const state = options.state ?? newAppDetectionState();
  const events: IncidentEvent[] = [];
  for (let t = from; t < to; t += MINUTE) {
    const counts: MinuteCount[] = [];
    for (const [keyId, mean] of Object.entries(traffic(t))) {
      const count = poisson(random, mean);
      if (count > 0) counts.push({ keyId, model: options.model?.(keyId, t) ?? 'gpt-4o-mini', count });
    }
    events.push(...stepMinute(state, settings, t, counts));
  }
  return { state, events };
}

/** Hour-level noise shared by every minute of an hour, as real traffic has. */
export function hourlyNoise(seed: number, sigma: number): (minuteStartMs: number) => number {
  const random = seededRandom(seed);
  const cache = new Map<number, number>();
  return (t) => {
    const hour = Math.floor(t / HOUR);
    let v = cache.get(hour);
    if (v === undefined) cache.set(hour, (v = lognormal(random, sigma)));
    return v;
  };
}

export const opened = (events: IncidentEvent[]) => events.filter((e) => e.change === 'opened');
