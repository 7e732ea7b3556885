import type pg from 'pg';

/** One step of an accepted offer's origination that has just completed (the agreement signed, the mandate active). */
export interface OriginationStep {
  readonly tenantId: string;
  readonly applicationId: string;
  readonly checksRun: number;
  /** Who or what completed it: a vendor callback names the vendor (`esign:docusign`), an operator their subject. */
  readonly actor: string;
  readonly at: Date;
}

/**
 * Called by the agreement and mandate modules inside the transaction that records their step, on the same
 * client: once the offer is accepted, the agreement signed and the mandate active, it approves the
 * application and enqueues LoanApproved in that transaction, so a step is never recorded without the
 * approval it completes (nor the approval without its step).
 */
export type OriginationStepDone = (c: pg.PoolClient, step: OriginationStep) => Promise<void>;
