import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { bearerToken, registerHealthRoutes, type Logger } from '@lendstack/platform';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ConsoleConfig } from './config.js';
import { html, layout, problem, raw, type Viewer } from './html.js';
import { applicationPage, applicationsPage, approvalsPage, collectionsPage, dashboardPage, loanPage, loansPage, type PageContext } from './pages.js';
import { CHARTS, chartOption, loadPortfolio, type ChartName } from './portfolio.js';
import { renderPng, renderSvg } from './render.js';
import { renderRiskPack } from './risk-pack.js';
import { clearSession, cookieToken, devToken, setSession, viewerOf } from './session.js';
import { upstream, UpstreamUnauthorized } from './upstream.js';

const require = createRequire(import.meta.url);
const ECHARTS = require.resolve('echarts/dist/echarts.min.js');
const ASSETS = new URL('../assets/', import.meta.url);

type Form = Record<string, string | string[]>;

export interface ConsoleServerDeps {
  readonly config: ConsoleConfig;
  readonly logger: Logger;
}

declare module 'fastify' {
  interface FastifyRequest {
    viewer?: Viewer;
    token?: string;
  }
}

const PUBLIC = [/^\/sign-in$/, /^\/assets\//, /^\/health\//];

export async function buildConsoleServer({ config, logger }: ConsoleServerDeps): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: logger, bodyLimit: 64 * 1024, genReqId: () => randomUUID() }) as unknown as FastifyInstance;
  // HTML forms post application/x-www-form-urlencoded; a repeated name (roles) becomes an array.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const form: Form = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const seen = form[k];
      form[k] = seen === undefined ? v : Array.isArray(seen) ? [...seen, v] : [seen, v];
    }
    done(null, form);
  });

  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0]!;
    // A form posted from another site never acts for the signed-in user (the cookie is SameSite=Strict too).
    if (request.method === 'POST') {
      const origin = request.headers.origin;
      if (origin && origin !== 'null' && new URL(origin).host !== request.headers.host) return reply.status(403).type('text/plain').send('cross-origin form refused');
    }
    if (PUBLIC.some((p) => p.test(path))) return;
    // A script (a monthly job fetching the risk pack) may send the token as a bearer header instead.
    const token = cookieToken(request) ?? bearerToken(request.headers.authorization);
    const viewer = token ? viewerOf(token) : undefined;
    if (!token || !viewer) return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}${token ? '&expired=1' : ''}`, 303);
    request.token = token;
    request.viewer = viewer;
  });

  app.setErrorHandler(async (error, request, reply) => {
    if (error instanceof UpstreamUnauthorized) {
      clearSession(reply);
      return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}&refused=1`, 303);
    }
    request.log.error({ err: error }, 'console page failed');
    return reply.status(500).type('text/html').send(layout('Something went wrong', request.viewer, problem({ title: 'Console error', detail: (error as Error).message }, 500)));
  });

  registerHealthRoutes(app, {});

  app.get('/assets/echarts.min.js', async (_request, reply) => reply.type('text/javascript').header('cache-control', 'public, max-age=86400').send(await readFile(ECHARTS)));
  for (const [name, type] of [['charts.js', 'text/javascript'], ['console.css', 'text/css']] as const) {
    app.get(`/assets/${name}`, async (_request, reply) => reply.type(type).send(await readFile(new URL(name, ASSETS))));
  }

  const ctx = (request: FastifyRequest): PageContext => ({
    viewer: request.viewer!,
    los: upstream(config.LOS_BASE_URL, request.token!, config.CONSOLE_UPSTREAM_TIMEOUT_MS),
    lms: upstream(config.LMS_BASE_URL, request.token!, config.CONSOLE_UPSTREAM_TIMEOUT_MS),
    query: request.query as Record<string, string | undefined>,
    temporalUi: { url: config.TEMPORAL_UI_URL, namespace: config.TEMPORAL_NAMESPACE },
  });
  const page = (reply: FastifyReply, rendered: { title: string; body: ReturnType<typeof html>; active: string; status?: number; scripts?: boolean }, viewer: Viewer) =>
    reply.status(rendered.status ?? 200).type('text/html; charset=utf-8').send(layout(rendered.title, viewer, rendered.body, { active: rendered.active, scripts: rendered.scripts ?? false }));

  app.get('/sign-in', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    return reply.type('text/html; charset=utf-8').send(signInPage(config.devSignIn, q.next, q.expired ? 'Your session expired; sign in again.' : q.refused ? 'The service refused the token; sign in again.' : undefined));
  });
  app.post('/sign-in', async (request, reply) => {
    const form = (request.body ?? {}) as Form;
    const next = safeNext(form.next);
    let token: string | undefined;
    if (typeof form.token === 'string' && form.token.trim() !== '') token = form.token.trim();
    else if (config.devSignIn && form.mode === 'dev') {
      const minted = devToken(config.AUTH_TOKEN_SECRET, form);
      if (!minted.ok) return reply.status(400).type('text/html; charset=utf-8').send(signInPage(config.devSignIn, next, undefined, minted.errors));
      token = minted.token;
    }
    const viewer = token ? viewerOf(token) : undefined;
    if (!token || !viewer) return reply.status(400).type('text/html; charset=utf-8').send(signInPage(config.devSignIn, next, undefined, [{ pointer: '/token', detail: 'not a staff token (JWT with sub, tenant, roles and an expiry in the future)' }]));
    setSession(reply, token, viewer.exp);
    return reply.redirect(next, 303);
  });
  app.post('/sign-out', async (_request, reply) => {
    clearSession(reply);
    return reply.redirect('/sign-in', 303);
  });

  app.get('/', async (request, reply) => page(reply, await dashboardPage(ctx(request)), request.viewer!));
  // The dashboard's charts as images and the monthly risk pack (PDF), from the same APIs with the user's token.
  app.get<{ Params: { file: string } }>('/charts/:file', async (request, reply) => {
    const match = /^(.+)\.(svg|png)$/.exec(request.params.file);
    const name = match?.[1] as ChartName | undefined;
    if (!match || !name || !(CHARTS as readonly string[]).includes(name)) {
      return reply.status(404).type('text/html; charset=utf-8').send(layout('No such chart', request.viewer, problem({ title: 'No such chart', detail: `Charts: ${CHARTS.map((c) => `${c}.svg, ${c}.png`).join(', ')}.` }, 404)));
    }
    const loaded = await loadPortfolio(ctx(request).lms, request.query as Record<string, string | undefined>);
    if (!loaded.ok) return reply.status(loaded.status).type('text/html; charset=utf-8').send(layout('Chart', request.viewer, problem(loaded.body, loaded.status)));
    const size = { width: 900, height: name === 'heatmap' ? 520 : 450 };
    const option = chartOption(loaded.view, name);
    const filename = `${name}-${loaded.view.asOf}-${loaded.view.currency ?? 'none'}.${match[2]}`;
    void reply.header('content-disposition', `inline; filename="${filename}"`).header('cache-control', 'private, no-store');
    return match[2] === 'svg' ? reply.type('image/svg+xml').send(renderSvg(option, size)) : reply.type('image/png').send(renderPng(option, size));
  });
  app.get('/reports/risk-pack.pdf', async (request, reply) => {
    const loaded = await loadPortfolio(ctx(request).lms, request.query as Record<string, string | undefined>, { monthEnd: true });
    if (!loaded.ok) return reply.status(loaded.status).type('text/html; charset=utf-8').send(layout('Risk pack', request.viewer, problem(loaded.body, loaded.status)));
    const pdf = await renderRiskPack(loaded.view, request.viewer!.tenantId);
    return reply.type('application/pdf').header('cache-control', 'private, no-store').header('content-disposition', `inline; filename="risk-pack-${request.viewer!.tenantId}-${loaded.view.asOf}.pdf"`).send(pdf);
  });
  app.get('/approvals', async (request, reply) => page(reply, await approvalsPage(ctx(request)), request.viewer!));
  app.post<{ Params: { id: string; version: string } }>('/approvals/policies/:id/:version/approve', async (request, reply) => {
    const c = ctx(request);
    const form = (request.body ?? {}) as Form;
    const res = await c.los.post(`/v1/policies/${encodeURIComponent(request.params.id)}/versions/${encodeURIComponent(request.params.version)}/approve`, undefined, String(form.idempotencyKey ?? randomUUID()));
    if (!res.ok) return page(reply, await approvalsPage(c, { status: res.status, body: res.body }), request.viewer!);
    return reply.redirect(`/approvals?approved=${encodeURIComponent(`policy ${request.params.id} v${request.params.version}`)}`, 303);
  });
  app.post<{ Params: { id: string } }>('/approvals/reviews/:id/recommendation', async (request, reply) => {
    const c = ctx(request);
    const form = (request.body ?? {}) as Form;
    const res = await c.los.post(`/v1/applications/${encodeURIComponent(request.params.id)}/recommendation`, { recommendation: form.recommendation, comment: form.comment }, String(form.idempotencyKey ?? randomUUID()));
    if (!res.ok) return page(reply, await approvalsPage(c, { status: res.status, body: res.body }), request.viewer!);
    return reply.redirect(`/approvals?recommended=${encodeURIComponent(request.params.id)}`, 303);
  });
  app.post<{ Params: { id: string } }>('/approvals/reviews/:id/decision', async (request, reply) => {
    const c = ctx(request);
    const form = (request.body ?? {}) as Form;
    const reasons = typeof form.reasons === 'string' ? form.reasons.split('\n').map((r) => r.trim()).filter((r) => r !== '') : [];
    const overrideReason = typeof form.overrideReason === 'string' && form.overrideReason.trim() !== '' ? form.overrideReason.trim() : undefined;
    const body = { decision: form.decision, comment: form.comment, ...(reasons.length ? { reasons } : {}), ...(overrideReason ? { overrideReason } : {}) };
    const res = await c.los.post(`/v1/applications/${encodeURIComponent(request.params.id)}/decision`, body, String(form.idempotencyKey ?? randomUUID()));
    if (!res.ok) return page(reply, await approvalsPage(c, { status: res.status, body: res.body }), request.viewer!);
    return reply.redirect(`/approvals?decided=${encodeURIComponent(request.params.id)}`, 303);
  });
  app.post<{ Params: { loanId: string; proposalId: string; decision: string } }>('/approvals/restructures/:loanId/:proposalId/:decision', async (request, reply) => {
    const c = ctx(request);
    const form = (request.body ?? {}) as Form;
    const { loanId, proposalId, decision } = request.params;
    if (decision !== 'approve' && decision !== 'reject') return reply.status(404).send();
    const res = await c.lms.post(`/v1/loans/${encodeURIComponent(loanId)}/restructure/${encodeURIComponent(proposalId)}/${decision}`, {}, String(form.idempotencyKey ?? randomUUID()));
    if (!res.ok) return page(reply, await approvalsPage(c, { status: res.status, body: res.body }), request.viewer!);
    return reply.redirect(`/approvals?decided=${encodeURIComponent(`restructure ${proposalId} (${decision === 'approve' ? 'approved' : 'rejected'})`)}`, 303);
  });
  app.get('/collections', async (request, reply) => page(reply, await collectionsPage(ctx(request)), request.viewer!));
  app.get('/loans', async (request, reply) => {
    const id = (request.query as { id?: string }).id?.trim();
    if (id) return reply.redirect(`/loans/${encodeURIComponent(id)}`, 303);
    return page(reply, await loansPage(ctx(request)), request.viewer!);
  });
  app.get<{ Params: { id: string } }>('/loans/:id', async (request, reply) => page(reply, await loanPage(ctx(request), request.params.id), request.viewer!));
  app.get('/applications', async (request, reply) => {
    const id = (request.query as { id?: string }).id?.trim();
    if (id) return reply.redirect(`/applications/${encodeURIComponent(id)}`, 303);
    return page(reply, await applicationsPage(ctx(request)), request.viewer!);
  });
  app.get<{ Params: { id: string } }>('/applications/:id', async (request, reply) => page(reply, await applicationPage(ctx(request), request.params.id), request.viewer!));

  return app;
}

