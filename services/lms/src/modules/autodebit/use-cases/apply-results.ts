import { eachLimited } from '@lendstack/platform';
import { businessDateOf } from '../../business-date/business-date.repository.js';
import { requestHash } from '../../servicing/domain/servicing.js';
import { applyMoneyEvent, type ServicingDeps } from '../../servicing/use-cases/apply-money-event.js';
import { inTransaction } from '../../../platform/pg-transaction.js';
import {
  beginDocument, correctAccount, finishDocument, insertPresentment, markReturned, markSettled, presentmentByReference, recordResult, resultLineRecorded, setAccountStatus, type StoredPresentment,
} from '../adapters/autodebit.repository.js';
import { decideAchChange, type AchRetryPolicy } from '../domain/ach-rules.js';
import { decideUnpaid, type RailPolicies } from '../domain/rail-rules.js';
import type { CollectionRailPort, PresentmentResult, ResultAction, ResultDocument, UnreadableDocument } from '../ports.js';
import { presentmentIdOf } from './schedule-debit.js';

export interface ApplyResultsDeps {
  readonly servicing: ServicingDeps;
  /** ACH's re-presentment timing (kept as its own field); railPolicies.ach wins when both are given. */
  readonly retryPolicy?: AchRetryPolicy;
  /** Each rail's retry policy (NACH's business days and holidays, …); a result is decided by its own rail's rules. */
  readonly railPolicies?: RailPolicies;
  /** Tests: called after a result's money was posted (or reversed) and before the presentment is marked, as a killed process would stop. */
  readonly afterPosting?: (presentmentId: string) => void;
  /** Presentments whose lines are applied at once (each one's lines stay in document order); default 8. */
  readonly concurrency?: number;
}

/** The deterministic Idempotency-Keys of a presentment's repayment and of its reversal: each posts once, however often results are applied. */
export const repaymentKeyOf = (presentmentId: string) => `autodebit:${presentmentId}:repayment`;
export const reversalKeyOf = (presentmentId: string) => `autodebit:${presentmentId}:reversal`;

export interface ApplyReport {
  readonly documentId: string;
  /** pending: a line could not be applied yet (its loan's business date is before the settlement); resumed on the next pass. */
  readonly status: 'applied' | 'already-applied' | 'refused' | 'pending';
  readonly outcomes: readonly { readonly line: number; readonly reference: string; readonly outcome: string; readonly detail?: string }[];
}

/** Records a results document the rail sent that cannot be read: refused whole, nothing applied. */
export async function refuseDocument(deps: ApplyResultsDeps, u: UnreadableDocument, rail: CollectionRailPort['rail'], receivedOn: string): Promise<ApplyReport> {
  await beginDocument(deps.servicing.pool, { documentId: u.documentId, rail, receivedOn, status: 'refused', refusal: { record: u.record, field: u.field, rule: u.rule, detail: u.detail }, resultCount: 0 });
  return { documentId: u.documentId, status: 'refused', outcomes: [] };
}

/**
 * Applies one results document, line by line in document order. Each line: a settlement posts the repayment
 * through applyMoneyEvent (the use case of POST /v1/loans/{id}/repayments) under repaymentKeyOf(presentment); a
 * return reverses a posted repayment through the same use case's reversal under reversalKeyOf, then the rail's
 * own rules decide (domain/rail-rules.ts: ACH, NACH, UPI AutoPay or card codes, never another rail's) (retry, stop for new account data, revoke, review) and the next attempt is scheduled; a NOC
 * corrects the stored account. The money moves first and the presentment is marked after, so a process killed
 * in between finds the same transaction by its key on the next pass. Lines already recorded are skipped; a
 * document seen whole answers already-applied. A line naming no presentment of ours is recorded unknown-entry,
 * one repeating what its presentment already had is recorded duplicate; nothing is posted for either.
 */
export async function applyResultDocument(deps: ApplyResultsDeps, doc: ResultDocument): Promise<ApplyReport> {
  const pool = deps.servicing.pool;
  const seen = await beginDocument(pool, { documentId: doc.documentId, rail: doc.rail, receivedOn: doc.receivedOn, status: 'applying', resultCount: doc.results.length });
  if (seen === 'applied' || seen === 'refused') return { documentId: doc.documentId, status: 'already-applied', outcomes: [] };
  const outcomes: { line: number; reference: string; outcome: string; detail?: string }[] = [];
  // One lane per reference: a presentment's lines (a return and its NOC) apply in document order, others at once.
  const byReference = new Map<string, { line: number; result: PresentmentResult }[]>();
  doc.results.forEach((result, i) => byReference.set(result.reference, [...(byReference.get(result.reference) ?? []), { line: i + 1, result }]));
  await eachLimited([...byReference.values()], deps.concurrency ?? 8, async (lines) => {
    for (const { line, result } of lines) {
      if (seen === 'applying' && (await resultLineRecorded(pool, doc.documentId, line))) continue;
      const { outcome, detail, presentmentId } = await applyOne(deps, doc, result);
      await recordResult(pool, { documentId: doc.documentId, line, kind: result.kind, reference: result.reference, ...(result.kind !== 'settled' ? { code: result.code } : {}), ...(result.kind !== 'settled' && result.record ? { record: result.record } : {}), ...(presentmentId ? { presentmentId } : {}), outcome, ...(detail ? { detail } : {}) });
      outcomes.push({ line, reference: result.reference, outcome, ...(detail ? { detail } : {}) });
    }
  });
  await finishDocument(pool, doc.documentId);
  return { documentId: doc.documentId, status: 'applied', outcomes: outcomes.sort((a, b) => a.line - b.line) };
}

