import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { randomInt, randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { parseIsoDate, type Effect } from '@lendstack/loan-engine';
import { DEV_AUTH_TOKEN_SECRET, signToken, type Role } from '@lendstack/platform';
import { eventually, infrastructure, type ServiceProcess, startServiceProcess, testPort } from '@lendstack/testing';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPgLedger } from '../../lms/src/modules/ledger/adapters/pg-ledger.repository.js';
import { newTenant, startHarness, type Harness } from '../../lms/test/servicing-harness.js';
import { percent } from '../src/charts.js';

// The operations console in headless Chromium (Debian's package, driven by playwright-core) against the LOS,
// the LMS and the console as their own processes over the real Postgres, Kafka and Temporal. The book is the
// portfolio test's small one (services/lms/test/portfolio.int.test.ts), written into the real ledger and
// delinquency history at business date 2026-03-31:
//   A  PL-12  disbursed 2026-01-15 1,000.00, repaid 200.00 on 02-20, always current
//   B  PL-12  disbursed 2026-01-20 2,000.00, nothing paid; 1-29 from 02-21, 30-59 from 03-22 (in the early collections queue)
//   C  PL-12  disbursed 2026-02-10   500.00, repaid in full 03-10 (closed)
//   D  SME-TL disbursed 2026-01-05 1,000.00, 1-29 from 02-06, 30-59 from 03-07, charged off 03-15
// The console signs in with the development form, draws the dashboard's charts from the LMS's portfolio APIs
// (the test reads the values back out of ECharts and compares them with the same APIs), and a second admin
// approves a policy draft in the maker-checker queue. Every page is screenshotted into
// $LENDSTACK_CACHE/console-screenshots (printed).
const PORTS = { los: await testPort('CONSOLE_TEST_LOS_PORT'), lms: await testPort('CONSOLE_TEST_LMS_PORT'), console: await testPort('CONSOLE_TEST_PORT') };
const runId = randomUUID().slice(0, 8);
const tenant = newTenant('console');
const secret = DEV_AUTH_TOKEN_SECRET;
const repoRoot = resolve(import.meta.dirname, '../../..');
const shots = join(process.env.LENDSTACK_CACHE ?? join(repoRoot, '.cache'), 'console-screenshots');
const ledger = createPgLedger();
const ids: Record<'A' | 'B' | 'C' | 'D', string> = { A: '', B: '', C: '', D: '' };

let h: Harness;
let los: ServiceProcess;
let lms: ServiceProcess;
let consoleApp: ServiceProcess;
let browser: Browser;
let page: Page;

const token = (subject: string, roles: Role[]) => signToken(secret, { subject, tenantId: tenant, roles }, 3_600, Math.floor(Date.now() / 1000));
const api = async <T>(base: string, path: string, who = token('risk@console', ['operator']), init: RequestInit = {}): Promise<T> => {
  const res = await fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${who}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
  const text = await res.text();
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
  return JSON.parse(text) as T;
};
const line = (account: Effect['lines'][number]['account'], side: 'debit' | 'credit', amountMinor: bigint) => ({ account, side, amountMinor });
const effect = (kind: Effect['kind'], date: string, lines: Effect['lines']): Effect => ({ key: `${kind}:${date}:${randomUUID().slice(0, 6)}`, date: parseIsoDate(date), kind, lines });
const disburse = (date: string, amount: bigint) => effect('disbursement', date, [line('loan-portfolio', 'debit', amount), line('disbursement-clearing', 'credit', amount)]);
const repay = (date: string, amount: bigint) => effect('repayment', date, [line('collection-clearing', 'debit', amount), line('loan-portfolio', 'credit', amount)]);
const chargeOff = (date: string, amount: bigint) => effect('charge-off', date, [line('write-off-expense', 'debit', amount), line('loan-portfolio', 'credit', amount)]);

