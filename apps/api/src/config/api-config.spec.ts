import { loadApiConfig } from './api-config';

const VALID_ENV = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5434/keywarden',
  REDIS_URL: 'redis://127.0.0.1:6390',
  KW_PEPPER: 'q3A9x0Vt8mZk2LrW5yBn7CdE1fGh4JsT6uPoIiUy',
};

describe('loadApiConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadApiConfig(VALID_ENV)).toMatchObject({
      env: 'development',
      port: 8080,
      host: '0.0.0.0',
      keyBrand: 'kw',
      keyCacheTtlMs: 10_000,
      keyCacheDegradedTtlMs: 1_000,
      bodyLimitBytes: 65_536,
      trustProxy: false,
      shutdownTimeoutMs: 10_000,
      usage: { metering: true, bufferMax: 50_000, flushMs: 50, batchSize: 500, spoolDir: null, spoolMaxBytes: 1024 ** 3, reportMaxAgeDays: 30 },
      policy: { adminRateLimitPerMinute: 600_000, reservationHoldMs: 250, reservationMaxBlock: 1_000, leaseTtlMs: 60_000, spendSyncMs: 1_000 },
    });
  });

  it.each([
    ['true', 1],
    ['3', 3],
    ['10', 10],
    ['10.0.0.1, 10.0.0.0/8,::1', '10.0.0.1,10.0.0.0/8,::1'],
  ])('reads KW_TRUST_PROXY=%s as the proxies to believe (%s)', (value, trustProxy) => {
    expect(loadApiConfig({ ...VALID_ENV, KW_TRUST_PROXY: value }).trustProxy).toBe(trustProxy);
  });

  it.each(['yes', '0', '01', '11', '10.0.0.0/33', 'proxy.internal', '10.0.0.1,'])('refuses KW_TRUST_PROXY=%s', (value) => {
    expect(() => loadApiConfig({ ...VALID_ENV, KW_TRUST_PROXY: value })).toThrow(/KW_TRUST_PROXY/);
  });

  it('leaves the queue namespace to be derived from the database when KW_QUEUE_PREFIX is unset', () => {
    expect(loadApiConfig(VALID_ENV).queuePrefix).toBeNull();
  });

  it('takes KW_QUEUE_PREFIX as the queue namespace, and refuses one BullMQ keys cannot carry', () => {
    expect(loadApiConfig({ ...VALID_ENV, KW_QUEUE_PREFIX: 'kw-staging_2' }).queuePrefix).toBe('kw-staging_2');
    expect(() => loadApiConfig({ ...VALID_ENV, KW_QUEUE_PREFIX: 'kw:staging' })).toThrow(/KW_QUEUE_PREFIX/);
  });

  it('reads an empty or blank variable as unset: its default, not 0 (PORT= in a compose file)', () => {
    const config = loadApiConfig({ ...VALID_ENV, PORT: '', KW_KEY_CACHE_TTL_MS: ' ', KW_SHUTDOWN_TIMEOUT_MS: '', KW_QUEUE_PREFIX: '' });
    expect(config).toMatchObject({ port: 8080, keyCacheTtlMs: 10_000, shutdownTimeoutMs: 10_000, queuePrefix: null });
    expect(() => loadApiConfig({ ...VALID_ENV, KW_PEPPER: '  ' })).toThrow(/KW_PEPPER is required/);
  });

  it('refuses PORT=0x1f90 instead of listening on 8080, naming the variable and not the value', () => {
    const attempt = () => loadApiConfig({ ...VALID_ENV, PORT: '0x1f90' });
    expect(attempt).toThrow('PORT: PORT must be a whole number from 0 to 65535, in plain decimal digits');
    expect(attempt).not.toThrow(/0x1f90/);
  });

  /** Every integer variable the API reads, as the message names its range. */
  const INTEGER_VARIABLES: Array<[string, string]> = [
    ['PORT', 'from 0 to 65535'],
    ['KW_SHUTDOWN_TIMEOUT_MS', 'from 100 to 2147483647'],
    ['KW_KEY_CACHE_TTL_MS', 'from 0 to 300000'],
    ['KW_KEY_CACHE_DEGRADED_TTL_MS', 'from 0 to 300000'],
    ['KW_REVOCATION_ACK_TIMEOUT_MS', 'from 0 to 60000'],
    ['KW_REQUEST_DEADLINE_MS', 'from 1000 to 600000'],
    ['KW_BODY_LIMIT_BYTES', 'from 1024 to 10485760'],
    ['KW_USAGE_BUFFER_MAX', 'from 1 to 10000000'],
    ['KW_USAGE_FLUSH_MS', 'from 1 to 60000'],
    ['KW_USAGE_BATCH_SIZE', 'from 1 to 10000'],
    ['KW_ACCESS_LOG_RETENTION_DAYS', 'from 1 to 3650'],
    ['KW_USAGE_SPOOL_MAX_BYTES', 'from 65536 to 1099511627776'],
    ['KW_ADMIN_RATE_LIMIT_PER_MINUTE', 'from 0 to 1000000000'],
    ['KW_RATE_LIMIT_HOLD_MS', 'from 1 to 10000'],
    ['KW_RATE_LIMIT_MAX_BLOCK', 'from 1 to 1000000'],
    ['KW_LEASE_TTL_MS', 'from 100 to 3600000'],
    ['KW_SPEND_SYNC_MS', 'from 10 to 60000'],
    ['KW_HSTS_MAX_AGE_SECONDS', 'from 0 to 63072000'],
    ['KW_GITHUB_SCANNING_KEYS_TTL_MS', 'from 1000 to 604800000'],
    ['KW_GITHUB_SCANNING_REFETCH_MIN_MS', 'from 0 to 3600000'],
    ['KW_SESSION_IDLE_SECONDS', 'from 1 to 86400'],
    ['KW_SESSION_MAX_SECONDS', 'from 1 to 2592000'],
    ['KW_PORTAL_SESSION_SECONDS', 'from 60 to 86400'],
  ];

  it.each(INTEGER_VARIABLES.flatMap(([variable, range]) => ['0x10', '1e3', ' 800', '800.5', '+800', '-1'].map((value) => [variable, value, range])))(
    'refuses %s=%j: plain decimal digits only',
    (variable, value, range) => {
      expect(() => loadApiConfig({ ...VALID_ENV, [variable]: value })).toThrow(`${variable}: ${variable} must be a whole number ${range}, in plain decimal digits`);
    },
  );

  it('reads KW_VERIFY_LOG_SAMPLE_RATE in plain decimal notation only', () => {
    expect(loadApiConfig({ ...VALID_ENV, KW_VERIFY_LOG_SAMPLE_RATE: '0.25' }).verifyLogSampleRate).toBe(0.25);
    expect(loadApiConfig(VALID_ENV).verifyLogSampleRate).toBe(0.01);
    for (const value of ['0x1', '1e-2', '.5', ' 0.5', '2']) {
      expect(() => loadApiConfig({ ...VALID_ENV, KW_VERIFY_LOG_SAMPLE_RATE: value })).toThrow(
        'KW_VERIFY_LOG_SAMPLE_RATE: KW_VERIFY_LOG_SAMPLE_RATE must be a number from 0 to 1, in plain decimal notation (such as 0.25)',
      );
    }
  });

  it('refuses a shutdown timeout a Node timer cannot hold (it would fire at once)', () => {
    expect(() => loadApiConfig({ ...VALID_ENV, KW_SHUTDOWN_TIMEOUT_MS: '3000000000' })).toThrow(/KW_SHUTDOWN_TIMEOUT_MS/);
    expect(() => loadApiConfig({ ...VALID_ENV, KW_SHUTDOWN_TIMEOUT_MS: '0' })).toThrow(/KW_SHUTDOWN_TIMEOUT_MS/);
  });

  it('defaults browser sessions to 30 minutes idle and 12 hours in all', () => {
    const config = loadApiConfig(VALID_ENV);
    expect(config.sessions).toEqual({ idleSeconds: 1_800, absoluteSeconds: 43_200 });
  });

  it('refuses a session idle timeout longer than the session lifetime', () => {
    expect(() => loadApiConfig({ ...VALID_ENV, KW_SESSION_IDLE_SECONDS: '7200', KW_SESSION_MAX_SECONDS: '3600' })).toThrow(
      /KW_SESSION_IDLE_SECONDS must not exceed KW_SESSION_MAX_SECONDS/,
    );
  });

  it('allows turning the admin-key default rate limit off with 0', () => {
    expect(loadApiConfig({ ...VALID_ENV, KW_ADMIN_RATE_LIMIT_PER_MINUTE: '0' }).policy.adminRateLimitPerMinute).toBe(0);
  });

  it('takes a usage spool directory and size cap, and refuses a cap below 64 KiB', () => {
    expect(loadApiConfig({ ...VALID_ENV, KW_USAGE_SPOOL_DIR: '/var/lib/keywarden/spool', KW_USAGE_SPOOL_MAX_BYTES: '10485760' }).usage).toMatchObject({
      spoolDir: '/var/lib/keywarden/spool',
      spoolMaxBytes: 10_485_760,
    });
    expect(() => loadApiConfig({ ...VALID_ENV, KW_USAGE_SPOOL_MAX_BYTES: '1000' })).toThrow(/KW_USAGE_SPOOL_MAX_BYTES/);
  });

  it('bounds the age of reported usage by the access log retention (KW_ACCESS_LOG_RETENTION_DAYS, as the worker reads it)', () => {
    expect(loadApiConfig({ ...VALID_ENV, KW_ACCESS_LOG_RETENTION_DAYS: '7' }).usage.reportMaxAgeDays).toBe(7);
    expect(() => loadApiConfig({ ...VALID_ENV, KW_ACCESS_LOG_RETENTION_DAYS: '0' })).toThrow(/KW_ACCESS_LOG_RETENTION_DAYS/);
  });

  it('refuses a lease TTL below 100 ms', () => {
    expect(() => loadApiConfig({ ...VALID_ENV, KW_LEASE_TTL_MS: '50' })).toThrow(/KW_LEASE_TTL_MS/);
  });

  it('names every missing or invalid variable in one error', () => {
    const attempt = () => loadApiConfig({ REDIS_URL: 'http://nope', KW_KEY_BRAND: 'KW' });
    expect(attempt).toThrow(/DATABASE_URL is required/);
    expect(attempt).toThrow(/REDIS_URL must be a redis:\/\//);
    expect(attempt).toThrow(/KW_PEPPER is required/);
    expect(attempt).toThrow(/KW_KEY_BRAND must be 2-8 lowercase letters/);
  });

  it('names the checks across variables beside the bad variables, not after them', () => {
    const attempt = () =>
      loadApiConfig({
        ...VALID_ENV,
        NODE_ENV: 'production',
        PORT: 'abc',
        KW_PEPPER: 'change-me-change-me-change-me-change-me',
        KW_SESSION_IDLE_SECONDS: '7200',
        KW_SESSION_MAX_SECONDS: '3600',
      });
    expect(attempt).toThrow(/PORT/);
    expect(attempt).toThrow(/looks like a placeholder/);
    expect(attempt).toThrow(/KW_SESSION_IDLE_SECONDS must not exceed KW_SESSION_MAX_SECONDS/);
  });

  it('refuses a short pepper', () => {
    expect(() => loadApiConfig({ ...VALID_ENV, KW_PEPPER: 'short' })).toThrow(/at least 32 characters/);
  });

  it('refuses a placeholder pepper in production only', () => {
    const placeholder = { ...VALID_ENV, KW_PEPPER: 'change-me-change-me-change-me-change-me' };
    expect(() => loadApiConfig({ ...placeholder, NODE_ENV: 'production' })).toThrow(/looks like a placeholder/);
    expect(loadApiConfig(placeholder).pepper).toBe(placeholder.KW_PEPPER);
  });
});
