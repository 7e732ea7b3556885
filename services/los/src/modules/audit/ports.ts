import type { AuditSource, ChainContent, ChainLink, ChainPosition } from './domain/chain.js';
import type { TimelineCursor, TimelineRow } from './domain/timeline.js';

/** One tenant's chain as of one snapshot: links in seq order with their entries as stored now. */
export interface TenantChainView {
  /** The head when the snapshot was taken (undefined: the tenant has no head row). */
  head(): Promise<ChainPosition | undefined>;
  /** Links after `afterSeq`, at most `limit`, each with its entry (undefined: the entry's row is gone). */
  links(afterSeq: bigint, limit: number): Promise<{ readonly link: ChainLink; readonly content: ChainContent | undefined }[]>;
  /** Entries of the tenant that have no link (written with the chaining trigger disabled), per source. */
  unchained(): Promise<{ readonly source: AuditSource; readonly count: number; readonly firstId: string }[]>;
}

export interface AuditChainReader {
  /** The next tenant after `after` (in text order) that has a head, links or entries; null after the last. */
  nextTenant(after: string | null): Promise<string | null>;
  /** Runs `work` on one consistent snapshot of the tenant's chain (a read-only repeatable-read transaction). */
  withTenant<T>(tenantId: string, work: (view: TenantChainView) => Promise<T>): Promise<T>;
}

export interface TimelineReader {
  /** Whether the application exists for the tenant (the timeline of any other is a 404). */
  exists(tenantId: string, applicationId: string): Promise<boolean>;
  /** Items in (at, key) order after `after`, at most `limit`. */
  items(tenantId: string, applicationId: string, query: { readonly limit: number; readonly after?: TimelineCursor }): Promise<TimelineRow[]>;
}
