import type pg from 'pg';
import { percentile } from './http-load.js';

/** Per-loan timestamps (epoch ms) from both databases, joined in the script by loan id. */
export interface LoanTimeline {
  readonly decidedMs: number;
  readonly outboxSentMs: number | undefined;
  readonly bookedMs: number | undefined;
  readonly collectionsStartedMs: number | undefined;
}

export async function loadTimelines(los: pg.Pool, lms: pg.Pool, tenantId: string): Promise<Map<string, LoanTimeline>> {
  // outbox.key is the loan id (one loan's events stay on one partition).
  const approved = await los.query<{ loan_id: string; decided_ms: number; sent_ms: number | null }>(
    `SELECT a.loan_id::text AS loan_id, extract(epoch FROM a.decided_at) * 1000 AS decided_ms, extract(epoch FROM o.sent_at) * 1000 AS sent_ms
     FROM applications a LEFT JOIN outbox o ON o.key = a.loan_id::text
     WHERE a.tenant_id = $1 AND a.status = 'approved'`,
    [tenantId],
  );
  const booked = await lms.query<{ id: string; created_ms: number; started_ms: number | null }>(
    `SELECT id, extract(epoch FROM created_at) * 1000 AS created_ms, extract(epoch FROM collections_started_at) * 1000 AS started_ms
     FROM loan_accounts WHERE tenant_id = $1`,
    [tenantId],
  );
  const byLoan = new Map(booked.rows.map((r) => [r.id, r]));
  const out = new Map<string, LoanTimeline>();
  for (const a of approved.rows) {
    const b = byLoan.get(a.loan_id);
    out.set(a.loan_id, {
      decidedMs: Number(a.decided_ms),
      outboxSentMs: a.sent_ms === null ? undefined : Number(a.sent_ms),
      bookedMs: b ? Number(b.created_ms) : undefined,
      collectionsStartedMs: b?.started_ms == null ? undefined : Number(b.started_ms),
    });
  }
  return out;
}

export interface Distribution {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export function distribution(values: number[]): Distribution {
  const sorted = [...values].sort((a, b) => a - b);
  return { count: sorted.length, p50: percentile(sorted, 50), p90: percentile(sorted, 90), p99: percentile(sorted, 99), max: sorted.at(-1) ?? Number.NaN };
}

/** Span between the earliest and latest of some timestamps, in ms. */
export function span(values: number[]): { first: number; last: number; ms: number } {
  let first = Infinity;
  let last = -Infinity;
  for (const v of values) {
    if (v < first) first = v;
    if (v > last) last = v;
  }
  return { first, last, ms: last - first };
}
