import { compileCustomerPolicy, rateLimitContradictions, toStoredCustomerPolicy } from './customer-policy';

describe('rateLimitContradictions', () => {
  it.each([
    ['no limits', undefined, []],
    ['consistent windows', { perMinute: 10, perHour: 100, perDay: 1000 }, []],
    ['equal windows', { perMinute: 10, perHour: 10 }, []],
    ['a minute allowing more than an hour', { perMinute: 100, perHour: 50 }, ['policy.rateLimits.perMinute']],
    ['a burst above the day', { burst: 20, perDay: 10 }, ['policy.rateLimits.burst']],
    ['an hour above the day, the minute fine', { perMinute: 5, perHour: 500, perDay: 100 }, ['policy.rateLimits.perHour']],
  ])('%s', (_label, limits, fields) => {
    expect(rateLimitContradictions(limits, 'policy.rateLimits').map((error) => error.field)).toEqual(fields);
  });

  it('names the longer window it contradicts', () => {
    expect(rateLimitContradictions({ perMinute: 100, perHour: 50 }, 'policy.rateLimits')).toEqual([
      { field: 'policy.rateLimits.perMinute', message: 'must not exceed policy.rateLimits.perHour (50)' },
    ]);
  });
});

describe('customer policy', () => {
  it('stores money exactly as micro-units', () => {
    expect(toStoredCustomerPolicy({ dailySpendLimit: 12.5, concurrency: 3 })).toEqual({ dailySpendLimitMicros: 12_500_000, concurrency: 3 });
  });

  it('compiles into windows, concurrency and cap, with no IP or model restriction', () => {
    const compiled = compileCustomerPolicy({ rateLimits: { perMinute: 5 }, concurrency: 2, dailySpendLimitMicros: 7 });
    expect(compiled.windows).toEqual([{ window: 'minute', limit: 5 }]);
    expect(compiled).toMatchObject({ concurrency: 2, dailySpendLimitMicros: 7, ipRanges: null, modelPatterns: null });
  });
});
