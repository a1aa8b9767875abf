import { ERROR_STATUS, type ErrorCode, type FieldError } from '@keywarden/core';

/** API codes plus the two failures that never reached the API, so callers switch on one field. */
export type KeywardenErrorCode = ErrorCode | 'NETWORK_ERROR' | 'TIMEOUT';

export interface KeywardenErrorInit {
  code: KeywardenErrorCode;
  message: string;
  /** HTTP status; 0 when no response arrived. */
  status: number;
  requestId?: string | null;
  details?: FieldError[];
  /** Seconds the server asked to wait (its `Retry-After` header); null when it named none. */
  retryAfter?: number | null;
  cause?: unknown;
}

const REDACTED = '[REDACTED]';

/** Stops a server (or proxy) that echoes a secret from leaking it into logs through us. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) if (secret) out = out.split(secret).join(REDACTED);
  return out;
}

/**
 * `Retry-After` as whole seconds from now: delta-seconds or an HTTP date (a date already
 * past is 0). null when absent or unreadable.
 */
export function parseRetryAfter(header: string | null, nowMs: number): number | null {
  const value = header?.trim();
  if (!value) return null;
  if (/^\d+$/.test(value)) return Number(value);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.prototype.hasOwnProperty.call(ERROR_STATUS, value);
}

function fieldErrors(value: unknown, secrets: readonly string[]): FieldError[] | undefined {
  if (!Array.isArray(value)) return undefined;
  return value
    .filter((item): item is FieldError => isRecord(item) && typeof item.field === 'string' && typeof item.message === 'string')
    .map((item) => ({ field: item.field, message: redact(item.message, secrets) }));
}

export class KeywardenError extends Error {
  override readonly name = 'KeywardenError';
  readonly code: KeywardenErrorCode;
  readonly status: number;
  /** Quote it to support: it finds the request in the server logs. */
  readonly requestId: string | null;
  /** Seconds to wait before trying again, from the answer's `Retry-After` (429, 503); null when absent. */
  readonly retryAfter: number | null;
  // `declare`: no class field is emitted, so an absent `details` is really absent.
  declare readonly details?: FieldError[];

  constructor(init: KeywardenErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.code = init.code;
    this.status = init.status;
    this.requestId = init.requestId ?? null;
    this.retryAfter = init.retryAfter ?? null;
    if (init.details !== undefined) this.details = init.details;
  }

  /**
   * Anything that is not a well-formed envelope (a proxy's HTML page, an empty 502) becomes
   * INTERNAL_ERROR with the real status, so callers still get one error type to handle.
   */
  static fromResponse(
    status: number,
    body: unknown,
    secrets: readonly string[] = [],
    retryAfter: number | null = null,
  ): KeywardenError {
    const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
    if (!error || typeof error.message !== 'string') {
      return new KeywardenError({
        code: 'INTERNAL_ERROR',
        status,
        message: `Keywarden answered HTTP ${status} without an error envelope`,
        retryAfter,
      });
    }
    const details = fieldErrors(error.details, secrets);
    return new KeywardenError({
      // A code newer than this SDK keeps its message and request id but not its name.
      code: isErrorCode(error.code) ? error.code : 'INTERNAL_ERROR',
      status,
      message: redact(error.message, secrets),
      requestId: typeof error.requestId === 'string' ? error.requestId : null,
      retryAfter,
      ...(details ? { details } : {}),
    });
  }

  /** Error's own `message` is not enumerable; loggers that stringify would otherwise drop it. */
  toJSON(): Record<string, unknown> {
    return {
      name: this.name,
      code: this.code,
      status: this.status,
      message: this.message,
      requestId: this.requestId,
      retryAfter: this.retryAfter,
      ...(this.details ? { details: this.details } : {}),
    };
  }
}
