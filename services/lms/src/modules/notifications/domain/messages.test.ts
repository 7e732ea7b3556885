import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decimalString, formatMoney, renderMessage, type LoanFacts, type Template } from './messages.js';

const facts: LoanFacts = { loanId: 'loan-1', borrowerName: 'Priya <b>Sharma</b> & Co', lender: 'Demo Finance', amountDueMinor: 1_234_567n, currency: 'INR', scale: 2, dueDate: '2026-12-05', dpd: 3 };
const email: Template = { templateKey: 'payment-overdue', channel: 'email', language: 'en', subject: 'Due {{amountDue}} for {{name}}', bodyText: 'Dear {{name}}, {{amountDue}} was due {{dueDate}} ({{dpd}} days).', bodyHtml: '<p>Dear {{name}}, {{amountDue}}</p>' };

describe('messages', () => {
  it('renders facts: exact money in the locale, the date spelled out, HTML escaped only in the HTML part', () => {
    const m = renderMessage(email, facts);
    expect(m.subject).toBe('Due ₹12,345.67 for Priya <b>Sharma</b> & Co');
    expect(m.text).toBe('Dear Priya <b>Sharma</b> & Co, ₹12,345.67 was due 5 December 2026 (3 days).');
    expect(m.html).toBe('<p>Dear Priya &lt;b&gt;Sharma&lt;&#x2F;b&gt; &amp; Co, ₹12,345.67</p>');
  });

  it('Hindi and Indian grouping; US dollars in en-US', () => {
    const hi = renderMessage({ ...email, language: 'hi', subject: null, bodyHtml: null, bodyText: '{{amountDue}} {{dueDate}}' }, { ...facts, amountDueMinor: 50_000_000n });
    expect(hi.text).toBe('₹5,00,000.00 5 दिसंबर 2026');
    expect(formatMoney(123_456n, 2, 'USD', 'en-US')).toBe('$1,234.56');
  });

  it('money beyond a double’s precision is formatted digit for digit', () => {
    expect(formatMoney(12_345_678_901_234_567_891n, 2, 'USD', 'en-US')).toBe('$123,456,789,012,345,678.91');
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: 10n ** 24n }), fc.integer({ min: 0, max: 4 }), (minor, scale) => {
        const digitsOnly = formatMoney(minor, scale, 'USD', 'en-US').replace(/[^0-9]/g, '');
        expect(BigInt(digitsOnly)).toBe(minor);
        expect(decimalString(minor, scale).replace('.', '').replace(/^0+(?=\d)/, '')).toBe(minor.toString());
      }),
    );
  });
});