type LineOutcome = { outcome: 'applied' | 'duplicate' | 'unknown-entry' | 'superseded'; detail?: string; presentmentId?: string };

async function applyOne(deps: ApplyResultsDeps, doc: ResultDocument, result: PresentmentResult): Promise<LineOutcome> {
  const pool = deps.servicing.pool;
  const p = await presentmentByReference(pool, doc.rail, result.reference);
  if (!p || p.status === 'scheduled') return { outcome: 'unknown-entry', detail: `no presentment of ours carries ${result.reference}` };
  const presentmentId = p.presentmentId;
  if (result.kind === 'changed') {
    if (p.rail !== 'us-ach') return { outcome: 'superseded', detail: `${result.code}: notifications of change are ACH's; the ${p.rail} rail sends none`, presentmentId };
    const action = decideAchChange(result.code, result.correction);
    await correctAccount(pool, p.tenantId, p.loanId, result.code, result.reference, action.correction);
    return { outcome: 'applied', detail: `${result.code}: ${Object.keys(action.correction).join(', ') || 'nothing stored to correct'}`, presentmentId };
  }
  if (result.kind === 'settled') {
    if (p.status === 'settled') return { outcome: 'duplicate', detail: 'already settled', presentmentId };
    if (p.status !== 'presented' && p.status !== 'batched') return { outcome: 'superseded', detail: `the presentment is ${p.status}`, presentmentId };
    const posted = await postRepayment(deps, p, result.settlementDate);
    deps.afterPosting?.(presentmentId);
    const action: ResultAction = posted.ok ? { kind: 'post-repayment', valueDate: result.settlementDate } : { kind: 'stop-manual-review', reason: `the repayment was refused: ${posted.detail}`, reversePosted: false };
    await markSettled(pool, presentmentId, result.settlementDate, posted.ok ? posted.txId : null, action);
    return { outcome: 'applied', ...(posted.ok ? {} : { detail: posted.detail }), presentmentId };
  }
  if (p.status === 'returned') return { outcome: 'duplicate', detail: `already returned ${p.returnCode}`, presentmentId };
  if (p.status !== 'presented' && p.status !== 'batched' && p.status !== 'settled') return { outcome: 'superseded', detail: `the presentment is ${p.status}`, presentmentId };
  // The return is dated in the presentment's own tenant's books: a rail's file may be read on a later tenant's date.
  const tenantDate = await businessDateOf(pool, p.tenantId, deps.servicing.today);
  const returnedOn = result.returnedOn > tenantDate ? tenantDate : result.returnedOn;
  const action = decideUnpaid({ rail: p.rail, attempt: p.attempt, originalSettlementDate: p.originalSettlementDate ?? p.settlementDate ?? p.effectiveDate, posted: Boolean(p.repaymentTxId) }, result.code, returnedOn, {
    ...(deps.retryPolicy ? { ach: deps.retryPolicy } : {}), ...deps.railPolicies,
  });
  const reversalTxId = p.repaymentTxId ? await reverseRepayment(deps, p, result.code) : null;
  if (p.repaymentTxId) deps.afterPosting?.(presentmentId);
  await inTransaction(pool, async (client) => {
    if (!(await markReturned(client, presentmentId, result.code, returnedOn, action, reversalTxId))) return { ok: true };
    if (action.kind === 'retry-at') {
      await insertPresentment(client, {
        id: presentmentIdOf(p.tenantId, p.loanId, p.installmentNumber, action.attempt), tenantId: p.tenantId, loanId: p.loanId, installmentNumber: p.installmentNumber, rail: p.rail, attempt: action.attempt,
        originalId: p.originalPresentmentId ?? p.presentmentId, originalSettlementDate: p.originalSettlementDate ?? p.settlementDate ?? p.effectiveDate,
        amountMinor: p.amount.amountMinor, currency: p.amount.currency, scale: p.amount.scale, effectiveDate: action.date,
      });
    } else if (action.kind === 'stop-new-account-data') await setAccountStatus(client, p.tenantId, p.loanId, 'needs-account-data', action.reason);
    else if (action.kind === 'stop-revoke-authorisation') await setAccountStatus(client, p.tenantId, p.loanId, 'revoked', action.reason);
    return { ok: true };
  });
  return { outcome: 'applied', detail: `${result.code}: ${action.kind}`, presentmentId };
}

