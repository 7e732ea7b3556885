import { cardDeclineCode, CARD_DECLINES, isCardDeclineCode, MERCHANT_ADVICE } from '../domain/card-rules.js';
import type { CollectionRailPort, ResultDocument, UnreadableDocument } from '../ports.js';
import { vendorDetail, vendorField, vendorRule, type ProcessorApiClient } from './processor-api.client.js';

export interface CardOnFileRailOptions {
  /** The card processor's API (stored payment methods, merchant-initiated payments); the same JSON client. */
  readonly client: ProcessorApiClient;
}

/**
 * Card-on-file as a collection rail, over a card processor's merchant-initiated payment API: the loan's debit
 * account names the tokenised card (`pm_…`, authorisationId; the LMS never holds the number) and each
 * presentment is one recurring, merchant-initiated payment on it for its charge date, created under an
 * Idempotency-Key from its reference. Results are the payments of open batches: `authorised` settles on the
 * charge date; `declined` carries the ISO 8583 response code and, on Mastercard, the Merchant Advice Code
 * (`51/25`), which card-rules.ts turns into retry or stop (Visa category 1 never retried, MAC 03/21 stop, 24–30
 * wait). A code no network defines is refused as unreadable with the field and rule.
 */
export function createCardOnFileRail(options: CardOnFileRailOptions): CollectionRailPort {
  const referenceOf = (railSequence: number) => `LSC${String(railSequence).padStart(12, '0')}`;
  return {
    rail: 'card-on-file',
    referenceFor: referenceOf,
    async present(batch) {
      const references = new Map<string, string>();
      const refused = new Map<string, { field: string; rule: string; detail: string }>();
      for (const p of batch.presentments) {
        const reference = referenceOf(p.railSequence);
        references.set(p.presentmentId, reference);
        const answer = await options.client.post('/v1/payments', {
          payment_method: p.account.authorisationId, amount: p.amount.amountMinor.toString(), currency: p.amount.currency, charge_date: p.effectiveDate, reference, batch: batch.batchId,
          initiator: 'merchant', stored_credential: 'recurring',
        }, `card-pay:${reference}`);
        if (answer.status !== 201 && answer.status !== 200) refused.set(p.presentmentId, { field: `/${vendorField(answer) ?? ''}`, rule: vendorRule(answer), detail: vendorDetail(answer) });
      }
      return { kind: 'accepted', railBatchId: batch.batchId, references, refused };
    },
    async results(openBatchIds, receivedOn) {
      const documents: ResultDocument[] = [];
      const unreadable: UnreadableDocument[] = [];
      for (const batchId of openBatchIds) {
        const listed = await options.client.get(`/v1/payments?batch=${encodeURIComponent(batchId)}`);
        if (listed.status !== 200 || !Array.isArray(listed.body.data)) {
          unreadable.push({ documentId: `card:list:${batchId}:${listed.status}`, field: 'data', rule: 'payment-list', detail: `GET /v1/payments?batch=${batchId} answered ${listed.status} without a list of payments` });
          continue;
        }
        for (const [i, raw] of (listed.body.data as unknown[]).entries()) {
          const p = (raw ?? {}) as Record<string, unknown>;
          const documentId = `card:${typeof p.id === 'string' ? p.id : `${batchId}:${i + 1}`}:${String(p.status)}`;
          const bad = (field: string, rule: string, detail: string) => unreadable.push({ documentId, record: i + 1, field, rule, detail });
          if (typeof p.id !== 'string' || typeof p.reference !== 'string' || typeof p.charge_date !== 'string') { bad('id', 'payment-shape', 'a payment without its id, reference and charge date'); continue; }
          if (p.status === 'authorised') documents.push({ documentId, rail: 'card-on-file', receivedOn, results: [{ kind: 'settled', reference: p.reference, settlementDate: p.charge_date }] });
          else if (p.status === 'declined') {
            const code = cardDeclineCode(String(p.response_code ?? ''), typeof p.merchant_advice_code === 'string' ? p.merchant_advice_code : undefined);
            if (!isCardDeclineCode(code)) { bad('response_code', 'card-decline-code', `decline ${code} is not a response code (and advice code) the networks define`); continue; }
            const [response, mac] = code.split('/');
            const description = `${CARD_DECLINES[response!]}${mac ? `; ${MERCHANT_ADVICE[mac]}` : ''}`;
            documents.push({ documentId, rail: 'card-on-file', receivedOn, results: [{ kind: 'returned', reference: p.reference, code, description, returnedOn: p.charge_date, record: i + 1 }] });
          } else bad('status', 'payment-status', `unknown payment status ${String(p.status)}`);
        }
      }
      return { documents, unreadable };
    },
  };
}
