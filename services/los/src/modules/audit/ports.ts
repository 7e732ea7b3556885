import type { AuditChainReader as SharedReader, TenantChainView as SharedView } from '@lendstack/platform';
import type { AuditSource } from './domain/chain.js';
import type { TimelineCursor, TimelineRow } from './domain/timeline.js';

/** The LOS's chain over its three audit tables (the shared reader port, with the LOS's sources). */
export type TenantChainView = SharedView<AuditSource>;
export type AuditChainReader = SharedReader<AuditSource>;

export interface TimelineReader {
  /** Whether the application exists for the tenant (the timeline of any other is a 404). */
  exists(tenantId: string, applicationId: string): Promise<boolean>;
  /** Items in (at, key) order after `after`, at most `limit`. */
  items(tenantId: string, applicationId: string, query: { readonly limit: number; readonly after?: TimelineCursor }): Promise<TimelineRow[]>;
}
