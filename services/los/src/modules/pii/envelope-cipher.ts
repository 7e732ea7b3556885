import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type pg from 'pg';
import type { Keyring } from './keyring.js';

/**
 * Envelope encryption of clear PII with node:crypto AES-256-GCM. Each tenant has one data key (DEK),
 * stored only wrapped by a key-encryption key (KEK) from configuration, with the KEK's id; values are
 * sealed with the tenant's DEK and an AAD naming tenant, application and field, so a sealed value copied
 * to another row or tenant does not open. Layout of every sealed blob: 12-byte IV ‖ 16-byte tag ‖ ciphertext.
 */
export type PiiField = 'national-id' | 'date-of-birth' | 'bank-account';

export interface EnvelopeCipher {
  seal(tenantId: string, aad: string, plaintext: string): Promise<Buffer>;
  open(tenantId: string, aad: string, sealed: Buffer): Promise<string>;
}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Bound on tenants' unwrapped data keys held in memory. */
const MAX_CACHED_KEYS = 1_000;

export function aesGcmSeal(key: Buffer, plaintext: Buffer, aad: string): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), body]);
}

export function aesGcmOpen(key: Buffer, sealed: Buffer, aad: string): Buffer {
  if (sealed.length < IV_BYTES + TAG_BYTES) throw new Error('sealed value is too short');
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(sealed.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  return Buffer.concat([decipher.update(sealed.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
}

const wrapAad = (tenantId: string, kekId: string) => `lendstack-los:dek:${tenantId}:${kekId}`;

export function wrapDataKey(keyring: Keyring, tenantId: string, dek: Buffer): { kekId: string; wrapped: Buffer } {
  const kek = keyring.keys.get(keyring.activeId)!;
  return { kekId: keyring.activeId, wrapped: aesGcmSeal(kek, dek, wrapAad(tenantId, keyring.activeId)) };
}

export function unwrapDataKey(keyring: Keyring, tenantId: string, kekId: string, wrapped: Buffer): Buffer {
  const kek = keyring.keys.get(kekId);
  if (!kek) throw new Error(`data key of tenant ${tenantId} is wrapped by KEK ${kekId}, which LOS_PII_KEKS does not list`);
  return aesGcmOpen(kek, wrapped, wrapAad(tenantId, kekId));
}

export function createEnvelopeCipher(deps: { pool: pg.Pool; keyring: Keyring }): EnvelopeCipher {
  const cache = new Map<string, Buffer>();
  async function dataKey(tenantId: string, create: boolean): Promise<Buffer> {
    const cached = cache.get(tenantId);
    if (cached) return cached;
    if (create) {
      const fresh = wrapDataKey(deps.keyring, tenantId, randomBytes(32));
      // The first writer wins; everyone then reads the stored key, so a tenant never has two.
      await deps.pool.query('INSERT INTO pii_data_keys (tenant_id, kek_id, wrapped_key) VALUES ($1, $2, $3) ON CONFLICT (tenant_id) DO NOTHING', [tenantId, fresh.kekId, fresh.wrapped]);
    }
    const { rows } = await deps.pool.query<{ kek_id: string; wrapped_key: Buffer }>('SELECT kek_id, wrapped_key FROM pii_data_keys WHERE tenant_id = $1', [tenantId]);
    if (rows.length === 0) throw new Error(`tenant ${tenantId} has no PII data key`);
    const key = unwrapDataKey(deps.keyring, tenantId, rows[0]!.kek_id, rows[0]!.wrapped_key);
    if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value!);
    cache.set(tenantId, key);
    return key;
  }
  return {
    async seal(tenantId, aad, plaintext) {
      return aesGcmSeal(await dataKey(tenantId, true), Buffer.from(plaintext, 'utf8'), aad);
    },
    async open(tenantId, aad, sealed) {
      return aesGcmOpen(await dataKey(tenantId, false), sealed, aad).toString('utf8');
    },
  };
}
