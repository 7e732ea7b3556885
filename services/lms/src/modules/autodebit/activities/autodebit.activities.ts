import { ApplicationFailure } from '@temporalio/common';
import { presentmentsOfLoan } from '../adapters/autodebit.repository.js';
import type { CollectionRailPort } from '../ports.js';
import { collectResults, type ApplyResultsDeps } from '../use-cases/apply-results.js';
import { presentDue } from '../use-cases/present-batch.js';
import { scheduleInstallmentDebit } from '../use-cases/schedule-debit.js';

/**
 * What the collections workflow (or a worker timer) calls to collect by auto-debit; all idempotent, so
 * Temporal's retries are safe. Amounts cross the activity boundary as strings of minor units (payloads are JSON).
 * A refused schedule (no account, stopped account) is non-retryable: retrying cannot fix it.
 */
export interface AutodebitActivities {
  /** Schedules the first presentment of an instalment on its due date; answers the presentment id. */
  scheduleAutoDebit(input: { tenantId: string; loanId: string; installmentNumber: number; amountMinor: string; currency: string; scale: number; dueDate: string }): Promise<{ presentmentId: string; effectiveDate: string }>;
  /** Presents every scheduled debit of each rail due by `upTo` (the batch run of a collection day). */
  presentDueDebits(input: { upTo: string; now: string }): Promise<{ files: number; entries: number }>;
  /** Fetches and applies the rail's result documents, stamped `receivedOn`. */
  collectDebitResults(input: { receivedOn: string }): Promise<{ documents: number; refused: number }>;
  /** Where each presentment of a loan stands: the workflow's view for follow-ups and flags (e.g. two bounces in a row). */
  presentmentsOf(input: { tenantId: string; loanId: string }): Promise<{ installmentNumber: number; attempt: number; status: string; returnCode?: string; action?: string }[]>;
}

export function createAutodebitActivities(deps: ApplyResultsDeps & { rail: CollectionRailPort; moreRails?: readonly CollectionRailPort[]; newId: () => string; maxPerFile: number }): AutodebitActivities {
  const pool = deps.servicing.pool;
  // Each rail presents and collects its own presentments (a loan's debit account names its rail).
  const rails = [deps.rail, ...(deps.moreRails ?? [])];
  return {
    async scheduleAutoDebit(input) {
      const r = await scheduleInstallmentDebit({ pool }, { tenantId: input.tenantId, loanId: input.loanId, installmentNumber: input.installmentNumber, amount: { amountMinor: BigInt(input.amountMinor), currency: input.currency, scale: input.scale }, dueDate: input.dueDate });
      if (!r.ok) throw ApplicationFailure.nonRetryable(r.error.detail, r.error.code, r.error);
      return { presentmentId: r.presentment.presentmentId, effectiveDate: r.presentment.effectiveDate };
    },
    async presentDueDebits(input) {
      let files = 0;
      let entries = 0;
      for (const rail of rails) {
        const report = await presentDue({ pool, rail, newId: deps.newId, maxPerFile: deps.maxPerFile }, input.upTo, new Date(input.now));
        files += report.files.length;
        entries += report.files.reduce((n, f) => n + f.entries, 0);
      }
      return { files, entries };
    },
    async collectDebitResults(input) {
      const reports = [];
      for (const rail of rails) reports.push(...(await collectResults(deps, rail, input.receivedOn)));
      return { documents: reports.filter((r) => r.status === 'applied').length, refused: reports.filter((r) => r.status === 'refused').length };
    },
    async presentmentsOf(input) {
      return (await presentmentsOfLoan(pool, input.tenantId, input.loanId)).map((p) => ({
        installmentNumber: p.installmentNumber, attempt: p.attempt, status: p.status, ...(p.returnCode ? { returnCode: p.returnCode } : {}), ...(p.action ? { action: p.action.kind } : {}),
      }));
    },
  };
}
