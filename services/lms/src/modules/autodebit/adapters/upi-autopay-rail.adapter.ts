import { istParts } from '../domain/india-calendar.js';
import { checkUpiAmount, checkUpiExecution, planUpiExecution, UPI_FAILURE_REASONS, UPI_NO_AFA_LIMIT_PAISE } from '../domain/upi-autopay.js';
import type { CollectionRailPort, MandateAnswer, MandatePort, ResultDocument, UnreadableDocument } from '../ports.js';
import { vendorDetail, vendorField, vendorRule, type ProcessorApiClient, type VendorAnswer } from './processor-api.client.js';

export interface UpiMandateView {
  readonly status: string;
  readonly processorId?: string;
  readonly maxAmountMinor: bigint;
}

export interface UpiAutopayRailOptions {
  /** The PSP's AutoPay API (mandates, pre-debit notifications, executions). */
  readonly client: ProcessorApiClient;
  /** The mandate a debit names by its UMN, as the LMS stores it. */
  readonly mandateOf: (umn: string) => Promise<UpiMandateView | undefined>;
  /** The most a debit may be without the payer's PIN (default ₹15,000; RBI's e-mandate framework). */
  readonly noAfaLimitMinor?: bigint;
  /** Days before the due date the pre-debit notification goes (default 2, so it is at least 24 h ahead). */
  readonly presentAheadDays?: number;
}

const FIELD_OF: Readonly<Record<string, string>> = { payer_vpa: '/account/bankCode', amount_maximum: '/mandate/maxAmount', frequency: '/mandate/frequency', start_date: '/mandate/validFrom', execute_at: '/effectiveDate', amount: '/amount' };

/**
 * UPI AutoPay as a collection rail, over a PSP's recurring-debit API. Presenting a debit is sending its
 * pre-debit notification (PDN) for one execution: planned by the rules (upi-autopay.ts) at least 24 h after the
 * notification, in the 25th hour or at the due date's IST midnight if later, moved out of the peak hours
 * 10:00–13:00 and 17:00–21:30 IST; the PSP executes it then. A debit above the no-PIN limit or the mandate's
 * maximum, on a mandate not active, past the 4th attempt, or that cannot be notified 24 h ahead of its due date
 * is refused alone with the rule (the PSP's own 422s, e.g. its clock finding less than 24 h, likewise). Results
 * are the executions of open batches: `success` settles on its IST date, `failure` carries the NPCI/PSP code
 * (an unknown code, or an execution without the documented fields, is refused as unreadable).
 */
