import { compilePolicy, effectivePolicy } from '../policy/effective-policy';
import { containedPolicy, containmentFor, modelBlocked, throttleLimitPerMinute } from './containment';

const NOW = new Date('2026-12-06T05:00:00Z');
const spike = { id: 'alrt_1', type: 'spike' as const, model: null, evidence: { observed: 900, expected: 30, window: '15m', baselineHours: 200 } };

describe('throttleLimitPerMinute', () => {
  it('is twice the expected per-minute rate of the evidence window', () => {
    expect(throttleLimitPerMinute(spike.evidence)).toBe(4); // 30 / 15 min = 2/min, x2
  });

  it('keeps at least one request a minute for a key expected to be idle', () => {
    expect(throttleLimitPerMinute({ observed: 50, expected: 0, window: '1m', baselineHours: 10 })).toBe(1);
  });
});

describe('containmentFor', () => {
  it('none contains nothing', () => {
    expect(containmentFor('none', spike, NOW)).toBeNull();
  });

  it('throttle names its alert, its reason and its limit', () => {
    expect(containmentFor('throttle', spike, NOW)).toEqual({
      action: 'throttle',
      alertId: 'alrt_1',
      alertType: 'spike',
      since: NOW.toISOString(),
      reason: 'spike: 900 requests in 15m, expected 30',
      rateLimitPerMinute: 4,
      model: null,
    });
  });

  it('block_model blocks the alert model, and needs one', () => {
    const unusual = { ...spike, type: 'unusual_model' as const, model: 'gpt-x' };
    expect(containmentFor('block_model', unusual, NOW)).toMatchObject({ action: 'block_model', model: 'gpt-x' });
    expect(containmentFor('block_model', spike, NOW)).toBeNull();
  });
});

describe('containedPolicy', () => {
  const base = effectivePolicy({ rateLimits: { perMinute: 100, perHour: 1000 } }, null);
  const throttle = containmentFor('throttle', spike, NOW);

  it('lowers the per-minute limit to the throttle and keeps the other windows', () => {
    expect(compilePolicy(containedPolicy(base, throttle)).windows).toEqual([
      { window: 'minute', limit: 4 },
      { window: 'hour', limit: 1000 },
    ]);
  });

  it('never raises a tighter own limit', () => {
    const tight = effectivePolicy({ rateLimits: { perMinute: 2 } }, null);
    expect(containedPolicy(tight, throttle).rateLimits.perMinute).toBe(2);
  });

  it('leaves the policy alone without a throttle', () => {
    expect(containedPolicy(base, null)).toBe(base);
  });
});

describe('modelBlocked', () => {
  const block = containmentFor('block_model', { ...spike, type: 'unusual_model', model: 'gpt-x' }, NOW);
  it('refuses the blocked model only', () => {
    expect(modelBlocked(block, 'gpt-x')).toBe(true);
    expect(modelBlocked(block, 'gpt-y')).toBe(false);
    expect(modelBlocked(block, undefined)).toBe(false);
    expect(modelBlocked(null, 'gpt-x')).toBe(false);
  });
});
