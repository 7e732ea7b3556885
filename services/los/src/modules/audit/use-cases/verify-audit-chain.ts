import { verifyAuditChain as verifyChain, type VerifyOptions, type VerifySummary } from '@lendstack/platform';
import { SOURCE_TABLES, type AuditSource } from '../domain/chain.js';
import type { AuditChainReader } from '../ports.js';

export type { TenantVerdict, VerifySummary } from '@lendstack/platform';

/**
 * Walks each tenant's chain (the shared verifier of @lendstack/platform audit-chain) over the LOS's three
 * audit tables: each tenant on one snapshot, its first broken link reported, then the head and the
 * entries with no link (written with the chaining trigger disabled).
 */
export function verifyAuditChain(reader: AuditChainReader, options: Omit<VerifyOptions<AuditSource>, 'tables'>): Promise<VerifySummary> {
  return verifyChain(reader, { ...options, tables: SOURCE_TABLES });
}
