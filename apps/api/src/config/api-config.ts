import { BRAND_PATTERN, DEFAULT_PORTAL_SESSION_TTL_SECONDS, MAX_PORTAL_SESSION_TTL_SECONDS } from '@keywarden/core';
import {
  accessLogRetentionEnvSchema,
  decimalEnv,
  infraConfigOf,
  type InfraConfig,
  infraEnvSchema,
  integerEnv,
  parseEnv,
  pepperEnvSchema,
  pepperIsUsable,
  PLACEHOLDER_PEPPER_ISSUE,
  whenValid,
} from '@keywarden/platform';
import { isIP } from 'node:net';
import { z } from 'zod';

/** An IP address, optionally with a prefix length (a CIDR), as proxy-addr takes them. */
function isProxyAddress(entry: string): boolean {
  const [address, prefix, extra] = entry.split('/');
  if (extra !== undefined || isIP(address) === 0) return false;
  return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (isIP(address) === 4 ? 32 : 128));
}

/**
 * KW_TRUST_PROXY as Fastify's `trustProxy`: which `X-Forwarded-*` entries to believe.
 * `true` means one proxy in front: the client is the address that proxy appended (the
 * rightmost entry), never the leftmost, which the client itself may have sent. N (1-10): N
 * proxies in a row. A comma-separated list: those proxies' addresses or CIDRs.
 */
const trustProxySchema = z
  .string()
  .default('false')
  .transform((value, context): false | number | string => {
    if (value === 'false') return false;
    if (value === 'true') return 1;
    if (/^([1-9]|10)$/.test(value)) return Number(value);
    const proxies = value.split(',').map((entry) => entry.trim());
    if (proxies.every(isProxyAddress)) return proxies.join(',');
    context.issues.push({
      code: 'custom',
      input: value,
      message: 'KW_TRUST_PROXY must be false, true, a number of proxy hops (1-10), or a comma-separated list of proxy addresses or CIDRs',
    });
    return z.NEVER;
  });

/** GitHub's published secret scanning public keys. */
export const GITHUB_SCANNING_KEYS_URL = 'https://api.github.com/meta/public_keys/secret_scanning';

