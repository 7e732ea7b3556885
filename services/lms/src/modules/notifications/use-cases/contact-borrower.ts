/**
 * contactBorrower: the one way the LMS messages a borrower (the collections workflow calls it as an
 * activity). Under a per-loan lock it finds the attempt of (loan, purpose, slot) or decides a new one with the
 * conduct policy and records it — blocked with its rule, failed with its reason, or sending — and commits
 * before any vendor call. Then it sends through the NotificationPort and records the vendor's answer.
 * A retry of the same slot never sends twice: a sent, delivered, blocked or still-sending attempt is answered
 * from its row; only an attempt that definitely failed before the vendor took it is tried again. An answer
 * lost in a timeout leaves the attempt `sending` for good (at most once: no second message).
 */
import type pg from 'pg';
import { inTransaction } from '../../../platform/pg-transaction.js';
import { resolveLocation } from '../domain/borrower-location.js';
import { decideContact, type ContactChannel } from '../domain/conduct-policy.js';
import { renderMessage, type MessageChannel } from '../domain/messages.js';
import {
  businessDateOf, findAttemptBySlot, findTemplate, loadHistory, loadLoanFacts, loadPreferences, lockLoanContacts, recordSendResult, saveAttempt,
  type AttemptWrite, type ContactAttempt,
} from '../adapters/pg-contacts.repository.js';
import type { NotificationPort, OutgoingMessage } from '../ports.js';

export interface ContactDeps {
  readonly pool: pg.Pool;
  readonly notifications: NotificationPort;
  readonly newId: () => string;
  /** The name messages are signed with, per tenant. */
  readonly lenderName: (tenantId: string) => string;
  /** Language when the borrower has none recorded. */
  readonly defaultLanguage: string;
}

export interface ContactBorrowerInput {
  readonly tenantId: string;
  readonly loanId: string;
  /** Why: `pre-due-reminder`, `overdue-follow-up`, … (with slot, the idempotency key). */
  readonly purpose: string;
  readonly channel: MessageChannel;
  readonly templateKey: string;
  /** The scheduled slot, e.g. `2026-12-05/T-3`: one attempt per (loan, purpose, slot). */
  readonly slot: string;
  /** The instant the rules are judged at (the workflow's time); an ISO string crosses Temporal as is. */
  readonly now: Date | string;
}

/** What the caller (a workflow) needs, JSON-serialisable. */
export interface ContactResult {
  readonly attemptId: string;
  readonly outcome: ContactAttempt['outcome'];
  readonly channel: ContactChannel;
  readonly rule: string | null;
  readonly detail: string | null;
  /** For a blocked attempt: when the contact may next be tried (under a new slot); null: not while an opt-out stands. */
  readonly nextAllowedAt: string | null;
  readonly vendorMessageId: string | null;
  readonly replayed: boolean;
}

export type ContactFailure = { readonly code: 'loan-not-found' | 'slot-reused'; readonly detail: string };
export type ContactBorrowerOutcome = { readonly ok: true; readonly value: ContactResult } | { readonly ok: false; readonly error: ContactFailure };

/** Days of history the rules need: 7-day windows and a local day, with room for time zones. */
const HISTORY_DAYS = 9;

export const maskRecipient = (to: string) => (to.includes('@') ? to.replace(/^(.).*(@.*)$/, '$1***$2') : `${to.slice(0, 3)}${'*'.repeat(Math.max(0, to.length - 7))}${to.slice(-4)}`);

export const contactResult = (a: ContactAttempt, replayed: boolean): ContactResult => ({
  attemptId: a.id, outcome: a.outcome, channel: a.channel, rule: a.rule, detail: a.ruleDetail ?? a.errorDetail, nextAllowedAt: a.nextAllowedAt?.toISOString() ?? null,
  vendorMessageId: a.vendorMessageId, replayed,
});

type Prepared = { ok: true; attempt: ContactAttempt; replayed: boolean; message?: OutgoingMessage } | { ok: false; error: ContactFailure };

export async function contactBorrower(deps: ContactDeps, input: ContactBorrowerInput): Promise<ContactBorrowerOutcome> {
  const now = new Date(input.now);
  if (Number.isNaN(now.getTime())) throw new Error(`contactBorrower: now is not an instant: ${String(input.now)}`);
  const prepared = await inTransaction<Prepared>(deps.pool, (client) => prepare(client, deps, input, now));
  if (!prepared.ok) return prepared;
  if (!prepared.message) return { ok: true, value: contactResult(prepared.attempt, prepared.replayed) };
  const sent = await deps.notifications.send(prepared.message);
  const final = sent.ok
    ? await recordSendResult(deps.pool, prepared.attempt.id, { outcome: 'sent', vendor: sent.vendor, vendorMessageId: sent.vendorMessageId, vendorStatus: sent.vendorStatus, errorCode: null, errorDetail: null })
    : await recordSendResult(deps.pool, prepared.attempt.id, { outcome: sent.definite ? 'failed' : 'sending', vendor: null, vendorMessageId: null, vendorStatus: null, errorCode: sent.errorCode, errorDetail: sent.detail });
  return { ok: true, value: contactResult(final, false) };
}

