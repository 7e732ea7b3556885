import { describe, expect, it } from 'vitest';
import { compareLoanSides, itemsOf, type ReconciliationItem } from './reconciliation.js';

const inr = (amount: string) => ({ amount, currency: 'INR', scale: 2 });
const item = (loanId: string, amount: string, status?: string): ReconciliationItem => ({ loanId, applicationId: `app-${loanId}`, principal: inr(amount), ...(status ? { status } : {}) });
async function* stream(items: ReconciliationItem[]) {
  yield* items;
}

describe('compareLoanSides', () => {
  it('given matching sides, when compared, then there is no difference and the totals agree', async () => {
    const report = await compareLoanSides(stream([item('a', '100', 'approved'), item('b', '250', 'approved')]), stream([item('a', '100'), item('b', '250')]));
    expect(report.differences).toEqual([]);
    expect(report.approved).toEqual({ count: 2, principal: { 'INR/2': '350' } });
    expect(report.booked).toEqual(report.approved);
  });

  it('lists every kind of difference and keeps refused bookings apart', async () => {
    const report = await compareLoanSides(
      stream([item('a', '100', 'approved'), { ...item('b', '5', 'booking-failed'), reason: 'currency XXX' }, item('c', '7', 'approved'), item('e', '9', 'approved')]),
      stream([item('c', '8'), item('d', '1'), item('e', '9')]),
    );
    expect(report.refused).toEqual([{ loanId: 'b', applicationId: 'app-b', reason: 'currency XXX' }]);
    expect(report.differences.map((d) => [d.kind, d.loanId])).toEqual([
      ['approved-not-booked', 'a'],
      ['principal-differs', 'c'],
      ['booked-not-approved', 'd'],
    ]);
  });

  it('reads pages until the last', async () => {
    const pages = [{ items: [item('a', '1')], next: 'a' }, { items: [item('b', '2')], next: null }];
    const seen: (string | undefined)[] = [];
    const all: string[] = [];
    for await (const i of itemsOf(async (after) => (seen.push(after), pages[seen.length - 1]!))) all.push(i.loanId);
    expect(all).toEqual(['a', 'b']);
    expect(seen).toEqual([undefined, 'a']);
  });
});
