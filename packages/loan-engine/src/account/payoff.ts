// Payoff quote of the replayable account: the account advanced (not persisted) to the as-of date,
// then what it owes at the end of that day. No second interest formula: the parts are the engine's balances.
import type { DayNumber } from '../dates/local-date.js';
import { divRound, type RoundingMode } from '../math/rounding.js';
import type { PrepaymentCharge } from '../servicing/payoff.js';
import { ok, type Result } from '../servicing/result.js';
import { advanceAccount, replayAccount } from './account.js';
import type { AccountError, AccountInput, AccountSnapshot, AccountState } from './types.js';

export interface AccountPayoffError {
  readonly code: AccountError['code'] | 'nothing-outstanding' | 'loan-charged-off';
  readonly message: string;
}

export interface AccountPayoffParts {
  /** All principal not repaid, due or not. */
  readonly principal: bigint;
  /** Interest accrued through the end of asOf and unpaid: in income (receivable) plus suspended while non-accrual. */
  readonly interest: bigint;
  /** Unpaid scheduled fees of installments due by asOf. */
  readonly fees: bigint;
  /** Unpaid late fees and penal interest (suspended ones included). */
  readonly penalties: bigint;
  /** The product's charge on the principal outstanding: round(principal × rate) + fixed. */
  readonly prepaymentCharge: bigint;
  /** Money already held for the borrower, subtracted. */
  readonly excess: bigint;
}

export interface AccountPayoffQuote {
  readonly asOf: DayNumber;
  readonly parts: AccountPayoffParts;
  /** principal + interest + fees + penalties + prepaymentCharge − excess (0 when the excess covers it all). */
  readonly total: bigint;
  /** The account at the end of asOf, as the quote saw it. */
  readonly state: AccountState;
}

export interface AccountPayoffOptions {
  readonly prepaymentCharge?: PrepaymentCharge;
  /** How the charge is rounded to the minor unit (the loan's rounding mode). Default half-even. */
  readonly roundingMode?: RoundingMode;
}

/**
 * What closes the account at the end of `asOf`: the account is replayed through asOf (or advanced from
 * `from`, a snapshot of an earlier day, with only the events after it) and its balances are the parts.
 * Failures: the engine's own (replayAccount/advanceAccount), `nothing-outstanding` (closed or never
 * disbursed), `loan-charged-off` (a written-off balance is not quoted).
 */
export function accountPayoffQuote(
  input: Omit<AccountInput, 'businessDate'>,
  asOf: DayNumber,
  options: AccountPayoffOptions = {},
  from: AccountSnapshot | null = null,
): Result<AccountPayoffQuote, AccountPayoffError> {
  const run = from === null ? replayAccount({ ...input, businessDate: asOf }) : advanceAccount(from, input, asOf);
  if (!run.ok) return { ok: false, error: { code: run.error.code, message: run.error.message } };
  const state = run.value.state;
  if (state.status === 'charged-off') return { ok: false, error: { code: 'loan-charged-off', message: 'the loan is charged off: no payoff is quoted' } };
  if (state.status !== 'active') return { ok: false, error: { code: 'nothing-outstanding', message: `the loan is ${state.status}` } };
  return ok(quoteOf(state, asOf, options));
}

/** The quote of an account state at the end of its day (pure arithmetic on its balances). */
export function quoteOf(state: AccountState, asOf: DayNumber, options: AccountPayoffOptions = {}): AccountPayoffQuote {
  const b = state.balances;
  const c = options.prepaymentCharge;
  const principal = b.principalOutstanding;
  const prepaymentCharge = c === undefined || principal === 0n ? 0n : divRound(principal * c.rate.n, c.rate.d, options.roundingMode ?? 'half-even') + c.fixedMinor;
  const parts: AccountPayoffParts = {
    principal,
    interest: b.interestAccrued + b.interestSuspended,
    fees: b.feesDue,
    penalties: b.penaltiesDue,
    prepaymentCharge,
    excess: b.excess,
  };
  const gross = parts.principal + parts.interest + parts.fees + parts.penalties + parts.prepaymentCharge;
  const total = gross > parts.excess ? gross - parts.excess : 0n;
  return { asOf, parts, total, state };
}
