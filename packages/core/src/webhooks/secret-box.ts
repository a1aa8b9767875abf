import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

/**
 * Webhook secrets must be readable again (to sign), so unlike keys they are encrypted,
 * not hashed: AES-256-GCM under a key derived with HKDF-SHA256 from the deployment's
 * pepper. Sealed form: `v1.<iv>.<tag>.<ciphertext>` (base64url), bound to a context
 * (the endpoint id) so a sealed secret copied to another row does not open.
 */
const VERSION = 'v1';
const INFO = 'keywarden webhook secrets v1';
const IV_BYTES = 12;

export function deriveSecretBoxKey(pepper: string): Buffer {
  return Buffer.from(hkdfSync('sha256', Buffer.from(pepper, 'utf8'), Buffer.alloc(0), INFO, 32));
}

export function sealSecret(key: Buffer, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), ciphertext].map((part) => (typeof part === 'string' ? part : part.toString('base64url'))).join('.');
}

/** Throws when the sealed value was altered, belongs to another context, or another key sealed it. */
export function openSecret(key: Buffer, sealed: string, context: string): string {
  const [version, iv, tag, ciphertext] = sealed.split('.');
  if (version !== VERSION || iv === undefined || tag === undefined || ciphertext === undefined) {
    throw new Error('sealed secret has an unknown format');
  }
  const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64url'));
  return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
}