async function post(loanId: string, effects: Effect[]): Promise<void> {
  const client = await h.pool.connect();
  try {
    await client.query('BEGIN');
    await ledger.post(client, { tenantId: tenant, loanId, currency: 'INR', scale: 2, chart: ledger.defaultChart(), postedOn: '2026-03-31', reverse: [], post: effects });
    await client.query('COMMIT');
  } finally {
    client.release();
  }
}
async function history(loanId: string, points: [from: string, anchor: string, us: string, rbi: string][]): Promise<void> {
  for (const [from, anchor, us, rbi] of points) {
    await h.pool.query('INSERT INTO delinquency_history (loan_id, from_date, dpd, dpd_anchor, us_bucket, rbi_class) VALUES ($1, $2, $3, $4, $5, $6)', [
      loanId, from, Math.round((Date.parse(from) - Date.parse(anchor)) / 86_400_000), anchor, us, rbi,
    ]);
  }
}

async function shot(name: string): Promise<string> {
  const path = join(shots, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  console.info(`console screenshot: ${path}`);
  return path;
}
/** The series of the ECharts instance drawn in #chart-<name>. */
const seriesOf = (name: string) => page.evaluate((n) => {
  const el = document.querySelector(`#chart-${n}`) as HTMLElement;
  const chart = (window as unknown as { echarts: { getInstanceByDom(e: HTMLElement): { getOption(): { series: { name: string; data: unknown[] }[]; xAxis: { data: string[] }[]; yAxis: { data?: string[] }[] } } } }).echarts.getInstanceByDom(el);
  const option = chart.getOption();
  return { series: option.series.map((s) => ({ name: s.name, data: s.data })), x: option.xAxis[0]!.data, y: option.yAxis[0]!.data ?? [] };
}, name);
const major = (m: { amount: string; scale: number }) => Number(m.amount) / 10 ** m.scale;
async function pdfText(bytes: Buffer): Promise<string[]> {
  const doc = await getDocument({ data: new Uint8Array(bytes), isEvalSupported: false, verbosity: 0 }).promise;
  const pages: string[] = [];
  for (let p = 1; p <= doc.numPages; p += 1) pages.push((await (await doc.getPage(p)).getTextContent()).items.map((i) => ('str' in i ? i.str : '')).join(' ').replace(/\s+/g, ' '));
  await doc.destroy();
  return pages;
}
const letter = () => String.fromCharCode(65 + randomInt(26));
/** An application as a partner submits it (the LOS's own tests use the same shape). */
const applicationBody = () => ({
  applicant: {
    name: { given: 'Priya', family: 'Sharma' },
    contact: { email: `priya.${randomUUID().slice(0, 8)}@example.in`, phone: `+9198${randomInt(10_000_000, 99_999_999)}` },
    dateOfBirth: '1990-04-15',
    address: { line1: '14 MG Road', city: 'Bengaluru', region: 'KA', postalCode: '560001', country: 'IN' },
    nationalId: { type: 'PAN', value: `${letter()}${letter()}${letter()}P${letter()}${String(randomInt(9_000)).padStart(4, '0')}${letter()}` },
    bankAccount: { holderName: 'Priya Sharma', accountNumber: `50100${randomInt(10_000_000, 99_999_999)}`, bankCode: 'HDFC0001234' },
  },
  loan: { productCode: 'PL-12M', principal: { amount: '50000000', currency: 'INR', scale: 2 }, annualRatePercent: '14.5', termPeriods: 12, frequency: 'monthly', expectedDisbursementDate: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10) },
});