const apiEnvSchema = infraEnvSchema
  .extend({
    PORT: integerEnv('PORT', 0, 65535).default(8080),
    KW_PEPPER: pepperEnvSchema,
    KW_KEY_BRAND: z.string().regex(BRAND_PATTERN, 'KW_KEY_BRAND must be 2-8 lowercase letters').default('kw'),
    KW_KEY_CACHE_TTL_MS: integerEnv('KW_KEY_CACHE_TTL_MS', 0, 300_000).default(10_000),
    KW_KEY_CACHE_DEGRADED_TTL_MS: integerEnv('KW_KEY_CACHE_DEGRADED_TTL_MS', 0, 300_000).default(1_000),
    KW_REVOCATION_ACK_TIMEOUT_MS: integerEnv('KW_REVOCATION_ACK_TIMEOUT_MS', 0, 60_000).default(1_000),
    KW_REQUEST_DEADLINE_MS: integerEnv('KW_REQUEST_DEADLINE_MS', 1_000, 600_000).default(30_000),
    KW_BODY_LIMIT_BYTES: integerEnv('KW_BODY_LIMIT_BYTES', 1024, 10 * 1024 * 1024).default(64 * 1024),
    KW_TRUST_PROXY: trustProxySchema,
    KW_METERING: z.enum(['on', 'off']).default('on'),
    KW_VERIFY_LOG_SAMPLE_RATE: decimalEnv('KW_VERIFY_LOG_SAMPLE_RATE', 0, 1).default(0.01),
    KW_USAGE_BUFFER_MAX: integerEnv('KW_USAGE_BUFFER_MAX', 1, 10_000_000).default(50_000),
    KW_USAGE_FLUSH_MS: integerEnv('KW_USAGE_FLUSH_MS', 1, 60_000).default(50),
    KW_USAGE_BATCH_SIZE: integerEnv('KW_USAGE_BATCH_SIZE', 1, 10_000).default(500),
    /** Usage reported for an instant older than this many days is refused (the worker drops such access-log days). */
    KW_ACCESS_LOG_RETENTION_DAYS: accessLogRetentionEnvSchema,
    KW_USAGE_SPOOL_DIR: z.string().trim().min(1, 'KW_USAGE_SPOOL_DIR must be a directory path').optional(),
    KW_USAGE_SPOOL_MAX_BYTES: integerEnv('KW_USAGE_SPOOL_MAX_BYTES', 64 * 1024, 1024 ** 4).default(1024 ** 3),
    KW_ADMIN_RATE_LIMIT_PER_MINUTE: integerEnv('KW_ADMIN_RATE_LIMIT_PER_MINUTE', 0, 1_000_000_000).default(600_000),
    KW_RATE_LIMIT_HOLD_MS: integerEnv('KW_RATE_LIMIT_HOLD_MS', 1, 10_000).default(250),
    KW_RATE_LIMIT_MAX_BLOCK: integerEnv('KW_RATE_LIMIT_MAX_BLOCK', 1, 1_000_000).default(1_000),
    KW_LEASE_TTL_MS: integerEnv('KW_LEASE_TTL_MS', 100, 3_600_000).default(60_000),
    KW_SPEND_SYNC_MS: integerEnv('KW_SPEND_SYNC_MS', 10, 60_000).default(1_000),
    KW_REQUIRE_HTTPS: z.enum(['true', 'false']).default('false'),
    KW_HSTS_MAX_AGE_SECONDS: integerEnv('KW_HSTS_MAX_AGE_SECONDS', 0, 63_072_000).default(31_536_000),
    KW_GITHUB_SCANNING_KEYS_URL: z.string().url().default(GITHUB_SCANNING_KEYS_URL),
    KW_GITHUB_SCANNING_KEYS_TTL_MS: integerEnv('KW_GITHUB_SCANNING_KEYS_TTL_MS', 1_000, 7 * 86_400_000).default(86_400_000),
    KW_GITHUB_SCANNING_REFETCH_MIN_MS: integerEnv('KW_GITHUB_SCANNING_REFETCH_MIN_MS', 0, 3_600_000).default(60_000),
    KW_SESSION_IDLE_SECONDS: integerEnv('KW_SESSION_IDLE_SECONDS', 1, 86_400).default(1_800),
    KW_SESSION_MAX_SECONDS: integerEnv('KW_SESSION_MAX_SECONDS', 1, 30 * 86_400).default(43_200),
    KW_PUBLIC_BASE_URL: z
      .string()
      .url()
      .refine((url) => /^https?:\/\/[^/]+(\/.*[^/])?$/.test(url), 'KW_PUBLIC_BASE_URL must be an http(s) URL without a trailing slash')
      .optional(),
    KW_METRICS_TOKEN: z.string().min(32, 'KW_METRICS_TOKEN must be at least 32 characters').optional(),
    KW_PORTAL_SESSION_SECONDS: integerEnv('KW_PORTAL_SESSION_SECONDS', 60, MAX_PORTAL_SESSION_TTL_SECONDS).default(DEFAULT_PORTAL_SESSION_TTL_SECONDS),
    KW_CONSOLE_DIR: z.string().min(1).optional(),
  })
  .refine(pepperIsUsable, PLACEHOLDER_PEPPER_ISSUE)
  .refine((env) => env.KW_SESSION_IDLE_SECONDS <= env.KW_SESSION_MAX_SECONDS, {
    message: 'KW_SESSION_IDLE_SECONDS must not exceed KW_SESSION_MAX_SECONDS',
    path: ['KW_SESSION_IDLE_SECONDS'],
    ...whenValid('KW_SESSION_IDLE_SECONDS', 'KW_SESSION_MAX_SECONDS'),
  });

export interface ApiConfig extends InfraConfig {
  port: number;
  pepper: string;
  keyBrand: string;
  keyCacheTtlMs: number;
  /** Cache TTL while invalidation broadcasts cannot be heard (Redis unreachable). */
  keyCacheDegradedTtlMs: number;
  /** How long a revoke (disable, leak, suspend) waits for every instance to confirm it dropped the key. */
  revocationAckTimeoutMs: number;
  /** A request (a Nest route) still waiting after this long is a 503: a stalled database must not hold it for minutes. */
  requestDeadlineMs: number;
  bodyLimitBytes: number;
  /** Fastify's `trustProxy`: false, the number of proxy hops in front, or the proxies' addresses. */
  trustProxy: false | number | string;
  usage: UsageConfig;
  /** Share (0 to 1) of admitted verifies logged at info; the others are logged at debug. */
  verifyLogSampleRate: number;
  policy: PolicyConfig;
  transport: TransportConfig;
  githubScanning: GithubScanningConfig;
  sessions: SessionConfig;
  /** Where browsers reach Keywarden (portal links); unset: the host of the request that made the link. */
  publicBaseUrl: string | null;
  /** The bearer token a scraper must present on `/metrics`; null: the endpoint is open. */
  metricsToken: string | null;
  portal: PortalConfig;
  console: ConsoleConfig;
}

export interface PortalConfig {
  /** How long a portal session lasts when its link names no ttlSeconds. */
  sessionSeconds: number;
}

export interface ConsoleConfig {
  /** The built single-page app served at /console; null: apps/console/dist. */
  staticDir: string | null;
}

export interface TransportConfig {
  /** Refuse plain-HTTP requests (403 HTTPS_REQUIRED) and send HSTS. */
  requireHttps: boolean;
  hstsMaxAgeSeconds: number;
}

