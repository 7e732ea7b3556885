import { describe, expect, it } from 'vitest';
import { percent } from './charts.js';
import { decimal, esc, html } from './html.js';
import { monthEndOnOrBefore, monthEndsBefore } from './portfolio.js';
import { viewerOf } from './session.js';

describe('console formatting and dates', () => {
  it('formats minor units exactly, grouped, with their scale', () => {
    expect(decimal('0', 2)).toBe('0.00');
    expect(decimal('5', 2)).toBe('0.05');
    expect(decimal('123456789', 2)).toBe('1,234,567.89');
    expect(decimal('-100000', 2)).toBe('-1,000.00');
    expect(decimal('1500', 0)).toBe('1,500');
    expect(decimal('90071992547409931', 3)).toBe('90,071,992,547,409.931'); // beyond a double's integers
  });

  it('turns a four-decimal share into a two-decimal percentage without float noise', () => {
    expect(percent('0.6154')).toBe(61.54);
    expect(percent('0.0700')).toBe(7);
    expect(percent('1.0000')).toBe(100);
  });

  it('escapes every interpolated value unless it is markup built the same way', () => {
    expect(esc(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
    expect(html`<p>${'<script>'}${html`<b>${'&'}</b>`}</p>`.html).toBe('<p>&lt;script&gt;<b>&amp;</b></p>');
  });

  it('takes the month ends before a date, and a monthly pack’s default date', () => {
    expect(monthEndsBefore('2026-03-31', 5)).toEqual(['2025-10-31', '2025-11-30', '2025-12-31', '2026-01-31', '2026-02-28', '2026-03-31']);
    expect(monthEndsBefore('2024-03-15', 2)).toEqual(['2024-01-31', '2024-02-29', '2024-03-15']);
    expect(monthEndOnOrBefore('2026-03-31')).toBe('2026-03-31');
    expect(monthEndOnOrBefore('2026-03-30')).toBe('2026-02-28');
    expect(monthEndOnOrBefore('2026-01-05')).toBe('2025-12-31');
  });

  it('reads a staff token’s claims for display and refuses an expired or malformed one', () => {
    const token = (claims: object) => `e30.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
    expect(viewerOf(token({ sub: 'ben', tenant: 't1', roles: ['admin'], exp: 2_000 }), 1_000)).toEqual({ subject: 'ben', tenantId: 't1', roles: ['admin'], exp: 2_000 });
    expect(viewerOf(token({ sub: 'ben', tenant: 't1', roles: ['admin'], exp: 1_000 }), 1_000)).toBeUndefined();
    expect(viewerOf(token({ sub: 'ben', roles: [], exp: 2_000 }), 1_000)).toBeUndefined();
    expect(viewerOf('not-a-jwt', 1_000)).toBeUndefined();
  });
});
