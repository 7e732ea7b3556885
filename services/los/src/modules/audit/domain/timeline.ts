/**
 * An application's story in time order, merged from where each part is kept: the application row
 * (submission, the LMS's booking feedback), application_checks (each check's latest run started and
 * completed), decision_audit (every decision, review, override, offer, acceptance, agreement, signature,
 * mandate and approval — with its chain seq and hash), the underwriting decision (rule outcomes and
 * score, attached to the automated decision's entry), offer_acceptances (consent, where no audit entry
 * holds it) and the outbox (events the LOS published about it, LoanApproved among them).
 */
export interface TimelineRow {
  readonly at: Date;
  /** Orders items at the same instant; with `at`, the keyset of the pages. */
  readonly key: string;
  readonly kind: string;
  readonly actor: string;
  readonly detail: Record<string, unknown>;
  /** The audit chain link of an audited item; null for the rest. */
  readonly chain: { readonly seq: string; readonly hash: string } | null;
}

export interface TimelineCursor {
  readonly at: Date;
  readonly key: string;
}

export interface TimelineItem extends TimelineRow {
  readonly summary: string;
}

type Detail = Record<string, unknown>;
const text = (v: unknown) => (v === null || v === undefined ? '' : typeof v === 'string' ? v : JSON.stringify(v));
const money = (v: unknown) => {
  const m = v as { amount?: string; currency?: string; scale?: number } | null;
  if (!m?.amount || !m.currency) return '';
  const scale = m.scale ?? 0;
  const digits = m.amount.replace('-', '').padStart(scale + 1, '0');
  return `${m.currency} ${m.amount.startsWith('-') ? '-' : ''}${scale ? `${digits.slice(0, -scale)}.${digits.slice(-scale)}` : digits}`;
};
/** A reason as plain words: a string, or the code of a structured one ({ code, detail }). */
const reason = (v: unknown) => (v && typeof v === 'object' && 'code' in v ? text((v as { code: unknown }).code) : text(v));
const list = (v: unknown) => (Array.isArray(v) && v.length ? `: ${v.map(reason).join('; ')}` : '');

function ruleCounts(d: Detail): string {
  const rules = Array.isArray(d.rules) ? (d.rules as { outcome?: string }[]) : [];
  if (!rules.length) return '';
  const counts = new Map<string, number>();
  for (const r of rules) counts.set(r.outcome ?? '?', (counts.get(r.outcome ?? '?') ?? 0) + 1);
  return `; rules ${[...counts].map(([outcome, n]) => `${n} ${outcome}`).join(', ')}`;
}

const SUMMARIES: Record<string, (d: Detail, actor: string) => string> = {
  submitted: (d, actor) => `Submitted by ${actor}: ${text(d.productCode)} for ${money(d.principal)}`,
  'check-started': (d) => `${text(d.check)} check started (run ${text(d.run)})`,
  'check-completed': (d) => `${text(d.check)} check ${d.status === 'completed' ? `completed: ${text(d.result)}` : text(d.status)}${d.score === null || d.score === undefined ? '' : ` (score ${text(d.score)})`}${list(d.reasons)}`,
  'automated-decision': (d) => `Automated decision: ${text(d.outcome)}${d.score === undefined ? '' : ` (score ${text(d.score)}`}${d.policyVersion === undefined ? '' : `, policy v${text(d.policyVersion)}`}${d.score === undefined ? '' : ')'}${ruleCounts(d)}${list(d.reasons)}`,
  'adverse-action-notice': (d) => `Adverse-action notice drawn${list(d.reasons)}`,
  recommendation: (d, actor) => `${actor} recommended ${text(d.recommendation)} (maker)${d.comment ? `: ${text(d.comment)}` : ''}`,
  'checker-decision': (d, actor) => `${actor} decided ${text(d.decision)} (checker)${d.comment ? `: ${text(d.comment)}` : ''}`,
  'override-approved': (d, actor) => `${actor} approved by override${d.from ? ` (was ${text(d.from)})` : ''}${d.overrideReason ? `: ${text(d.overrideReason)}` : ''}`,
  'override-refused': (d, actor) => `${actor} refused the override${d.comment ? `: ${text(d.comment)}` : ''}`,
  'manual-decline': (d, actor) => `Declined by ${actor}${d.reason ? `: ${text(d.reason)}` : ''}`,
  'offers-made': (d) => `${Array.isArray(d.offers) ? d.offers.length : 0} offer(s) made (band ${text(d.band)})`,
  'offer-accepted': (d, actor) => `Offer ${text(d.label ?? d.offerId)} accepted by ${actor} with consent to ${Array.isArray(d.consents) ? (d.consents as { name?: string }[]).map((c) => c.name).join(', ') : '—'} (KFS ${text(d.kfsReference)})`,
  'agreement-signed': (d) => `Agreement signed${d.documentSha256 ? ` (document ${text(d.documentSha256).slice(0, 12)}…)` : ''}`,
  'mandate-registered': (d) => `Repayment mandate registered${d.mandateReference ? ` (${text(d.mandateReference)})` : ''}`,
  'loan-approved': (d, actor) => `Approved by ${actor} (basis ${text(d.basis)}), loan ${text(d.loanId)}`,
  event: (d) => `${text(d.type)} ${d.sentAt ? 'published' : 'enqueued, not yet published'} on ${text(d.topic)}`,
  'booking-rejected': (d) => `The LMS refused to book the loan: ${text(d.code)}${d.reason ? ` (${text(d.reason)})` : ''}`,
};

/** A one-line summary in plain words; kinds this list does not know read as their name and actor. */
export function summarize(row: Pick<TimelineRow, 'kind' | 'actor' | 'detail'>): string {
  const known = SUMMARIES[row.kind];
  return known ? known(row.detail, row.actor) : `${row.kind.replace(/-/g, ' ')} (${row.actor})`;
}
