import { checkNachPresentation, type Mandate } from '../domain/nach-mandate.js';
import { isNachReasonCode, nachReasonText } from '../domain/nach-rules.js';
import type { CollectionRailPort, MandateAnswer, MandatePort, PresentmentResult, ResultDocument, UnreadableDocument } from '../ports.js';
import { vendorDetail, vendorField, vendorRule, type ProcessorApiClient, type VendorAnswer } from './processor-api.client.js';

export interface NachCollectionRailOptions {
  /** The NACH processor's API (LotusPay-shaped: mandates and ach_debits). */
  readonly client: ProcessorApiClient;
  /** The mandate a debit names by UMRN, as the LMS stores it (status, maximum, validity). */
  readonly mandateOf: (umrn: string) => Promise<Mandate | undefined>;
  /** The sponsor bank's cut-off on the charge date, IST minutes after midnight (default 10:00). */
  readonly cutoffMinutesIst?: number;
  /** Days before the charge date the debit goes to the sponsor bank (default 2; NACH allows up to 7). */
  readonly presentAheadDays?: number;
  /** Days after a confirmation a late return is still looked for (default 10). */
  readonly lateReturnDays?: number;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FIELD_OF: Readonly<Record<string, string>> = {
  debtor_account_number: '/account/accountNumber', debtor_agent_code: '/account/bankCode', debtor_account_name: '/account/holderName', amount_maximum: '/mandate/maxAmount',
  frequency: '/mandate/frequency', category: '/mandate/category', first_collection_date: '/mandate/validFrom', final_collection_date: '/mandate/validUntil',
};

/**
 * India NACH as a collection rail, over a NACH processor's debit API (LotusPay's `ach_debit` resource): each
 * presentment is one debit on its UMRN for its charge date, created under an Idempotency-Key derived from its
 * reference and tagged with the batch id, so a batch sent again creates nothing twice. Before sending, each
 * debit is checked against the stored mandate (active, maximum, validity) and the presentation window (at most 7
 * days before the charge date, before the sponsor bank's cut-off on it): one that fails is refused alone, with
 * the rule. Results are the debits of open batches: `confirmed` settles on the charge date, `returned` (also a
 * late return after a confirmation) and `cancelled` (NPCI's reject before presentation) carry the Circular 274
 * code. A debit the processor describes with a code Circular 274 does not define, or without the fields its API
 * documents, is refused as unreadable with the field and rule.
 */
export function createNachCollectionRail(options: NachCollectionRailOptions): CollectionRailPort & MandatePort {
  const cutoff = options.cutoffMinutesIst ?? 10 * 60;
  const register = async (answer: VendorAnswer): Promise<MandateAnswer> => mandateAnswer(answer);
  const referenceOf = (railSequence: number) => `LSN${String(railSequence).padStart(12, '0')}`;
  return {
    rail: 'in-nach',
    presentAheadDays: options.presentAheadDays ?? 2,
    lateReturnDays: options.lateReturnDays ?? 10,
    referenceFor: referenceOf,
    async present(batch) {
      const references = new Map<string, string>();
      const refused = new Map<string, { field: string; rule: string; detail: string }>();
      for (const p of batch.presentments) {
        const reference = referenceOf(p.railSequence);
        references.set(p.presentmentId, reference);
        if (p.amount.currency !== 'INR') {
          refused.set(p.presentmentId, { field: '/amount/currency', rule: 'currency', detail: `a NACH debit is in INR, not ${p.amount.currency}` });
          continue;
        }
        const mandate = await options.mandateOf(p.account.authorisationId);
        if (!mandate) {
          refused.set(p.presentmentId, { field: '/account/authorisationId', rule: 'unknown-mandate', detail: `no mandate with UMRN ${p.account.authorisationId} is stored for the loan` });
          continue;
        }
        const check = checkNachPresentation(mandate, p.amount.amountMinor, p.effectiveDate, batch.createdAt, cutoff);
        if (!check.ok) {
          refused.set(p.presentmentId, check.issue);
          continue;
        }
        const answer = await options.client.post('/v1/ach_debits', { mandate: p.account.authorisationId, amount: p.amount.amountMinor.toString(), charge_date: p.effectiveDate, reference, batch: batch.batchId }, `nach-debit:${reference}`);
        if (answer.status !== 201 && answer.status !== 200) refused.set(p.presentmentId, { field: FIELD_OF[vendorField(answer) ?? ''] ?? `/${vendorField(answer) ?? ''}`, rule: vendorRule(answer), detail: vendorDetail(answer) });
      }
      return { kind: 'accepted', railBatchId: batch.batchId, references, refused };
    },
    async results(openBatchIds, receivedOn) {
      const documents: ResultDocument[] = [];
      const unreadable: UnreadableDocument[] = [];
      for (const batchId of openBatchIds) {
        const listed = await options.client.get(`/v1/ach_debits?batch=${encodeURIComponent(batchId)}`);
        if (listed.status !== 200 || !Array.isArray(listed.body.data)) {
          unreadable.push({ documentId: `nach:list:${batchId}:${listed.status}`, field: 'data', rule: 'debit-list', detail: `GET /v1/ach_debits?batch=${batchId} answered ${listed.status} without a list of debits` });
          continue;
        }
        for (const [i, raw] of (listed.body.data as unknown[]).entries()) {
          const read = readDebit(raw, batchId, i + 1, receivedOn);
          if (read === undefined) continue;
          if ('field' in read) unreadable.push(read);
          else documents.push(read);
        }
      }
      return { documents, unreadable };
    },
    async register(r) {
      return register(await options.client.post('/v1/mandates', {
        reference: r.reference, debtor_account_number: r.accountNumber ?? '', debtor_agent_code: r.bankCode, debtor_account_name: r.holderName, amount_maximum: r.maxAmountMinor.toString(),
        frequency: r.frequency, category: r.category, first_collection_date: r.validFrom, ...(r.validUntil ? { final_collection_date: r.validUntil } : {}),
      }, r.key));
    },
    async amend(processorId, change, key) {
      return register(await options.client.post(`/v1/mandates/${encodeURIComponent(processorId)}/amend`, {
        ...(change.maxAmountMinor !== undefined ? { amount_maximum: change.maxAmountMinor.toString() } : {}), ...(change.validUntil ? { final_collection_date: change.validUntil } : {}),
      }, key));
    },
    async cancel(processorId, key) {
      const answer = await options.client.post(`/v1/mandates/${encodeURIComponent(processorId)}/cancel`, {}, key);
      if (answer.status === 200 && answer.body.status === 'cancelled') return { kind: 'cancelled' };
      return mandateAnswer(answer);
    },
  };
}

function mandateAnswer(answer: VendorAnswer): MandateAnswer {
  const b = answer.body;
  if ((answer.status === 200 || answer.status === 201) && typeof b.id === 'string') {
    if (b.status === 'active' && typeof b.umrn === 'string') return { kind: 'active', processorId: b.id, umrn: b.umrn };
    if (b.status === 'rejected') return { kind: 'rejected', processorId: b.id, code: String(b.reject_code ?? ''), reason: String(b.reject_reason ?? '') };
  }
  const field = vendorField(answer);
  return { kind: 'refused', status: answer.status < 400 ? 502 : answer.status, field: field ? (FIELD_OF[field] ?? `/${field}`) : '/mandate', rule: vendorRule(answer), detail: answer.status < 400 ? `the processor answered ${answer.status} with a mandate it does not document: ${answer.text.slice(0, 200)}` : vendorDetail(answer) };
}

/** One debit of the processor's list as a results document (one per debit and state), unreadable, or undefined while pending. */
function readDebit(raw: unknown, batchId: string, item: number, receivedOn: string): ResultDocument | UnreadableDocument | undefined {
  const d = (raw ?? {}) as Record<string, unknown>;
  const bad = (field: string, rule: string, detail: string): UnreadableDocument => ({ documentId: `nach:${typeof d.id === 'string' ? d.id : `${batchId}:${item}`}:${String(d.status)}`, record: item, field, rule, detail });
  if (typeof d.id !== 'string' || typeof d.reference !== 'string' || typeof d.status !== 'string') return bad('id', 'debit-shape', 'a debit without its id, reference and status');
  if (d.status === 'pending') return undefined;
  const documentId = `nach:${d.id}:${d.status}`;
  if (d.status === 'confirmed') {
    if (typeof d.charge_date !== 'string' || !DATE.test(d.charge_date)) return bad('charge_date', 'date', `charge_date ${String(d.charge_date)} is not YYYY-MM-DD`);
    return { documentId, rail: 'in-nach', receivedOn, results: [{ kind: 'settled', reference: d.reference, settlementDate: d.charge_date }] };
  }
  if (d.status !== 'returned' && d.status !== 'cancelled') return bad('status', 'debit-status', `unknown debit status ${d.status}`);
  const code = typeof d.response_code === 'string' ? d.response_code : '';
  if (!isNachReasonCode(code)) return bad('response_code', 'npci-reason-code', `response code ${code || '(none)'} is not one NPCI Circular 274 defines`);
  if (typeof d.response_date !== 'string' || !DATE.test(d.response_date)) return bad('response_date', 'date', `response_date ${String(d.response_date)} is not YYYY-MM-DD`);
  const result: PresentmentResult = { kind: 'returned', reference: d.reference, code, description: nachReasonText(code)!, returnedOn: d.response_date, record: item };
  return { documentId, rail: 'in-nach', receivedOn, results: [result] };
}
