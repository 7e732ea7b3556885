// The console's pages: each reads the LOS and LMS APIs with the signed-in user's token and renders HTML.
// A section whose call failed shows the API's problem (a 403 names the missing role) and the rest still renders.
import { randomUUID } from 'node:crypto';
import type { ChartOption, RollRatesResponse } from './charts.js';
import { fields, html, money, problem, raw, table, type Html, type Money, type Viewer } from './html.js';
import { CHARTS, chartOption, lastStep, loadPortfolio, qs } from './portfolio.js';
import type { Upstream, UpstreamResult } from './upstream.js';

export interface PageContext {
  readonly viewer: Viewer;
  readonly los: Upstream;
  readonly lms: Upstream;
  readonly query: Record<string, string | undefined>;
  readonly temporalUi: { url: string; namespace: string };
}
export interface Page {
  title: string;
  active: string;
  body: Html;
  status?: number;
  scripts?: boolean;
}

type Items<T = Record<string, unknown>> = { items: T[]; nextCursor: string | null };
const q = qs;
const section = <T>(title: string, res: UpstreamResult<T>, ok: (body: T) => Html, id?: string): Html =>
  html`<section ${id ? raw(`id="${id}"`) : ''}><h2>${title}</h2>${res.ok ? ok(res.body) : problem(res.body, res.status)}</section>`;

const chart = (name: string, option: ChartOption, height = 360): Html => html`<div class="chart" id="chart-${name}" data-chart="${name}" style="height:${height}px"></div>
<script type="application/json" data-chart-option="${name}">${raw(JSON.stringify(option).replace(/</g, '\\u003c'))}</script>`;

export async function dashboardPage(ctx: PageContext): Promise<Page> {
  const loaded = await loadPortfolio(ctx.lms, ctx.query);
  if (!loaded.ok) return { title: 'Portfolio', active: '/', status: loaded.status, body: problem(loaded.body, loaded.status) };
  const view = loaded.view;
  const { asOf, bucketSet, currencies, currency } = view;
  const threshold = view.thresholdDpd;
  const summary = view.current.currencies.find((c) => c.currency === currency);
  const step = lastStep(view);
  const params = qs({ asOf, bucketSet, currency, thresholdDpd: threshold });
  const body = html`
<form method="get" action="/" class="filters">
<label>As of <input type="date" name="asOf" value="${asOf}"></label>
<label>Buckets <select name="bucketSet">${['us', 'rbi'].map((b) => html`<option value="${b}" ${b === bucketSet ? raw('selected') : ''}>${b === 'us' ? 'US (DPD)' : 'RBI (SMA/NPA)'}</option>`)}</select></label>
<label>Currency <select name="currency">${currencies.map((c) => html`<option ${c === currency ? raw('selected') : ''}>${c}</option>`)}</select></label>
<label>Vintage threshold <select name="thresholdDpd">${['30', '60', '90'].map((t) => html`<option value="${t}" ${t === threshold ? raw('selected') : ''}>${t}+ DPD</option>`)}</select></label>
<button type="submit">Show</button>
<a id="risk-pack" href="/reports/risk-pack.pdf${params}">Risk pack (PDF)</a> <span class="muted">Charts as PNG:</span> ${CHARTS.map((name) => html`<a href="/charts/${name}.png${params}">${name}</a> `)}</form>
${currency === undefined ? html`<p class="muted">No loans on the book at ${asOf}.</p>` : html`
<div class="cards" data-as-of="${asOf}" data-currency="${currency}">
<div class="card"><span>Outstanding</span><strong id="kpi-outstanding" data-amount="${summary?.outstanding.amount ?? '0'}">${summary ? money(summary.outstanding) : '—'}</strong></div>
<div class="card"><span>Live loans</span><strong id="kpi-loans">${summary?.loans ?? 0}</strong></div>
<div class="card"><span>Gross NPA (${summary?.npa.rule ?? ''})</span><strong id="kpi-npa" data-ratio="${summary?.npa.grossRatio ?? '0.0000'}">${summary ? `${(Number(summary.npa.grossRatio) * 100).toFixed(2)} %` : '—'}</strong></div>
</div>
<div class="grid">
${CHARTS.map((name) => chart(name, chartOption(view, name), name === 'heatmap' ? 420 : 360))}
</div>
<section><h2>Outstanding by product and bucket at ${asOf}</h2>${table((summary?.items ?? []) as unknown as Record<string, unknown>[], { id: 'buckets-table', columns: ['productCode', 'bucket', 'loans', 'principal'] })}</section>
<section><h2>Roll-rate matrix ${step ? `${step.from} → ${step.to}` : ''}</h2>${step ? rollTable(step.matrix) : html`<p class="muted">No balances at the start of the step.</p>`}</section>`}`;
  return { title: 'Portfolio', active: '/', body, scripts: true };
}

