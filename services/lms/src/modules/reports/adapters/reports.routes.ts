import { loanDateString } from '@lendstack/loan-engine';
import { authenticate, HttpProblem, parseOr400, schemaDoc, sendCsv, toCsv, type Role } from '@lendstack/platform';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type pg from 'pg';
import { z } from 'zod';
import { asOfWithinBusinessDate } from '../../business-date/business-date.repository.js';
import { PROVISION_BPS, provisionMinor, RBI_CLASSES } from '../domain/rbi.js';

import { rbiClassification, trialBalanceByProduct, usDelinquency, type UsBand } from './pg-reports.queries.js';

/** The 200 of a report: JSON, or CSV with `format=csv`. */
const JSON_OR_CSV = { 'application/json': { schema: { type: 'object' } }, 'text/csv': { schema: { type: 'string' } } };

export interface ReportRoutesDeps {
  readonly pool: pg.Pool;
  readonly authSecret: string;
  readonly today: () => string;
}

/** Finance, risk and compliance staff read the reports; partners do not. */
const READERS: readonly Role[] = ['operator', 'approver', 'admin'];
const US_BANDS: readonly UsBand[] = ['current', '1-29', '30-89', '90+', 'non-accrual'];

const asOf = loanDateString.optional().describe("A past business date (default: the tenant's business date)");
const format = z.enum(['json', 'csv']).default('json');
const rbiQuery = z.object({ asOf, format }).strict();
const usQuery = z
  .object({ asOf, from: loanDateString.optional().describe('Start of the charge-off/recovery period, exclusive (default: 1 January of asOf)'), format })
  .strict();
const tbQuery = z.object({ asOf, format }).strict();

const problems = {
  400: { description: 'Invalid query (problem+json naming the field)' },
  401: { description: 'Missing or invalid credential' },
  403: { description: 'Needs the operator, approver or admin role' },
  422: { description: '`asOf` is after the business date, or `from` is not before `asOf`' },
};

const money = (amountMinor: bigint, currency: string, scale: number) => ({ amount: amountMinor.toString(), currency, scale });
/** A US delinquency band: its loans and principal, and of them the modified ones. */
const band = (r: { loans: number; principalMinor: bigint; modifiedLoans: number; modifiedPrincipalMinor: bigint }, g: { currency: string; scale: number }) => ({
  loans: r.loans, principal: money(r.principalMinor, g.currency, g.scale), modifiedLoans: r.modifiedLoans, modifiedPrincipal: money(r.modifiedPrincipalMinor, g.currency, g.scale),
});
const invalid = (pointer: string, detail: string) => new HttpProblem(422, 'validation-error', 'Request is not valid', `${pointer.split('/').pop()} ${detail}.`, { errors: [{ pointer, detail }] });

function csv(reply: FastifyReply, name: string, header: readonly string[], rows: readonly (readonly (string | number)[])[]): FastifyReply {
  return sendCsv(reply, `${name}.csv`, toCsv(header, rows));
}

/**
 * GET /v1/reports/{rbi-asset-classification,us-delinquency,trial-balance-by-product}: regulatory and
 * management reports as of any past business date, from the ledger and the delinquency history (never
 * from today's loan state). Each total of outstanding principal equals the ledger's loan-portfolio balance
 * as of that date (pg-reports.queries.ts says how each figure is found).
 */
