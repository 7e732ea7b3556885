// A 30-year loan with 360 monthly installments and 1,000 repayments: the size the LMS must replay
// fast. Shared by the test and the benchmark.
import { addMonthsAnchored, fromCivil } from '../dates/local-date.js';
import type { AccountInput, MoneyEvent, ScheduledInstallment } from './types.js';

export function longLoan(): AccountInput {
  const start = fromCivil(2025, 1, 15);
  const schedule: ScheduledInstallment[] = [];
  let balance = 36_000_000n;
  for (let k = 1; k <= 360; k += 1) {
    const principal = k === 360 ? balance : 100_000n;
    schedule.push({ number: k, dueDate: addMonthsAnchored(2025, 1, k, 15), principalMinor: principal, interestMinor: balance / 100n, feesMinor: 0n });
    balance -= principal;
  }
  const events: MoneyEvent[] = [{ kind: 'disbursement', id: 'd1', valueDate: start, amountMinor: 36_000_000n }];
  // 280 installments paid in 3 parts and 80 in 2 (1,000 repayments): 6 days early (held as excess),
  // on the due date, 2 days late (within grace). Every 37th installment's last part comes 20 days
  // late with 50.00 more, so a late fee and penal interest are charged and then paid.
  schedule.forEach((inst, i) => {
    const parts = i < 280 ? 3 : 2;
    const total = inst.principalMinor + inst.interestMinor;
    const late = i % 37 === 36;
    for (let p = 0; p < parts; p += 1) {
      const last = p === parts - 1;
      const amountMinor = last ? total - (total / BigInt(parts)) * BigInt(parts - 1) + (late ? 5_000n : 0n) : total / BigInt(parts);
      const valueDate = inst.dueDate + (last && late ? 20 : [-6, 0, 2][p + 3 - parts] as number);
      events.push({ kind: 'repayment', id: `r${i}-${p}`, valueDate, amountMinor });
    }
  });
  const last = schedule.at(-1) as ScheduledInstallment;
  return { schedule, product: { strategy: 'penalties-fees-interest-principal', graceDays: 3, lateFee: { kind: 'flat', amountMinor: 500n }, penalAnnualPercent: '24' }, events, businessDate: last.dueDate + 10 };
}