function rollTable(matrix: RollRatesResponse['currencies'][number]['steps'][number]['matrix']): Html {
  const to = [...new Set(matrix.flatMap((r) => r.to.map((c) => c.bucket)))];
  return html`<table id="roll-table"><thead><tr><th>from \\ to</th><th>start balance</th>${to.map((b) => html`<th>${b}</th>`)}</tr></thead><tbody>${matrix.map((r) => html`<tr><th>${r.from}</th><td class="num">${money(r.principal)}</td>${to.map((b) => {
    const c = r.to.find((x) => x.bucket === b);
    return html`<td class="num" data-from="${r.from}" data-to="${b}" data-share="${c?.share ?? '0.0000'}">${c ? `${(Number(c.share) * 100).toFixed(2)} %` : ''}</td>`;
  })}</tr>`)}</tbody></table>`;
}

interface PolicyVersion { policyId: string; productCode: string; version: number; status: string; effectiveFrom: string; createdBy: string; createdAt: string }
interface Review { applicationId: string; kind: string; stage: string; productCode?: string; principal?: Money; recommendation?: { by: string; recommendation: string; comment: string } | null; openedAt?: string; [k: string]: unknown }

export async function approvalsPage(ctx: PageContext, failure?: { status: number; body: unknown }): Promise<Page> {
  const [policies, reviews, restructures] = await Promise.all([
    ctx.los.get<{ items: PolicyVersion[] }>('/v1/policies'),
    ctx.los.get<Items<Review>>(`/v1/review-queue${q({ cursor: ctx.query.cursor })}`),
    ctx.lms.get<Items<RestructureProposal>>(`/v1/restructure-proposals${q({ cursor: ctx.query.restructureCursor })}`),
  ]);
  const done = ctx.query.approved ?? ctx.query.recommended ?? ctx.query.decided;
  const me = ctx.viewer.subject;
  const body = html`
${failure ? problem(failure.body, failure.status) : ''}
${done ? html`<p class="notice" id="done">Done: ${ctx.query.approved ? 'approved' : ctx.query.recommended ? 'recommended' : 'decided'} ${done}.</p>` : ''}
${section('Policy versions awaiting a second admin', policies, (b) => {
    const drafts = b.items.filter((p) => p.status === 'draft');
    if (drafts.length === 0) return html`<p class="muted" id="policy-drafts-empty">No drafts waiting.</p>`;
    return html`<table id="policy-drafts"><thead><tr><th>product</th><th>version</th><th>effective from</th><th>written by</th><th>at</th><th></th></tr></thead><tbody>${drafts.map((p) => html`<tr data-policy="${p.policyId}" data-version="${p.version}">
<td>${p.productCode}</td><td>${p.version}</td><td>${p.effectiveFrom}</td><td>${p.createdBy}</td><td>${p.createdAt}</td>
<td>${p.createdBy === me ? html`<span class="muted">yours: another admin approves</span>` : html`<form method="post" action="/approvals/policies/${p.policyId}/${p.version}/approve" class="inline"><input type="hidden" name="idempotencyKey" value="${randomUUID()}"><button type="submit" name="approve">Approve</button></form>`}</td></tr>`)}</tbody></table>`;
  }, 'policies')}
${section('Applications awaiting review', reviews, (b) => html`${b.items.length === 0 ? html`<p class="muted" id="reviews-empty">No applications waiting.</p>` : html`<table id="reviews"><thead><tr><th>application</th><th>kind</th><th>stage</th><th>principal</th><th>recommendation</th><th>act</th></tr></thead><tbody>${b.items.map((r) => html`<tr data-application="${r.applicationId}" data-stage="${r.stage}">
<td><a href="/applications/${r.applicationId}">${r.applicationId.slice(0, 8)}</a> ${r.productCode ?? ''}</td><td>${r.kind}</td><td>${r.stage}</td><td class="num">${r.principal ? money(r.principal) : ''}</td>
<td>${r.recommendation ? `${r.recommendation.recommendation} by ${r.recommendation.by}: ${r.recommendation.comment}` : ''}</td>
<td>${r.stage === 'awaiting-recommendation' ? html`<form method="post" action="/approvals/reviews/${r.applicationId}/recommendation" class="stack"><input type="hidden" name="idempotencyKey" value="${randomUUID()}">
<select name="recommendation"><option value="approve">recommend approve</option><option value="decline">recommend decline</option></select><input name="comment" placeholder="comment" required minlength="3"><button type="submit">Recommend (maker)</button></form>`
    : r.recommendation?.by === me ? html`<span class="muted">you recommended: a second person decides</span>` : html`<form method="post" action="/approvals/reviews/${r.applicationId}/decision" class="stack"><input type="hidden" name="idempotencyKey" value="${randomUUID()}">
<select name="decision"><option value="approve">approve</option><option value="decline">decline</option></select><input name="comment" placeholder="comment" required minlength="3">
<textarea name="reasons" rows="2" placeholder="decline reasons, one a line"></textarea>${r.kind === 'override' ? html`<input name="overrideReason" placeholder="override reason (admins)">` : ''}<button type="submit">Decide (checker)</button></form>`}</td></tr>`)}</tbody></table>`}
${b.nextCursor ? html`<a href="/approvals${q({ cursor: b.nextCursor })}">Next page</a>` : ''}`, 'reviews')}
${section('Loan restructures awaiting a second person', restructures, (b) => restructureTable(b, me), 'restructures')}`;
  return { title: 'Maker-checker queue', active: '/approvals', body, ...(failure ? { status: failure.status } : {}) };
}

