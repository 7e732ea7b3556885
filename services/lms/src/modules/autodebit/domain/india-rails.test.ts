import { describe, expect, it } from 'vitest';
import { addNachBusinessDays, isNachBusinessDay, istInstant, nachChargeDate } from './india-calendar.js';
import { amendMandate, cancellationConfirmed, checkNachPresentation, mandateRegistered, mandateRejected, requestCancellation, validateMandateTerms, type Mandate } from './nach-mandate.js';
import { decideNachReturn, isNachReasonCode, MAX_NACH_PRESENTMENTS } from './nach-rules.js';
import { checkOneSuccessPerCycle, checkUpiAmount, checkUpiExecution, decideUpiFailure, planUpiExecution } from './upi-autopay.js';

const terms = { maxAmountMinor: 5_000_000n, currency: 'INR', frequency: 'monthly' as const, category: 'loan-instalment' as const, validFrom: '2026-01-01', validUntil: '2028-12-31' };
const active: Mandate = { ...terms, status: 'active', umrn: 'HDFC7021807230034209' };
const first = { attempt: 1, posted: false };

describe('NACH mandates', () => {
  it('I8: a loan-instalment mandate "as and when presented" is refused at creation; the ₹1 crore e-mandate limit holds', () => {
    expect(validateMandateTerms({ ...terms, frequency: 'as-presented' }, 'HDFC0001234')).toEqual([expect.objectContaining({ field: '/mandate/frequency', rule: 'loan-fixed-frequency' })]);
    expect(validateMandateTerms({ ...terms, category: 'other', frequency: 'as-presented' }, 'HDFC0001234')).toEqual([]);
    expect(validateMandateTerms({ ...terms, maxAmountMinor: 1_000_000_000n }, 'HDFC0001234')).toEqual([]);
    expect(validateMandateTerms({ ...terms, maxAmountMinor: 1_000_000_001n }, 'HDFC0001234')).toEqual([expect.objectContaining({ rule: 'e-mandate-limit' })]);
    expect(validateMandateTerms({ ...terms, validUntil: '2025-12-31' }, 'hdfc123')).toEqual([expect.objectContaining({ rule: 'ifsc-format' }), expect.objectContaining({ rule: 'validity' })]);
  });

  it('registration → active with a UMRN, or rejected with the bank\'s APxx reason; amendment keeps the UMRN', () => {
    const registering: Mandate = { ...terms, status: 'registering' };
    expect(mandateRegistered(registering, 'HDFC7021807230034209')).toEqual({ ok: true, value: { ...registering, status: 'active', umrn: 'HDFC7021807230034209' } });
    expect(mandateRegistered(registering, 'HDFC-1')).toMatchObject({ ok: false, issue: { rule: 'umrn-format' } });
    expect(mandateRejected(registering, 'AP05', 'No such account')).toMatchObject({ ok: true, value: { status: 'rejected', statusReason: 'AP05: No such account' } });
    expect(amendMandate(active, { maxAmountMinor: 7_500_000n })).toEqual({ ok: true, value: { ...active, maxAmountMinor: 7_500_000n } });
    expect(amendMandate(active, { maxAmountMinor: 2_000_000_000n })).toMatchObject({ ok: false, issue: { rule: 'e-mandate-limit' } });
  });

  it('I14: cancelling a live loan\'s mandate needs confirmation and another mandate or an accepted risk; cancelled is final', () => {
    expect(requestCancellation(active, { confirmedBy: 'ops@lender', loanLive: true })).toMatchObject({ ok: false, issue: { rule: 'live-loan-cancellation' } });
    expect(requestCancellation(active, { confirmedBy: ' ', loanLive: false })).toMatchObject({ ok: false, issue: { rule: 'corporate-confirmation' } });
    const requested = requestCancellation(active, { confirmedBy: 'ops@lender', loanLive: true, alternativeAuthorisationId: 'upi-mandate-2' });
    expect(requested).toMatchObject({ ok: true, value: { status: 'cancel-requested' } });
    const cancelled = cancellationConfirmed((requested as { value: Mandate }).value);
    expect(cancelled).toMatchObject({ ok: true, value: { status: 'cancelled' } });
    const gone = (cancelled as { value: Mandate }).value;
    expect(amendMandate(gone, { maxAmountMinor: 1n })).toMatchObject({ ok: false, issue: { rule: 'mandate-state' } });
    expect(mandateRegistered(gone, 'HDFC7021807230034209')).toMatchObject({ ok: false });
    expect(requestCancellation(gone, { confirmedBy: 'x', loanLive: false })).toMatchObject({ ok: false });
  });

  it('a debit is presented on an active mandate, within its maximum and validity, 0–7 days ahead and before the cut-off', () => {
    const cutoff = 10 * 60;
    const at = (date: string, hh: number) => istInstant(date, hh * 60);
    expect(checkNachPresentation(active, 2_500_000n, '2026-03-05', at('2026-03-04', 16), cutoff)).toEqual({ ok: true, value: true });
    expect(checkNachPresentation(active, 2_500_000n, '2026-03-05', at('2026-03-05', 9), cutoff)).toEqual({ ok: true, value: true });
    expect(checkNachPresentation(active, 2_500_000n, '2026-03-05', at('2026-03-05', 11), cutoff)).toMatchObject({ ok: false, issue: { rule: 'presentation-too-late' } });
    expect(checkNachPresentation(active, 2_500_000n, '2026-03-13', at('2026-03-05', 9), cutoff)).toMatchObject({ ok: false, issue: { rule: 'presentation-too-early' } });
    expect(checkNachPresentation(active, 5_000_001n, '2026-03-05', at('2026-03-04', 9), cutoff)).toMatchObject({ ok: false, issue: { field: '/amount', rule: 'mandate-max-amount' } });
    expect(checkNachPresentation(active, 1n, '2029-01-02', at('2028-12-31', 9), cutoff)).toMatchObject({ ok: false, issue: { rule: 'mandate-validity' } });
    expect(checkNachPresentation({ ...active, status: 'cancelled' }, 1n, '2026-03-05', at('2026-03-04', 9), cutoff)).toMatchObject({ ok: false, issue: { rule: 'mandate-not-active' } });
  });

  it('charge dates roll forward off Sundays and 2nd/4th Saturdays, back at month-end', () => {
    expect(isNachBusinessDay('2026-03-07')).toBe(true); // 1st Saturday
    expect(isNachBusinessDay('2026-03-14')).toBe(false); // 2nd Saturday
    expect(nachChargeDate('2026-03-08')).toBe('2026-03-09'); // Sunday → Monday
    expect(nachChargeDate('2026-05-31')).toBe('2026-05-30'); // Sunday 31 May → Saturday 30 May (5th Saturday, open)
    expect(nachChargeDate('2026-01-26', new Set(['2026-01-26']))).toBe('2026-01-27'); // a listed holiday
    expect(addNachBusinessDays('2026-03-12', 3)).toBe('2026-03-17'); // Fri 13, (Sat 14 shut, Sun 15 shut) Mon 16, Tue 17
  });
});

