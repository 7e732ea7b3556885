import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, exportJWK, generateKeyPair, importJWK, type CryptoKey, type JSONWebKeySet, type JWK, type JWTVerifyGetKey } from 'jose';
import type pg from 'pg';
import { inTransaction } from '../pg-transaction.js';
import { seal, unseal } from './credentials.js';

/**
 * The service's own token-signing keys (ES256), kept in its database with the private half sealed.
 * The newest key signs; every key not retired verifies and is published at /.well-known/jwks.json.
 * Rotation adds a key and retires all but the one before it, so tokens signed by the previous key stay
 * valid until they expire (their lifetime is minutes; rotate no more often than that).
 */
export const SIGNING_ALG = 'ES256';

interface Row { kid: string; public_jwk: JWK; private_jwk_sealed: Buffer; created_at: Date }

/** A lock id for the one transaction that may add or retire keys at a time (two replicas booting). */
const KEYS_LOCK = 0x6c736b; // "lsk"

async function insertKey(client: pg.PoolClient, secret: string): Promise<string> {
  const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, { extractable: true });
  const kid = `${new Date().toISOString().slice(0, 10)}-${randomBytes(6).toString('hex')}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
  const sealed = seal(JSON.stringify(await exportJWK(privateKey)), secret, kid);
  await client.query('INSERT INTO signing_keys (kid, alg, public_jwk, private_jwk_sealed) VALUES ($1, $2, $3, $4)', [kid, SIGNING_ALG, publicJwk, sealed]);
  return kid;
}

/** `work` in one transaction that holds the keys lock (two replicas booting create one key, not two). */
const inLock = <T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> =>
  inTransaction(pool, async (client) => {
    await client.query('SELECT pg_advisory_xact_lock($1)', [KEYS_LOCK]);
    return work(client);
  });

/** Whether `secret` opens the key's private half (a key sealed under another deployment secret is not ours to sign with). */
function opens(row: { kid: string; private_jwk_sealed: Buffer }, secret: string): boolean {
  try {
    unseal(row.private_jwk_sealed, secret, row.kid);
    return true;
  } catch {
    return false;
  }
}

/** Makes sure a signing key this deployment can sign with exists (the first boot creates one). */
export async function ensureSigningKey(pool: pg.Pool, secret: string): Promise<void> {
  await inLock(pool, async (client) => {
    const active = await client.query<Row>('SELECT kid, private_jwk_sealed FROM signing_keys WHERE retired_at IS NULL');
    if (!active.rows.some((row) => opens(row, secret))) await insertKey(client, secret);
  });
}

/**
 * Adds a signing key and retires every older key of this deployment (sealed under its secret) but the
 * newest one before it. Returns the new and retired kids.
 */
export async function rotateSigningKey(pool: pg.Pool, secret: string): Promise<{ kid: string; retired: string[] }> {
  return inLock(pool, async (client) => {
    const ours = (await client.query<Row>('SELECT kid, private_jwk_sealed FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC')).rows.filter((row) => opens(row, secret));
    const kid = await insertKey(client, secret);
    const retired = ours.slice(1).map((row) => row.kid);
    if (retired.length > 0) await client.query('UPDATE signing_keys SET retired_at = now() WHERE kid = ANY($1)', [retired]);
    return { kid, retired };
  });
}

export interface KeyRing {
  /** The newest key's id and private key. */
  signer(): Promise<{ kid: string; key: CryptoKey }>;
  /** The published key set (public halves of the keys not retired). */
  jwks(): Promise<JSONWebKeySet>;
  /** A jose key resolver over the same set, reloaded when a token names a kid it has not seen. */
  verifier(): JWTVerifyGetKey;
}

/**
 * The keys in memory: loaded on first use, reloaded every `refreshMs` and (at most once per 5 s) when a
 * token names an unknown kid, so a rotation on one replica reaches the others without a restart.
 */
export function createKeyRing(pool: pg.Pool, secret: string, options: { refreshMs?: number; now?: () => number } = {}): KeyRing {
  const refreshMs = options.refreshMs ?? 60_000;
  const now = options.now ?? Date.now;
  let loaded: { at: number; rows: Row[]; set: ReturnType<typeof createLocalJWKSet>; signer?: { kid: string; key: CryptoKey } } | undefined;
  let lastMissReload = 0;

  async function load(): Promise<NonNullable<typeof loaded>> {
    const rows = (await pool.query<Row>('SELECT kid, public_jwk, private_jwk_sealed, created_at FROM signing_keys WHERE retired_at IS NULL ORDER BY created_at DESC, kid DESC')).rows;
    loaded = { at: now(), rows, set: createLocalJWKSet({ keys: rows.map((r) => r.public_jwk) }) };
    return loaded;
  }
  const current = async () => (loaded && now() - loaded.at < refreshMs ? loaded : load());

  return {
    async signer() {
      let ring = await current();
      if (ring.signer) return ring.signer;
      // The newest key this deployment can open; another deployment sharing the table (tests) has its own.
      let newest = ring.rows.find((row) => opens(row, secret));
      if (!newest) {
        await ensureSigningKey(pool, secret);
        ring = await load();
        newest = ring.rows.find((row) => opens(row, secret));
        if (!newest) throw new Error('no signing key this deployment can open');
      }
      const key = (await importJWK(JSON.parse(unseal(newest.private_jwk_sealed, secret, newest.kid)) as JWK, SIGNING_ALG)) as CryptoKey;
      ring.signer = { kid: newest.kid, key };
      return ring.signer;
    },
    async jwks() {
      return { keys: (await current()).rows.map((r) => r.public_jwk) };
    },
    verifier() {
      return async (header, token) => {
        const ring = await current();
        const known = ring.rows.some((r) => r.kid === header?.kid);
        if (!known && now() - lastMissReload > 5_000) {
          lastMissReload = now();
          return (await load()).set(header, token);
        }
        return ring.set(header, token);
      };
    },
  };
}
