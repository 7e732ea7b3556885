import { createHash } from 'node:crypto';

/**
 * The audit trails as a hash chain: every entry of decision_audit (decisions, reviews, overrides, offers,
 * acceptance, signature, mandate, approval — all that `audit()` writes), review_settings_audit (approval
 * limits, creditor profile) and policy_change_audit (policy versions drafted, approved) gets one link:
 * seq, prev_hash and hash = SHA-256 over `canonicalEncoding`.
 *
 * One chain PER TENANT, not per application plus a tenant chain: settings and policy changes belong to no
 * application, and a single chain catches a deleted application's whole trail (its links point at rows that
 * are gone, or leave a gap in seq) with one walk and one head to compare. The cost is that a tenant's audit
 * writers take turns on its head row; they take it at COMMIT (deferred triggers, migration
 * 20261205400000_audit_chain), after every other lock of their transaction, and hold it for the commit
 * only, so writers neither deadlock on it nor wait long. seq is commit order. Three things undo that, and
 * the LOS does none of them: `SET CONSTRAINTS ALL IMMEDIATE` (links, and the head lock, at each insert);
 * one transaction auditing for two tenants (heads locked in insertion order, so two such transactions
 * with opposite orders could deadlock); and REPEATABLE READ or SERIALIZABLE writers, which fail with a
 * serialization error instead of waiting when another commit moved the head first.
 *
 * The links are written by the database (triggers) so every writer is chained, whichever client it
 * uses; this file is the same encoding in TypeScript, which the verifier recomputes independently of
 * the database's functions. Detail is the entry's jsonb as PostgreSQL prints it (`detail::text`: keys
 * in jsonb's fixed order, duplicates dropped), so the same stored value always encodes the same bytes.
 */
export const CHAIN_FORMAT = 'lendstack-audit-chain/1';

/** prev_hash of a tenant's first entry (seq 1). */
export const GENESIS_HASH = '0'.repeat(64);

export type AuditSource = 'decision' | 'review-settings' | 'policy';

/** The source table that holds each kind of entry (what verify names when a row is gone or changed). */
export const SOURCE_TABLES: Record<AuditSource, string> = { decision: 'decision_audit', 'review-settings': 'review_settings_audit', policy: 'policy_change_audit' };

/** What an entry contributes to its hash (the database trigger builds the same fields). */
export interface ChainContent {
  readonly tenantId: string;
  readonly source: AuditSource;
  readonly sourceId: string;
  readonly at: Date;
  readonly actor: string;
  readonly action: string;
  /** decision: the application id; review-settings: the setting key; policy: `<policy id>/<version>`. */
  readonly subject: string;
  /** decision: the checks run; '' otherwise. */
  readonly checksRun: string;
  /** The stable JSON text of the entry's detail. */
  readonly detail: string;
}

export interface ChainLink {
  readonly tenantId: string;
  readonly seq: bigint;
  readonly source: AuditSource;
  readonly sourceId: string;
  readonly prevHash: string;
  readonly hash: string;
}

const field = (value: string) => `${Buffer.byteLength(value, 'utf8')}:${value}\n`;

/** Each field as `<UTF-8 byte length>:<value>\n`, in this fixed order: unambiguous whatever a value holds. */
export function canonicalEncoding(seq: bigint, prevHash: string, c: ChainContent): string {
  return [CHAIN_FORMAT, c.tenantId, seq.toString(), prevHash, c.source, c.sourceId, c.at.toISOString(), c.actor, c.action, c.subject, c.checksRun, c.detail].map(field).join('');
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
export function checkLink(before: ChainPosition, link: ChainLink, content: ChainContent | undefined): LinkCheck {
  const where = `${SOURCE_TABLES[link.source]} id ${link.sourceId}`;
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
