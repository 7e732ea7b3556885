import { describe, expect, it } from 'vitest';
import { AUTOMATED_DECIDER, applyUnderwriting, approve, blockingChecks, concludeChecks, decline, startChecks, submit, type Application, type CheckState } from './application.js';

const NOW = new Date('2026-12-02T09:00:00Z');
function application(status: Application['status'] = 'submitted', checksRun = 0): Application {
  const app = submit({
    id: 'a1', tenantId: 't1', submittedBy: 'partner-1', now: NOW,
    applicant: {
      id: 'b1', name: { given: 'Priya', family: 'Sharma' }, contact: { email: 'p@example.in', phone: '+919876543210' },
      address: { line1: '1 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', masked: 'XXXXXX234F', token: 'tok_1' },
      bankAccount: { holderName: 'Priya Sharma', accountNumberMasked: 'XXXX4321', accountToken: 'tok_2', bankCode: 'HDFC0001234' },
    },
    loanRequest: {
      productCode: 'PL', principal: { amount: '100000', currency: 'INR', scale: 2 }, annualRatePercent: '12', termPeriods: 12, frequency: 'monthly',
      scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360', expectedDisbursementDate: '2026-12-10', fees: [],
    },
  });
  return { ...app, status, checksRun };
}
const check = (kind: string, status: CheckState['status'], result: CheckState['result'] = null): CheckState => ({ kind, status, result });

