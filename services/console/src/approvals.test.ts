import { describe, expect, it } from 'vitest';
import { approvalsPage } from './pages.js';
import type { Upstream, UpstreamResult } from './upstream.js';

// The maker-checker page's LMS section, rendered from the API's answers (a fixed upstream: the page's own logic).
const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const proposal = {
  id: 'f71bf266-2d53-4d79-8b5b-0ba26650f214', loanId: 'loan-35206702-8941', effectiveDate: '2026-04-05', annualRatePercent: '9', installments: 6, moratoriumInstallments: 1,
  capitaliseArrears: true, note: 'hardship', preview: { principal: inr('8590325'), capitalised: { interest: inr('151073'), fees: inr('0'), penalties: inr('64736') } },
  proposedBy: 'omar@console', proposedAt: '2026-12-04T21:00:00.000Z',
};
const answers = (paths: Record<string, UpstreamResult>): Upstream => ({
  get: async <T>(path: string) => (paths[path.split('?')[0]!] ?? { ok: false, status: 404, body: { title: 'Not found' } }) as UpstreamResult<T>,
  post: async () => { throw new Error('no posts here'); },
});
const los = answers({ '/v1/policies': { ok: true, status: 200, body: { items: [] } }, '/v1/review-queue': { ok: true, status: 200, body: { items: [], nextCursor: null } } });
const lms = answers({ '/v1/restructure-proposals': { ok: true, status: 200, body: { items: [proposal], nextCursor: null } } });
const page = (subject: string, upstream = lms) => approvalsPage({ viewer: { subject, tenantId: 't', roles: ['approver'] }, los, lms: upstream, query: {}, temporalUi: { url: '', namespace: '' } });

describe('maker-checker page: loan restructures', () => {
  it('offers a checker approve and reject on the LMS endpoints, with the proposal’s figures', async () => {
    const html = (await page('ben@console')).body.html;
    expect(html).toContain(`data-proposal="${proposal.id}"`);
    expect(html).toContain(`action="/approvals/restructures/${proposal.loanId}/${proposal.id}/approve"`);
    expect(html).toContain(`action="/approvals/restructures/${proposal.loanId}/${proposal.id}/reject"`);
    expect(html).toContain('INR 85,903.25');
    expect(html).toContain('6 (1 interest only)');
  });

  it('offers the maker no decision on their own proposal', async () => {
    const html = (await page('omar@console')).body.html;
    expect(html).toContain('yours: an approver or admin decides');
    expect(html).not.toContain('/approvals/restructures/');
  });

  it('shows the API’s problem in the section when the LMS refuses (a viewer without the role), the rest still renders', async () => {
    const refused = answers({ '/v1/restructure-proposals': { ok: false, status: 403, body: { title: 'Not allowed', detail: 'This action needs the operator or approver or admin role.' } } });
    const html = (await page('ann@console', refused)).body.html;
    expect(html).toContain('needs the operator or approver or admin role');
    expect(html).toContain('id="policy-drafts-empty"');
  });
});
