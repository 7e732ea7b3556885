/**
 * The LOS audit trails as a hash chain (the pure chain logic lives in @lendstack/platform audit-chain,
 * shared with the LMS audit log): every entry of decision_audit (decisions, reviews, overrides, offers,
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
 * uses; the shared module is the same encoding in TypeScript, which the verifier recomputes independently
 * of the database's functions. `qualifier` is a decision's checks run ('' for the other sources).
 */
import { checkLink as checkChainLink, type ChainContent as SharedContent, type ChainLink as SharedLink, type ChainPosition, type LinkCheck } from '@lendstack/platform';

export { canonicalEncoding, CHAIN_FORMAT, entryHash, GENESIS_HASH, START, type ChainPosition, type LinkCheck } from '@lendstack/platform';

export type AuditSource = 'decision' | 'review-settings' | 'policy';

/** The source table that holds each kind of entry (what verify names when a row is gone or changed). */
export const SOURCE_TABLES: Record<AuditSource, string> = { decision: 'decision_audit', 'review-settings': 'review_settings_audit', policy: 'policy_change_audit' };

export type ChainContent = SharedContent<AuditSource>;
export type ChainLink = SharedLink<AuditSource>;

/** The shared link check, naming the LOS's source tables. */
export function checkLink(before: ChainPosition, link: ChainLink, content: ChainContent | undefined): LinkCheck {
  return checkChainLink(SOURCE_TABLES, before, link, content);
}
