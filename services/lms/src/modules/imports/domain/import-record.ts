// The migration import's record: one existing loan with its terms and its history, as another system
// exported it (a JSON line, or a CSV row whose columns map onto the same fields). Pure: parsing,
// the rules a record must keep, and the engine input it replays as.
import { createHash } from 'node:crypto';
import { annualRatePercentSchema, dayCountSchema, feeSchema, frequencySchema, loanDateSchema, positiveMoneySchema, repaymentChannelSchema, scheduleMethodSchema, type LoanTermsV1 } from '@lendstack/contracts';
import { parseIsoDate, type MoneyEvent } from '@lendstack/loan-engine';
import { z } from 'zod';

const minorAmount = z.string().regex(/^[1-9]\d{0,17}$/, 'a whole number of minor units above zero, as a string of digits');
const eventId = z.string().min(1).max(64);

export const importEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('disbursement'), id: eventId, valueDate: loanDateSchema(), amount: minorAmount }).strict(),
  z.object({ kind: z.literal('repayment'), id: eventId, valueDate: loanDateSchema(), amount: minorAmount, channel: repaymentChannelSchema.default('other'), reference: z.string().max(140).optional() }).strict(),
  z.object({ kind: z.literal('reversal'), id: eventId, valueDate: loanDateSchema(), targetId: eventId, reason: z.string().max(500).optional() }).strict(),
]);

/** Events per loan a record may carry (a 30-year monthly loan with a payment and a few corrections a month). */
export const MAX_EVENTS_PER_RECORD = 2000;

export const importRecordSchema = z.object({
  externalId: z.string().min(1).max(64).regex(/^[\x21-\x7e]+$/, 'printable ASCII, no spaces'),
  productCode: z.string().min(1).max(40),
  principal: positiveMoneySchema,
  annualRatePercent: annualRatePercentSchema,
  termPeriods: z.number().int().min(1).max(600),
  frequency: frequencySchema,
  scheduleMethod: scheduleMethodSchema.default('equal-installment'),
  interestCalculation: z.enum(['per-period', 'daily']).default('per-period'),
  dayCount: dayCountSchema.default('30/360'),
  disbursementDate: loanDateSchema(),
  firstDueDate: loanDateSchema().optional(),
  fees: z.array(feeSchema).max(20).default([]),
  borrower: z.object({ reference: z.string().min(1).max(64), region: z.string().min(1).max(64).optional() }).strict(),
  history: z.array(importEventSchema).max(MAX_EVENTS_PER_RECORD).default([]),
}).strict();

export type ImportRecord = z.output<typeof importRecordSchema>;
export type ImportEvent = ImportRecord['history'][number];

/** Why a record is rejected: `field` a JSON pointer into the record (CSV: the column), `rule` a stable code. */
export interface RecordError {
  readonly field: string;
  readonly rule: string;
  readonly detail: string;
}

export type RecordCheck = { readonly ok: true; readonly record: ImportRecord } | { readonly ok: false; readonly error: RecordError };

const RULE_OF_ZOD: Record<string, string> = {
  invalid_type: 'invalid-type', too_big: 'too-big', too_small: 'too-small', invalid_format: 'malformed', unrecognized_keys: 'unknown-field',
  invalid_union: 'unknown-kind', invalid_value: 'not-allowed', custom: 'invalid',
};

