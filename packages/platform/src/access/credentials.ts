import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Partner credentials: what a partner's API key looks like, how its secret is kept, and how a signing
 * key's private half is sealed at rest. Pure functions; the stores live beside them.
 *
 * An API key is `lsk_<id>_<secret>`: the id (18 hex digits) finds the row, the secret (32 random bytes,
 * base64url) proves possession. Only SHA-256 of the secret is stored. A slow password hash (bcrypt,
 * scrypt) protects secrets people choose; a 256-bit random secret cannot be guessed from its digest, so
 * a fast hash loses nothing and keeps each request's check to microseconds.
 */
export const SCOPES = ['read', 'submit', 'service'] as const;
export type Scope = (typeof SCOPES)[number];

const API_KEY = /^lsk_([0-9a-f]{18})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  readonly id: string;
  /** The whole key, shown to its creator once. */
  readonly token: string;
  readonly digest: Buffer;
}

export function newApiKey(): NewApiKey {
  const id = randomBytes(9).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { id, token: `lsk_${id}_${secret}`, digest: secretDigest(secret) };
}

/** The id and secret of a string shaped like an API key, or undefined. */
export function parseApiKey(token: string): { id: string; secret: string } | undefined {
  const match = API_KEY.exec(token);
  return match ? { id: match[1]!, secret: match[2]! } : undefined;
}

export const looksLikeApiKey = (token: string) => token.startsWith('lsk_');

export function secretDigest(secret: string): Buffer {
  return createHash('sha256').update(secret).digest();
}

export function secretMatches(secret: string, digest: Buffer): boolean {
  const given = secretDigest(secret);
  return given.length === digest.length && timingSafeEqual(given, digest);
}

/**
 * AES-256-GCM under a key derived (HKDF-SHA256) from the deployment's token secret and the key id, so a
 * database dump alone does not yield the signing keys. Layout: 12-byte IV, 16-byte tag, ciphertext.
 */
export function seal(plaintext: string, secret: string, kid: string): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret, kid), iv);
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function unseal(sealed: Buffer, secret: string, kid: string): string {
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret, kid), sealed.subarray(0, 12));
  decipher.setAuthTag(sealed.subarray(12, 28));
  return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
}

function sealingKey(secret: string, kid: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'lendstack-signing-keys', kid, 32));
}