beforeAll(async () => {
  // Debian's chromium, installed by the project's script when missing (one clear message if it cannot be).
  const executablePath = execFileSync('bash', [join(repoRoot, 'infra/local/chromium.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 1_000_000 }).trim();
  mkdirSync(shots, { recursive: true });

  h = await startHarness();
  ids.A = await h.book(tenant, { productCode: 'PL-12' });
  ids.B = await h.book(tenant, { productCode: 'PL-12' });
  ids.C = await h.book(tenant, { productCode: 'PL-12' });
  ids.D = await h.book(tenant, { productCode: 'SME-TL' });
  await post(ids.A, [disburse('2026-01-15', 100_000n), repay('2026-02-20', 20_000n)]);
  await post(ids.B, [disburse('2026-01-20', 200_000n)]);
  await post(ids.C, [disburse('2026-02-10', 50_000n), repay('2026-03-10', 50_000n)]);
  await post(ids.D, [disburse('2026-01-05', 100_000n), chargeOff('2026-03-15', 100_000n)]);
  await history(ids.B, [['2026-02-21', '2026-02-20', '1-29', 'SMA-0'], ['2026-03-22', '2026-02-20', '30-59', 'SMA-1']]);
  await history(ids.D, [['2026-02-06', '2026-02-05', '1-29', 'SMA-0'], ['2026-03-07', '2026-02-05', '30-59', 'SMA-1']]);
  await h.pool.query('INSERT INTO business_dates (tenant_id, business_date) VALUES ($1, $2)', [tenant, '2026-03-31']);
  // B's case in the early queue, as its collections workflow opens it at 30 DPD.
  await h.pool.query("INSERT INTO collections_cases (tenant_id, loan_id, queue, priority, dpd, opened_on, escalated_on) VALUES ($1, $2, 'early', 1, 39, '2026-03-22', '2026-03-22')", [tenant, ids.B]);

  const infra = await infrastructure();
  const common = { AUTH_TOKEN_SECRET: secret, KAFKA_BROKERS: infra.kafkaBrokers.join(','), KAFKA_TOPIC_PREFIX: process.env.KAFKA_TOPIC_PREFIX ?? '' };
  [los, lms] = await Promise.all([
    startServiceProcess('los', PORTS.los, { ...common, LOS_DATABASE_URL: infra.losDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress, LOS_CONSUMER_GROUP: `los-console-${runId}`, LOS_TEMPORAL_TASK_QUEUE: `los-console-${runId}`, LOS_CHECKS_TENANT_PREFIX: tenant, LOS_CHECK_KINDS: 'duplicate,velocity,device,sanctions' }),
    startServiceProcess('lms', PORTS.lms, { ...common, LMS_DATABASE_URL: infra.lmsDatabaseUrl, TEMPORAL_ADDRESS: infra.temporalAddress, LMS_CONSUMER_GROUP: `lms-console-${runId}`, LMS_CONSUMER_FROM_BEGINNING: 'false', TEMPORAL_TASK_QUEUE: `collections-console-${runId}`, LMS_COLLECTIONS_TENANT_PREFIX: tenant }),
  ]);
  consoleApp = await startServiceProcess('console', PORTS.console, { AUTH_TOKEN_SECRET: secret, LOS_BASE_URL: los.url, LMS_BASE_URL: lms.url, CONSOLE_DEV_SIGNIN: 'true' });

  browser = await chromium.launch({
    executablePath, headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([consoleApp?.stop(), los?.stop(), lms?.stop()]);
  await h?.close();
});

describe('operations console in headless Chromium', () => {
  it('signs in with the development form and lands on the dashboard it was sent from', async () => {
    await page.goto(`${consoleApp.url}/`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await shot('sign-in');
    const form = page.locator('#dev-sign-in');
    await form.locator('input[name=tenant]').fill(tenant);
    await form.locator('input[name=subject]').fill('ben@console');
    for (const role of ['approver', 'admin']) await form.locator(`input[name=roles][value=${role}]`).check();
    await form.locator('button[type=submit]').click();
    await page.waitForURL(`${consoleApp.url}/`);
    await expect(page.locator('header .who').getAttribute('data-subject')).resolves.toBe('ben@console');
    await expect(page.locator('header .who').getAttribute('data-tenant')).resolves.toBe(tenant);
  });

  it('draws the dashboard charts with the values the portfolio APIs give', async () => {
    await page.goto(`${consoleApp.url}/`);
    for (const name of ['buckets', 'roll-rates', 'vintages', 'heatmap']) await page.waitForSelector(`#chart-${name}[data-rendered="true"]`);
    await shot('dashboard');

    // Buckets over time: the last column is the book at the business date, per bucket over both products.
    const buckets = await api<{ asOf: string; currencies: { currency: string; outstanding: { amount: string }; npa: { grossRatio: string }; items: { bucket: string; principal: { amount: string; scale: number } }[] }[] }>(lms.url, '/v1/portfolio/buckets');
    expect(buckets.asOf).toBe('2026-03-31');
    const inr = buckets.currencies.find((c) => c.currency === 'INR')!;
    const drawn = await seriesOf('buckets');
    expect(drawn.x.at(-1)).toBe('2026-03-31');
    const expected = new Map<string, number>();
    for (const i of inr.items) expected.set(i.bucket, (expected.get(i.bucket) ?? 0) + major(i.principal));
    for (const s of drawn.series) expect(s.data.at(-1), s.name).toBe(expected.get(s.name) ?? 0);
    expect([...expected.keys()].every((b) => drawn.series.some((s) => s.name === b))).toBe(true);
    // The hand-worked book: A current 800.00, B 30-59 2,000.00, D charged off (no principal), C closed (left out).
    expect(Object.fromEntries(expected)).toEqual({ current: 800, '30-59': 2000, 'charged-off': 0 });
    // …and each earlier column is the API's answer at that month end.
    for (const [k, date] of drawn.x.slice(0, -1).entries()) {
      const then = await api<typeof buckets>(lms.url, `/v1/portfolio/buckets?asOf=${date}`);
      const sums = new Map<string, number>();
      for (const i of then.currencies.find((c) => c.currency === 'INR')?.items ?? []) sums.set(i.bucket, (sums.get(i.bucket) ?? 0) + major(i.principal));
      for (const s of drawn.series) expect(s.data[k], `${s.name} at ${date}`).toBe(sums.get(s.name) ?? 0);
    }
    await expect(page.locator('#kpi-outstanding').getAttribute('data-amount')).resolves.toBe(inr.outstanding.amount);
    await expect(page.locator('#kpi-npa').getAttribute('data-ratio')).resolves.toBe(inr.npa.grossRatio);

    // Roll rates: the heatmap's cells are the API's last step, share in percent.
    const roll = await api<{ currencies: { currency: string; steps: { from: string; to: string; matrix: { from: string; to: { bucket: string; share: string }[] }[] }[] }[] }>(lms.url, '/v1/portfolio/roll-rates?months=6');
    const step = roll.currencies.find((c) => c.currency === 'INR')!.steps.filter((s) => s.matrix.length > 0).at(-1)!;
    const rollDrawn = await seriesOf('roll-rates');
    const cells = (rollDrawn.series[0]!.data as [number, number, number][]).map(([x, y, v]) => `${rollDrawn.y[y]}→${rollDrawn.x[x]}=${v}`).sort();
    expect(cells).toEqual(step.matrix.flatMap((r) => r.to.map((c) => `${r.from}→${c.bucket}=${percent(c.share)}`)).sort());
    expect(cells.length).toBeGreaterThan(0);

    // Vintage curves: one line per disbursement cohort, the API's cumulative shares.
    const vint = await api<{ currencies: { currency: string; cohorts: { cohort: string; points: { share: string }[] }[] }[] }>(lms.url, '/v1/portfolio/vintages?thresholdDpd=30');
    const vintDrawn = await seriesOf('vintages');
    expect(vintDrawn.series.map((s) => [s.name, s.data])).toEqual(vint.currencies.find((c) => c.currency === 'INR')!.cohorts.map((c) => [c.cohort, c.points.map((p) => percent(p.share))]));
    expect(vintDrawn.series.map((s) => s.name)).toEqual(['2026-01', '2026-02']);

    // Risk heatmap: product · region × bucket, outstanding principal.
    const heat = await api<{ currencies: { currency: string; buckets: string[]; cells: { productCode: string; region: string; bucket: string; principal: { amount: string; scale: number } }[] }[] }>(lms.url, '/v1/portfolio/heatmap');
    const heatDrawn = await seriesOf('heatmap');
    const heatCells = (heatDrawn.series[0]!.data as [number, number, number][]).map(([x, y, v]) => `${heatDrawn.y[y]}|${heatDrawn.x[x]}=${v}`).sort();
    expect(heatCells).toEqual(heat.currencies.find((c) => c.currency === 'INR')!.cells.map((c) => `${c.productCode} · ${c.region}|${c.bucket}=${major(c.principal)}`).sort());
  });

  it('renders the charts to PNG and SVG server side and the monthly risk pack as a PDF with the charts and tables', async () => {
    // Through the browser's session (its cookie), as a user clicking the dashboard's links.
    const png = await page.request.get(`${consoleApp.url}/charts/roll-rates.png`);
    expect(png.status()).toBe(200);
    expect(png.headers()['content-type']).toBe('image/png');
    const bytes = await png.body();
    expect(bytes.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    expect([bytes.readUInt32BE(16), bytes.readUInt32BE(20)]).toEqual([1800, 900]); // IHDR: 900 × 450 at scale 2
    const svg = await (await page.request.get(`${consoleApp.url}/charts/heatmap.svg`)).text();
    expect(svg).toMatch(/^<svg [^>]*width="900" height="520"/);
    for (const label of ['PL-12 · KA', 'SME-TL · KA', '30-59', '2000']) expect(svg).toContain(label);

    const res = await page.request.get(`${consoleApp.url}/reports/risk-pack.pdf`);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const pdf = await res.body();
    const pages = await pdfText(pdf);
    expect(pages).toHaveLength(4);
    expect(pages[0]).toContain('Monthly risk pack');
    expect(pages[0]).toContain(`Tenant ${tenant} As of 2026-03-31 INR`);
    // The tables are the APIs' figures: the book, the roll-rate matrix, the vintages, the heatmap.
    for (const text of ['INR 2,800.00', 'PL-12 current 1 INR 800.00', 'PL-12 30-59 1 INR 2,000.00', 'SME-TL charged-off 1 INR 0.00']) expect(pages[0]).toContain(text);
    const roll = await api<{ currencies: { currency: string; steps: { from: string; to: string; matrix: { from: string; to: { bucket: string; share: string }[] }[] }[] }[] }>(lms.url, '/v1/portfolio/roll-rates?months=6');
    const step = roll.currencies.find((c) => c.currency === 'INR')!.steps.filter((s) => s.matrix.length > 0).at(-1)!;
    expect(pages[1]).toContain(`Roll rates ${step.from} to ${step.to}`);
    for (const cell of step.matrix.flatMap((r) => r.to)) expect(pages[1]).toContain(`${percent(cell.share).toFixed(2)} %`);
    // January's cohort (A, B, D: 4,000.00) has B and D (3,000.00) at 30+ DPD by its second month on book.
    expect(pages[2]).toContain('2026-01 3 INR 4,000.00 0.00% 0.00% 75.00% 2026-02 1 INR 500.00 0.00% 0.00%');
    expect(pages[3]).toContain('PL-12 KA 30-59 1 INR 2,000.00');
    // Four chart images, one a page (each PNG is an image and its alpha mask).
    const raw = pdf.toString('latin1');
    expect((raw.match(/\/Subtype \/Image/g)?.length ?? 0) - (raw.match(/\/SMask \d+ 0 R/g)?.length ?? 0)).toBe(4);
    // A script sends the token as a bearer header instead of the cookie: the same pack; a partner's token gets the API's 403.
    const scripted = await fetch(`${consoleApp.url}/reports/risk-pack.pdf`, { headers: { authorization: `Bearer ${token('risk@console', ['operator'])}` } });
    expect(scripted.status).toBe(200);
    expect(await pdfText(Buffer.from(await scripted.arrayBuffer()))).toEqual(pages);
    const partner = await fetch(`${consoleApp.url}/`, { headers: { authorization: `Bearer ${token('partner@console', ['partner'])}` } });
    expect(partner.status).toBe(403);
    expect(await partner.text()).toContain('needs the operator or approver or admin role');
    mkdirSync(shots, { recursive: true });
    (await import('node:fs')).writeFileSync(join(shots, 'risk-pack.pdf'), pdf);
    console.info(`console risk pack: ${join(shots, 'risk-pack.pdf')}`);
  });

  it('approves a policy draft, and an override a maker recommended in a browser of their own, in the maker-checker queue; each leaves it', async () => {
    // The maker: another admin writes a draft through the LOS API, a new version of the default policy the LOS
    // seeds for tenant demo at start.
    const maker = token('ann@console', ['admin']);
    const demoAdmin = signToken(secret, { subject: 'admin@demo', tenantId: 'demo', roles: ['admin'] }, 600, Math.floor(Date.now() / 1000));
    const seeded = (await api<{ items: { productCode: string; document: unknown }[] }>(los.url, '/v1/policies', demoAdmin)).items[0];
    expect(seeded, 'the LOS seeds default policies for tenant demo').toBeDefined();
    const draft = await api<{ policyId: string; version: number; status: string }>(los.url, '/v1/policies', maker, {
      method: 'POST', headers: { 'idempotency-key': `console-${runId}` },
      body: JSON.stringify({ productCode: seeded!.productCode, effectiveFrom: '2026-01-01T00:00:00Z', document: seeded!.document }),
    });
    expect(draft.status).toBe('draft');
    await page.goto(`${consoleApp.url}/approvals`);
    const row = page.locator(`#policy-drafts tr[data-policy="${draft.policyId}"][data-version="${draft.version}"]`);
    await expect(row.count()).resolves.toBe(1);
    await shot('maker-checker');
    // The checker (ben, signed in) approves.
    await row.locator('button[name=approve]').click();
    await page.waitForSelector('#done');
    await expect(page.locator(`#policy-drafts tr[data-policy="${draft.policyId}"]`).count()).resolves.toBe(0);
    await shot('maker-checker-approved');
    const policies = await api<{ items: { policyId: string; version: number; status: string; approvedBy: string | null }[] }>(los.url, '/v1/policies', maker);
    expect(policies.items.find((p) => p.policyId === draft.policyId && p.version === draft.version)).toMatchObject({ status: 'approved', approvedBy: 'ben@console' });

    // Under that policy an application the automated decision declines (no bureau or KYC check ran here) can
    // be overridden: a maker recommends approving it, a second person (an admin within their limit) decides.
    await api(los.url, '/v1/approval-limits/admin/INR', maker, { method: 'PUT', body: JSON.stringify({ maxPrincipal: { amount: '5000000000', currency: 'INR', scale: 2 } }) });
    const body = applicationBody();
    const declined = await api<{ id: string }>(los.url, '/v1/applications', token('partner@console', ['partner']), { method: 'POST', body: JSON.stringify({ ...body, loan: { ...body.loan, productCode: seeded!.productCode } }) });
    await eventually(async () => ((await api<{ status: string }>(los.url, `/v1/applications/${declined.id}`)).status === 'declined' ? true : undefined), { timeoutMs: 60_000, what: `the automated decline of ${declined.id}` });

    // The maker, in a browser of their own: omar (operator) recommends approving it.
    const makerPage = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    await makerPage.goto(`${consoleApp.url}/sign-in`);
    const form = makerPage.locator('#dev-sign-in');
    await form.locator('input[name=tenant]').fill(tenant);
    await form.locator('input[name=subject]').fill('omar@console');
    await form.locator('button[type=submit]').click();
    await makerPage.waitForURL(`${consoleApp.url}/`);
    await makerPage.goto(`${consoleApp.url}/approvals`);
    await expect(makerPage.locator(`#reviews tr[data-application="${declined.id}"]`).count()).resolves.toBe(0); // a decline is no review until a maker asks
    await makerPage.goto(`${consoleApp.url}/applications/${declined.id}`);
    await makerPage.locator('#recommend-form select[name=recommendation]').selectOption('approve');
    await makerPage.locator('#recommend-form input[name=comment]').fill('Verified income and address by hand');
    await makerPage.locator('#recommend-form button[type=submit]').click();
    await makerPage.waitForSelector('#done');
    const makerRow = makerPage.locator(`#reviews tr[data-application="${declined.id}"]`);
    await expect(makerRow.getAttribute('data-stage')).resolves.toBe('awaiting-decision');
    // The maker is offered no decision on their own recommendation (the LOS refuses one anyway).
    await expect(makerRow.locator('form').count()).resolves.toBe(0);
    await makerPage.context().close();

    // The checker: ben (approver, admin) approves the override with its reason; it leaves the queue.
    await page.goto(`${consoleApp.url}/approvals`);
    const review = page.locator(`#reviews tr[data-application="${declined.id}"]`);
    await expect(review.locator('td').nth(1).textContent()).resolves.toBe('override');
    await shot('maker-checker-override');
    await review.locator('select[name=decision]').selectOption('approve');
    await review.locator('input[name=comment]').fill('Agree with the maker: documents verified');
    await review.locator('input[name=overrideReason]').fill('Bureau unavailable for this applicant; income verified from bank statements');
    await review.locator('button[type=submit]').click();
    await page.waitForSelector('#done');
    await expect(page.locator(`#reviews tr[data-application="${declined.id}"]`).count()).resolves.toBe(0);
    expect((await api<{ status: string }>(los.url, `/v1/applications/${declined.id}`)).status).toBe('policy-approved');
    const trail = await api<{ items: { action: string; actor: string }[] }>(los.url, `/v1/applications/${declined.id}/audit-trail`);
    expect(trail.items.map((e) => [e.action, e.actor]).slice(-2)).toEqual([['recommendation', 'omar@console'], ['override-approved', 'ben@console']]);
  });

  it('shows the collections queue, a loan 360 with its workflow link, and the application pages', async () => {
    await page.goto(`${consoleApp.url}/collections`);
    // The rows are the API's queue, in its order; B's case is among them.
    const queue = await api<{ items: { loanId: string }[] }>(lms.url, '/v1/collections/queue');
    expect(await page.locator('#collections-queue tbody tr td:first-child').allTextContents()).toEqual(queue.items.map((i) => i.loanId));
    expect(queue.items.map((i) => i.loanId)).toContain(ids.B);
    await shot('collections');

    await page.locator(`#collections-queue a[href="/loans/${ids.B}"]`).click();
    await page.waitForURL(`${consoleApp.url}/loans/${ids.B}`);
    await expect(page.locator('#schedule tbody tr').count()).resolves.toBeGreaterThan(0);
    await expect(page.locator('#ledger tbody tr').count()).resolves.toBe(2);
    const schedule = await api<{ installments: unknown[] }>(lms.url, `/v1/loans/${ids.B}/schedule`);
    await expect(page.locator('#schedule tbody tr').count()).resolves.toBe(schedule.installments.length);
    await expect(page.locator('#dpd-history tbody tr').count()).resolves.toBe(2);
    expect(await page.locator('#temporal-link').getAttribute('href')).toMatch(/^http:\/\/127\.0\.0\.1:8233\/namespaces\/default\/workflows/);
    await shot('loan-360');

    // An application submitted by a partner; its 360 shows what the LOS has: the checks, decision, offers, documents.
    const submitted = await api<{ id: string }>(los.url, '/v1/applications', token('partner@console', ['partner']), { method: 'POST', body: JSON.stringify(applicationBody()) });
    // Its checks (the four on the LOS's own data this LOS runs) are recorded first; then the page shows them.
    const checks = await eventually(async () => {
      const c = await api<{ items: { kind: string; status: string }[] }>(los.url, `/v1/applications/${submitted.id}/checks`);
      return c.items.length === 4 && c.items.every((i) => i.status === 'completed') ? c : undefined;
    }, { timeoutMs: 60_000, what: `the checks of ${submitted.id}` });
    await page.goto(`${consoleApp.url}/applications`);
    await expect(page.locator(`#applications a[href="/applications/${submitted.id}"]`).count()).resolves.toBe(1);
    await shot('applications');
    await page.locator(`#applications a[href="/applications/${submitted.id}"]`).click();
    await page.waitForURL(`${consoleApp.url}/applications/${submitted.id}`);
    expect(await page.locator('#checks tbody tr td:first-child').allTextContents()).toEqual(checks.items.map((c) => c.kind));
    for (const id of ['application', 'applicant', 'checks-section', 'decision-section', 'offers-section', 'documents-section', 'trail-section']) await expect(page.locator(`#${id}`).count()).resolves.toBe(1);
    await shot('application-360');
  });
});