/** The record's shape (the import format): the first broken field, as a JSON pointer. */
export function parseRecord(raw: unknown): RecordCheck {
  const parsed = importRecordSchema.safeParse(raw);
  if (parsed.success) return { ok: true, record: parsed.data };
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map(String);
  const missing = issue.code === 'invalid_type' && valueAt(raw, path) === undefined;
  const unknown = issue.code === 'unrecognized_keys' ? `/${(issue as { keys: string[] }).keys[0]}` : '';
  return { ok: false, error: { field: `/${path.join('/')}${unknown}`.replace(/^\/\//, '/'), rule: missing ? 'required' : RULE_OF_ZOD[issue.code] ?? 'invalid', detail: issue.message } };
}

function valueAt(raw: unknown, path: readonly string[]): unknown {
  let v: unknown = raw;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

/** What the tenant's books say a record must agree with. */
export interface RecordContext {
  readonly businessDate: string;
  /** The tenant's products by code (null: the tenant has no catalogue, any code is serviced with the engine's defaults). */
  readonly products: ReadonlyMap<string, { readonly currency: string }> | null;
}

const fail = (field: string, rule: string, detail: string): RecordCheck => ({ ok: false, error: { field, rule, detail } });

/**
 * The rules no schema can state: the product is the tenant's (in its currency), every date is on or
 * before the business date and not before the disbursement date, event ids are unique, a reversal
 * names an earlier repayment of the same record once, disbursements add up to at most the principal
 * and the first is on the disbursement date (no disbursement listed: the whole principal then).
 */
export function checkRecord(record: ImportRecord, ctx: RecordContext): RecordCheck {
  if (ctx.products !== null) {
    const product = ctx.products.get(record.productCode);
    if (!product) return fail('/productCode', 'unknown-product', `the tenant has no product ${record.productCode}`);
    if (product.currency !== record.principal.currency) return fail('/principal/currency', 'not-product-currency', `must be ${product.currency}, the currency of ${record.productCode}`);
  }
  if (record.disbursementDate > ctx.businessDate) return fail('/disbursementDate', 'after-business-date', `must be on or before the business date ${ctx.businessDate}`);
  const seen = new Map<string, ImportEvent>();
  const reversed = new Set<string>();
  let disbursed = 0n;
  let firstDisbursement: string | undefined;
  for (const [i, e] of record.history.entries()) {
    const at = (f: string) => `/history/${i}/${f}`;
    if (seen.has(e.id)) return fail(at('id'), 'duplicate-event-id', `event id ${e.id} appears twice`);
    if (e.valueDate > ctx.businessDate) return fail(at('valueDate'), 'after-business-date', `must be on or before the business date ${ctx.businessDate}`);
    if (e.valueDate < record.disbursementDate) return fail(at('valueDate'), 'before-disbursement-date', `must be on or after the disbursement date ${record.disbursementDate}`);
    if (e.kind === 'disbursement') {
      disbursed += BigInt(e.amount);
      if (disbursed > BigInt(record.principal.amount)) return fail(at('amount'), 'exceeds-principal', `disbursements add up to more than the principal ${record.principal.amount}`);
      if (firstDisbursement === undefined || e.valueDate < firstDisbursement) firstDisbursement = e.valueDate;
    }
    if (e.kind === 'reversal') {
      const target = seen.get(e.targetId);
      if (!target) return fail(at('targetId'), 'unknown-reversal-target', `no earlier event ${e.targetId} in this record`);
      if (target.kind !== 'repayment') return fail(at('targetId'), 'not-reversible', `a ${target.kind} cannot be reversed; only repayments can`);
      if (reversed.has(e.targetId)) return fail(at('targetId'), 'already-reversed', `event ${e.targetId} is reversed twice`);
      if (e.valueDate < target.valueDate) return fail(at('valueDate'), 'before-target', `must be on or after the reversed repayment's value date ${target.valueDate}`);
      reversed.add(e.targetId);
    }
    seen.set(e.id, e);
  }
  if (firstDisbursement !== undefined && firstDisbursement !== record.disbursementDate) {
    const i = record.history.findIndex((e) => e.kind === 'disbursement' && e.valueDate === firstDisbursement);
    return fail(`/history/${i}/valueDate`, 'first-disbursement-not-on-disbursement-date', `the first disbursement must be on the disbursement date ${record.disbursementDate}`);
  }
  return { ok: true, record };
}

/** The loan terms the record's schedule is computed from (the LoanApproved terms a booking stores). */
export function termsOf(r: ImportRecord): LoanTermsV1 {
  return {
    productCode: r.productCode, principal: r.principal, annualRatePercent: r.annualRatePercent, termPeriods: r.termPeriods, frequency: r.frequency,
    scheduleMethod: r.scheduleMethod, interestCalculation: r.interestCalculation, dayCount: r.dayCount, expectedDisbursementDate: r.disbursementDate,
    ...(r.firstDueDate ? { firstDueDate: r.firstDueDate } : {}), fees: r.fees,
  };
}

/** md5 of the text as a UUID: the same input, the same id (a resumed batch books the same rows). */
export function derivedUuid(text: string): string {
  const h = createHash('md5').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** The LMS loan id of a tenant's external loan id. */
export const importedLoanId = (tenantId: string, externalId: string) => derivedUuid(`import-loan:${tenantId}:${externalId}`);
/** The loan transaction id of a record's event. */
export const importedTransactionId = (loanId: string, eventId: string) => derivedUuid(`import-tx:${loanId}:${eventId}`);
/** The implicit disbursement's event id when the history lists none. */
export const IMPLICIT_DISBURSEMENT_ID = 'disbursement';

/** The history as loan transactions: ids derived, the whole principal disbursed on the disbursement date when none is listed. */
export function transactionsOf(r: ImportRecord, loanId: string) {
  const events: ImportEvent[] = r.history.some((e) => e.kind === 'disbursement')
    ? r.history
    : [{ kind: 'disbursement', id: IMPLICIT_DISBURSEMENT_ID, valueDate: r.disbursementDate, amount: r.principal.amount }, ...r.history];
  return events.map((e) => ({
    id: importedTransactionId(loanId, e.id), eventId: e.id, kind: e.kind, valueDate: e.valueDate,
    amountMinor: e.kind === 'reversal' ? null : BigInt(e.amount),
    targetId: e.kind === 'reversal' ? importedTransactionId(loanId, e.targetId) : null,
    channel: e.kind === 'repayment' ? e.channel : e.kind === 'disbursement' ? 'import' : null,
    reference: e.kind === 'repayment' ? e.reference ?? e.id : e.id,
    reason: e.kind === 'reversal' ? e.reason ?? 'reversed in the system the loan was imported from' : null,
  }));
}
export type ImportedTransaction = ReturnType<typeof transactionsOf>[number];

/** The engine's money events for those transactions (every one effective: a disbursement is confirmed). */
export function engineEventsOf(txs: readonly ImportedTransaction[]): MoneyEvent[] {
  return txs.map((t): MoneyEvent => (t.kind === 'reversal'
    ? { kind: 'reversal', id: t.id, targetId: t.targetId!, valueDate: parseIsoDate(t.valueDate) }
    : { kind: t.kind, id: t.id, valueDate: parseIsoDate(t.valueDate), amountMinor: t.amountMinor! }));
}
