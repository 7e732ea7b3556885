/**
 * A collector's telephone call, through the same conduct policy as every message: before dialling, the
 * collector (or dialler) records the call; the LMS refuses it (recorded blocked, with the rule and the next
 * allowed instant) or logs it as placed. A call that became a conversation about the debt is marked so,
 * which starts Regulation F's 7-day quiet period. Idempotent per (loan, Idempotency-Key).
 */
import type pg from 'pg';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { resolveLocation } from '../domain/borrower-location.js';
import { decideContact } from '../domain/conduct-policy.js';
import { findAttempt, findAttemptBySlot, loadHistory, loadLoanFacts, loadPreferences, lockLoanContacts, markConversation, saveAttempt, type AttemptWrite } from '../adapters/pg-contacts.repository.js';
import { contactResult, type ContactBorrowerOutcome } from './contact-borrower.js';

export const CALL_PURPOSE = 'collector-call';

export interface RecordCallInput {
  readonly tenantId: string;
  readonly loanId: string;
  readonly slot: string;
  readonly now: Date;
}

export async function recordCall(deps: { pool: pg.Pool; newId: () => string }, input: RecordCallInput): Promise<ContactBorrowerOutcome> {
  return inTransaction<ContactBorrowerOutcome>(deps.pool, async (client) => {
    const { tenantId, loanId } = input;
    await lockLoanContacts(client, tenantId, loanId);
    const existing = await findAttemptBySlot(client, tenantId, loanId, CALL_PURPOSE, input.slot);
    if (existing) return { ok: true, value: contactResult(existing, true) };
    const facts = await loadLoanFacts(client, tenantId, loanId, null);
    if (!facts) return { ok: false, error: { code: 'loan-not-found', detail: `No loan ${loanId} for tenant ${tenantId}.` } };
    const prefs = await loadPreferences(client, tenantId, loanId);
    const base: AttemptWrite = {
      id: deps.newId(), tenantId, loanId, purpose: CALL_PURPOSE, slot: input.slot, channel: 'call', templateKey: null, language: null, attemptedAt: input.now,
      outcome: 'blocked', rule: null, ruleDetail: null, nextAllowedAt: null, regime: null, recipient: null, vendor: null, vendorMessageId: null,
      errorCode: null, errorDetail: null, conversation: false,
    };
    const location = resolveLocation({ country: facts.borrower.address?.country, region: facts.borrower.address?.region, timeZone: prefs.timeZone ?? undefined });
    if (!location.ok) return { ok: true, value: contactResult(await saveAttempt(client, { ...base, rule: 'location-unknown', ruleDetail: location.reason }), false) };
    const history = await loadHistory(client, tenantId, loanId, input.now, 9);
    const decision = decideContact('call', input.now, { regime: location.regime, timeZones: location.timeZones, optedOut: prefs.optedOut, history });
    const write: AttemptWrite = decision.allowed
      ? { ...base, regime: location.regime.id, outcome: 'sent' }
      : { ...base, regime: location.regime.id, rule: decision.rule, ruleDetail: decision.detail, nextAllowedAt: decision.nextAllowedAt };
    return { ok: true, value: contactResult(await saveAttempt(client, write), false) };
  });
}

/** Marks a placed call as a conversation about the debt; false when there is no such placed call. */
export async function markCallConversation(pool: pg.Pool, tenantId: string, loanId: string, attemptId: string): Promise<boolean> {
  const attempt = await findAttempt(pool, tenantId, loanId, attemptId);
  if (!attempt || attempt.channel !== 'call' || attempt.outcome !== 'sent') return false;
  await markConversation(pool, attemptId);
  return true;
}
