import type { RateLimitState } from '@keywarden/core';
import type { Keywarden } from '../client';

export type MaybePromise<T> = T | Promise<T>;

/** Reads one value from the framework's request; `undefined` leaves it out. */
export type RequestValue<Req, T> = (request: Req) => MaybePromise<T | undefined>;

/** The verified key, attached to the request as `keywarden` for the handlers. */
export interface KeywardenIdentity {
  keyId: string;
  appId: string;
  env: string;
  scopes: string[];
  expiresAt: string | null;
  /** The key's tightest rate limit after this request; absent when the key has none. */
  ratelimit?: RateLimitState;
  /** Sent to Keywarden with the verify (it finds the usage event) and quoted in error envelopes. */
  requestId: string;
}

/**
 * What the middleware leaves on the request: the identity of a verified key, or `null`
 * when `failOpen` let the request through while Keywarden was unreachable.
 */
export interface KeywardenRequest {
  keywarden?: KeywardenIdentity | null;
}

export interface KeywardenMiddlewareOptions<Req> {
  /** A client whose api key holds `keys.verify`. */
  client: Keywarden;
  /** The scope the key must hold: fixed, or chosen per request. */
  scope?: string | RequestValue<Req, string>;
  /** Where the key is; default `Authorization: Bearer <key>`, else `X-API-Key`. */
  key?: RequestValue<Req, string>;
  /** Metering and policy inputs sent with the verify. */
  model?: RequestValue<Req, string>;
  units?: RequestValue<Req, number>;
  cost?: RequestValue<Req, number>;
  /** The end user's IP, checked against the key's allowlist; default the framework's `request.ip`. */
  ip?: RequestValue<Req, string>;
  /** Default: a new `req_…` id per request. */
  requestId?: RequestValue<Req, string>;
  /**
   * Let requests through, without identity, when Keywarden cannot be reached (network
   * error, timeout, 5xx). Default false: they get 503 SERVICE_UNAVAILABLE. Never applies
   * when Keywarden rejects the middleware's own credentials.
   */
  failOpen?: boolean;
  /** Told about failed verify and lease-release calls (already redacted); for logging. */
  onError?: (error: unknown) => void;
}