/** How a return is named in a reversal's reason. */
const RETURN_NAME: Readonly<Record<StoredPresentment['rail'], string>> = { 'us-ach': 'ACH return', 'in-nach': 'NACH return', 'upi-autopay': 'UPI AutoPay failure', 'card-on-file': 'card decline' };

/** The repayment channel servicing records for each rail (its channel list: ach, nach, upi-autopay, card, …). */
const CHANNEL_OF: Readonly<Record<StoredPresentment['rail'], string>> = { 'us-ach': 'ach', 'in-nach': 'nach', 'upi-autopay': 'upi-autopay', 'card-on-file': 'card' };

async function postRepayment(deps: ApplyResultsDeps, p: StoredPresentment, valueDate: string): Promise<{ ok: true; txId: string } | { ok: false; detail: string }> {
  const body = { amount: { amount: p.amount.amountMinor.toString(), currency: p.amount.currency, scale: p.amount.scale }, valueDate, channel: CHANNEL_OF[p.rail], reference: p.reference ?? p.presentmentId };
  const result = await applyMoneyEvent(deps.servicing, {
    tenantId: p.tenantId, loanId: p.loanId, actor: 'autodebit', idempotencyKey: repaymentKeyOf(p.presentmentId), requestHash: requestHash(['repayment', p.loanId, body]), correlationId: `autodebit:${p.presentmentId}`,
    command: { kind: 'repayment', ...body },
  });
  if (result.ok) return { ok: true, txId: result.value.id };
  // The business date has not reached the settlement yet: not a refusal of the money, so leave the line for the next pass.
  if (result.error.code === 'value-date-after-business-date') throw new ResultNotYetApplicable(`${p.presentmentId}: ${result.error.detail}`);
  return { ok: false, detail: `${result.error.code} (${result.error.pointer}): ${result.error.detail}` };
}

async function reverseRepayment(deps: ApplyResultsDeps, p: StoredPresentment, code: string): Promise<string> {
  const body = { reason: `${RETURN_NAME[p.rail]} ${code} of presentment ${p.presentmentId}` };
  const result = await applyMoneyEvent(deps.servicing, {
    tenantId: p.tenantId, loanId: p.loanId, actor: 'autodebit', idempotencyKey: reversalKeyOf(p.presentmentId), requestHash: requestHash(['reversal', p.loanId, p.repaymentTxId, body]), correlationId: `autodebit:${p.presentmentId}`,
    command: { kind: 'reversal', targetId: p.repaymentTxId!, reason: body.reason },
  });
  if (result.ok) return result.value.id;
  throw new Error(`reversal of ${p.repaymentTxId} for ${p.presentmentId} refused: ${result.error.code} ${result.error.detail}`);
}


/** A result that cannot be applied yet (its value date is after the tenant's business date); the document stays applying and is resumed. */
export class ResultNotYetApplicable extends Error {}

/**
 * Fetches the rail's results documents and applies each (refusing unreadable ones); what the collections worker
 * runs on a timer. A document with a line not applicable yet is reported pending and resumed on a later pass.
 */
export async function collectResults(deps: ApplyResultsDeps, rail: CollectionRailPort, receivedOn: string): Promise<ApplyReport[]> {
  const lateReturns = rail.lateReturnDays === undefined ? '' : ` OR (p.status = 'settled' AND p.settlement_date >= $2::date - $3::int)`;
  const open = await deps.servicing.pool.query<{ rail_batch_id: string }>(
    `SELECT DISTINCT f.rail_batch_id FROM autodebit_files f JOIN autodebit_presentments p ON p.file_id = f.id WHERE f.rail = $1 AND f.status = 'accepted' AND (p.status IN ('batched', 'presented')${lateReturns})`,
    rail.lateReturnDays === undefined ? [rail.rail] : [rail.rail, receivedOn, rail.lateReturnDays]);
  const { documents, unreadable } = await rail.results(open.rows.map((r) => r.rail_batch_id), receivedOn);
  const reports: ApplyReport[] = [];
  for (const u of unreadable) reports.push(await refuseDocument(deps, u, rail.rail, receivedOn));
  for (const d of documents) {
    try {
      reports.push(await applyResultDocument(deps, d));
    } catch (error) {
      // One loan's business date behind the settlement must not hold up every other document.
      if (!(error instanceof ResultNotYetApplicable)) throw error;
      reports.push({ documentId: d.documentId, status: 'pending', outcomes: [{ line: 0, reference: '', outcome: 'pending', detail: error.message }] });
    }
  }
  return reports;
}
