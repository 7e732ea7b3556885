// Server-rendered HTML: every value goes through esc(); a page is the layout around its sections.
import type { ProblemBody } from './upstream.js';

export interface Html {
  readonly html: string;
}
export const raw = (html: string): Html => ({ html });

export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A tagged template: interpolations are escaped unless they are Html (or arrays of it). */
export function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0]!;
  values.forEach((v, i) => {
    out += render(v) + strings[i + 1]!;
  });
  return raw(out);
}
function render(v: unknown): string {
  if (v === null || v === undefined || v === false) return '';
  if (Array.isArray(v)) return v.map(render).join('');
  if (typeof v === 'object' && 'html' in (v as object)) return (v as Html).html;
  return esc(v);
}

export interface Money {
  amount: string;
  currency: string;
  scale: number;
}
export const isMoney = (v: unknown): v is Money =>
  typeof v === 'object' && v !== null && typeof (v as Money).amount === 'string' && typeof (v as Money).currency === 'string' && typeof (v as Money).scale === 'number';

/** Minor units to a decimal string, exactly (no floating point): 12345 at scale 2 → "123.45". */
export function decimal(amountMinor: string, scale: number): string {
  const negative = amountMinor.startsWith('-');
  const digits = (negative ? amountMinor.slice(1) : amountMinor).padStart(scale + 1, '0');
  const whole = digits.slice(0, digits.length - scale).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const fraction = scale > 0 ? `.${digits.slice(digits.length - scale)}` : '';
  return `${negative ? '-' : ''}${whole}${fraction}`;
}
export const money = (m: Money) => `${m.currency} ${decimal(m.amount, m.scale)}`;
/** The same amount in major units as a number, for a chart axis only (never for arithmetic). */
export const major = (m: Money) => Number(m.amount) / 10 ** m.scale;

/** One cell of a generic table: money formatted, objects as compact JSON, ISO timestamps as they are. */
export function cell(v: unknown): Html {
  if (v === null || v === undefined) return html`<span class="muted">—</span>`;
  if (isMoney(v)) return html`<span class="num">${money(v)}</span>`;
  if (Array.isArray(v) && v.every((x) => typeof x !== 'object' || x === null)) return html`${v.join(', ')}`;
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    // A small object of amounts and scalars reads as fields; anything bigger folds away as JSON.
    if (!Array.isArray(v) && entries.length <= 16 && entries.every(([, x]) => x === null || typeof x !== 'object' || isMoney(x))) {
      return html`<dl class="fields nested">${entries.map(([k, x]) => html`<dt>${k}</dt><dd>${cell(x)}</dd>`)}</dl>`;
    }
    const json = JSON.stringify(v);
    return json.length <= 120 ? html`<code>${json}</code>` : html`<details><summary>${Array.isArray(v) ? `${v.length} items` : `${entries.length} fields`}</summary><code>${json}</code></details>`;
  }
  return html`${String(v)}`;
}

/** A table of objects: the columns given, or every key the rows have. */
export function table(rows: readonly Record<string, unknown>[], options: { columns?: readonly string[]; id?: string; link?: (row: Record<string, unknown>, column: string) => string | undefined } = {}): Html {
  if (rows.length === 0) return html`<p class="muted" ${options.id ? raw(`data-empty="${esc(options.id)}"`) : ''}>Nothing here.</p>`;
  const columns = options.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return html`<table ${options.id ? raw(`id="${esc(options.id)}"`) : ''}><thead><tr>${columns.map((c) => html`<th>${c}</th>`)}</tr></thead><tbody>${rows.map((r) => html`<tr>${columns.map((c) => {
    const href = options.link?.(r, c);
    return html`<td>${href ? html`<a href="${href}">${cell(r[c])}</a>` : cell(r[c])}</td>`;
  })}</tr>`)}</tbody></table>`;
}

/** A definition list of an object's fields. */
export function fields(obj: Record<string, unknown> | null | undefined, keys?: readonly string[]): Html {
  if (!obj) return html`<p class="muted">Nothing here.</p>`;
  return html`<dl class="fields">${(keys ?? Object.keys(obj)).map((k) => html`<dt>${k}</dt><dd>${cell(obj[k])}</dd>`)}</dl>`;
}

export function problem(p: ProblemBody | unknown, status: number): Html {
  const body = (typeof p === 'object' && p !== null ? p : { detail: String(p) }) as ProblemBody;
  return html`<div class="problem" role="alert" data-status="${status}"><strong>${body.title ?? `HTTP ${status}`}</strong> ${body.detail ?? ''}${body.errors?.length ? html`<ul>${body.errors.map((e) => html`<li><code>${e.pointer ?? ''}</code> ${e.detail ?? ''}</li>`)}</ul>` : ''}</div>`;
}

export interface Viewer {
  subject: string;
  tenantId: string;
  roles: readonly string[];
}

const NAV: [href: string, label: string][] = [['/', 'Portfolio'], ['/approvals', 'Maker-checker'], ['/collections', 'Collections'], ['/loans', 'Loans'], ['/applications', 'Applications']];

export function layout(title: string, viewer: Viewer | undefined, body: Html, options: { active?: string; scripts?: boolean } = {}): string {
  return html`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Lendstack console</title><link rel="stylesheet" href="/assets/console.css">
${options.scripts ? raw('<script src="/assets/echarts.min.js" defer></script><script src="/assets/charts.js" defer></script>') : ''}
</head><body>
<header><span class="brand">Lendstack console</span>
${viewer ? html`<nav>${NAV.map(([href, label]) => html`<a href="${href}" ${options.active === href ? raw('aria-current="page"') : ''}>${label}</a>`)}</nav>
<span class="who" data-subject="${viewer.subject}" data-tenant="${viewer.tenantId}">${viewer.subject} · ${viewer.tenantId} · ${viewer.roles.join(', ')}</span>
<form method="post" action="/sign-out" class="inline"><button type="submit">Sign out</button></form>` : ''}
</header>
<main><h1>${title}</h1>${body}</main></body></html>`.html;
}
