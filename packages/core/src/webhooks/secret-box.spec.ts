import { deriveSecretBoxKey, openSecret, sealSecret } from './secret-box';

const PEPPER = 'unit-test-pepper-0123456789abcdefghijklmnop';
const SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

describe('secret box', () => {
  const key = deriveSecretBoxKey(PEPPER);

  it('opens what it sealed, for the same context', () => {
    expect(openSecret(key, sealSecret(key, SECRET, 'ep_1'), 'ep_1')).toBe(SECRET);
  });

  it('never stores the plaintext, and seals the same secret differently each time', () => {
    const [a, b] = [sealSecret(key, SECRET, 'ep_1'), sealSecret(key, SECRET, 'ep_1')];
    expect(a).not.toContain(SECRET.slice(6, 20));
    expect(a).not.toBe(b);
  });

  it('derives the same key from the same pepper and another from another pepper', () => {
    expect(deriveSecretBoxKey(PEPPER)).toEqual(key);
    expect(deriveSecretBoxKey(`${PEPPER}x`)).not.toEqual(key);
  });

  it('refuses to open under another pepper', () => {
    const other = deriveSecretBoxKey(`${PEPPER}x`);
    expect(() => openSecret(other, sealSecret(key, SECRET, 'ep_1'), 'ep_1')).toThrow();
  });

  it('refuses a sealed secret moved to another endpoint', () => {
    expect(() => openSecret(key, sealSecret(key, SECRET, 'ep_1'), 'ep_2')).toThrow();
  });

  it('refuses an altered ciphertext', () => {
    const sealed = sealSecret(key, SECRET, 'ep_1');
    const parts = sealed.split('.');
    parts[3] = Buffer.from(Buffer.from(parts[3], 'base64url').map((byte, i) => (i === 0 ? byte ^ 1 : byte))).toString('base64url');
    expect(() => openSecret(key, parts.join('.'), 'ep_1')).toThrow();
  });

  it('refuses an unknown format', () => {
    expect(() => openSecret(key, 'plain', 'ep_1')).toThrow('sealed secret has an unknown format');
  });
});