describe('the checks part of an application life', () => {
  it('given a submitted application, when run 1 starts, then checks-running; starting it again changes nothing', () => {
    const running = startChecks(application(), 1)!;
    expect(running).toMatchObject({ status: 'checks-running', checksRun: 1, version: 2 });
    expect(startChecks(running, 1)).toBe(running);
  });

  it('given a decided application, when checks start, then nothing (a late workflow does not reopen it)', () => {
    for (const status of ['approved', 'declined', 'booking-failed'] as const) expect(startChecks(application(status), 1)).toBeUndefined();
  });

  it('given checks still queued or running, when concluded, then nothing yet', () => {
    expect(concludeChecks(application('checks-running', 1), [check('duplicate', 'completed', 'pass'), check('bureau', 'running')])).toBeUndefined();
    expect(concludeChecks(application('checks-running', 1), [check('bureau', 'queued')])).toBeUndefined();
  });

  it('given every check completed, when concluded, then checks-complete, whatever the results', () => {
    const done = concludeChecks(application('checks-running', 1), [check('duplicate', 'completed', 'refer'), check('sanctions', 'completed', 'fail')]);
    expect(done?.status).toBe('checks-complete');
  });

  it('given a failed or exception check, when concluded, then checks-exception', () => {
    expect(concludeChecks(application('checks-running', 1), [check('duplicate', 'completed', 'pass'), check('bureau', 'exception')])?.status).toBe('checks-exception');
    expect(concludeChecks(application('checks-running', 1), [check('kyc', 'failed')])?.status).toBe('checks-exception');
  });

  it('given a declined application, when concluded, then it stays declined', () => {
    expect(concludeChecks(application('declined', 1), [check('duplicate', 'completed', 'pass')])).toBeUndefined();
  });

  it('blocks approval on any check not completed and on any fail, never on refer', () => {
    expect(blockingChecks([check('a', 'completed', 'pass'), check('b', 'completed', 'refer'), check('c', 'completed', 'fail'), check('d', 'exception'), check('e', 'running')]).map((c) => c.kind)).toEqual(['c', 'd', 'e']);
  });

  it('approves only a checks-complete application without blocking checks; declines at any undecided state', () => {
    const cmd = { operator: 'op-1', roles: ['operator'], loanId: 'l1', now: NOW };
    const ctx = { policyInEffect: false, approvalLimitMinor: null };
    expect(approve(application('submitted'), cmd, [], ctx)).toEqual({ ok: false, error: { kind: 'checks-not-complete', status: 'submitted', blocking: [] } });
    expect(approve(application('checks-running', 1), cmd, [check('bureau', 'running')], ctx).ok).toBe(false);
    expect(approve(application('checks-complete', 1), cmd, [check('sanctions', 'completed', 'refer')], ctx).ok).toBe(true);
    for (const status of ['submitted', 'checks-running', 'checks-complete', 'checks-exception', 'policy-approved', 'offer-accepted', 'referred'] as const) {
      expect(decline(application(status, 1), { operator: 'op-1', reason: 'policy', now: NOW }).ok).toBe(true);
    }
  });

  it('moves a checks-complete application by the automated decision of its run, and nothing else', () => {
    const done = application('checks-complete', 2);
    expect(applyUnderwriting(done, { outcome: 'approve', reasons: [], checksRun: 2, now: NOW })).toMatchObject({ status: 'policy-approved', decidedBy: null, version: done.version + 1 });
    expect(applyUnderwriting(done, { outcome: 'refer', reasons: ['Thin file'], checksRun: 2, now: NOW })).toMatchObject({ status: 'referred', decidedBy: null });
    expect(applyUnderwriting(done, { outcome: 'decline', reasons: ['Income insufficient', 'Delinquent past or present credit obligations'], checksRun: 2, now: NOW }))
      .toMatchObject({ status: 'declined', decidedBy: AUTOMATED_DECIDER, decidedAt: NOW, decisionReason: 'Income insufficient; Delinquent past or present credit obligations' });
    expect(applyUnderwriting(done, { outcome: 'approve', reasons: [], checksRun: 1, now: NOW })).toBeUndefined();
    expect(applyUnderwriting(application('checks-running', 2), { outcome: 'approve', reasons: [], checksRun: 2, now: NOW })).toBeUndefined();
  });

  it('approves by hand, where a policy is in effect, only by an admin override with a reason, within the admin limit', () => {
    const op = { operator: 'op-1', roles: ['operator'], loanId: 'l1', now: NOW };
    const admin = { ...op, operator: 'ad-1', roles: ['admin'], overrideReason: 'Salary credit verified on bank statement' };
    const passed = [check('bureau', 'completed', 'pass')];
    const principal = BigInt(application('referred', 1).loanRequest.principal.amount);
    const roomy = { policyInEffect: true, approvalLimitMinor: principal };
    // What passed policy is approved by its origination (complete-origination.ts); here only by an override.
    for (const app of [application('referred', 1), { ...application('declined', 1), decidedBy: AUTOMATED_DECIDER }, application('checks-complete', 1), application('policy-approved', 1), application('offer-accepted', 1)]) {
      expect(approve(app, op, passed, roomy)).toEqual({ ok: false, error: { kind: 'needs-override', status: app.status } });
      expect(approve(app, { ...op, overrideReason: 'I think it is fine' }, passed, roomy)).toEqual({ ok: false, error: { kind: 'override-not-allowed', role: 'admin' } });
      expect(approve(app, admin, passed, { policyInEffect: true, approvalLimitMinor: principal - 1n })).toMatchObject({ ok: false, error: { kind: 'above-approval-limit' } });
      expect(approve(app, admin, passed, { policyInEffect: true, approvalLimitMinor: null })).toMatchObject({ ok: false, error: { kind: 'above-approval-limit', limitMinor: null } });
      expect(approve(app, admin, passed, roomy)).toMatchObject({ ok: true, basis: 'override', application: { status: 'approved', decisionReason: 'override: Salary credit verified on bank statement' } });
    }
    // A decline by a person is final; a failed check blocks even an override.
    expect(approve({ ...application('declined', 1), decidedBy: 'op-2' }, admin, passed, roomy)).toEqual({ ok: false, error: { kind: 'already-decided', status: 'declined' } });
    expect(approve(application('referred', 1), admin, [check('sanctions', 'completed', 'fail')], roomy).ok).toBe(false);
  });
});
