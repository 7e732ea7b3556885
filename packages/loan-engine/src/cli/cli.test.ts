import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { request } from '../test-support.js';
import { runCommand } from './commands.js';

const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

function cli(command: string, stdin: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(TSX, [MAIN, command], { input: stdin, encoding: 'utf8', timeout: 30_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('loancalc CLI process', { timeout: 60_000 }, () => {
  it('schedule: JSON in, JSON out, exit 0', () => {
    const r = cli('schedule', JSON.stringify(request({ termPeriods: 10 })));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ currency: 'USD', installmentAmount: '1037.03' });
  });

  it('bad input: exit 2 and a JSON error on stderr naming the field', () => {
    const r = cli('schedule', JSON.stringify({ ...request(), annualRatePercent: '-1' }));
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    const err = JSON.parse(r.stderr) as { error: string; issues: { field: string }[] };
    expect(err.error).toBe('invalid_request');
    expect(err.issues.map((i) => i.field)).toContain('annualRatePercent');
  });

  it('schema-valid input the engine used to throw on: exit 2 naming the field, never internal_error', () => {
    const holidays = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2024, 1, 1) + i * 86_400_000).toISOString().slice(0, 10));
    const r = cli('schedule', JSON.stringify(request({ businessDays: { convention: 'following', holidays } })));
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: 'invalid_request', issues: [{ field: 'businessDays.holidays' }] });
  });

  it('not JSON at all: exit 2', () => {
    const r = cli('apr', '{"method": ');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: 'invalid_json' });
  });

  it('unknown command: exit 2', () => {
    const r = cli('amortize', '{}');
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stderr)).toMatchObject({ error: 'unknown_command', issues: [{ field: 'command' }] });
  });
});