interface RestructureProposal { id: string; loanId: string; effectiveDate: string; annualRatePercent: string; installments: number; moratoriumInstallments: number; capitaliseArrears: boolean; note: string | null; preview: { principal: Money; capitalised: { interest: Money; fees: Money; penalties: Money } }; proposedBy: string; proposedAt: string }

/** The LMS's open restructure proposals (maker ≠ checker: the maker sees theirs without the decision forms). */
function restructureTable(b: Items<RestructureProposal>, me: string): Html {
  if (b.items.length === 0) return html`<p class="muted" id="restructures-empty">No restructures waiting.</p>`;
  return html`<table id="restructures"><thead><tr><th>loan</th><th>effective</th><th>rate</th><th>installments</th><th>new principal</th><th>capitalised</th><th>proposed by</th><th>act</th></tr></thead><tbody>${b.items.map((r) => html`<tr data-proposal="${r.id}" data-loan="${r.loanId}">
<td><a href="/loans/${r.loanId}">${r.loanId.slice(0, 13)}</a>${r.note ? html`<br><span class="muted">${r.note}</span>` : ''}</td><td>${r.effectiveDate}</td><td class="num">${r.annualRatePercent} %</td><td class="num">${r.installments}${r.moratoriumInstallments > 0 ? ` (${r.moratoriumInstallments} interest only)` : ''}</td>
<td class="num">${money(r.preview.principal)}</td><td>${r.capitaliseArrears ? html`interest ${money(r.preview.capitalised.interest)}, fees ${money(r.preview.capitalised.fees)}, penalties ${money(r.preview.capitalised.penalties)}` : 'arrears kept'}</td><td>${r.proposedBy} ${r.proposedAt}</td>
<td>${r.proposedBy === me ? html`<span class="muted">yours: an approver or admin decides</span>` : (['approve', 'reject'] as const).map((d) => html`<form method="post" action="/approvals/restructures/${r.loanId}/${r.id}/${d}" class="inline"><input type="hidden" name="idempotencyKey" value="${randomUUID()}"><button type="submit" name="${d}">${d === 'approve' ? 'Approve' : 'Reject'}</button></form>`)}</td></tr>`)}</tbody></table>
${b.nextCursor ? html`<a href="/approvals${q({ restructureCursor: b.nextCursor })}">Next page</a>` : ''}`;
}

/** A queue case's latest NPA early-warning score as one cell: the probability, flagged when over the model threshold. */
function npaRisk(warning: unknown): string | null {
  const w = warning as { probability?: string; flagged?: boolean; asOf?: string } | null | undefined;
  return w?.probability ? `${w.probability}${w.flagged ? ' (flagged)' : ''} on ${w.asOf}` : null;
}

export async function collectionsPage(ctx: PageContext): Promise<Page> {
  const queue = ctx.query.queue;
  const res = await ctx.lms.get<Items>(`/v1/collections/queue${q({ queue, cursor: ctx.query.cursor, limit: 50 })}`);
  const body = html`<form method="get" action="/collections" class="filters"><label>Queue <input name="queue" value="${queue ?? ''}" placeholder="early, late, recovery"></label><button type="submit">Show</button></form>
${section('Open collection cases, highest priority first', res, (b) => html`${table(b.items.map((i) => ({ ...i, dpd: (i.delinquency as { dpd?: number } | undefined)?.dpd, bucket: (i.delinquency as { bucket?: string } | undefined)?.bucket, npaRisk: npaRisk(i.earlyWarning) })), {
    id: 'collections-queue', columns: ['loanId', 'queue', 'priority', 'dpd', 'bucket', 'npaRisk', 'totalDueNow', 'openedOn', 'escalatedOn', 'lastActionAt', 'openPromise'],
    link: (row, col) => (col === 'loanId' ? `/loans/${encodeURIComponent(String(row.loanId))}` : undefined),
  })}${b.nextCursor ? html`<p><a href="/collections${q({ queue, cursor: b.nextCursor })}">Next page</a></p>` : ''}`)}`;
  return { title: 'Collections queue', active: '/collections', body };
}

