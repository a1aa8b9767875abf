import {
  DEFAULT_ERROR_MESSAGES,
  ERROR_STATUS,
  type ErrorCode,
  type ErrorEnvelope,
  type FieldError,
  type RateLimitState,
  retryAfterSeconds,
  VERIFY_REFUSAL_CODES,
  type VerifyKeyResponse,
} from '@keywarden/core';
import { KeywardenError } from '../errors';
import type { KeywardenIdentity } from './types';

export type ResponseHeaders = Record<string, string>;

/** The request goes on to its handler, with these headers on its response. */
export interface Admission {
  allow: true;
  /** null when `failOpen` let the request through while Keywarden was unreachable. */
  identity: KeywardenIdentity | null;
  headers: ResponseHeaders;
  /** Concurrency slot held by this request; release it when the response is done. */
  leaseId?: string;
}

/** The request is answered here: status, headers and the Keywarden error envelope. */
export interface Rejection {
  allow: false;
  status: number;
  headers: ResponseHeaders;
  body: ErrorEnvelope;
}

export type GateDecision = Admission | Rejection;

export function rateLimitHeaders(state: RateLimitState | undefined): ResponseHeaders {
  if (!state) return {};
  return {
    'X-RateLimit-Limit': String(state.limit),
    'X-RateLimit-Remaining': String(state.remaining),
    'X-RateLimit-Reset': String(state.reset),
  };
}

export interface RejectOptions {
  message?: string;
  details?: FieldError[];
  headers?: ResponseHeaders;
  nowMs?: number;
  ratelimit?: RateLimitState;
}

/** The error envelope the Keywarden API itself answers with; it never carries the key. */
export function reject(code: ErrorCode, requestId: string, options: RejectOptions = {}): Rejection {
  const status = ERROR_STATUS[code];
  const headers = { ...options.headers };
  if (status === 429) headers['Retry-After'] = String(retryAfterSeconds(code, options.ratelimit, options.nowMs ?? Date.now()));
  return {
    allow: false,
    status,
    headers,
    body: {
      error: {
        code,
        message: options.message ?? DEFAULT_ERROR_MESSAGES[code],
        requestId,
        ...(options.details ? { details: options.details } : {}),
      },
    },
  };
}

export interface AnswerContext {
  requestId: string;
  /** The scope asked for, named in an INSUFFICIENT_PERMISSIONS message. */
  scope?: string;
  nowMs: number;
}

const REFUSAL_CODES: ReadonlySet<string> = new Set(VERIFY_REFUSAL_CODES);

function isRefusalCode(code: string): code is (typeof VERIFY_REFUSAL_CODES)[number] {
  return REFUSAL_CODES.has(code);
}

/** What the middleware does with an answer that is not one: 503, never a verdict on the caller's key. */
function malformedAnswer(message: string): KeywardenError {
  return new KeywardenError({ code: 'INTERNAL_ERROR', status: 200, message });
}

function isVerifyAnswer(answer: unknown): answer is VerifyKeyResponse {
  if (typeof answer !== 'object' || answer === null || Array.isArray(answer)) return false;
  const { valid, code } = answer as { valid?: unknown; code?: unknown };
  return typeof valid === 'boolean' && typeof code === 'string';
}

/**
 * A verify answer as the HTTP response the protected route owes its caller. Anything
 * else (not an object with `valid` and `code`, or valid without the key's identity) is
 * malformed and throws.
 */
export function decideFromAnswer(answer: unknown, context: AnswerContext): GateDecision {
  if (!isVerifyAnswer(answer)) throw malformedAnswer('Keywarden answered something that is not a verify answer');
  const headers = rateLimitHeaders(answer.ratelimit);
  // Both must say yes: an answer that contradicts itself is no answer to let a request through on.
  if (answer.valid && answer.code === 'VALID') {
    const identity = identityOf(answer, context.requestId);
    return { allow: true, identity, headers, ...(answer.leaseId ? { leaseId: answer.leaseId } : {}) };
  }
  // A code newer than this SDK (or any code verify does not answer, `valid` or not) refuses:
  // failing to recognise a "no" must not mean yes, nor pass another status on.
  const code: ErrorCode = isRefusalCode(answer.code) ? answer.code : 'UNAUTHORIZED';
  const message =
    code === 'INSUFFICIENT_PERMISSIONS' && context.scope ? `API key lacks the required scope: ${context.scope}` : undefined;
  return reject(code, context.requestId, { message, headers, nowMs: context.nowMs, ratelimit: answer.ratelimit });
}

function identityOf(answer: VerifyKeyResponse, requestId: string): KeywardenIdentity {
  const { keyId, appId, env, scopes } = answer;
  if (keyId === undefined || appId === undefined || env === undefined || scopes === undefined) {
    throw malformedAnswer('Keywarden answered valid without the key identity');
  }
  return {
    keyId,
    appId,
    env,
    scopes,
    expiresAt: answer.expiresAt ?? null,
    ...(answer.ratelimit ? { ratelimit: answer.ratelimit } : {}),
    requestId,
  };
}
