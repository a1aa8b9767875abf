import { loadWorkerConfig, SHUTDOWN_MARGIN_MS } from './worker-config';

const VALID_ENV = {
  DATABASE_URL: 'postgres://postgres@127.0.0.1:5434/keywarden',
  REDIS_URL: 'redis://127.0.0.1:6390',
  KW_PEPPER: 'q3A9x0Vt8mZk2LrW5yBn7CdE1fGh4JsT6uPoIiUy',
};

describe('loadWorkerConfig', () => {
  it('applies the documented defaults', () => {
    expect(loadWorkerConfig(VALID_ENV)).toMatchObject({
      port: 8081,
      shutdownTimeoutMs: 15_000,
      usage: { concurrency: 2, lockMs: 30_000, retentionDays: 30, partitionMaintenanceMs: 3_600_000 },
      webhooks: { timeoutMs: 10_000, concurrency: 50, pollMs: 200, dispatchBatch: 500, disableAfterFailingMs: 432_000_000 },
      keyExpiry: { leadDays: 7, scanMs: 300_000 },
      detection: { intervalMs: 15_000, closeDelayMs: 20_000, alertWindowMinutes: 60 },
    });
  });

  describe('the hard stop leaves a delivery in flight time to end', () => {
    it(`defaults KW_SHUTDOWN_TIMEOUT_MS to KW_WEBHOOK_TIMEOUT_MS + ${SHUTDOWN_MARGIN_MS} ms`, () => {
      expect(SHUTDOWN_MARGIN_MS).toBe(5_000);
      expect(loadWorkerConfig(VALID_ENV).shutdownTimeoutMs).toBe(15_000);
      expect(loadWorkerConfig({ ...VALID_ENV, KW_WEBHOOK_TIMEOUT_MS: '60000' }).shutdownTimeoutMs).toBe(65_000);
      expect(loadWorkerConfig({ ...VALID_ENV, KW_WEBHOOK_TIMEOUT_MS: '2000', KW_SHUTDOWN_TIMEOUT_MS: '' }).shutdownTimeoutMs).toBe(7_000);
    });

    it('takes a KW_SHUTDOWN_TIMEOUT_MS that leaves the margin', () => {
      expect(loadWorkerConfig({ ...VALID_ENV, KW_SHUTDOWN_TIMEOUT_MS: '15000' }).shutdownTimeoutMs).toBe(15_000);
      expect(loadWorkerConfig({ ...VALID_ENV, KW_SHUTDOWN_TIMEOUT_MS: '600000' }).shutdownTimeoutMs).toBe(600_000);
      expect(loadWorkerConfig({ ...VALID_ENV, KW_WEBHOOK_TIMEOUT_MS: '1000', KW_SHUTDOWN_TIMEOUT_MS: '6000' }).shutdownTimeoutMs).toBe(6_000);
    });

    it.each([
      ['the old defaults: both 10 s', { KW_SHUTDOWN_TIMEOUT_MS: '10000' }, 15_000],
      ['a shutdown timeout shorter than the delivery timeout', { KW_SHUTDOWN_TIMEOUT_MS: '5000' }, 15_000],
      ['a margin short by 1 ms', { KW_SHUTDOWN_TIMEOUT_MS: '14999' }, 15_000],
      ['a longer delivery timeout with the shutdown timeout set as before', { KW_WEBHOOK_TIMEOUT_MS: '60000', KW_SHUTDOWN_TIMEOUT_MS: '30000' }, 65_000],
    ])('refuses %s, naming both variables', (_case, env, least) => {
      expect(() => loadWorkerConfig({ ...VALID_ENV, ...env })).toThrow(
        `Invalid configuration:\n  - KW_SHUTDOWN_TIMEOUT_MS: KW_SHUTDOWN_TIMEOUT_MS must exceed KW_WEBHOOK_TIMEOUT_MS by at least 5000 ms (here at least ${least}), ` +
          'so that a delivery in flight when the worker stops can end and be recorded; leave it unset for that',
      );
    });

    it('names that check beside the other bad variables', () => {
      const attempt = () => loadWorkerConfig({ ...VALID_ENV, WORKER_PORT: 'x', KW_SHUTDOWN_TIMEOUT_MS: '10000' });
      expect(attempt).toThrow(/WORKER_PORT must be a whole number/);
      expect(attempt).toThrow(/KW_SHUTDOWN_TIMEOUT_MS must exceed KW_WEBHOOK_TIMEOUT_MS/);
    });
  });

  it('refuses WORKER_PORT=0x1f91 instead of listening on 8081, naming the variable and not the value', () => {
    const attempt = () => loadWorkerConfig({ ...VALID_ENV, WORKER_PORT: '0x1f91' });
    expect(attempt).toThrow('WORKER_PORT: WORKER_PORT must be a whole number from 0 to 65535, in plain decimal digits');
    expect(attempt).not.toThrow(/0x1f91/);
  });

  /** Every integer variable the worker reads, as the message names its range. */
  const INTEGER_VARIABLES: Array<[string, string]> = [
    ['WORKER_PORT', 'from 0 to 65535'],
    ['KW_SHUTDOWN_TIMEOUT_MS', 'from 100 to 2147483647'],
    ['KW_USAGE_CONCURRENCY', 'from 1 to 64'],
    ['KW_USAGE_LOCK_MS', 'from 500 to 600000'],
    ['KW_ACCESS_LOG_RETENTION_DAYS', 'from 1 to 3650'],
    ['KW_PARTITION_MAINTENANCE_MS', 'from 1000 to 86400000'],
    ['KW_WEBHOOK_TIMEOUT_MS', 'from 100 to 60000'],
    ['KW_WEBHOOK_CONCURRENCY', 'from 1 to 1000'],
    ['KW_WEBHOOK_POLL_MS', 'from 10 to 60000'],
    ['KW_WEBHOOK_DISPATCH_BATCH', 'from 1 to 10000'],
    ['KW_WEBHOOK_DISABLE_AFTER_FAILING_SECONDS', 'at least 1'],
    ['KW_KEY_EXPIRING_LEAD_DAYS', 'from 1 to 365'],
    ['KW_KEY_EXPIRY_SCAN_MS', 'from 100 to 86400000'],
    ['KW_DETECTION_INTERVAL_MS', 'from 100 to 3600000'],
    ['KW_DETECTION_CLOSE_DELAY_MS', 'from 0 to 3600000'],
    ['KW_DETECTION_ALERT_WINDOW_MINUTES', 'from 1 to 10080'],
  ];

  it.each(INTEGER_VARIABLES.flatMap(([variable, range]) => ['0x10', '1e3', ' 800', '800.5', '+800', '-1'].map((value) => [variable, value, range])))(
    'refuses %s=%j: plain decimal digits only',
    (variable, value, range) => {
      expect(() => loadWorkerConfig({ ...VALID_ENV, [variable]: value })).toThrow(`${variable}: ${variable} must be a whole number ${range}, in plain decimal digits`);
    },
  );

  it('reads integer variables written in plain decimal digits', () => {
    const config = loadWorkerConfig({ ...VALID_ENV, WORKER_PORT: '9091', KW_WEBHOOK_CONCURRENCY: '8', KW_DETECTION_CLOSE_DELAY_MS: '0' });
    expect(config).toMatchObject({ port: 9091, webhooks: { concurrency: 8 }, detection: { closeDelayMs: 0 } });
  });
});
