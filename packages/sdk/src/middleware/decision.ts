import {
  DEFAULT_ERROR_MESSAGES,
  ERROR_STATUS,
  type ErrorCode,
  type ErrorEnvelope,
  type FieldError,
  type RateLimitState,
  retryAfterSeconds,
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

function isErrorCode(code: string): code is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_STATUS, code);
}

/**
 * A verify answer as the HTTP response the protected route owes its caller. A valid
 * answer without the key's identity is malformed and throws, like any malformed answer.
 */
export function decideFromAnswer(answer: VerifyKeyResponse, context: AnswerContext): GateDecision {
  const headers = rateLimitHeaders(answer.ratelimit);
  if (answer.valid) {
    const identity = identityOf(answer, context.requestId);
    return { allow: true, identity, headers, ...(answer.leaseId ? { leaseId: answer.leaseId } : {}) };
  }
  // A code newer than this SDK still refuses: failing to recognise a "no" must not mean yes.
  const code: ErrorCode = isErrorCode(answer.code) ? answer.code : 'UNAUTHORIZED';
  const message =
    code === 'INSUFFICIENT_PERMISSIONS' && context.scope ? `API key lacks the required scope: ${context.scope}` : undefined;
  return reject(code, context.requestId, { message, headers, nowMs: context.nowMs, ratelimit: answer.ratelimit });
}

function identityOf(answer: VerifyKeyResponse, requestId: string): KeywardenIdentity {
  const { keyId, appId, env, scopes } = answer;
  if (keyId === undefined || appId === undefined || env === undefined || scopes === undefined) {
    throw new KeywardenError({
      code: 'INTERNAL_ERROR',
      status: 200,
      message: 'Keywarden answered valid without the key identity',
    });
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