export interface GithubScanningConfig {
  /** Where GitHub publishes the keys it signs secret scanning reports with. */
  keysUrl: string;
  /** Fetched keys are refreshed after this long (on the next report). */
  keysTtlMs: number;
  /** An unknown key identifier refetches the keys at most this often. */
  refetchMinMs: number;
}

export interface SessionConfig {
  /** A browser session without a request for this long ends. */
  idleSeconds: number;
  /** A browser session ends this long after sign-in, however active. */
  absoluteSeconds: number;
}

export interface PolicyConfig {
  /** Requests per minute for an admin key whose policy sets no rate limit; 0 = unlimited. */
  adminRateLimitPerMinute: number;
  /** How much of its own traffic one rate-limit reservation aims to cover. */
  reservationHoldMs: number;
  /** Most tokens of one window reserved at once. */
  reservationMaxBlock: number;
  /** A concurrency lease not released by then frees itself. */
  leaseTtlMs: number;
  /** How often spend is pushed to and read back from Redis. */
  spendSyncMs: number;
}

export interface UsageConfig {
  /** false: no usage events at all (KW_METERING=off, for benchmarks). */
  metering: boolean;
  /** Events held in memory at most (buffered + awaiting a retry); beyond, dropped and counted. */
  bufferMax: number;
  flushMs: number;
  batchSize: number;
  /** Where batches wait on disk while Redis cannot take them (one directory per API process); null: no spool. */
  spoolDir: string | null;
  /** The spool's size cap; beyond, batches are dropped and counted. */
  spoolMaxBytes: number;
  /**
   * Reported usage may be stamped at most this many days in the past: the access log's
   * retention (KW_ACCESS_LOG_RETENTION_DAYS), whose older days the worker drops.
   */
  reportMaxAgeDays: number;
}

export const API_CONFIG = Symbol('API_CONFIG');

export function loadApiConfig(env: NodeJS.ProcessEnv = process.env): ApiConfig {
  const parsed = parseEnv(apiEnvSchema, env);
  return {
    ...infraConfigOf(parsed),
    port: parsed.PORT,
    pepper: parsed.KW_PEPPER,
    keyBrand: parsed.KW_KEY_BRAND,
    keyCacheTtlMs: parsed.KW_KEY_CACHE_TTL_MS,
    keyCacheDegradedTtlMs: parsed.KW_KEY_CACHE_DEGRADED_TTL_MS,
    revocationAckTimeoutMs: parsed.KW_REVOCATION_ACK_TIMEOUT_MS,
    requestDeadlineMs: parsed.KW_REQUEST_DEADLINE_MS,
    bodyLimitBytes: parsed.KW_BODY_LIMIT_BYTES,
    trustProxy: parsed.KW_TRUST_PROXY,
    verifyLogSampleRate: parsed.KW_VERIFY_LOG_SAMPLE_RATE,
    usage: {
      metering: parsed.KW_METERING === 'on',
      bufferMax: parsed.KW_USAGE_BUFFER_MAX,
      flushMs: parsed.KW_USAGE_FLUSH_MS,
      batchSize: parsed.KW_USAGE_BATCH_SIZE,
      spoolDir: parsed.KW_USAGE_SPOOL_DIR ?? null,
      spoolMaxBytes: parsed.KW_USAGE_SPOOL_MAX_BYTES,
      reportMaxAgeDays: parsed.KW_ACCESS_LOG_RETENTION_DAYS,
    },
    policy: {
      adminRateLimitPerMinute: parsed.KW_ADMIN_RATE_LIMIT_PER_MINUTE,
      reservationHoldMs: parsed.KW_RATE_LIMIT_HOLD_MS,
      reservationMaxBlock: parsed.KW_RATE_LIMIT_MAX_BLOCK,
      leaseTtlMs: parsed.KW_LEASE_TTL_MS,
      spendSyncMs: parsed.KW_SPEND_SYNC_MS,
    },
    transport: {
      requireHttps: parsed.KW_REQUIRE_HTTPS === 'true',
      hstsMaxAgeSeconds: parsed.KW_HSTS_MAX_AGE_SECONDS,
    },
    githubScanning: {
      keysUrl: parsed.KW_GITHUB_SCANNING_KEYS_URL,
      keysTtlMs: parsed.KW_GITHUB_SCANNING_KEYS_TTL_MS,
      refetchMinMs: parsed.KW_GITHUB_SCANNING_REFETCH_MIN_MS,
    },
    sessions: { idleSeconds: parsed.KW_SESSION_IDLE_SECONDS, absoluteSeconds: parsed.KW_SESSION_MAX_SECONDS },
    publicBaseUrl: parsed.KW_PUBLIC_BASE_URL ?? null,
    metricsToken: parsed.KW_METRICS_TOKEN ?? null,
    portal: { sessionSeconds: parsed.KW_PORTAL_SESSION_SECONDS },
    console: {
      staticDir: parsed.KW_CONSOLE_DIR ?? null,
    },
  };
}
