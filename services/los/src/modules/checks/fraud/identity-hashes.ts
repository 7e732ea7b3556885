import { createHmac } from 'node:crypto';
import type pg from 'pg';
import type { CheckSubject } from '../check-runner.js';

export type IdentityKind = 'national-id' | 'phone' | 'email' | 'device' | 'ip' | 'bank-account';

/**
 * Normalised so that trivially different spellings hash alike: ids and account numbers lose spaces,
 * dashes and dots and are upper-cased; phones keep digits only (with a leading +); emails are lower-cased
 * and trimmed; IPs and fingerprints are lower-cased.
 */
export function normaliseIdentity(kind: IdentityKind, value: string): string {
  const v = value.trim();
  switch (kind) {
    case 'national-id':
    case 'bank-account':
      return v.replace(/[\s.\-/]/g, '').toUpperCase();
    case 'phone':
      return `${v.startsWith('+') ? '+' : ''}${v.replace(/\D/g, '')}`;
    case 'email':
    case 'ip':
    case 'device':
      return v.toLowerCase();
  }
}

export interface IdentityCounts {
  /** Other applications of the same tenant with the same value. */
  readonly sameTenant: number;
  /** Applications of OTHER tenants with the same value: a count only, never who or which. */
  readonly elsewhere: number;
}

export interface IdentityHashes {
  /** Records the subject's keyed hashes (once per application and kind) and returns them. */
  record(subject: CheckSubject): Promise<Map<IdentityKind, string>>;
  counts(applicationId: string, tenantId: string, kind: IdentityKind, hash: string): Promise<IdentityCounts>;
  /** Applications (all tenants) with this hash seen within the last `windowSeconds`, this one included. */
  recentCount(kind: IdentityKind, hash: string, windowSeconds: number): Promise<number>;
  /** Distinct national ids (all tenants) that came with this hash, other than `exceptNationalIdHash`. */
  otherIdentities(kind: IdentityKind, hash: string, exceptNationalIdHash: string): Promise<number>;
}

/**
 * Cross-tenant identity signals held as HMAC-SHA-256 under one deployment secret: the table
 * (identity_hashes) holds hashes, tenant, application id and time, never a value, and a tenant is only
 * ever told counts. The clear national id and account number come from reveal() and are hashed at once.
 */
export function createIdentityHashes(deps: { pool: pg.Pool; secret: string; now: () => Date }): IdentityHashes {
  const hash = (kind: IdentityKind, value: string) => createHmac('sha256', deps.secret).update(`${kind}\u0000${normaliseIdentity(kind, value)}`).digest('hex');
  return {
    async record(subject) {
      const values: [IdentityKind, string][] = [
        ['national-id', await subject.reveal('national-id')],
        ['bank-account', await subject.reveal('bank-account')],
        ['phone', subject.applicant.contact.phone],
        ['email', subject.applicant.contact.email],
      ];
      if (subject.device) values.push(['device', subject.device.fingerprint], ['ip', subject.device.ip]);
      const hashes = new Map(values.map(([kind, value]) => [kind, hash(kind, value)] as const));
      const kinds = [...hashes.keys()];
      await deps.pool.query(
        `INSERT INTO identity_hashes (application_id, kind, hash, tenant_id, seen_at)
         SELECT $1::uuid, k, h, $2, $3 FROM unnest($4::text[], $5::text[]) AS t(k, h)
         ON CONFLICT (application_id, kind) DO NOTHING`,
        [subject.applicationId, subject.tenantId, deps.now(), kinds, kinds.map((k) => hashes.get(k)!)],
      );
      return hashes;
    },
    async counts(applicationId, tenantId, kind, h) {
      const { rows } = await deps.pool.query<{ same: string; elsewhere: string }>(
        `SELECT count(*) FILTER (WHERE tenant_id = $3) AS same, count(*) FILTER (WHERE tenant_id <> $3) AS elsewhere
         FROM identity_hashes WHERE kind = $1 AND hash = $2 AND application_id <> $4::uuid`,
        [kind, h, tenantId, applicationId],
      );
      return { sameTenant: Number(rows[0]!.same), elsewhere: Number(rows[0]!.elsewhere) };
    },
    async recentCount(kind, h, windowSeconds) {
      const { rows } = await deps.pool.query<{ n: string }>(
        "SELECT count(*) AS n FROM identity_hashes WHERE kind = $1 AND hash = $2 AND seen_at > $3::timestamptz - make_interval(secs => $4)",
        [kind, h, deps.now(), windowSeconds],
      );
      return Number(rows[0]!.n);
    },
    async otherIdentities(kind, h, exceptNationalIdHash) {
      const { rows } = await deps.pool.query<{ n: string }>(
        `SELECT count(DISTINCT n.hash) AS n FROM identity_hashes s JOIN identity_hashes n ON n.application_id = s.application_id AND n.kind = 'national-id'
         WHERE s.kind = $1 AND s.hash = $2 AND n.hash <> $3`,
        [kind, h, exceptNationalIdHash],
      );
      return Number(rows[0]!.n);
    },
  };
}
