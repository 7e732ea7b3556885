/**
 * Rendering a contact's message from a tenant's template and the loan's facts. Templates are Mustache
 * (logic-less: a template can only place facts, never run code). In the HTML body every fact is
 * HTML-escaped; text bodies (SMS, WhatsApp, the email's text part) are left as they are. Money is formatted
 * from integer minor units as an exact decimal string, never through a float.
 */
import Mustache from 'mustache';
import type { ContactChannel } from './conduct-policy.js';

export type MessageChannel = Exclude<ContactChannel, 'call'>;
export const MESSAGE_CHANNELS: readonly MessageChannel[] = ['email', 'sms', 'whatsapp'];

export interface Template {
  readonly templateKey: string;
  readonly channel: MessageChannel;
  readonly language: string;
  readonly subject: string | null;
  readonly bodyText: string;
  readonly bodyHtml: string | null;
}

export interface LoanFacts {
  readonly loanId: string;
  readonly borrowerName: string;
  readonly lender: string;
  readonly amountDueMinor: bigint;
  readonly currency: string;
  readonly scale: number;
  /** ISO date of the installment the message is about (oldest unpaid, or the next one). */
  readonly dueDate: string | null;
  readonly dpd: number;
}

export interface RenderedMessage {
  readonly subject: string | null;
  readonly text: string;
  readonly html: string | null;
}

/** Exact decimal string of `minor` at `scale`: 123456n, 2 → "1234.56"; -5n, 2 → "-0.05". */
export function decimalString(minor: bigint, scale: number): string {
  const negative = minor < 0n;
  const digits = (negative ? -minor : minor).toString().padStart(scale + 1, '0');
  const whole = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${whole}` : whole;
}

/** Locale for number and date formats: Indian grouping for INR in English and Hindi. */
export function localeFor(language: string, currency: string): string {
  if (language === 'hi') return 'hi-IN';
  return currency === 'INR' ? 'en-IN' : 'en-US';
}

/** "₹5,00,000.00", "$1,234.56": Intl formats the decimal string exactly (no float on the way). */
export function formatMoney(minor: bigint, scale: number, currency: string, locale: string): string {
  const format = new Intl.NumberFormat(locale, { style: 'currency', currency, minimumFractionDigits: scale, maximumFractionDigits: scale });
  return format.format(decimalString(minor, scale) as unknown as number);
}

export function formatDate(isoDate: string, locale: string): string {
  return new Intl.DateTimeFormat(locale, { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${isoDate}T00:00:00Z`));
}

const asIs = (value: unknown) => String(value);

export function renderMessage(template: Template, facts: LoanFacts): RenderedMessage {
  const locale = localeFor(template.language, facts.currency);
  const view = {
    name: facts.borrowerName,
    lender: facts.lender,
    loanId: facts.loanId,
    amountDue: formatMoney(facts.amountDueMinor, facts.scale, facts.currency, locale),
    dueDate: facts.dueDate ? formatDate(facts.dueDate, locale) : '',
    dpd: String(facts.dpd),
  };
  const text = (t: string) => Mustache.render(t, view, {}, { escape: asIs });
  return {
    subject: template.subject === null ? null : text(template.subject),
    text: text(template.bodyText),
    html: template.bodyHtml === null ? null : Mustache.render(template.bodyHtml, view),
  };
}