describe('CLI commands: bad input names the field', () => {
  const fieldsOf = (name: string, input: unknown): string[] => {
    const out = runCommand(name, input);
    if (out.ok) throw new Error('expected a failure');
    return out.error.issues.map((i) => i.field);
  };

  it.each([
    ['principal', { principal: '1,000' }],
    ['principal', { principal: '10.001' }],
    ['principal', { principal: '0' }],
    ['currency', { currency: 'XXX' }],
    ['currency', { currency: 'usd' }],
    ['termPeriods', { termPeriods: 1.5 }],
    ['termPeriods', { termPeriods: 0 }],
    ['frequency', { frequency: 'daily' }],
    ['method', { method: 'balloon' }],
    ['interestCalculation', { interestCalculation: 'yearly' }],
    ['dayCount', { dayCount: 'act/act' }],
    ['disbursementDate', { disbursementDate: '2024-02-30' }],
    ['firstDueDate', { firstDueDate: '2023-12-31' }],
    ['rounding.mode', { rounding: { mode: 'bankers' } }],
    ['rounding.installmentMultipleOf', { rounding: { mode: 'up', installmentMultipleOf: '0' } }],
    ['grace', { termPeriods: 3, grace: { principalPeriods: 3, interestPeriods: 0 } }],
    ['fees.0.timing', { fees: [{ name: 'x', amount: '1', timing: 'monthly' }] }],
    ['fees.0.amount', { fees: [{ name: 'x', amount: '1.001', timing: 'upfront' }] }],
    ['annualRatePercent', { method: 'zero-interest-split', annualRatePercent: '5' }],
    ['downPayment', { downPayment: '10000' }],
  ])('schedule: %s', (field, override) => {
    expect(fieldsOf('schedule', { ...request(), ...override })).toContain(field);
  });

  it('schedule: a missing field is named', () => {
    const { dayCount: _omit, ...rest } = request();
    expect(fieldsOf('schedule', rest)).toContain('dayCount');
  });

  it('apr: names the offending flow', () => {
    expect(fieldsOf('apr', { method: 'reg-z', advances: [], payments: [{ date: '2024-01-01', amount: '1' }] })).toContain('advances');
    expect(fieldsOf('apr', { method: 'x', advances: [{ date: '2024-01-01', amount: '1' }], payments: [{ date: '2024-01-01', amount: '1' }] })).toContain('method');
    expect(fieldsOf('apr', { method: 'irr', advances: [{ date: '2024-01-01', amount: '1' }], payments: [{ date: '2023-01-01', amount: '2' }] })).toContain('payments.0.date');
  });

  it('yearfrac: names the convention and dates', () => {
    expect(fieldsOf('yearfrac', { convention: 'act/act', start: '2024-01-01', end: '2024-13-01' })).toEqual(['convention', 'end']);
  });

  it('payoff and allocate: name nested fields', () => {
    expect(fieldsOf('payoff', { loan: { ...request(), currency: 'ZZZ' }, payoffDate: '2024-05-01' })).toContain('loan.currency');
    expect(fieldsOf('payoff', { loan: request(), payoffDate: '2023-05-01' })).toContain('payoffDate');
    expect(fieldsOf('allocate', { currency: 'USD', paymentDate: '2024-01-01', amount: '1', installments: [{ number: 1, dueDate: 'soon' }] })).toContain('installments.0.dueDate');
  });

  it('prepay, reschedule and accrue: name their fields', () => {
    expect(fieldsOf('prepay', { loan: request(), date: '2024-03-01', amount: '100', strategy: 'shorter' })).toContain('strategy');
    expect(fieldsOf('reschedule', { loan: request(), date: '2024-03-01', newFirstDueDate: '2024-02-01' })).toContain('newFirstDueDate');
    expect(fieldsOf('accrue', { currency: 'USD', balance: '1.001', annualRatePercent: '5', dayCount: 'actual/365', from: '2024-01-02', to: '2024-01-01' })).toEqual(
      expect.arrayContaining(['balance', 'to']),
    );
  });

  it('schedule: a calendar without a business day for a year, or a date past 2999, names the field', () => {
    const holidays = Array.from({ length: 400 }, (_, i) => new Date(Date.UTC(2024, 1, 1) + i * 86_400_000).toISOString().slice(0, 10));
    expect(fieldsOf('schedule', request({ businessDays: { convention: 'following', holidays } }))).toEqual(['businessDays.holidays']);
    expect(fieldsOf('schedule', request({ disbursementDate: '9990-01-01', termPeriods: 1200, frequency: 'quarterly' }))).toEqual(['disbursementDate']);
    expect(fieldsOf('payoff', { loan: request({ businessDays: { convention: 'preceding', holidays } }), payoffDate: '2024-05-01' })).toEqual(['loan.businessDays.holidays']);
  });

  it('payoff, prepay and reschedule: amounts beyond the currency scale and dates past 2999 name the field (found by fuzzing)', () => {
    const yen = request({ currency: 'JPY', principal: '100000' });
    expect(fieldsOf('payoff', { loan: yen, payoffDate: '2024-05-01', penalties: '0.01', prepaymentChargeFixed: '0.5' })).toEqual(['prepaymentChargeFixed', 'penalties']);
    expect(fieldsOf('prepay', { loan: yen, date: '2024-03-01', amount: '0.5', strategy: 'reduce-tenure' })).toEqual(['amount']);
    expect(fieldsOf('reschedule', { loan: request(), date: '2024-03-01', newFirstDueDate: '9999-01-01', newTermPeriods: 1200, newFrequency: 'quarterly' })).toEqual(['newFirstDueDate']);
    expect(fieldsOf('payoff', { loan: request(), payoffDate: '3000-01-01' })).toEqual(['payoffDate']);
    const payIn4 = request({ method: 'zero-interest-split', annualRatePercent: '0', termPeriods: 4 });
    expect(fieldsOf('reschedule', { loan: payIn4, date: '2024-03-01', newAnnualRatePercent: '12' })).toEqual(['newAnnualRatePercent']);
  });

  it('reschedule: capitalises arrears into a new schedule', () => {
    const out = runCommand('reschedule', { loan: request({ principal: '10000', annualRatePercent: '12' }), installmentsPaid: 2, date: '2024-05-01', newAnnualRatePercent: '9', newTermPeriods: 6 });
    expect(out).toMatchObject({ ok: true, output: { schedule: { installments: expect.any(Array) } } });
  });

  it('payoff of a repaid loan is unprocessable, naming installmentsPaid', () => {
    const out = runCommand('payoff', { loan: request({ termPeriods: 2 }), installmentsPaid: 2, payoffDate: '2024-05-01' });
    expect(out).toMatchObject({ ok: false, error: { error: 'unprocessable', issues: [{ field: 'installmentsPaid' }] } });
  });
});
