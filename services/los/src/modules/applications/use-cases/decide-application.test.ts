import { randomUUID } from 'node:crypto';
import { loanApprovedV1Schema, topics } from '@lendstack/contracts';
import type { Principal } from '@lendstack/platform';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createInMemoryApplicationStore, type InMemoryApplicationStore } from '../adapters/in-memory-application.store.js';
import { submit, type Application } from '../domain/application.js';
import { decideApplication, type DecideApplicationDeps } from './decide-application.js';

const NOW = new Date('2026-03-01T09:00:00Z');
const operator: Principal = { subject: 'op-1', tenantId: 'tenant-a', roles: ['operator'] };

/** Submitted and through its checks, all passed: what an operator can approve. */
function submitted(overrides: Partial<Application['loanRequest']> = {}): Application {
  return { ...submitted0(overrides), status: 'checks-complete', checksRun: 1 };
}

function submitted0(overrides: Partial<Application['loanRequest']> = {}): Application {
  return submit({
    id: randomUUID(),
    tenantId: 'tenant-a',
    submittedBy: 'partner-1',
    now: NOW,
    applicant: {
      id: 'brw-1',
      name: { given: 'Priya', family: 'Sharma' },
      contact: { email: 'priya@example.in', phone: '+919876543210' },
      address: { line1: '14 MG Road', city: 'Bengaluru', postalCode: '560001', country: 'IN' },
      nationalId: { type: 'PAN', masked: 'XXXXXX234F', token: 'tok_pan_1c9e77b0a2' },
      bankAccount: { holderName: 'Priya Sharma', accountNumberMasked: 'XXXXXXXX4321', accountToken: 'tok_acct_8f3a2c91', bankCode: 'HDFC0001234' },
    },
    loanRequest: {
      productCode: 'PL-12M', principal: { amount: '50000000', currency: 'INR', scale: 2 }, annualRatePercent: '14.5', termPeriods: 12,
      frequency: 'monthly', scheduleMethod: 'equal-installment', interestCalculation: 'per-period', dayCount: '30/360',
      expectedDisbursementDate: '2026-03-05', fees: [], ...overrides,
    },
  });
}

