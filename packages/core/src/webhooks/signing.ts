import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signing (https://www.standardwebhooks.com): every delivery carries
 * `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
 * space-separated list of `v1,<base64 HMAC-SHA256(secret, "{id}.{timestamp}.{body}")>`.
 * Several signatures let a receiver keep working while its secret rotates.
 */
export const WEBHOOK_SECRET_PREFIX = 'whsec_';
export const WEBHOOK_SECRET_MIN_BYTES = 24;
export const WEBHOOK_SECRET_MAX_BYTES = 64;
export const WEBHOOK_SECRET_DEFAULT_BYTES = 32;
/** Receivers refuse timestamps further than this from their clock (the spec's 5 minutes). */
export const DEFAULT_WEBHOOK_TOLERANCE_SECONDS = 300;

export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

const SIGNATURE_VERSION = 'v1';
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

/** A new `whsec_` secret: base64 of `bytes` CSPRNG bytes. */
export function generateWebhookSecret(bytes: number = WEBHOOK_SECRET_DEFAULT_BYTES): string {
  if (!Number.isInteger(bytes) || bytes < WEBHOOK_SECRET_MIN_BYTES || bytes > WEBHOOK_SECRET_MAX_BYTES) {
    throw new RangeError(`webhook secrets have ${WEBHOOK_SECRET_MIN_BYTES}-${WEBHOOK_SECRET_MAX_BYTES} bytes`);
  }
  return `${WEBHOOK_SECRET_PREFIX}${randomBytes(bytes).toString('base64')}`;
}

/**
 * The HMAC key of a secret: the base64 after the `whsec_` prefix (the prefix is optional,
 * as in the reference libraries). Throws on anything else, without quoting the input.
 */
export function webhookSecretBytes(secret: string): Buffer {
  const encoded = secret.startsWith(WEBHOOK_SECRET_PREFIX) ? secret.slice(WEBHOOK_SECRET_PREFIX.length) : secret;
  const bytes = BASE64.test(encoded) && encoded.length % 4 === 0 ? Buffer.from(encoded, 'base64') : Buffer.alloc(0);
  if (bytes.length < WEBHOOK_SECRET_MIN_BYTES || bytes.length > WEBHOOK_SECRET_MAX_BYTES) {
    throw new TypeError(
      `webhook secret must be "${WEBHOOK_SECRET_PREFIX}" followed by the base64 of ${WEBHOOK_SECRET_MIN_BYTES}-${WEBHOOK_SECRET_MAX_BYTES} bytes`,
    );
  }
  return bytes;
}

/** One `v1,<base64>` signature of `{id}.{timestamp}.{body}`. */
export function signWebhook(secret: Buffer, id: string, timestamp: number | string, body: string): string {
  const mac = createHmac('sha256', secret).update(`${id}.${timestamp}.${body}`).digest('base64');
  return `${SIGNATURE_VERSION},${mac}`;
}

/** The `webhook-signature` header: one signature per secret, space-separated. */
export function webhookSignatureHeader(secrets: readonly Buffer[], id: string, timestampSeconds: number, body: string): string {
  return secrets.map((secret) => signWebhook(secret, id, timestampSeconds, body)).join(' ');
}

export type WebhookVerificationFailure =
  | 'MISSING_HEADERS'
  | 'INVALID_TIMESTAMP'
  | 'TIMESTAMP_TOO_OLD'
  | 'TIMESTAMP_IN_FUTURE'
  | 'NO_MATCHING_SIGNATURE';

export type WebhookVerification = { ok: true; timestampSeconds: number } | { ok: false; reason: WebhookVerificationFailure };

export interface WebhookToVerify {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
  /** The raw request body, exactly as received. */
  body: string;
  secrets: readonly Buffer[];
  nowSeconds: number;
  toleranceSeconds: number;
}

function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Checks the timestamp against the tolerance window (both ways), then accepts the
 * delivery if any `v1` signature of the header matches any of the secrets. Comparisons
 * are constant-time.
 */
export function verifyWebhookSignature(input: WebhookToVerify): WebhookVerification {
  const { id, timestamp, signature, body } = input;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'MISSING_HEADERS' };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'INVALID_TIMESTAMP' };
  const timestampSeconds = Number(timestamp);
  if (timestampSeconds < input.nowSeconds - input.toleranceSeconds) return { ok: false, reason: 'TIMESTAMP_TOO_OLD' };
  if (timestampSeconds > input.nowSeconds + input.toleranceSeconds) return { ok: false, reason: 'TIMESTAMP_IN_FUTURE' };
  // Signed as sent: the header's digits, not a re-rendered number.
  const expected = input.secrets.map((secret) => signWebhook(secret, id, timestamp, body));
  const presented = signature.split(' ').filter((entry) => entry.startsWith(`${SIGNATURE_VERSION},`));
  let matched = false;
  // No early exit: the time taken does not tell which signature (or secret) matched.
  for (const candidate of presented) {
    for (const wanted of expected) matched = constantTimeEqual(candidate, wanted) || matched;
  }
  return matched ? { ok: true, timestampSeconds } : { ok: false, reason: 'NO_MATCHING_SIGNATURE' };
}
