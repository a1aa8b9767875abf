import {
  DEFAULT_WEBHOOK_TOLERANCE_SECONDS,
  verifyWebhookSignature,
  WEBHOOK_HEADERS,
  type WebhookPayload,
  webhookSecretBytes,
  type WebhookVerificationFailure,
} from '@keywarden/core';

export type WebhookVerificationErrorCode = WebhookVerificationFailure | 'INVALID_SECRET' | 'INVALID_PAYLOAD';

const MESSAGES: Record<WebhookVerificationErrorCode, string> = {
  MISSING_HEADERS: 'webhook-id, webhook-timestamp and webhook-signature headers are required',
  INVALID_TIMESTAMP: 'webhook-timestamp is not a Unix time in seconds',
  TIMESTAMP_TOO_OLD: 'webhook-timestamp is older than the tolerance (replayed or delayed delivery)',
  TIMESTAMP_IN_FUTURE: 'webhook-timestamp is further in the future than the tolerance',
  NO_MATCHING_SIGNATURE: 'no signature matches: wrong secret, or the body was changed',
  INVALID_SECRET: 'secret must be the whsec_… value shown when the endpoint was created or its secret rotated',
  INVALID_PAYLOAD: 'the signed body is not a Keywarden event ({type, timestamp, data})',
};

/** Why a delivery was refused; never quotes the secret or the body. */
export class WebhookVerificationError extends Error {
  constructor(readonly code: WebhookVerificationErrorCode) {
    super(MESSAGES[code]);
    this.name = 'WebhookVerificationError';
  }
}

/** Node's `req.headers`, a fetch `Headers`, or a plain object (any letter case). */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

export interface VerifyWebhookOptions {
  /** How far webhook-timestamp may be from now, either way. Default 300 s. */
  toleranceSec?: number;
  /** The clock to compare with (tests). */
  now?: Date;
}

function header(headers: WebhookHeaders, name: string): string | undefined {
  // No headers at all (an undefined `req.headers` from a wrong handler signature) is a delivery without them.
  if (typeof headers !== 'object' || headers === null) return undefined;
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((candidate) => candidate.toLowerCase() === name);
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value.join(' ') : value;
}

/** A raw body as received: text, or its bytes (a Buffer, a Uint8Array, or an ArrayBuffer as fetch's `arrayBuffer()` gives it). */
export type WebhookBody = string | Uint8Array | ArrayBuffer;

/** The body as the text that was signed. `Uint8Array.prototype.toString` ignores an encoding and lists the byte values, so bytes are decoded explicitly. */
function bodyText(body: WebhookBody): string {
  if (typeof body === 'string') return body;
  if (body instanceof ArrayBuffer) return new TextDecoder().decode(body);
  if (ArrayBuffer.isView(body)) return new TextDecoder().decode(body);
  throw new TypeError('body must be the raw request body: a string, Buffer, Uint8Array or ArrayBuffer');
}

/** An unset secret (`process.env.X` undefined) is as invalid as a malformed one: INVALID_SECRET, not a TypeError. */
function secretsOf(secret: string | readonly string[]): Buffer[] {
  const secrets = typeof secret === 'string' ? [secret] : Array.isArray(secret) ? [...(secret as readonly string[])] : [];
  if (secrets.length === 0) throw new WebhookVerificationError('INVALID_SECRET');
  try {
    return secrets.map(webhookSecretBytes);
  } catch {
    throw new WebhookVerificationError('INVALID_SECRET');
  }
}

/**
 * Checks a Keywarden delivery (Standard Webhooks) and returns its payload. Pass the raw
 * body exactly as received (not re-serialised JSON), the request headers, and the
 * endpoint's secret — or several, e.g. old and new while you roll a rotation out. Throws
 * WebhookVerificationError on a stale or future timestamp, a missing header or no
 * matching signature. Comparisons are constant-time.
 */
export function verifyWebhook<T = Record<string, unknown>>(
  body: WebhookBody,
  headers: WebhookHeaders,
  secret: string | readonly string[],
  options: VerifyWebhookOptions = {},
): WebhookPayload<T> {
  const text = bodyText(body);
  const toleranceSeconds = options.toleranceSec ?? DEFAULT_WEBHOOK_TOLERANCE_SECONDS;
  if (!Number.isFinite(toleranceSeconds) || toleranceSeconds < 0) throw new RangeError('toleranceSec must be >= 0');
  const result = verifyWebhookSignature({
    id: header(headers, WEBHOOK_HEADERS.id),
    timestamp: header(headers, WEBHOOK_HEADERS.timestamp),
    signature: header(headers, WEBHOOK_HEADERS.signature),
    body: text,
    secrets: secretsOf(secret),
    nowSeconds: Math.floor((options.now ?? new Date()).getTime() / 1000),
    toleranceSeconds,
  });
  if (!result.ok) throw new WebhookVerificationError(result.reason);
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw new WebhookVerificationError('INVALID_PAYLOAD');
  }
  const candidate = payload as Partial<WebhookPayload<T>> | null;
  if (!candidate || typeof candidate.type !== 'string' || typeof candidate.timestamp !== 'string' || typeof candidate.data !== 'object') {
    throw new WebhookVerificationError('INVALID_PAYLOAD');
  }
  return candidate as WebhookPayload<T>;
}
