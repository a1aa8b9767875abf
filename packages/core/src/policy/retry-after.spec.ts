import { retryAfterSeconds } from './retry-after';

const NOW_MS = Date.UTC(2026, 10, 26, 12, 0, 0);
const NOW_S = NOW_MS / 1000;
const RATELIMIT = { limit: 100, remaining: 0, reset: NOW_S + 42 };

describe('retryAfterSeconds', () => {
  it('is the seconds until an exhausted window resets', () => {
    expect(retryAfterSeconds('RATE_LIMITED', RATELIMIT, NOW_MS)).toBe(42);
  });

  it('is at least one second, even for a window that has already reset', () => {
    expect(retryAfterSeconds('RATE_LIMITED', { limit: 1, remaining: 0, reset: NOW_S - 5 }, NOW_MS)).toBe(1);
  });

  it('is one second for a refusal by the concurrency limit: requests are left in the window', () => {
    expect(retryAfterSeconds('RATE_LIMITED', { limit: 100, remaining: 57, reset: NOW_S + 3000 }, NOW_MS)).toBe(1);
  });

  it('is one second for a refusal by the concurrency limit of a key without rate windows', () => {
    expect(retryAfterSeconds('RATE_LIMITED', undefined, NOW_MS)).toBe(1);
  });

  it('rounds a partial second up', () => {
    expect(retryAfterSeconds('RATE_LIMITED', { limit: 1, remaining: 0, reset: NOW_S + 10 }, NOW_MS + 400)).toBe(10);
  });

  it('waits for the next UTC day for a spend cap, whatever the rate limit says', () => {
    expect(retryAfterSeconds('USAGE_EXCEEDED', RATELIMIT, Date.UTC(2026, 10, 26, 23, 59, 30))).toBe(30);
  });
});
