import { compileCustomerPolicy, toStoredCustomerPolicy } from './customer-policy';

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
