import { HttpException } from '@nestjs/common';
import { DEFAULT_ERROR_MESSAGES, type ErrorCode, type ErrorEnvelope, type FieldError, withoutKeyMaterial } from '@keywarden/core';
import { ApiError } from './api-error';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'VALIDATION_FAILED',
  401: 'UNAUTHORIZED',
  403: 'INSUFFICIENT_PERMISSIONS',
  404: 'NOT_FOUND',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'SERVICE_UNAVAILABLE',
};

/**
 * Framework errors (body parsing, routing) reach us as HttpExceptions. Their own text can
 * quote request data, so each status gets a fixed message.
 */
const FRAMEWORK_MESSAGES: Record<number, string> = {
  400: 'Malformed request body',
  404: 'Route not found',
  413: 'Request body is too large',
  415: 'Request body must be application/json',
};


/** What Fastify throws when a route's JSON schema rejects the request. */
interface FastifyValidationError {
  validation: Array<{ instancePath?: string; keyword?: string; message?: string; params?: Record<string, unknown> }>;
}

export interface ErrorResponse {
  status: number;
  body: ErrorEnvelope;
  /** For 503: when to try again (the Retry-After header). */
  retryAfterSeconds?: number;
  /** True when the error is not an expected outcome and deserves an error log. */
  unexpected: boolean;
}

function fieldOf(instancePath: string | undefined, params: Record<string, unknown> | undefined): string {
  const path = (instancePath ?? '').split('/').filter(Boolean).join('.');
  const extra = params?.additionalProperty ?? params?.missingProperty;
  if (typeof extra === 'string') return path ? `${path}.${extra}` : extra;
  return path || 'body';
}

function fromFastifyValidation(error: FastifyValidationError): ApiError {
  // A body that is no object is named as the class-validator routes name it.
  if (error.validation.some((issue) => issue.keyword === 'type' && !issue.instancePath && issue.params?.type === 'object')) return ApiError.bodyNotObject();
  const details: FieldError[] = (error.validation ?? []).map((issue) => {
    const field = fieldOf(issue.instancePath, issue.params);
    const message =
      issue.params?.additionalProperty !== undefined ? 'is not an allowed field' : (issue.message ?? 'is invalid');
    return { field, message };
  });
  const summary = details.map((d) => `${d.field} ${d.message}`).join('; ');
  return new ApiError('VALIDATION_FAILED', `Validation failed: ${summary}`, details);
}

/** How long a client should wait before retrying while the database is unreachable. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

/** SQLSTATE classes and codes that mean "the database is not there right now", not "the query is wrong". */
const UNAVAILABLE_SQLSTATES = /^(08|57P0[1-3]|53300)/;
const UNAVAILABLE_NODE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);
const UNAVAILABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Connection is not established|Client has encountered a connection error|terminating connection/;

/**
 * PostgreSQL unreachable (refused, reset, timed out, shutting down, out of connections):
 * a 503 the client may retry, never an INTERNAL_ERROR. pg and TypeORM wrap these
 * differently, so the cause chain and the driver error are looked at too.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && typeof current === 'object' && depth < 5; depth++) {
    const candidate = current as { code?: unknown; message?: unknown; driverError?: unknown; cause?: unknown; errors?: unknown };
    if (typeof candidate.code === 'string' && (UNAVAILABLE_NODE_CODES.has(candidate.code) || UNAVAILABLE_SQLSTATES.test(candidate.code))) return true;
    if (typeof candidate.message === 'string' && UNAVAILABLE_MESSAGES.test(candidate.message)) return true;
    if (Array.isArray(candidate.errors) && candidate.errors.some((inner) => isDatabaseUnavailable(inner))) return true;
    current = candidate.driverError ?? candidate.cause;
  }
  return false;
}

/**
 * Fastify errors whose status would mislead: the file server (console assets, docs UI)
 * refuses a path it will not serve (a NUL, `..`) with a 403, which our envelope would
 * call a missing scope. No file answers to such a path.
 */
const STATUS_BY_FASTIFY_CODE: Record<string, number> = {
  FST_STATIC_FORBIDDEN_PATH: 404,
};

/**
 * The status of a framework error: an HttpException, or one of Fastify's own errors
 * (body parsing, content type). Nest turns the latter into HttpExceptions on its routes;
 * on the verify route (a plain Fastify route) they arrive as they are.
 */
function frameworkStatusOf(error: unknown): number | null {
  if (error instanceof HttpException) return error.getStatus();
  const { statusCode, code } = (error ?? {}) as { statusCode?: unknown; code?: unknown };
  if (!(error instanceof Error && error.name === 'FastifyError' && typeof statusCode === 'number')) return null;
  return (typeof code === 'string' ? STATUS_BY_FASTIFY_CODE[code] : undefined) ?? statusCode;
}

function toApiError(error: unknown): ApiError | null {
  if (error instanceof ApiError) return error;
  if (isDatabaseUnavailable(error)) return new ApiError('SERVICE_UNAVAILABLE', 'The service cannot reach its database; retry shortly');
  const status = frameworkStatusOf(error);
  if (status !== null) {
    const code = CODE_BY_STATUS[status];
    if (!code) return null;
    // A framework 400 is a body that could not be parsed: still a field error, on `body`.
    const details = status === 400 ? [{ field: 'body', message: 'is not well-formed JSON' }] : undefined;
    return new ApiError(code, FRAMEWORK_MESSAGES[status] ?? DEFAULT_ERROR_MESSAGES[code], details);
  }
  const schemaError = error as FastifyValidationError | null;
  if (schemaError && Array.isArray(schemaError.validation)) return fromFastifyValidation(schemaError);
  return null;
}

/** The one place that turns any thrown value into the public error envelope. */
export function errorResponse(error: unknown, requestId: string): ErrorResponse {
  const apiError = toApiError(error);
  const known = apiError ?? new ApiError('INTERNAL_ERROR');
  // Validation messages quote field names, and a request can use a key as one: keys are never echoed.
  const details = known.details?.map((detail) => ({ field: withoutKeyMaterial(detail.field), message: withoutKeyMaterial(detail.message) }));
  const body: ErrorEnvelope = {
    error: { code: known.code, message: withoutKeyMaterial(known.message), requestId, ...(details ? { details } : {}) },
  };
  return {
    status: known.status,
    body,
    unexpected: apiError === null,
    ...(known.code === 'SERVICE_UNAVAILABLE' ? { retryAfterSeconds: DATABASE_RETRY_AFTER_SECONDS } : {}),
  };
}