export async function reportRoutes(app: FastifyInstance, deps: ReportRoutesDeps): Promise<void> {
  const tags = ['reports'];

  const asOfOf = (tenantId: string, requested: string | undefined) => asOfWithinBusinessDate(deps.pool, tenantId, requested, deps.today);

  app.get('/v1/reports/rbi-asset-classification', {
    schema: {
      tags,
      summary: 'RBI asset classification and provisions as of a business date',
      description:
        'Per currency: loans and outstanding principal (the ledger loan-portfolio balance as of `asOf`) by class — standard, SMA-0 (1–30 days ' +
        'overdue), SMA-1 (31–60), SMA-2 (61–90), and NPA (over 90; upgraded only once all arrears are paid) split by months as NPA: ' +
        'sub-standard (≤ 12), doubtful-1 (12–24), doubtful-2 (24–48), doubtful-3 (over 48), loss (identified loss assets: none are flagged ' +
        'by the LMS). Provisions at the NBFC rates (basis points of principal in `provisionBps`): standard assets 0.40 %, sub-standard 10 %, ' +
        'doubtful 100 % (the LMS records no collateral, so all is the unsecured part), loss 100 %; each row rounds half up. Restructured accounts ' +
        '(a restructure in effect by `asOf`) are reported as such in each class (`restructuredLoans`, `restructuredPrincipal`). ' +
        '`format=csv`: one line per currency and class.',
      querystring: schemaDoc(rbiQuery),
      response: { 200: { description: '`{ asOf, currencies: [{ currency, classes, totals }] }` or text/csv', content: JSON_OR_CSV }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const q = parseOr400(rbiQuery, request.query, 'query');
    const date = await asOfOf(principal.tenantId, q.asOf);
    const rows = await rbiClassification(deps.pool, principal.tenantId, date);
    const currencies = [...new Map(rows.map((r) => [r.currency, r.scale])).entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([currency, scale]) => {
      const classes = RBI_CLASSES.map((cls) => {
        const r = rows.find((x) => x.currency === currency && x.cls === cls);
        const p = r?.principalMinor ?? 0n;
        return { cls, loans: r?.loans ?? 0, principalMinor: p, provisionMinor: provisionMinor(cls, p), restructuredLoans: r?.restructuredLoans ?? 0, restructuredPrincipalMinor: r?.restructuredPrincipalMinor ?? 0n };
      });
      const sum = (pick: (c: (typeof classes)[number]) => bigint, only?: (c: string) => boolean) => classes.filter((c) => !only || only(c.cls)).reduce((s, c) => s + pick(c), 0n);
      const npa = (c: string) => !['standard', 'SMA-0', 'SMA-1', 'SMA-2'].includes(c);
      return { currency, scale, classes, principal: sum((c) => c.principalMinor), provision: sum((c) => c.provisionMinor), npaPrincipal: sum((c) => c.principalMinor, npa), loans: classes.reduce((s, c) => s + c.loans, 0) };
    });
    if (q.format === 'csv') {
      return csv(reply, `rbi-asset-classification-${date}`, ['as_of', 'currency', 'scale', 'class', 'loans', 'principal_minor', 'provision_bps', 'provision_minor', 'restructured_loans', 'restructured_principal_minor'],
        currencies.flatMap((g) => g.classes.map((c) => [date, g.currency, g.scale, c.cls, c.loans, c.principalMinor.toString(), PROVISION_BPS[c.cls], c.provisionMinor.toString(), c.restructuredLoans, c.restructuredPrincipalMinor.toString()])));
    }
    return {
      asOf: date,
      currencies: currencies.map((g) => ({
        currency: g.currency,
        classes: g.classes.map((c) => ({ class: c.cls, loans: c.loans, principal: money(c.principalMinor, g.currency, g.scale), provisionBps: PROVISION_BPS[c.cls], provision: money(c.provisionMinor, g.currency, g.scale), restructuredLoans: c.restructuredLoans, restructuredPrincipal: money(c.restructuredPrincipalMinor, g.currency, g.scale) })),
        totals: {
          loans: g.loans,
          principal: money(g.principal, g.currency, g.scale),
          provision: money(g.provision, g.currency, g.scale),
          npaPrincipal: money(g.npaPrincipal, g.currency, g.scale),
          restructuredLoans: g.classes.reduce((s, c) => s + c.restructuredLoans, 0),
          restructuredPrincipal: money(g.classes.reduce((s, c) => s + c.restructuredPrincipalMinor, 0n), g.currency, g.scale),
          grossNpaRatio: g.principal === 0n ? '0.0000' : (Number((g.npaPrincipal * 1_000_000n) / g.principal) / 1_000_000).toFixed(4),
        },
      })),
    };
  });

  app.get('/v1/reports/us-delinquency', {
    schema: {
      tags,
      summary: 'US delinquency (Call Report RC-N view) as of a business date',
      description:
        'Per currency, outstanding principal (ledger loan-portfolio balance as of `asOf`) and loans: accruing loans current, 1–29, 30–89 and ' +
        '90+ days past due (still accruing), and non-accrual loans (reached the `nonAccrualDpd` of their product version, default 90, since they were ' +
        'last current; back to accruing only at 0 dpd). Each band also gives, of its loans, those modified for a borrower in financial difficulty ' +
        '(`modifiedLoans`, `modifiedPrincipal`: a restructure in effect by `asOf`, reported as troubled-debt restructurings before ASU 2022-02). Charge-offs (principal written off) and recoveries with value dates in (`from`, `asOf`], reversals ' +
        'netted. `format=csv`: one line per currency and measure.',
      querystring: schemaDoc(usQuery),
      response: { 200: { description: '`{ asOf, from, currencies: [{ currency, pastDue, chargeOffs, recoveries, totals }] }` or text/csv', content: JSON_OR_CSV }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const q = parseOr400(usQuery, request.query, 'query');
    const date = await asOfOf(principal.tenantId, q.asOf);
    const from = q.from ?? `${date.slice(0, 4)}-01-01`;
    if (from > date) throw invalid('/query/from', `must not be after asOf ${date}`);
    const { bands, flows } = await usDelinquency(deps.pool, principal.tenantId, date, from);
    const codes = [...new Map([...bands, ...flows].map((r) => [r.currency, r.scale])).entries()].sort(([a], [b]) => (a < b ? -1 : 1));
    const groups = codes.map(([currency, scale]) => {
      const rows = US_BANDS.map((band) => {
        const r = bands.find((x) => x.currency === currency && x.band === band);
        return { band, loans: r?.loans ?? 0, principalMinor: r?.principalMinor ?? 0n, modifiedLoans: r?.modifiedLoans ?? 0, modifiedPrincipalMinor: r?.modifiedPrincipalMinor ?? 0n };
      });
      const f = flows.find((x) => x.currency === currency);
      return { currency, scale, rows, flow: f ?? { chargeOffsMinor: 0n, chargedOffLoans: 0, recoveriesMinor: 0n, recoveredLoans: 0 } };
    });
    if (q.format === 'csv') {
      return csv(reply, `us-delinquency-${date}`, ['as_of', 'from', 'currency', 'scale', 'measure', 'loans', 'amount_minor', 'modified_loans', 'modified_amount_minor'],
        groups.flatMap((g) => [
          ...g.rows.map((r) => [date, from, g.currency, g.scale, r.band === 'non-accrual' ? 'non-accrual' : `accruing-${r.band}`, r.loans, r.principalMinor.toString(), r.modifiedLoans, r.modifiedPrincipalMinor.toString()]),
          [date, from, g.currency, g.scale, 'charge-offs', g.flow.chargedOffLoans, g.flow.chargeOffsMinor.toString(), '', ''],
          [date, from, g.currency, g.scale, 'recoveries', g.flow.recoveredLoans, g.flow.recoveriesMinor.toString(), '', ''],
        ]));
    }
    return {
      asOf: date,
      from,
      currencies: groups.map((g) => ({
        currency: g.currency,
        accruing: Object.fromEntries(g.rows.filter((r) => r.band !== 'non-accrual').map((r) => [r.band, band(r, g)])),
        nonAccrual: band(g.rows.find((r) => r.band === 'non-accrual')!, g),
        chargeOffs: { loans: g.flow.chargedOffLoans, amount: money(g.flow.chargeOffsMinor, g.currency, g.scale) },
        recoveries: { loans: g.flow.recoveredLoans, amount: money(g.flow.recoveriesMinor, g.currency, g.scale) },
        netChargeOffs: money(g.flow.chargeOffsMinor - g.flow.recoveriesMinor, g.currency, g.scale),
        totals: {
          loans: g.rows.reduce((s, r) => s + r.loans, 0),
          principal: money(g.rows.reduce((s, r) => s + r.principalMinor, 0n), g.currency, g.scale),
          modifiedLoans: g.rows.reduce((s, r) => s + r.modifiedLoans, 0),
          modifiedPrincipal: money(g.rows.reduce((s, r) => s + r.modifiedPrincipalMinor, 0n), g.currency, g.scale),
        },
      })),
    };
  });

  app.get('/v1/reports/trial-balance-by-product', {
    schema: {
      tags,
      summary: 'Portfolio trial balance by product as of a value date',
      description: 'Per product and currency: each GL account with Σ debits, Σ credits and the net of every line to `asOf` (originals and contra-entries); each product balances. `format=csv`: one line per product, currency and account.',
      querystring: schemaDoc(tbQuery),
      response: { 200: { description: '`{ asOf, products: [{ product, currency, accounts, totals }] }` or text/csv', content: JSON_OR_CSV }, ...problems },
    },
  }, async (request, reply) => {
    const principal = authenticate(request, deps.authSecret, READERS);
    const q = parseOr400(tbQuery, request.query, 'query');
    const date = await asOfOf(principal.tenantId, q.asOf);
    const rows = await trialBalanceByProduct(deps.pool, principal.tenantId, date);
    if (q.format === 'csv') {
      return csv(reply, `trial-balance-by-product-${date}`, ['as_of', 'product', 'currency', 'scale', 'account_code', 'logical_account', 'debit_minor', 'credit_minor'],
        rows.map((r) => [date, r.productCode, r.currency, r.scale, r.accountCode, r.logicalAccount, r.debitMinor.toString(), r.creditMinor.toString()]));
    }
    const groups = new Map<string, typeof rows>();
    for (const r of rows) groups.set(`${r.productCode}\u0000${r.currency}`, [...(groups.get(`${r.productCode}\u0000${r.currency}`) ?? []), r]);
    return {
      asOf: date,
      products: [...groups.values()].map((g) => {
        const { productCode, currency, scale } = g[0]!;
        const debit = g.reduce((s, r) => s + r.debitMinor, 0n);
        const credit = g.reduce((s, r) => s + r.creditMinor, 0n);
        return {
          product: productCode,
          currency,
          accounts: g.map((r) => ({ code: r.accountCode, account: r.logicalAccount, debit: money(r.debitMinor, currency, scale), credit: money(r.creditMinor, currency, scale), net: money(r.debitMinor - r.creditMinor, currency, scale) })),
          totals: { debit: money(debit, currency, scale), credit: money(credit, currency, scale) },
        };
      }),
    };
  });
}