describe('decideApplication', () => {
  let store: InMemoryApplicationStore;
  let deps: DecideApplicationDeps & { notifyOutbox: ReturnType<typeof vi.fn<() => void>> };
  let gate: { policy: boolean; limit: bigint | null };
  beforeEach(() => {
    store = createInMemoryApplicationStore();
    gate = { policy: false, limit: null };
    deps = { store, newId: randomUUID, now: () => NOW, notifyOutbox: vi.fn<() => void>(), approvalGate: { policyInEffect: async () => gate.policy, approvalLimit: async () => gate.limit } };
  });
  const given = (app: Application) => void store.applications.set(app.id, app);
  const approve = (id: string, principal = operator) => decideApplication(deps, { principal, applicationId: id, command: { kind: 'approve' } });

  it('given a submitted application, when approved, then stores the decision and emits exactly one LoanApproved', async () => {
    const app = submitted();
    given(app);
    const result = await approve(app.id);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.application).toMatchObject({ status: 'approved', decidedBy: 'op-1', version: 2 });
    expect(store.outbox).toHaveLength(1);
    const [message] = store.outbox;
    const event = loanApprovedV1Schema.parse(message!.value);
    expect(message).toMatchObject({ topic: topics.loanApproved.name, key: result.application.loanId, id: event.id });
    expect(event.payload.loan).toMatchObject({ id: result.application.loanId, applicationId: app.id, approvedBy: 'op-1' });
    expect(deps.notifyOutbox).toHaveBeenCalledTimes(1);
  });

  it('given an approved application, when approved again, then returns the same loan and emits nothing', async () => {
    const app = submitted();
    given(app);
    const first = await approve(app.id);
    const second = await approve(app.id);
    expect(second.ok && second.application.loanId).toBe(first.ok && first.application.loanId);
    expect(store.outbox).toHaveLength(1);
    expect(deps.notifyOutbox).toHaveBeenCalledTimes(1);
  });

  it('given concurrent approvals, when they race, then one loan and one event', async () => {
    const app = submitted();
    given(app);
    const results = await Promise.all([approve(app.id), approve(app.id), approve(app.id)]);
    expect(new Set(results.map((r) => r.ok && r.application.loanId)).size).toBe(1);
    expect(store.outbox).toHaveLength(1);
  });

  it('given an approved application, when declined, then already-decided and nothing emitted', async () => {
    const app = submitted();
    given(app);
    await approve(app.id);
    const result = await decideApplication(deps, { principal: operator, applicationId: app.id, command: { kind: 'decline', reason: 'late check' } });
    expect(result).toEqual({ ok: false, error: { kind: 'already-decided', status: 'approved' } });
    expect(store.outbox).toHaveLength(1);
  });

  it('given a declined application, when declined again, then unchanged and nothing emitted', async () => {
    const app = submitted();
    given(app);
    const decline = () => decideApplication(deps, { principal: operator, applicationId: app.id, command: { kind: 'decline', reason: 'income too low' } });
    await decline();
    const again = await decline();
    expect(again.ok && again.application).toMatchObject({ status: 'declined', decisionReason: 'income too low', version: 2 });
    expect(store.outbox).toHaveLength(0);
    expect(deps.notifyOutbox).not.toHaveBeenCalled();
  });

  it('given a decline with further reasons, when notices are drawn, then one notice (reason first, each once) and its audit entry commit with the decline; a repeat draws none', async () => {
    const app = submitted();
    given(app);
    const drawn: (readonly string[])[] = [];
    deps = { ...deps, declineNotices: { prepare: async (_a, reasons) => { drawn.push(reasons); return { pdf: Buffer.from('%PDF'), sha256: 'h1', content: { reasons } }; } } };
    const decline = () => decideApplication(deps, { principal: operator, applicationId: app.id, command: { kind: 'decline', reason: 'Length of employment', reasons: ['Income insufficient', 'Length of employment'] } });
    expect((await decline()).ok).toBe(true);
    expect((await decline()).ok).toBe(true);
    expect(drawn).toEqual([['Length of employment', 'Income insufficient']]);
    expect(store.notices).toEqual([expect.objectContaining({ applicationId: app.id, checksRun: 1, sha256: 'h1', at: NOW })]);
    expect(store.audit.map((e) => [e.action, e.detail.reasons])).toEqual([['manual-decline', ['Length of employment', 'Income insufficient']], ['adverse-action-notice', ['Length of employment', 'Income insufficient']]]);
  });

  it('given the notice cannot be drawn, when declined, then nothing is written (the decline waits for its notice)', async () => {
    const app = submitted();
    given(app);
    deps = { ...deps, declineNotices: { prepare: async () => { throw new Error('renderer down'); } } };
    await expect(decideApplication(deps, { principal: operator, applicationId: app.id, command: { kind: 'decline', reason: 'income too low' } })).rejects.toThrow('renderer down');
    expect(store.applications.get(app.id)).toMatchObject({ status: 'checks-complete' });
    expect(store.notices).toEqual([]);
    expect(store.audit).toEqual([]);
  });

  it('given a disbursement date already past, when approved, then invalid-terms and the application stays checks-complete', async () => {
    const app = submitted({ expectedDisbursementDate: '2026-02-28' });
    given(app);
    const result = await approve(app.id);
    expect(!result.ok && result.error.kind).toBe('invalid-terms');
    expect(store.applications.get(app.id)?.status).toBe('checks-complete');
    expect(store.outbox).toHaveLength(0);
  });

  it.each([
    ['checks still running', 'checks-running', []],
    ['a check parked as exception', 'checks-exception', [{ kind: 'bureau', status: 'exception', result: null }]],
    ['a check that failed', 'checks-complete', [{ kind: 'sanctions', status: 'completed', result: 'fail' }]],
  ] as const)('given %s, when approved, then checks-not-complete names it and nothing is emitted', async (_name, status, checks) => {
    const app = { ...submitted(), status };
    given(app);
    store.checks.set(app.id, [...checks, { kind: 'duplicate', status: 'completed', result: 'pass' }]);
    const result = await approve(app.id);
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toEqual({ kind: 'checks-not-complete', status, blocking: checks });
    expect(store.applications.get(app.id)?.status).toBe(status);
    expect(store.outbox).toHaveLength(0);
  });

  it('given a checks-complete application whose checks passed or referred, when approved, then approved', async () => {
    const app = submitted();
    given(app);
    store.checks.set(app.id, [{ kind: 'duplicate', status: 'completed', result: 'pass' }, { kind: 'sanctions', status: 'completed', result: 'refer' }]);
    expect((await approve(app.id)).ok).toBe(true);
  });

  it("given another tenant's application, when approved, then not-found", async () => {
    const app = submitted();
    given(app);
    const result = await approve(app.id, { ...operator, tenantId: 'tenant-b' });
    expect(result).toEqual({ ok: false, error: { kind: 'not-found' } });
    expect(store.outbox).toHaveLength(0);
  });

  it('given a policy in effect, when an operator approves before the decision, then needs-override; an admin override is audited as one', async () => {
    const app = submitted();
    given(app);
    gate.policy = true;
    expect(await approve(app.id)).toEqual({ ok: false, error: { kind: 'needs-override', status: 'checks-complete' } });
    expect(store.outbox).toHaveLength(0);
    gate.limit = 100_000_000n;
    const admin: Principal = { subject: 'ad-1', tenantId: 'tenant-a', roles: ['admin'] };
    const result = await decideApplication(deps, { principal: admin, applicationId: app.id, command: { kind: 'approve', overrideReason: 'Known customer, policy not yet tuned for this segment' } });
    expect(result.ok && result.application).toMatchObject({ status: 'approved', decidedBy: 'ad-1' });
    expect(store.outbox).toHaveLength(1);
    expect(store.audit).toEqual([expect.objectContaining({ action: 'override-approved', actor: 'ad-1', checksRun: 1, detail: expect.objectContaining({ basis: 'override', from: 'checks-complete', overrideReason: 'Known customer, policy not yet tuned for this segment' }) })]);
  });

  it('given a policy-approved application, when an operator approves by hand, then nothing: it is approved by its origination, or by an admin override', async () => {
    const app = { ...submitted(), status: 'policy-approved' as const };
    given(app);
    gate.policy = true;
    expect(await approve(app.id)).toMatchObject({ ok: false, error: { kind: 'needs-override', status: 'policy-approved' } });
    expect(store.outbox).toHaveLength(0);
    expect(store.audit).toEqual([]);
  });
});