describe('NACH responses (NPCI Circular 274)', () => {
  it('I5: 04 balance insufficient is re-presented, at most 3 presentments in all', () => {
    // Response on Friday 6 March: Saturday 7 (the 1st, open), Monday 9, Tuesday 10.
    expect(decideNachReturn(first, '04', '2026-03-06')).toEqual({ kind: 'retry-at', date: '2026-03-10', attempt: 2, reversePosted: false });
    expect(decideNachReturn({ attempt: 2, posted: true }, '59', '2026-03-06')).toMatchObject({ kind: 'retry-at', attempt: 3, reversePosted: true });
    expect(decideNachReturn({ attempt: MAX_NACH_PRESENTMENTS, posted: false }, '04', '2026-03-20')).toMatchObject({ kind: 'stop-manual-review', reason: expect.stringMatching(/exhausted/) });
  });

  it('I6: 01/02 need a new account and mandate; 14/61 need a new mandate', () => {
    expect(decideNachReturn(first, '01', '2026-03-06').kind).toBe('stop-new-account-data');
    expect(decideNachReturn(first, '02', '2026-03-06').kind).toBe('stop-new-account-data');
    expect(decideNachReturn(first, '14', '2026-03-06').kind).toBe('stop-revoke-authorisation');
    expect(decideNachReturn(first, '61', '2026-03-06')).toMatchObject({ kind: 'stop-revoke-authorisation', reason: expect.stringContaining('Mandate cancelled') });
  });

  it('I7: 08 and reject 21 stop until the mandate is active at NPCI; disputes and customer-side holds go to an operator', () => {
    expect(decideNachReturn(first, '08', '2026-03-06')).toMatchObject({ kind: 'stop-manual-review', reason: expect.stringMatching(/active at NPCI/) });
    expect(decideNachReturn(first, '21', '2026-03-06')).toMatchObject({ kind: 'stop-manual-review', reason: expect.stringMatching(/active at NPCI/) });
    for (const code of ['06', '07', '17', '51', '53', '54', '60', '69', '70']) expect(decideNachReturn(first, code, '2026-03-06').kind).toBe('stop-manual-review');
  });

  it('knows Circular 274\'s codes and no others (the blogs\' "20 = account closed" is not one)', () => {
    expect(isNachReasonCode('04')).toBe(true);
    expect(isNachReasonCode('21')).toBe(true);
    expect(isNachReasonCode('20')).toBe(false);
    expect(isNachReasonCode('99')).toBe(false);
  });
});

