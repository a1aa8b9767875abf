import { QUEUE_PREFIX_PATTERN } from '@keywarden/core';
import { z } from 'zod';

/** The longest delay a Node timer takes (2³¹ − 1 ms): a longer one fires at once. */
export const MAX_TIMER_MS = 2_147_483_647;

/**
 * The drivers parse connection URLs only once they connect, and fail with a stack trace:
 * a URL they cannot read is a configuration error. The message never quotes the value,
 * which holds the password.
 */
function unreadableUrl(variable: string): string {
  return `${variable} is not a readable URL: check the port (digits only) and percent-encode special characters in the user name and password`;
}

/**
 * A numeric variable as an operator writes it: decimal digits (for `decimalEnv`, with one
 * decimal point), nothing else. Number() reads far more (0x1f90 as 8080, 1e3, ' 80', '+80',
 * 0b11): such a value is a mistake, refused, never taken for another number.
 */
const INTEGER_TEXT = /^\d+$/;
const DECIMAL_TEXT = /^\d+(\.\d+)?$/;

function numberEnv(variable: string, text: RegExp, range: string, min: number, max: number) {
  // Names the variable and what it takes, never the value.
  return z.string().refine((value) => text.test(value) && Number(value) >= min && Number(value) <= max, `${variable} must be ${range}`).transform(Number);
}

/** An integer variable from `min` to `max` (without `max`: the largest integer a number holds exactly), in plain decimal digits. */
export function integerEnv(variable: string, min: number, max: number = Number.MAX_SAFE_INTEGER) {
  const range = max === Number.MAX_SAFE_INTEGER ? `at least ${min}` : `from ${min} to ${max}`;
  return numberEnv(variable, INTEGER_TEXT, `a whole number ${range}, in plain decimal digits`, min, max);
}

/** A number variable from `min` to `max` that may have a fraction, in plain decimal notation (0.25, not .25 or 2.5e-1). */
export function decimalEnv(variable: string, min: number, max: number) {
  return numberEnv(variable, DECIMAL_TEXT, `a number from ${min} to ${max}, in plain decimal notation (such as 0.25)`, min, max);
}

/**
 * The hard stop after SIGTERM, at most the longest timer Node holds: a longer one runs at
 * once (1 ms) and would cut in-flight work. infraEnvSchema gives the API's default; the
 * worker derives its own from KW_WEBHOOK_TIMEOUT_MS.
 */
export const shutdownTimeoutEnv = integerEnv('KW_SHUTDOWN_TIMEOUT_MS', 100, MAX_TIMER_MS);

/** Connection settings every Keywarden process needs. */
export const infraEnvSchema = z.object({
  DATABASE_URL: z
    .string({ error: 'DATABASE_URL is required, e.g. postgres://user:pass@host:5432/keywarden' })
    .regex(/^postgres(ql)?:\/\//, 'DATABASE_URL must be a postgres:// URL')
    .refine(URL.canParse, unreadableUrl('DATABASE_URL')),
  REDIS_URL: z
    .string({ error: 'REDIS_URL is required, e.g. redis://localhost:6379' })
    .regex(/^rediss?:\/\//, 'REDIS_URL must be a redis:// or rediss:// URL')
    .refine(URL.canParse, unreadableUrl('REDIS_URL')),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  HOST: z.string().min(1).default('0.0.0.0'),
  KW_SHUTDOWN_TIMEOUT_MS: shutdownTimeoutEnv.default(10_000),
  /**
   * The deployment's queue namespace (BullMQ key prefix), read by API and worker alike.
   * Unset: derived from the database (see resolveQueueNamespace), so that two deployments
   * sharing one Redis never share a queue by accident.
   */
  KW_QUEUE_PREFIX: z.string().regex(QUEUE_PREFIX_PATTERN, 'KW_QUEUE_PREFIX: 1-64 letters, digits, _ or -').optional(),
});

/**
 * KW_ACCESS_LOG_RETENTION_DAYS, read by API and worker alike: the worker drops access-log
 * days older than this, and the API refuses usage reported for an instant older than this
 * (its access-log row would be dropped at once while the rollups kept it).
 */
export const accessLogRetentionEnvSchema = integerEnv('KW_ACCESS_LOG_RETENTION_DAYS', 1, 3650).default(30);

const PLACEHOLDER_PEPPER = /change-?me|not-for-production|secret|example/i;

/**
 * KW_PEPPER: the API hashes keys with it, and api and worker derive the key that seals
 * webhook secrets from it; both must have the same one.
 */
export const pepperEnvSchema = z
  .string({ error: 'KW_PEPPER is required: 32+ random characters used to hash keys (keep it stable)' })
  .min(32, 'KW_PEPPER must be at least 32 characters of random data');

/** Refuses placeholder-looking peppers in production. */
export function pepperIsUsable(env: { NODE_ENV: string; KW_PEPPER: string }): boolean {
  return env.NODE_ENV !== 'production' || !PLACEHOLDER_PEPPER.test(env.KW_PEPPER);
}

/**
 * A check across variables runs whenever the variables it reads are valid, whatever the
 * others: so that the error list names every bad variable at once.
 */
export function whenValid(...variables: string[]): { when: (payload: { issues: ReadonlyArray<{ path?: PropertyKey[] }> }) => boolean } {
  return { when: (payload) => !payload.issues.some((issue) => variables.includes(String(issue.path?.[0]))) };
}

export const PLACEHOLDER_PEPPER_ISSUE = {
  path: ['KW_PEPPER'],
  message: 'KW_PEPPER looks like a placeholder; generate a random one for production',
  ...whenValid('KW_PEPPER', 'NODE_ENV'),
};

/** What every process takes from the infra variables. */
export interface InfraConfig {
  env: 'development' | 'test' | 'production';
  host: string;
  databaseUrl: string;
  redisUrl: string;
  logLevel: string;
  shutdownTimeoutMs: number;
  /**
   * Queue namespace (BullMQ prefix): KW_QUEUE_PREFIX, or null until resolveQueueNamespace
   * has derived it from the database at start.
   */
  queuePrefix: string | null;
}

export function infraConfigOf(parsed: z.output<typeof infraEnvSchema>): InfraConfig {
  return {
    env: parsed.NODE_ENV,
    host: parsed.HOST,
    databaseUrl: parsed.DATABASE_URL,
    redisUrl: parsed.REDIS_URL,
    logLevel: parsed.LOG_LEVEL,
    shutdownTimeoutMs: parsed.KW_SHUTDOWN_TIMEOUT_MS,
    queuePrefix: parsed.KW_QUEUE_PREFIX ?? null,
  };
}

/**
 * Parses the environment once at boot; on failure throws one error listing every bad
 * variable, so an operator fixes them all in one go.
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  // An empty value (`PORT=` in a compose file) is an unset one: its default applies, or it
  // is reported missing; never read as 0 or as an empty setting.
  const result = schema.safeParse(Object.fromEntries(Object.entries(env).filter(([, value]) => value === undefined || value.trim() !== '')));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `  - ${issue.path.join('.') || 'env'}: ${issue.message}`);
  throw new Error(`Invalid configuration:\n${problems.join('\n')}`);
}