export function createUpiAutopayRail(options: UpiAutopayRailOptions): CollectionRailPort & MandatePort {
  const limit = options.noAfaLimitMinor ?? UPI_NO_AFA_LIMIT_PAISE;
  const referenceOf = (railSequence: number) => `LSU${String(railSequence).padStart(12, '0')}`;
  return {
    rail: 'upi-autopay',
    presentAheadDays: options.presentAheadDays ?? 2,
    referenceFor: referenceOf,
    async present(batch) {
      const references = new Map<string, string>();
      const refused = new Map<string, { field: string; rule: string; detail: string }>();
      for (const p of batch.presentments) {
        const reference = referenceOf(p.railSequence);
        references.set(p.presentmentId, reference);
        const mandate = await options.mandateOf(p.account.authorisationId);
        if (!mandate?.processorId || mandate.status !== 'active') {
          refused.set(p.presentmentId, { field: '/account/authorisationId', rule: 'mandate-not-active', detail: `the UPI mandate ${p.account.authorisationId} is ${mandate?.status ?? 'unknown'}: never executed` });
          continue;
        }
        const amount = checkUpiAmount(p.amount.amountMinor, mandate.maxAmountMinor, limit);
        if (!amount.ok) {
          refused.set(p.presentmentId, amount.issue);
          continue;
        }
        const plan = planUpiExecution(batch.createdAt, p.effectiveDate);
        if (!plan.ok) {
          refused.set(p.presentmentId, plan.issue);
          continue;
        }
        const allowed = checkUpiExecution(batch.createdAt, plan.value, p.attempt);
        if (!allowed.ok) {
          refused.set(p.presentmentId, allowed.issue);
          continue;
        }
        const answer = await options.client.post(`/upi/v1/mandates/${encodeURIComponent(mandate.processorId)}/notifications`,
          { amount: p.amount.amountMinor.toString(), execute_at: plan.value.toISOString(), reference, batch: batch.batchId, sequence: p.attempt }, `upi-pdn:${reference}`);
        if (answer.status !== 201 && answer.status !== 200) refused.set(p.presentmentId, { field: FIELD_OF[vendorField(answer) ?? ''] ?? `/${vendorField(answer) ?? ''}`, rule: vendorRule(answer), detail: vendorDetail(answer) });
      }
      return { kind: 'accepted', railBatchId: batch.batchId, references, refused };
    },
    async results(openBatchIds, receivedOn) {
      const documents: ResultDocument[] = [];
      const unreadable: UnreadableDocument[] = [];
      for (const batchId of openBatchIds) {
        const listed = await options.client.get(`/upi/v1/executions?batch=${encodeURIComponent(batchId)}`);
        if (listed.status !== 200 || !Array.isArray(listed.body.data)) {
          unreadable.push({ documentId: `upi:list:${batchId}:${listed.status}`, field: 'data', rule: 'execution-list', detail: `GET /upi/v1/executions?batch=${batchId} answered ${listed.status} without a list of executions` });
          continue;
        }
        for (const [i, raw] of (listed.body.data as unknown[]).entries()) {
          const e = (raw ?? {}) as Record<string, unknown>;
          const bad = (field: string, rule: string, detail: string) => unreadable.push({ documentId: `upi:${typeof e.id === 'string' ? e.id : `${batchId}:${i + 1}`}:${String(e.status)}`, record: i + 1, field, rule, detail });
          if (typeof e.id !== 'string' || typeof e.reference !== 'string' || typeof e.status !== 'string') { bad('id', 'execution-shape', 'an execution without its id, reference and status'); continue; }
          if (e.status === 'notified') continue;
          const executedAt = typeof e.executed_at === 'string' ? new Date(e.executed_at) : undefined;
          if (!executedAt || Number.isNaN(executedAt.getTime())) { bad('executed_at', 'instant', `executed_at ${String(e.executed_at)} is not an ISO 8601 instant`); continue; }
          const on = istParts(executedAt).date;
          const documentId = `upi:${e.id}:${e.status}`;
          if (e.status === 'success') documents.push({ documentId, rail: 'upi-autopay', receivedOn, results: [{ kind: 'settled', reference: e.reference, settlementDate: on }] });
          else if (e.status === 'failure') {
            const code = typeof e.error_code === 'string' ? e.error_code : '';
            if (!(code in UPI_FAILURE_REASONS)) { bad('error_code', 'upi-response-code', `error code ${code || '(none)'} is not a UPI response code this rail knows`); continue; }
            documents.push({ documentId, rail: 'upi-autopay', receivedOn, results: [{ kind: 'returned', reference: e.reference, code, description: UPI_FAILURE_REASONS[code]!, returnedOn: on, record: i + 1 }] });
          } else bad('status', 'execution-status', `unknown execution status ${e.status}`);
        }
      }
      return { documents, unreadable };
    },
    async register(r) {
      return mandateAnswer(await options.client.post('/upi/v1/mandates', {
        reference: r.reference, payer_vpa: r.bankCode, amount_maximum: r.maxAmountMinor.toString(), frequency: r.frequency, start_date: r.validFrom, ...(r.validUntil ? { end_date: r.validUntil } : {}),
      }, r.key));
    },
    amend: async () => ({ kind: 'refused', status: 409, field: '/mandate', rule: 'payer-modifies', detail: 'a UPI AutoPay mandate is modified by the payer in their UPI app (with their PIN), not by the lender' }),
    // The PSP's API has no merchant-side revoke in the sandbox's protocol: the LMS stops presenting on it.
    cancel: async () => ({ kind: 'cancelled' }),
  };
}

function mandateAnswer(answer: VendorAnswer): MandateAnswer {
  const b = answer.body;
  if ((answer.status === 200 || answer.status === 201) && typeof b.id === 'string' && b.status === 'active' && typeof b.umn === 'string') return { kind: 'active', processorId: b.id, umrn: b.umn };
  const field = vendorField(answer);
  return { kind: 'refused', status: answer.status < 400 ? 502 : answer.status, field: field ? (FIELD_OF[field] ?? `/${field}`) : '/mandate', rule: vendorRule(answer), detail: answer.status < 400 ? `the PSP answered ${answer.status} with a mandate it does not document` : vendorDetail(answer) };
}
