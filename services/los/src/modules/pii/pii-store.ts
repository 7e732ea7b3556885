import type pg from 'pg';
import type { PiiSealer, SealedPiiRecord } from '../applications/ports.js';
import type { EnvelopeCipher, PiiField } from './envelope-cipher.js';

const aad = (tenantId: string, applicationId: string, field: PiiField) => `lendstack-los:pii:${tenantId}:${applicationId}:${field}`;

/** Seals an application's clear PII before the submission transaction stores it. */
export function createPiiSealer(cipher: EnvelopeCipher): PiiSealer {
  return {
    async seal(tenantId, applicationId, values): Promise<SealedPiiRecord> {
      return {
        applicationId,
        tenantId,
        nationalId: await cipher.seal(tenantId, aad(tenantId, applicationId, 'national-id'), values.nationalId),
        dateOfBirth: values.dateOfBirth === null ? null : await cipher.seal(tenantId, aad(tenantId, applicationId, 'date-of-birth'), values.dateOfBirth),
        bankAccount: await cipher.seal(tenantId, aad(tenantId, applicationId, 'bank-account'), values.bankAccount),
      };
    },
  };
}

const column: Record<PiiField, string> = { 'national-id': 'national_id', 'date-of-birth': 'date_of_birth', 'bank-account': 'bank_account' };

/** Opens one sealed field; the only way clear PII leaves the database (CheckSubject.reveal uses it). */
export interface PiiReader {
  reveal(tenantId: string, applicationId: string, field: PiiField): Promise<string>;
}

export function createPiiReader(deps: { pool: pg.Pool; cipher: EnvelopeCipher }): PiiReader {
  return {
    async reveal(tenantId, applicationId, field) {
      const { rows } = await deps.pool.query<{ sealed: Buffer | null }>(
        `SELECT ${column[field]} AS sealed FROM application_pii WHERE application_id = $1::uuid AND tenant_id = $2`,
        [applicationId, tenantId],
      );
      if (rows.length === 0) throw new Error(`no sealed PII for application ${applicationId}`);
      const sealed = rows[0]!.sealed;
      if (!sealed) throw new Error(`application ${applicationId} has no ${field}`);
      return deps.cipher.open(tenantId, aad(tenantId, applicationId, field), sealed);
    },
  };
}