export async function loansPage(ctx: PageContext): Promise<Page> {
  const res = await ctx.lms.get<Items>(`/v1/loans${q({ cursor: ctx.query.cursor, limit: 50 })}`);
  const body = html`<form method="get" action="/loans" class="filters"><label>Loan id <input name="id" required></label><button type="submit">Open</button></form>
${section('Loans, newest first', res, (b) => html`${table(b.items, { id: 'loans', columns: ['id', 'productCode', 'status', 'principal', 'disbursementDate', 'applicationId'], link: (row, col) => (col === 'id' ? `/loans/${encodeURIComponent(String(row.id))}` : col === 'applicationId' && row.applicationId ? `/applications/${encodeURIComponent(String(row.applicationId))}` : undefined) })}
${b.nextCursor ? html`<p><a href="/loans${q({ cursor: b.nextCursor })}">Next page</a></p>` : ''}`)}`;
  return { title: 'Loans', active: '/loans', body };
}

export async function loanPage(ctx: PageContext, id: string): Promise<Page> {
  const p = encodeURIComponent(id);
  const [loan, schedule, transactions, ledger, dpd, contacts, collections] = await Promise.all([
    ctx.lms.get<Record<string, unknown>>(`/v1/loans/${p}`),
    ctx.lms.get<{ installments: Record<string, unknown>[]; totals?: Record<string, unknown> }>(`/v1/loans/${p}/schedule`),
    ctx.lms.get<Items>(`/v1/loans/${p}/transactions`),
    ctx.lms.get<Items<{ lines?: Record<string, unknown>[] } & Record<string, unknown>>>(`/v1/ledger/journal-entries${q({ loanId: id, limit: 100 })}`),
    ctx.lms.get<Items>(`/v1/loans/${p}/delinquency-history`),
    ctx.lms.get<Items>(`/v1/loans/${p}/contacts`),
    ctx.lms.get<{ case: unknown; workflow: { workflowId: string; state: unknown; url?: string } | null; timeline?: unknown }>(`/v1/loans/${p}/collections`),
  ]);
  if (!loan.ok) return { title: `Loan ${id}`, active: '/loans', status: loan.status, body: problem(loan.body, loan.status) };
  const workflowId = collections.ok ? collections.body.workflow?.workflowId : undefined;
  const temporalLink = collections.ok && collections.body.workflow?.url ? collections.body.workflow.url
    : `${ctx.temporalUi.url}/namespaces/${encodeURIComponent(ctx.temporalUi.namespace)}/workflows${workflowId ? `/${encodeURIComponent(workflowId)}` : `?query=${encodeURIComponent(`WorkflowId STARTS_WITH "${id}"`)}`}`;
  const itemsOf = (b: unknown) => (Array.isArray(b) ? b : ((b as { items?: unknown[] }).items ?? [])) as Record<string, unknown>[];
  const body = html`
<section id="loan"><h2>Account</h2>${fields(loan.body)}${loan.body.applicationId ? html`<p><a href="/applications/${String(loan.body.applicationId)}">Application 360</a></p>` : ''}</section>
<section id="workflow"><h2>Workflow</h2>${collections.ok ? fields({ workflowId: workflowId ?? null, state: collections.body.workflow?.state ?? null, case: collections.body.case ?? null }) : problem(collections.body, collections.status)}
<p><a id="temporal-link" href="${temporalLink}" target="_blank" rel="noopener">Open in the Temporal UI</a></p></section>
${section('Schedule', schedule, (b) => html`${table(b.installments, { id: 'schedule' })}${b.totals ? fields(b.totals) : ''}`, 'schedule-section')}
${section('Transactions', transactions, (b) => table(itemsOf(b), { id: 'transactions' }), 'transactions-section')}
${section('Ledger entries', ledger, (b) => table(itemsOf(b).flatMap((e) => (Array.isArray(e.lines) ? (e.lines as Record<string, unknown>[]).map((l) => ({ entry: e.id, valueDate: e.valueDate, kind: e.kind, ...l })) : [e])), { id: 'ledger' }), 'ledger-section')}
${section('DPD history', dpd, (b) => table(itemsOf(b), { id: 'dpd-history' }), 'dpd-section')}
${section('Contacts', contacts, (b) => table(itemsOf(b), { id: 'contacts' }), 'contacts-section')}`;
  return { title: `Loan ${id}`, active: '/loans', body };
}

