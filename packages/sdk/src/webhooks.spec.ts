import { generateWebhookSecret, signWebhook, webhookSecretBytes } from '@keywarden/core';
import { Webhook } from 'standardwebhooks';
import { verifyWebhook, WebhookVerificationError } from './webhooks';

const SECRET = generateWebhookSecret();
const BODY = JSON.stringify({ type: 'key.created', timestamp: '2026-11-26T12:00:00.000Z', data: { keyId: 'key_1' } });
const NOW = new Date('2026-11-26T12:00:10Z');
const TS = Math.floor(NOW.getTime() / 1000);

function signedHeaders(secret = SECRET, timestamp = TS, id = 'msg_1'): Record<string, string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': signWebhook(webhookSecretBytes(secret), id, timestamp, BODY),
  };
}

function failureOf(call: () => unknown): WebhookVerificationError {
  try {
    call();
  } catch (error) {
    expect(error).toBeInstanceOf(WebhookVerificationError);
    return error as WebhookVerificationError;
  }
  throw new Error('expected verifyWebhook to throw');
}

describe('verifyWebhook', () => {
  it('returns the payload of a correctly signed delivery', () => {
    expect(verifyWebhook(BODY, signedHeaders(), SECRET, { now: NOW })).toEqual(JSON.parse(BODY));
  });

  it('accepts what the standardwebhooks package signed, as a Buffer body', () => {
    const signature = new Webhook(SECRET).sign('msg_2', NOW, BODY);
    const headers = { 'webhook-id': 'msg_2', 'webhook-timestamp': String(TS), 'webhook-signature': signature };
    expect(verifyWebhook(Buffer.from(BODY), headers, SECRET, { now: NOW }).type).toBe('key.created');
  });

  it('accepts the body as bytes: a Uint8Array, an ArrayBuffer (fetch arrayBuffer()) or a slice of a larger buffer', () => {
    // Non-ASCII text, so that the bytes must be decoded as UTF-8, not listed.
    const body = JSON.stringify({ type: 'key.created', timestamp: '2026-11-26T12:00:00.000Z', data: { name: 'clé' } });
    const signature = new Webhook(SECRET).sign('msg_3', NOW, body);
    const headers = { 'webhook-id': 'msg_3', 'webhook-timestamp': String(TS), 'webhook-signature': signature };
    const bytes = new TextEncoder().encode(body);
    const padded = new Uint8Array(bytes.length + 8);
    padded.set(bytes, 4);

    for (const raw of [bytes, bytes.buffer, padded.subarray(4, 4 + bytes.length)]) {
      expect(verifyWebhook(raw, headers, SECRET, { now: NOW }).data).toEqual({ name: 'clé' });
    }
  });

  it('refuses a body that is not raw text or bytes with a TypeError', () => {
    expect(() => verifyWebhook(JSON.parse(BODY) as never, signedHeaders(), SECRET, { now: NOW })).toThrow(TypeError);
  });

  it('agrees with the standardwebhooks package on what it accepts', () => {
    // The reference verifies against the real clock: sign for now.
    const live = signedHeaders(SECRET, Math.floor(Date.now() / 1000));
    expect(new Webhook(SECRET).verify(BODY, live)).toEqual(JSON.parse(BODY));
    expect(verifyWebhook(BODY, live, SECRET)).toEqual(JSON.parse(BODY));
  });

  it('reads headers in any letter case and from a fetch Headers object', () => {
    const upper = Object.fromEntries(Object.entries(signedHeaders()).map(([name, value]) => [name.toUpperCase(), value]));
    expect(verifyWebhook(BODY, upper, SECRET, { now: NOW }).type).toBe('key.created');
    expect(verifyWebhook(BODY, new Headers(signedHeaders()), SECRET, { now: NOW }).type).toBe('key.created');
  });

  it('accepts a delivery signed with any of several secrets', () => {
    const other = generateWebhookSecret();
    expect(verifyWebhook(BODY, signedHeaders(other), [SECRET, other], { now: NOW }).type).toBe('key.created');
  });

  it('accepts a header carrying several signatures when one matches (secret rotation)', () => {
    const headers = signedHeaders();
    const stale = signWebhook(webhookSecretBytes(generateWebhookSecret()), 'msg_1', TS, BODY);
    headers['webhook-signature'] = `${stale} ${headers['webhook-signature']}`;
    expect(verifyWebhook(BODY, headers, SECRET, { now: NOW }).type).toBe('key.created');
  });

  it('rejects a changed body', () => {
    expect(failureOf(() => verifyWebhook(BODY.replace('key_1', 'key_2'), signedHeaders(), SECRET, { now: NOW })).code).toBe(
      'NO_MATCHING_SIGNATURE',
    );
  });

  it('rejects a stale timestamp', () => {
    const error = failureOf(() => verifyWebhook(BODY, signedHeaders(SECRET, TS - 301), SECRET, { now: NOW }));
    expect(error.code).toBe('TIMESTAMP_TOO_OLD');
  });

  it('rejects a timestamp from the future', () => {
    const error = failureOf(() => verifyWebhook(BODY, signedHeaders(SECRET, TS + 301), SECRET, { now: NOW }));
    expect(error.code).toBe('TIMESTAMP_IN_FUTURE');
  });

  it('applies a custom tolerance', () => {
    expect(failureOf(() => verifyWebhook(BODY, signedHeaders(SECRET, TS - 11), SECRET, { now: NOW, toleranceSec: 10 })).code).toBe(
      'TIMESTAMP_TOO_OLD',
    );
  });

  it('rejects a delivery without signature headers', () => {
    expect(failureOf(() => verifyWebhook(BODY, {}, SECRET, { now: NOW })).code).toBe('MISSING_HEADERS');
  });

  it('rejects an unusable secret without quoting it', () => {
    const error = failureOf(() => verifyWebhook(BODY, signedHeaders(), 'whsec_short', { now: NOW }));
    expect(error.code).toBe('INVALID_SECRET');
    expect(error.message).not.toContain('whsec_short');
  });

  it('rejects a signed body that is not an event', () => {
    const body = '[1,2]';
    const headers = { 'webhook-id': 'msg_1', 'webhook-timestamp': String(TS), 'webhook-signature': signWebhook(webhookSecretBytes(SECRET), 'msg_1', TS, body) };
    expect(failureOf(() => verifyWebhook(body, headers, SECRET, { now: NOW })).code).toBe('INVALID_PAYLOAD');
  });

  it('refuses an unset secret (an environment variable that is not there) as INVALID_SECRET', () => {
    const unset = process.env.KEYWARDEN_WEBHOOK_SECRET_THAT_IS_NOT_SET as unknown as string;

    expect(failureOf(() => verifyWebhook(BODY, signedHeaders(), unset, { now: NOW })).code).toBe('INVALID_SECRET');
  });

  it('refuses a delivery whose headers object is missing as MISSING_HEADERS', () => {
    const missing = undefined as unknown as Record<string, string>;

    expect(failureOf(() => verifyWebhook(BODY, missing, SECRET, { now: NOW })).code).toBe('MISSING_HEADERS');
  });
});
