/**
 * The collector's activities: what the collections workflow reads of its loan on each pass and the records it
 * keeps (queue cases, wake-ups, flags, promise outcomes). All idempotent, so Temporal's retries are safe; plain
 * JSON in and out.
 */
import { collectionsFlagRaisedV2Schema } from '@lendstack/contracts';
import type pg from 'pg';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { enqueue } from '../../servicing/adapters/servicing.repository.js';
import { lifecycleEventId, LMS_SOURCE } from '../../lifecycle/domain/envelope.js';
import { closeCase, loadCollectionFacts, markActionStatus, openCase, setWakeup } from '../adapters/collector.repository.js';
import type { CollectionFacts, RaisedFlag } from '../domain/collector.js';

export interface CollectorActivities {
  /** The loan as of its tenant's business date; `found: false` for a loan the LMS does not know (or whose tenant has no business date yet). */
  collectionFacts(input: { loanId: string; promiseMadeOn: string | null }): Promise<CollectionFacts>;
  /** Puts the loan in a collector's queue (or moves it up). */
  openCollectionsCase(input: { tenantId: string; loanId: string; queue: string; priority: number; dpd: number; on: string }): Promise<boolean>;
  closeCollectionsCase(input: { tenantId: string; loanId: string; on: string; reason: string }): Promise<boolean>;
  /** Records the flag and publishes CollectionsFlagRaised v2 in one transaction; raising the same occurrence again changes nothing. */
  raiseCollectionsFlag(input: { tenantId: string; loanId: string; businessDate: string; dpd: number; now: string } & RaisedFlag): Promise<boolean>;
  /** The business date the workflow next needs waking on (null: none until a signal). */
  scheduleNextWake(input: { tenantId: string; loanId: string; wakeOn: string | null }): Promise<void>;
  /** Marks a promise-to-pay action kept or broken. */
  recordPromiseOutcome(input: { tenantId: string; actionId: string; outcome: 'kept' | 'broken' }): Promise<void>;
}

const NOT_FOUND: Omit<CollectionFacts, 'schedule'> = { found: false, tenantId: '', businessDate: '', status: 'open', dpd: 0, installments: [], paidSincePromise: null, presentmentOutcomes: [], monthEndDpd: [] };

export function createCollectorActivities(deps: { pool: pg.Pool; onOutbox?: () => void }): CollectorActivities {
  const { pool } = deps;
  return {
    async collectionFacts(input) {
      const facts = await loadCollectionFacts(pool, input.loanId, input.promiseMadeOn);
      return facts ?? { ...NOT_FOUND, schedule: { preDue: [], autoDebit: false, followUps: [], escalation: [] } };
    },
    openCollectionsCase: (input) => openCase(pool, input),
    closeCollectionsCase: (input) => closeCase(pool, input),
    async raiseCollectionsFlag(input) {
      const raised = await inTransaction(pool, async (client) => {
        const score = input.score;
        const inserted = await client.query(
          `INSERT INTO collections_flags (tenant_id, loan_id, event_key, flag, dpd, detail, business_date, probability, model, top_factors)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING`,
          [input.tenantId, input.loanId, input.eventKey, input.flag, input.dpd, input.detail, input.businessDate, score?.probability ?? null, score?.model ?? null, score ? JSON.stringify(score.topFactors) : null],
        );
        if ((inserted.rowCount ?? 0) === 0) return { ok: true, raised: false };
        const envelope = collectionsFlagRaisedV2Schema.parse({
          id: lifecycleEventId(input.loanId, input.eventKey), type: 'CollectionsFlagRaised', version: 2, source: LMS_SOURCE, subject: input.loanId,
          occurredAt: input.now, tenantId: input.tenantId, correlationId: `collections-${input.loanId}`.slice(0, 100),
          payload: {
            loanId: input.loanId, eventKey: input.eventKey, businessDate: input.businessDate, flag: input.flag, dpd: input.dpd, detail: input.detail.slice(0, 300),
            ...(score ? { probability: score.probability, model: score.model, topFactors: score.topFactors.slice(0, 5) } : {}),
          },
        });
        await enqueue(client, [{ id: envelope.id, key: input.loanId, value: envelope }]);
        return { ok: true, raised: true };
      });
      if (raised.raised) deps.onOutbox?.();
      return raised.raised;
    },
    scheduleNextWake: (input) => setWakeup(pool, input),
    recordPromiseOutcome: (input) => markActionStatus(pool, { tenantId: input.tenantId, actionId: input.actionId, status: input.outcome }),
  };
}
