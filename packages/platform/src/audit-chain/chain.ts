import { createHash } from 'node:crypto';

/**
 * An audit trail as a hash chain, shared by the LOS (decision_audit, review_settings_audit,
 * policy_change_audit, chained by deferred triggers) and the LMS (audit_log, chained by appendAudit):
 * one chain per tenant; every entry gets seq, prev_hash and hash = SHA-256 over `canonicalEncoding`.
 * A verifier recomputes each hash from the entry as stored now, so an edited row no longer hashes to its
 * link and a deleted one leaves a gap in seq (or a head past the last link).
 *
 * Pure: the services own their tables and pass the names of the tables each source lives in, which is
 * what verify names when a row is gone or changed. The encoding is format 1 of the LOS chain and must
 * not change (stored hashes were computed with it); a new encoding is a new CHAIN_FORMAT.
 */
export const CHAIN_FORMAT = 'lendstack-audit-chain/1';

/** prev_hash of a tenant's first entry (seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

/** What an entry contributes to its hash. */
export interface ChainContent<S extends string = string> {
  readonly tenantId: string;
  readonly source: S;
  readonly sourceId: string;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  /** What the action was on (LOS decision: the application id; LMS: `<kind>/<id>`). */
  readonly subject: string;
  /** A second qualifier of the action (LOS decision: the checks run; LMS: the request id); '' when none. */
  readonly qualifier: string;
  /** The stable JSON text of the entry's detail (jsonb as PostgreSQL prints it: `detail::text`). */
  readonly detail: string;
}

export interface ChainLink<S extends string = string> {
  readonly tenantId: string;
  readonly seq: bigint;
  readonly source: S;
  readonly sourceId: string;
  readonly prevHash: string;
  readonly hash: string;
}

const field = (value: string) => `${Buffer.byteLength(value, 'utf8')}:${value}\n`;

/** Each field as `<UTF-8 byte length>:<value>\n`, in this fixed order: unambiguous whatever a value holds. */
export function canonicalEncoding(seq: bigint, prevHash: string, c: ChainContent): string {
  return [CHAIN_FORMAT, c.tenantId, seq.toString(), prevHash, c.source, c.sourceId, c.at.toISOString(), c.actor, c.action, c.subject, c.qualifier, c.detail].map(field).join('');
}

export function entryHash(seq: bigint, prevHash: string, c: ChainContent): string {
  return createHash('sha256').update(canonicalEncoding(seq, prevHash, c), 'utf8').digest('hex');
}

/** Where the walk stands: the last link it accepted (seq 0 and GENESIS_HASH before the first). */
export interface ChainPosition {
  readonly seq: bigint;
  readonly hash: string;
}

export const START: ChainPosition = { seq: 0n, hash: GENESIS_HASH };

export type LinkCheck = { readonly ok: true; readonly position: ChainPosition } | { readonly ok: false; readonly seq: bigint; readonly problem: string };

/**
 * Checks one link against the one before it and against its entry as stored now (undefined: the entry's
 * row is gone). The first thing wrong is reported, in the order a reader would want it: a gap, a broken
 * back-pointer, a missing row, then content that no longer hashes to what was chained.
 */
export function checkLink<S extends string>(tables: Readonly<Record<S, string>>, before: ChainPosition, link: ChainLink<S>, content: ChainContent<S> | undefined): LinkCheck {
  const where = `${tables[link.source]} id ${link.sourceId}`;
  if (link.seq !== before.seq + 1n) {
    const missing = link.seq - before.seq - 1n;
    return { ok: false, seq: before.seq + 1n, problem: `seq ${before.seq + 1n}${missing > 1n ? `–${link.seq - 1n}` : ''} missing: ${missing} link(s) deleted before seq ${link.seq}` };
  }
  if (link.prevHash !== before.hash) return { ok: false, seq: link.seq, problem: `prev_hash ${link.prevHash} is not the hash of seq ${before.seq} (${before.hash})` };
  if (!content) return { ok: false, seq: link.seq, problem: `${where} is gone: the entry was deleted` };
  if (content.tenantId !== link.tenantId) return { ok: false, seq: link.seq, problem: `${where} now belongs to tenant ${content.tenantId}` };
  const recomputed = entryHash(link.seq, link.prevHash, content);
  if (recomputed !== link.hash) return { ok: false, seq: link.seq, problem: `${where} (${content.action} by ${content.actor} at ${content.at.toISOString()}) hashes to ${recomputed}, not the chained ${link.hash}: the entry was changed after it was written` };
  return { ok: true, position: { seq: link.seq, hash: link.hash } };
}
