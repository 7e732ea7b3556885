/**
 * The comparison baseline: the same equal-installment schedule in plain floating point, the way
 * it is usually written (Math.pow annuity, Math.round to cents each period, residual last).
 * Only for the benchmark; never use floats for money.
 */
export interface FloatRow {
  number: number;
  principal: number;
  interest: number;
  total: number;
  balanceAfter: number;
}

export function floatSchedule(principal: number, annualRatePercent: number, termPeriods: number): FloatRow[] {
  const r = annualRatePercent / 100 / 12;
  const round = (x: number): number => Math.round(x * 100) / 100;
  const emi = round(r === 0 ? principal / termPeriods : (principal * r) / (1 - Math.pow(1 + r, -termPeriods)));
  const rows: FloatRow[] = [];
  let balance = principal;
  for (let k = 1; k <= termPeriods; k += 1) {
    const interest = round(balance * r);
    const principalPart = k === termPeriods ? balance : round(emi - interest);
    balance = round(balance - principalPart);
    rows.push({ number: k, principal: principalPart, interest, total: round(principalPart + interest), balanceAfter: balance });
  }
  return rows;
}