async function prepare(client: pg.PoolClient, deps: ContactDeps, input: ContactBorrowerInput, now: Date): Promise<Prepared> {
  const { tenantId, loanId } = input;
  await lockLoanContacts(client, tenantId, loanId);
  const existing = await findAttemptBySlot(client, tenantId, loanId, input.purpose, input.slot);
  if (existing && (existing.channel !== input.channel || existing.templateKey !== input.templateKey)) {
    return { ok: false, error: { code: 'slot-reused', detail: `slot ${input.slot} of ${input.purpose} was used for ${existing.channel} with template ${existing.templateKey ?? '(none)'}` } };
  }
  if (existing && !(existing.outcome === 'failed' && existing.vendorMessageId === null)) return { ok: true, attempt: existing, replayed: true };
  const facts = await loadLoanFacts(client, tenantId, loanId, await businessDateOf(client, tenantId));
  if (!facts) return { ok: false, error: { code: 'loan-not-found', detail: `No loan ${loanId} for tenant ${tenantId}.` } };
  const prefs = await loadPreferences(client, tenantId, loanId);
  const base: AttemptWrite = {
    id: existing?.id ?? deps.newId(), tenantId, loanId, purpose: input.purpose, slot: input.slot, channel: input.channel, templateKey: input.templateKey,
    language: null, attemptedAt: now, outcome: 'blocked', rule: null, ruleDetail: null, nextAllowedAt: null, regime: null, recipient: null, vendor: null,
    vendorMessageId: null, errorCode: null, errorDetail: null, conversation: false,
  };
  const fail = async (errorCode: string, errorDetail: string) => ({ ok: true as const, replayed: false, attempt: await saveAttempt(client, { ...base, outcome: 'failed', errorCode, errorDetail }) });

  if (facts.status === 'closed' || facts.status === 'charged-off') return fail('loan-not-contactable', `the loan is ${facts.status}`);
  const location = resolveLocation({ country: facts.borrower.address?.country, region: facts.borrower.address?.region, timeZone: prefs.timeZone ?? undefined });
  if (!location.ok) {
    // Without a known location the contact hours cannot be honoured: blocked, not guessed.
    return { ok: true, replayed: false, attempt: await saveAttempt(client, { ...base, rule: 'location-unknown', ruleDetail: location.reason }) };
  }
  const history = await loadHistory(client, tenantId, loanId, now, HISTORY_DAYS);
  const decision = decideContact(input.channel, now, { regime: location.regime, timeZones: location.timeZones, optedOut: prefs.optedOut, history });
  const decided = { ...base, regime: location.regime.id };
  if (!decision.allowed) {
    return { ok: true, replayed: false, attempt: await saveAttempt(client, { ...decided, rule: decision.rule, ruleDetail: decision.detail, nextAllowedAt: decision.nextAllowedAt }) };
  }
  const to = input.channel === 'email' ? facts.borrower.contact?.email : facts.borrower.contact?.phone;
  if (!to) return fail('no-recipient', `the loan's borrower has no ${input.channel === 'email' ? 'email address' : 'phone number'}`);
  const languages = [...new Set([prefs.language, deps.defaultLanguage].filter((l): l is string => Boolean(l)))];
  const template = await findTemplate(client, tenantId, input.templateKey, input.channel, languages);
  if (!template) return fail('template-not-found', `no template ${input.templateKey} for ${input.channel} in ${languages.join(', ')} for tenant ${tenantId}`);

  const overdue = facts.dpd > 0 && facts.totalDueNowMinor > 0n;
  const rendered = renderMessage(template, {
    loanId, lender: deps.lenderName(tenantId), currency: facts.currency, scale: facts.scale, dpd: facts.dpd,
    borrowerName: [facts.borrower.name?.given, facts.borrower.name?.family].filter(Boolean).join(' ') || 'Customer',
    amountDueMinor: overdue ? facts.totalDueNowMinor : facts.nextInstallment?.totalMinor ?? facts.totalDueNowMinor,
    dueDate: overdue ? facts.oldestUnpaidDueDate : facts.nextInstallment?.dueDate ?? facts.oldestUnpaidDueDate,
  });
  const attempt = await saveAttempt(client, { ...decided, outcome: 'sending', language: template.language, recipient: maskRecipient(to) });
  return { ok: true, replayed: false, attempt, message: { attemptId: attempt.id, channel: input.channel, to, ...rendered } };
}
