import type { ErrorCode } from '../errors';
import { objectSchemaOf } from '../schema/json-schema';
import type { CustomerRef } from './customers';
import type { RateLimitState } from './policy';

export interface VerifyKeyRequest {
  key: string;
  /** When given, the key must hold this scope. */
  scope?: string;
  /**
   * The model the end user's request uses: checked against the key's allowed models (with a
   * model restriction, a verify without it is refused) and metered.
   */
  model?: string;
  /**
   * The end user's IP: checked against the key's IP allowlist (with an allowlist, a verify
   * without it is refused) and metered (the caller's IP is metered when it is left out).
   */
  ip?: string;
  /** Metering: units consumed (tokens, calls, ...). */
  units?: number;
  /**
   * Decimal cost of the request (at most 6 decimals, stored exactly as micro-units): taken
   * from the key's (and its customer's) daily spend cap when the verify is admitted, and metered.
   */
  cost?: number;
  /** Metering: the caller's own request id, for correlation. */
  requestId?: string;
  /** The end user's user agent: named in the alert when the key is a canary. */
  userAgent?: string;
}

/** The codes of a verify that answers no. */
export const VERIFY_REFUSAL_CODES = [
  'UNAUTHORIZED',
  'KEY_REVOKED',
  'KEY_EXPIRED',
  'KEY_DISABLED',
  'INSUFFICIENT_PERMISSIONS',
  'IP_NOT_ALLOWED',
  'MODEL_NOT_ALLOWED',
  'RATE_LIMITED',
  'USAGE_EXCEEDED',
] as const satisfies readonly ErrorCode[];

export type VerifyCode = 'VALID' | (typeof VERIFY_REFUSAL_CODES)[number];

/**
 * An invalid key is still a 200: the caller asked a question and the answer is no.
 * Identity fields are present whenever the key was recognised.
 */
export interface VerifyKeyResponse {
  valid: boolean;
  code: VerifyCode;
  keyId?: string;
  appId?: string;
  env?: string;
  scopes?: string[];
  /**
   * When the key, presented as it was, stops verifying: the earliest of its expiry, the end
   * of the rotation grace of the secret presented (an old one after a rotation) and its
   * policy's rotation deadline; null when none is set.
   */
  expiresAt?: string | null;
  /** The customer holding the key, when it belongs to one. */
  customer?: CustomerRef;
  /**
   * The tightest rate limit after this request, over the key's limits and its customer's;
   * absent when neither has one.
   */
  ratelimit?: RateLimitState;
  /** Held while the request runs when the key has a concurrency limit; release it when done. */
  leaseId?: string;
}

/** The longest user agent a verify names (and a canary's alert keeps). */
export const MAX_USER_AGENT_LENGTH = 512;

/**
 * JSON schema of the verify body. Verify is the hot path, so it is validated by the
 * HTTP server's compiled schema rather than by reflection-based DTO validation.
 */
export const VERIFY_KEY_REQUEST_SCHEMA = objectSchemaOf<VerifyKeyRequest>()({
  type: 'object',
  additionalProperties: false,
  required: ['key'],
  properties: {
    key: { type: 'string', minLength: 1, maxLength: 512, description: 'The key to verify (never echoed, logged or stored).' },
    scope: { type: 'string', minLength: 1, maxLength: 128, description: 'When given, the key must hold this scope (else `INSUFFICIENT_PERMISSIONS`).' },
    model: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      description:
        "The model the end user's request uses: checked against the key's allowed models (`MODEL_NOT_ALLOWED`; with a model restriction, a verify without it is refused) and metered.",
    },
    ip: {
      type: 'string',
      minLength: 1,
      maxLength: 64,
      description:
        "The end user's IPv4 or IPv6 address (400 when it is not one): checked against the key's IP allowlist (`IP_NOT_ALLOWED`; with an allowlist, a verify without it is refused) and metered (the caller's IP is metered when it is left out).",
    },
    units: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER, description: 'Units the request consumes (tokens, calls, ...), metered.' },
    cost: {
      type: 'number',
      minimum: 0,
      maximum: 1_000_000_000,
      description:
        "Decimal cost of the request, at most 6 decimals: taken from the key's (and its customer's) daily spend cap when the verify is admitted (`USAGE_EXCEEDED` once the day's spend has reached it), and metered.",
    },
    requestId: { type: 'string', minLength: 1, maxLength: 128 },
    userAgent: { type: 'string', minLength: 1, maxLength: MAX_USER_AGENT_LENGTH },
  },
});

/**
 * JSON schema of the verify answer; the HTTP server serialises by it, so a field of
 * `VerifyKeyResponse` missing here would be dropped from every answer (the compiler
 * refuses that).
 */
export const VERIFY_KEY_RESPONSE_SCHEMA = objectSchemaOf<VerifyKeyResponse>()({
  type: 'object',
  required: ['valid', 'code'],
  properties: {
    valid: { type: 'boolean' },
    code: { type: 'string', enum: ['VALID', ...VERIFY_REFUSAL_CODES], description: '`VALID`, or why the key is refused.' },
    keyId: { type: 'string' },
    appId: { type: 'string' },
    env: { type: 'string' },
    scopes: { type: 'array', items: { type: 'string' } },
    expiresAt: { type: ['string', 'null'] },
    ratelimit: objectSchemaOf<RateLimitState>()({
      type: 'object',
      description:
        "The tightest rate window of the key and its customer (fewest remaining; a refused request names the used-up window that resets last); absent when neither has a rate limit. `reset`: when that window ends, Unix epoch seconds.",
      required: ['limit', 'remaining', 'reset'],
      properties: { limit: { type: 'integer' }, remaining: { type: 'integer' }, reset: { type: 'integer' } },
    }),
    leaseId: {
      type: 'string',
      description: 'Held while the request runs when the key (or its customer) has a concurrency limit: release it with `POST /v1/keys/leases/{leaseId}/release`.',
    },
    customer: {
      type: 'object',
      required: ['id', 'externalId'],
      properties: { id: { type: 'string' }, externalId: { type: 'string' } },
    },
  },
});