/** Only a path on this console: never an open redirect. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && next.startsWith('/') && !next.startsWith('//') ? next : '/';
}

function signInPage(dev: boolean, next: string | undefined, notice?: string, errors?: { pointer: string; detail: string }[]): string {
  const target = safeNext(next);
  const body = html`
${notice ? html`<p class="notice">${notice}</p>` : ''}
${errors ? problem({ title: 'Sign-in refused', detail: 'Correct the fields below.', errors }, 400) : ''}
<section><h2>Sign in with a token</h2>
<p>A staff bearer token (the one the LOS and LMS APIs accept: <code>pnpm -s token &lt;tenant&gt; &lt;role&gt;[,&lt;role&gt;…]</code> in development, or your identity provider's).</p>
<form method="post" action="/sign-in"><input type="hidden" name="next" value="${target}">
<label>Token <textarea name="token" rows="3" cols="80" required></textarea></label><button type="submit">Sign in</button></form></section>
${dev ? html`<section><h2>Development sign-in</h2><p class="muted">Mints a staff token with the development secret (off in production).</p>
<form method="post" action="/sign-in" id="dev-sign-in"><input type="hidden" name="mode" value="dev"><input type="hidden" name="next" value="${target}">
<label>Tenant <input name="tenant" value="demo" required></label>
<label>Name <input name="subject" value="" placeholder="chitra@demo" required></label>
<fieldset><legend>Roles</legend>${['operator', 'approver', 'admin', 'partner'].map((r) => html`<label><input type="checkbox" name="roles" value="${r}" ${r === 'operator' ? raw('checked') : ''}> ${r}</label>`)}</fieldset>
<button type="submit">Sign in</button></form></section>` : ''}`;
  return layout('Sign in', undefined, body);
}
