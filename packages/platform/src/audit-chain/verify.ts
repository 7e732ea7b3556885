import { checkLink, START, type ChainContent, type ChainLink, type ChainPosition } from './chain.js';

/** One tenant's chain as of one snapshot: links in seq order with their entries as stored now. */
export interface TenantChainView<S extends string = string> {
  /** The head when the snapshot was taken (undefined: the tenant has no head row). */
  head(): Promise<ChainPosition | undefined>;
  /** Links after `afterSeq`, at most `limit`, each with its entry (undefined: the entry's row is gone). */
  links(afterSeq: bigint, limit: number): Promise<{ readonly link: ChainLink<S>; readonly content: ChainContent<S> | undefined }[]>;
  /** Entries of the tenant that have no link (written around the chaining), per source. */
  unchained(): Promise<{ readonly source: S; readonly count: number; readonly firstId: string }[]>;
}

export interface AuditChainReader<S extends string = string> {
  /** The next tenant after `after` (in text order) that has a head, links or entries; null after the last. */
  nextTenant(after: string | null): Promise<string | null>;
  /** Runs `work` on one consistent snapshot of the tenant's chain (a read-only repeatable-read transaction). */
  withTenant<T>(tenantId: string, work: (view: TenantChainView<S>) => Promise<T>): Promise<T>;
}

export type TenantVerdict =
  | { readonly tenantId: string; readonly ok: true; readonly entries: bigint; readonly head: string }
  /** `entries`: how many links verified before the first broken one. */
  | { readonly tenantId: string; readonly ok: false; readonly entries: bigint; readonly seq: bigint | null; readonly problem: string };

export interface VerifyOptions<S extends string = string> {
  /** The table each source's entries live in (named in problems). */
  readonly tables: Readonly<Record<S, string>>;
  /** How an entry with no link came to be, in the problem verify reports (default: the LOS's chaining trigger disabled). */
  readonly unchainedCause?: string;
  /** Only this tenant's chain (default: every tenant's, one after the other). */
  readonly tenantId?: string;
  /** Links read per query; memory stays bounded by it whatever the chain's length. */
  readonly pageSize: number;
  readonly onProgress?: (tenantId: string, verified: bigint) => void;
  readonly onTenant?: (verdict: TenantVerdict) => void;
}

export interface VerifySummary {
  readonly tenants: number;
  readonly entries: bigint;
  readonly broken: number;
}

/**
 * Walks each tenant's chain in seq order with keyset pages, each tenant on one snapshot (what commits
 * meanwhile is left for the next run), up to the head read at the start of that snapshot. A tenant's first
 * broken link stops its walk and is reported; the other tenants are still walked. After the walk: the
 * head must be the last link walked (links deleted from the end), and every entry of the tenant must have
 * a link (an entry written with the chaining trigger disabled).
 */
export async function verifyAuditChain<S extends string>(reader: AuditChainReader<S>, options: VerifyOptions<S>): Promise<VerifySummary> {
  let tenants = 0;
  let entries = 0n;
  let broken = 0;
  let tenantId = options.tenantId ?? (await reader.nextTenant(null));
  while (tenantId !== null) {
    const current = tenantId;
    const verdict = await reader.withTenant(current, (view) => verifyTenant(current, view, options));
    tenants += 1;
    entries += verdict.entries;
    if (!verdict.ok) broken += 1;
    options.onTenant?.(verdict);
    tenantId = options.tenantId ? null : await reader.nextTenant(current);
  }
  return { tenants, entries, broken };
}

async function verifyTenant<S extends string>(tenantId: string, view: TenantChainView<S>, options: VerifyOptions<S>): Promise<TenantVerdict> {
  const head = await view.head();
  const end = head?.seq ?? null;
  let position: ChainPosition = START;
  for (;;) {
    const page = await view.links(position.seq, options.pageSize);
    for (const { link, content } of page) {
      if (end !== null && link.seq > end) break;
      const checked = checkLink(options.tables, position, link, content);
      if (!checked.ok) return { tenantId, ok: false, entries: position.seq, seq: checked.seq, problem: checked.problem };
      position = checked.position;
    }
    if (page.length < options.pageSize || (end !== null && position.seq >= end)) break;
    options.onProgress?.(tenantId, position.seq);
  }
  const ended = endCheck(head, position);
  if (ended) return { tenantId, ok: false, entries: position.seq, ...ended };
  const unchained = await view.unchained();
  if (unchained.length > 0) {
    const problem = unchained.map((u) => `${u.count} ${options.tables[u.source]} row(s) are not in the chain (first id ${u.firstId}): ${options.unchainedCause ?? 'written with the chaining trigger disabled'}`).join('; ');
    return { tenantId, ok: false, entries: position.seq, seq: null, problem };
  }
  return { tenantId, ok: true, entries: position.seq, head: position.hash };
}

function endCheck(head: ChainPosition | undefined, last: ChainPosition): { seq: bigint | null; problem: string } | null {
  if (!head) return last.seq > 0n ? { seq: null, problem: `the chain has ${last.seq} link(s) but no head row (audit_chain_heads row deleted)` } : null;
  if (head.seq > last.seq) return { seq: last.seq + 1n, problem: `seq ${last.seq + 1n}${head.seq > last.seq + 1n ? `–${head.seq}` : ''} missing: the chain ends at seq ${last.seq} but its head is at seq ${head.seq} (links deleted from the end)` };
  if (head.hash !== last.hash) return { seq: head.seq, problem: `the head's hash ${head.hash} is not the hash of seq ${head.seq} (${last.hash})` };
  return null;
}

/** The line a verify command prints for one tenant's chain (`withTenant`: when it walks every tenant). */
export function verdictLine(verdict: TenantVerdict, withTenant: boolean): string {
  const where = withTenant ? ` (tenant ${verdict.tenantId})` : '';
  if (verdict.ok) return `ok: ${verdict.entries} entries, head ${verdict.head}${where}`;
  return `broken${where}: ${verdict.seq === null ? '' : `seq ${verdict.seq}: `}${verdict.problem} (${verdict.entries} entries verified before it)`;
}

/** The closing line of a verify over every tenant. */
export function summaryLine(summary: VerifySummary): string {
  return `${summary.broken === 0 ? 'ok' : 'broken'}: ${summary.entries} entries in ${summary.tenants} tenant chain(s)${summary.broken ? `, ${summary.broken} broken` : ''}`;
}
