import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import {
  generateWebhookSecret,
  signWebhook,
  verifyWebhookSignature,
  type WebhookToVerify,
  webhookSecretBytes,
  webhookSignatureHeader,
} from './signing';

// The Standard Webhooks specification's published example.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  body: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const NOW = 1_764_170_000;

function verification(overrides: Partial<WebhookToVerify>): WebhookToVerify {
  const secret = webhookSecretBytes(VECTOR.secret);
  return {
    id: VECTOR.id,
    timestamp: String(NOW),
    signature: signWebhook(secret, VECTOR.id, NOW, VECTOR.body),
    body: VECTOR.body,
    secrets: [secret],
    nowSeconds: NOW,
    toleranceSeconds: 300,
    ...overrides,
  };
}

describe('webhook secrets', () => {
  it('generates whsec_ secrets of 32 random bytes by default', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(webhookSecretBytes(secret)).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it.each([24, 64])('accepts secrets of %i bytes', (bytes) => {
    expect(webhookSecretBytes(generateWebhookSecret(bytes))).toHaveLength(bytes);
  });

  it.each([23, 65, 0])('refuses to generate secrets of %i bytes', (bytes) => {
    expect(() => generateWebhookSecret(bytes)).toThrow(RangeError);
  });

  it.each([
    ['too short', `whsec_${Buffer.alloc(23).toString('base64')}`],
    ['too long', `whsec_${Buffer.alloc(65).toString('base64')}`],
    ['not base64', 'whsec_not*base64*at*all*not*base64*at*all*'],
    ['empty', ''],
  ])('rejects a secret that is %s, without quoting it', (_, secret) => {
    expect(() => webhookSecretBytes(secret)).toThrow(/must be "whsec_" followed by the base64 of 24-64 bytes$/);
  });

  it('takes the base64 without its prefix too, as the reference libraries do', () => {
    expect(webhookSecretBytes(VECTOR.secret.slice('whsec_'.length))).toEqual(webhookSecretBytes(VECTOR.secret));
  });
});

describe('signWebhook', () => {
  it('reproduces the Standard Webhooks test vector', () => {
    expect(signWebhook(webhookSecretBytes(VECTOR.secret), VECTOR.id, VECTOR.timestamp, VECTOR.body)).toBe(VECTOR.signature);
  });

  it('signs exactly as the standardwebhooks package does, for any message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 24, maxLength: 64 }), fc.string(), fc.integer({ min: 0, max: 4_102_444_800 }), fc.string(), (key, id, ts, body) => {
        const secret = `whsec_${Buffer.from(key).toString('base64')}`;
        const reference = new Webhook(secret).sign(id, new Date(ts * 1000), body);
        expect(signWebhook(webhookSecretBytes(secret), id, ts, body)).toBe(reference);
      }),
    );
  });

  it('puts one signature per secret in the header, space-separated', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()].map(webhookSecretBytes);
    const header = webhookSignatureHeader([a, b], 'msg_1', NOW, '{}');
    expect(header.split(' ')).toEqual([signWebhook(a, 'msg_1', NOW, '{}'), signWebhook(b, 'msg_1', NOW, '{}')]);
  });
});

describe('verifyWebhookSignature', () => {
  it('accepts the test vector at its own time', () => {
    const result = verifyWebhookSignature(
      verification({ timestamp: String(VECTOR.timestamp), signature: VECTOR.signature, nowSeconds: VECTOR.timestamp }),
    );
    expect(result).toEqual({ ok: true, timestampSeconds: VECTOR.timestamp });
  });

  it('accepts what the standardwebhooks package signed', () => {
    const secret = generateWebhookSecret();
    const signature = new Webhook(secret).sign('msg_2', new Date(NOW * 1000), '{"a":1}');
    const result = verifyWebhookSignature(
      verification({ id: 'msg_2', body: '{"a":1}', signature, secrets: [webhookSecretBytes(secret)] }),
    );
    expect(result.ok).toBe(true);
  });

  it('accepts a header where any one of several signatures matches', () => {
    const other = signWebhook(webhookSecretBytes(generateWebhookSecret()), VECTOR.id, NOW, VECTOR.body);
    const good = verification({}).signature as string;
    expect(verifyWebhookSignature(verification({ signature: `${other} v2,abc ${good}` })).ok).toBe(true);
  });

  it('accepts a signature made with any of several secrets (rotation on the receiver side)', () => {
    const old = webhookSecretBytes(generateWebhookSecret());
    expect(verifyWebhookSignature(verification({ secrets: [old, webhookSecretBytes(VECTOR.secret)] })).ok).toBe(true);
  });

  it.each([
    ['a changed body', { body: '{"test": 2432232315}' }],
    ['another id', { id: 'msg_other' }],
    ['another secret', { secrets: [webhookSecretBytes(generateWebhookSecret())] }],
    ['a truncated signature', { signature: 'v1,g0hM9SsE' }],
    ['an unknown version', { signature: 'v2,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=' }],
  ])('rejects %s', (_, overrides) => {
    expect(verifyWebhookSignature(verification(overrides))).toEqual({ ok: false, reason: 'NO_MATCHING_SIGNATURE' });
  });

  it('rejects a timestamp older than the tolerance', () => {
    expect(verifyWebhookSignature(verification({ nowSeconds: NOW + 301 }))).toEqual({ ok: false, reason: 'TIMESTAMP_TOO_OLD' });
  });

  it('rejects a timestamp further in the future than the tolerance', () => {
    expect(verifyWebhookSignature(verification({ nowSeconds: NOW - 301 }))).toEqual({ ok: false, reason: 'TIMESTAMP_IN_FUTURE' });
  });

  it('accepts a timestamp at the edge of the tolerance', () => {
    expect(verifyWebhookSignature(verification({ nowSeconds: NOW + 300 })).ok).toBe(true);
  });

  it.each(['', 'abc', '-5', '1.5'])('rejects the timestamp %j', (timestamp) => {
    const expected = timestamp === '' ? 'MISSING_HEADERS' : 'INVALID_TIMESTAMP';
    expect(verifyWebhookSignature(verification({ timestamp }))).toEqual({ ok: false, reason: expected });
  });

  it.each(['id', 'signature'] as const)('rejects a delivery without its %s', (field) => {
    expect(verifyWebhookSignature(verification({ [field]: undefined }))).toEqual({ ok: false, reason: 'MISSING_HEADERS' });
  });
});