export async function applicationsPage(ctx: PageContext): Promise<Page> {
  const res = await ctx.los.get<Items>(`/v1/applications${q({ cursor: ctx.query.cursor, limit: 50 })}`);
  const body = html`<form method="get" action="/applications" class="filters"><label>Application id <input name="id" required></label><button type="submit">Open</button></form>
${section('Applications, newest first', res, (b) => html`${table(b.items, { id: 'applications', columns: ['id', 'status', 'createdAt', 'loanId'], link: (row, col) => (col === 'id' ? `/applications/${encodeURIComponent(String(row.id))}` : col === 'loanId' && row.loanId ? `/loans/${encodeURIComponent(String(row.loanId))}` : undefined) })}
${b.nextCursor ? html`<p><a href="/applications${q({ cursor: b.nextCursor })}">Next page</a></p>` : ''}`)}`;
  return { title: 'Applications', active: '/applications', body };
}

export async function applicationPage(ctx: PageContext, id: string): Promise<Page> {
  const p = encodeURIComponent(id);
  const [app, checks, decision, offers, documents, trail] = await Promise.all([
    ctx.los.get<Record<string, unknown>>(`/v1/applications/${p}`),
    ctx.los.get<{ items: Record<string, unknown>[] }>(`/v1/applications/${p}/checks`),
    ctx.los.get<Record<string, unknown>>(`/v1/applications/${p}/decision`),
    ctx.los.get<{ items: Record<string, unknown>[] }>(`/v1/applications/${p}/offers`),
    ctx.los.get<{ items: Record<string, unknown>[] }>(`/v1/applications/${p}/documents`),
    ctx.los.get<{ items: Record<string, unknown>[] }>(`/v1/applications/${p}/audit-trail`),
  ]);
  if (!app.ok) return { title: `Application ${id}`, active: '/applications', status: app.status, body: problem(app.body, app.status) };
  const list = (b: unknown) => (Array.isArray(b) ? b : ((b as { items?: unknown[] }).items ?? [])) as Record<string, unknown>[];
  const noDecision = !decision.ok && decision.status === 404;
  const body = html`
<section id="application"><h2>Application</h2>${fields(app.body, Object.keys(app.body).filter((k) => k !== 'applicant'))}${app.body.loanId ? html`<p><a href="/loans/${String(app.body.loanId)}">Loan 360</a></p>` : ''}</section>
${app.body.status === 'declined' || app.body.status === 'referred' ? html`<section id="recommend"><h2>Recommend (maker)</h2>
<p class="muted">${app.body.status === 'declined' ? 'The automated decision declined it: recommending approval opens an override, which an admin decides.' : 'Referred: your recommendation goes to a second person, who decides.'}</p>
<form method="post" action="/approvals/reviews/${id}/recommendation" class="stack" id="recommend-form"><input type="hidden" name="idempotencyKey" value="${randomUUID()}">
<select name="recommendation"><option value="approve">recommend approve</option>${app.body.status === 'referred' ? html`<option value="decline">recommend decline</option>` : ''}</select>
<input name="comment" placeholder="comment" required minlength="3" size="50"><button type="submit">Recommend</button></form></section>` : ''}
<section id="applicant"><h2>Applicant</h2>${fields(app.body.applicant as Record<string, unknown> | undefined)}</section>
${section('Checks', checks, (b) => table(list(b), { id: 'checks', columns: ['kind', 'status', 'result', 'score', 'reasons', 'vendorReference', 'attempts', 'completedAt'] }), 'checks-section')}
${noDecision ? html`<section id="decision-section"><h2>Decision</h2><p class="muted">No automated decision yet.</p></section>` : section('Decision', decision, (b) => fields(b, ['outcome', 'reasons', 'decidedAt', 'policy', 'modelVersion', 'score', 'offer']), 'decision-section')}
${section('Offers', offers, (b) => table(list(b), { id: 'offers' }), 'offers-section')}
${section('Documents', documents, (b) => table(list(b), { id: 'documents' }), 'documents-section')}
${section('Decision audit trail', trail, (b) => table(list(b), { id: 'audit-trail', columns: ['at', 'action', 'actor', 'detail'] }), 'trail-section')}`;
  return { title: `Application ${id}`, active: '/applications', body };
}

