import { parseArgs } from 'node:util';
import { DEV_AUTH_TOKEN_SECRET, signToken } from '../auth.js';
import { compareLoanSides, itemsOf, type ReconciliationPage } from '../reconciliation.js';

// Approvals (LOS) vs bookings (LMS) for one tenant and day:
//   pnpm -s reconcile --tenant demo --date 2026-12-01 [--los URL] [--lms URL] [--json]
// Prints totals, the loans the LMS refused (booking-failed) and every difference; exits 1 if any.
const { values } = parseArgs({
  options: {
    tenant: { type: 'string' },
    date: { type: 'string', default: new Date().toISOString().slice(0, 10) },
    los: { type: 'string', default: process.env.LOS_URL ?? 'http://127.0.0.1:3001' },
    lms: { type: 'string', default: process.env.LMS_URL ?? 'http://127.0.0.1:3002' },
    json: { type: 'boolean', default: false },
  },
});
if (!values.tenant || !/^\d{4}-\d{2}-\d{2}$/.test(values.date)) {
  console.error('usage: pnpm -s reconcile --tenant <tenant> [--date YYYY-MM-DD] [--los URL] [--lms URL] [--json]');
  process.exit(2);
}
const tenant = values.tenant;
const token = process.env.LENDSTACK_TOKEN ?? signToken(process.env.AUTH_TOKEN_SECRET ?? DEV_AUTH_TOKEN_SECRET, { subject: `reconcile@${tenant}`, tenantId: tenant, roles: ['operator'] }, 600, Math.floor(Date.now() / 1000));

const side = (base: string) => async (after: string | undefined): Promise<ReconciliationPage> => {
  const url = new URL('/v1/reconciliation/loans', base);
  url.searchParams.set('date', values.date);
  if (after) url.searchParams.set('after', after);
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`${url.origin}: ${res.status} ${await res.text()}`);
  return (await res.json()) as ReconciliationPage;
};

const report = await compareLoanSides(itemsOf(side(values.los)), itemsOf(side(values.lms)));
if (values.json) {
  console.log(JSON.stringify({ tenant, date: values.date, ...report }, null, 2));
} else {
  const totals = (t: typeof report.approved) => `${t.count} loan(s) ${Object.entries(t.principal).map(([k, v]) => `${k} ${v}`).join(', ') || ''}`.trim();
  console.log(`reconciliation ${tenant} ${values.date}`);
  console.log(`  approved (LOS)   ${totals(report.approved)}`);
  console.log(`  booked (LMS)     ${totals(report.booked)}`);
  console.log(`  refused by LMS   ${report.refused.length} (booking-failed in the LOS)`);
  for (const r of report.refused) console.log(`    ${r.loanId}  application ${r.applicationId}: ${r.reason}`);
  console.log(`  differences      ${report.differences.length}`);
  for (const d of report.differences) console.log(`    ${d.kind}  ${d.loanId}  application ${d.applicationId}`);
}
process.exit(report.differences.length > 0 ? 1 : 0);