describe('UPI AutoPay', () => {
  const ist = (date: string, hh: number, mm = 0) => istInstant(date, hh * 60 + mm);

  it('I9: a PDN at least 24 h ahead; the debit runs in the 25th hour, outside peak hours', () => {
    // Notified 07:00 IST on T−1: executes 07:00 IST on T.
    expect(planUpiExecution(ist('2026-03-04', 7), '2026-03-05')).toEqual({ ok: true, value: ist('2026-03-05', 7) });
    // Notified 11:00 IST: 24 h later is peak (10:00–13:00), so 13:00.
    expect(planUpiExecution(ist('2026-03-04', 11), '2026-03-05')).toEqual({ ok: true, value: ist('2026-03-05', 13) });
    // Notified 18:00 IST: 24 h later is peak (17:00–21:30), so 21:30.
    expect(planUpiExecution(ist('2026-03-04', 18), '2026-03-05')).toEqual({ ok: true, value: ist('2026-03-05', 21, 30) });
    // Notified days ahead: executes at the due date's IST midnight.
    expect(planUpiExecution(ist('2026-03-01', 9), '2026-03-05')).toEqual({ ok: true, value: ist('2026-03-05', 0) });
  });

  it('a presentment whose execution would come less than 24 h after its notification is refused with the reason', () => {
    const refused = planUpiExecution(ist('2026-03-05', 6), '2026-03-05');
    expect(refused).toMatchObject({ ok: false, issue: { field: '/effectiveDate', rule: 'pre-debit-notice' } });
    expect((refused as { issue: { detail: string } }).issue.detail).toMatch(/at least 24 h/);
    expect(checkUpiExecution(ist('2026-03-04', 7), ist('2026-03-05', 6, 59), 1)).toMatchObject({ ok: false, issue: { rule: 'pre-debit-notice' } });
    expect(checkUpiExecution(ist('2026-03-04', 7), ist('2026-03-05', 10, 30), 1)).toMatchObject({ ok: false, issue: { rule: 'peak-hours' } });
    expect(checkUpiExecution(ist('2026-03-04', 7), ist('2026-03-05', 7), 5)).toMatchObject({ ok: false, issue: { rule: 'attempt-limit' } });
  });

  it('I10 and I12: above ₹15,000 needs the payer\'s PIN; one successful debit per cycle', () => {
    expect(checkUpiAmount(1_200_000n, 5_000_000n)).toEqual({ ok: true, value: true });
    expect(checkUpiAmount(2_000_000n, 5_000_000n)).toMatchObject({ ok: false, issue: { rule: 'needs-afa' } });
    expect(checkUpiAmount(6_000_000n, 5_000_000n)).toMatchObject({ ok: false, issue: { rule: 'mandate-max-amount' } });
    expect(checkOneSuccessPerCycle(1)).toMatchObject({ ok: false, issue: { rule: 'one-debit-per-cycle' } });
  });

  it('I11 and I13: insufficient funds retried up to 4 attempts; a revoked mandate is never executed again', () => {
    expect(decideUpiFailure(first, 'Z9', '2026-03-05')).toEqual({ kind: 'retry-at', date: '2026-03-07', attempt: 2, reversePosted: false });
    expect(decideUpiFailure({ attempt: 3, posted: false }, 'U30', '2026-03-09')).toMatchObject({ kind: 'retry-at', attempt: 4 });
    expect(decideUpiFailure({ attempt: 4, posted: false }, 'Z9', '2026-03-11')).toMatchObject({ kind: 'stop-manual-review', reason: expect.stringMatching(/exhausted/) });
    expect(decideUpiFailure(first, 'MANDATE-REVOKED', '2026-03-05').kind).toBe('stop-revoke-authorisation');
    expect(decideUpiFailure(first, 'XH', '2026-03-05').kind).toBe('stop-new-account-data');
    expect(decideUpiFailure(first, 'Z8', '2026-03-05').kind).toBe('stop-manual-review');
  });
});
