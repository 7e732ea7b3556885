import { authenticate, HttpProblem, MAX_PAGE_SIZE, parseOr400, parseOr422Rules, schemaDoc, type Role } from '@lendstack/platform';
import { findCurrency, loanDateString } from '@lendstack/loan-engine';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEFAULT_RECONCILIATION_DIFFERENCES, MAX_RECONCILIATION_DIFFERENCES } from '../domain/reconciliation.js';
import type { CurrencyTrialBalance } from '../domain/trial-balance.js';
import type { JournalEntryRow, LedgerQueries } from '../ports.js';
import { reconcileLedger } from '../use-cases/reconcile-ledger.js';
import { trialBalance } from '../use-cases/trial-balance.js';

export interface LedgerRoutesDeps {
  readonly queries: LedgerQueries;
  readonly authSecret: string;
}

/** Staff read the books; partners do not. */
const READERS: readonly Role[] = ['operator', 'approver', 'admin'];

const currencySchema = z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code (three capital letters)');
const trialBalanceQuery = z.object({ asOf: loanDateString, currency: currencySchema.optional() }).strict();
const journalQuery = z
  .object({
    loanId: z.string().min(1).max(64).optional(),
    account: z.string().min(1).max(32).regex(/^[\w.-]+$/, 'a GL account code: letters, digits, _ . -').optional(),
    from: loanDateString.optional(),
    to: loanDateString.optional(),
    limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((q) => q.from === undefined || q.to === undefined || q.from <= q.to, { path: ['to'], message: 'must not be before from' });
const reconciliationQuery = z.object({ asOf: loanDateString, limit: z.coerce.number().int().min(1).max(MAX_RECONCILIATION_DIFFERENCES).default(DEFAULT_RECONCILIATION_DIFFERENCES) }).strict();

const problems = {
  400: { description: 'Invalid request (problem+json, `errors` names each field)' },
  401: { description: 'Missing or invalid bearer token' },
  403: { description: 'The caller lacks the operator, approver or admin role' },
};

const money = (amountMinor: bigint, currency: string, scale: number) => ({ amount: amountMinor.toString(), currency, scale });

/** The general ledger, read-only: trial balance, journal entries, sub-ledger reconciliation. */
export async function ledgerRoutes(app: FastifyInstance, deps: LedgerRoutesDeps): Promise<void> {
  app.get('/v1/ledger/trial-balance', {
    schema: {
      tags: ['ledger'],
      summary: 'Trial balance as of a value date: each GL account net in the debit or credit column',
      description:
        'Lines with value date ≤ `asOf`. Without `currency`: `{ asOf, currencies: [{ currency, accounts, totals }] }`, one group per ' +
        'currency the tenant posts in. With `currency`: `{ asOf, currency, accounts, totals }`. Totals always agree (a difference is a 500).',
      querystring: schemaDoc(trialBalanceQuery),
      response: { 200: { description: 'The trial balance' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const q = parseOr400(trialBalanceQuery, request.query, 'query');
    const groups = await trialBalance({ queries: deps.queries, log: request.log }, principal.tenantId, q.asOf, q.currency);
    if (q.currency === undefined) return { asOf: q.asOf, currencies: groups.map(groupView) };
    const group = groups[0] ?? { currency: q.currency, scale: findCurrency(q.currency)?.scale ?? 0, accounts: [], totals: { debitMinor: 0n, creditMinor: 0n } };
    const { accounts, totals } = groupView(group);
    return { asOf: q.asOf, currency: q.currency, accounts, totals };
  });

  app.get('/v1/ledger/journal-entries', {
    schema: {
      tags: ['ledger'],
      summary: 'Journal entries with their lines, newest posted first',
      description:
        'Filters: `loanId`, `account` (GL code: entries with a line on it), value dates `from`..`to` inclusive. Keyset pagination on the ' +
        'posting sequence, newest first: pass `nextCursor` as `cursor`; it is null on the last page.',
      querystring: schemaDoc(journalQuery),
      response: { 200: { description: '`{ items, nextCursor }`' }, 422: { description: '`to` before `from`, or a cursor this API did not issue (`errors` names the field)' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const q = parseOr422Rules(journalQuery, request.query, 'query');
    const beforeSeq = decodeSeqCursor(q.cursor);
    const rows = await deps.queries.journalEntries(principal.tenantId, {
      limit: q.limit,
      ...(q.loanId !== undefined ? { loanId: q.loanId } : {}),
      ...(q.account !== undefined ? { account: q.account } : {}),
      ...(q.from !== undefined ? { from: q.from } : {}),
      ...(q.to !== undefined ? { to: q.to } : {}),
      ...(beforeSeq !== undefined ? { beforeSeq } : {}),
    });
    const items = rows.slice(0, q.limit);
    const last = items[items.length - 1];
    return { items: items.map(entryView), nextCursor: rows.length > q.limit && last ? Buffer.from(JSON.stringify({ seq: last.seq.toString() })).toString('base64url') : null };
  });

  app.get('/v1/ledger/reconciliation', {
    schema: {
      tags: ['ledger'],
      summary: "Loans' sub-ledger balances vs the GL control accounts as of a value date",
      description:
        'Per loan and control account (loan portfolio, receivables, excess, memorandum, write-off, recoveries). Loans whose stored ' +
        'balances are as of `asOf` (the business date) compare exactly with them (`source: loan-balances`); for other loans the ' +
        'sub-ledger is recomputed from their live journal entries (`source: journal`), so a difference means a broken entry. ' +
        'The largest `limit` differences are listed; `differenceCount` counts all.',
      querystring: schemaDoc(reconciliationQuery),
      response: { 200: { description: '`{ asOf, loansCompared, differenceCount, differences, controlAccounts }`' }, ...problems },
    },
  }, async (request) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const q = parseOr400(reconciliationQuery, request.query, 'query');
    const r = await reconcileLedger({ queries: deps.queries, log: request.log }, principal.tenantId, q.asOf, q.limit);
    return {
      asOf: q.asOf,
      loansCompared: r.loansCompared,
      loansFromBalances: r.loansFromBalances,
      differenceCount: r.differenceCount,
      differences: r.differences.map((d) => ({
        loanId: d.loanId,
        account: d.account,
        source: d.source,
        subLedger: money(d.subLedgerMinor, d.currency, d.scale),
        generalLedger: money(d.generalLedgerMinor, d.currency, d.scale),
        difference: money(d.subLedgerMinor - d.generalLedgerMinor, d.currency, d.scale),
      })),
      controlAccounts: r.controlAccounts.map((c) => ({ account: c.account, subLedger: money(c.subLedgerMinor, c.currency, c.scale), generalLedger: money(c.generalLedgerMinor, c.currency, c.scale) })),
    };
  });
}

function groupView(g: CurrencyTrialBalance) {
  return {
    currency: g.currency,
    accounts: g.accounts.map((a) => ({ code: a.code, name: a.name, type: a.type, debit: money(a.debitMinor, g.currency, g.scale), credit: money(a.creditMinor, g.currency, g.scale) })),
    totals: { debit: money(g.totals.debitMinor, g.currency, g.scale), credit: money(g.totals.creditMinor, g.currency, g.scale) },
  };
}

function entryView(e: JournalEntryRow) {
  return {
    id: e.id,
    loanId: e.loanId,
    effectKey: e.effectKey,
    kind: e.kind,
    valueDate: e.valueDate,
    postedOn: e.postedOn,
    reverses: e.reverses,
    reversedBy: e.reversedBy,
    lines: e.lines.map((l) => ({ lineNo: l.lineNo, account: l.accountCode, logicalAccount: l.logicalAccount, side: l.side, amount: money(l.amountMinor, e.currency, e.scale) })),
  };
}

function decodeSeqCursor(cursor: string | undefined): bigint | undefined {
  if (cursor === undefined) return undefined;
  try {
    const { seq } = z.object({ seq: z.string().regex(/^\d{1,19}$/) }).strict().parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return BigInt(seq);
  } catch {
    throw new HttpProblem(422, 'unknown-cursor', 'Cursor not recognised', 'The cursor is not one this API issued.', { errors: [{ pointer: '/query/cursor', detail: 'not a cursor from a previous page' }] });
  }
}
