/**
 * Expected failures of servicing use cases. Each names the request field it is about (a JSON pointer
 * into the request: `/amount/currency`, `/valueDate`, `/params/id`); transports map `code` to a status
 * in one table (servicing.routes.ts).
 */
export type ServicingFailureCode =
  | 'loan-not-found'
  | 'loan-not-disbursed'
  | 'loan-closed'
  | 'loan-charged-off'
  | 'loan-not-charged-off'
  | 'value-date-before-charge-off'
  | 'currency-mismatch'
  | 'scale-mismatch'
  | 'value-date-after-business-date'
  | 'as-of-before-business-date'
  | 'transaction-not-found'
  | 'already-reversed'
  | 'not-reversible'
  | 'exceeds-approved-principal'
  | 'no-account-token'
  | 'idempotency-key-reused'
  | 'foreclosure-short'
  | 'prepayment-not-latest'
  | 'prepayment-with-arrears'
  | 'prepayment-exceeds-balance'
  | 'prepayment-not-supported'
  | 'before-prepayment'
  | 'before-restructure'
  | 'write-off-not-latest'
  | 'no-write-off'
  | 're-age-current'
  | 're-age-not-latest'
  | 're-age-not-supported'
  | 're-age-account-age'
  | 're-age-payments'
  | 're-age-limit'
  | 'no-re-age'
  | 'before-re-age'
  | 'top-up-partial-disbursement'
  | 'top-up-in-progress'
  | 'top-up-loan-not-active'
  | 'top-up-payoff-exceeds-principal'
  | 'engine-refused';

export interface ServicingFailure {
  readonly code: ServicingFailureCode;
  readonly pointer: string;
  readonly detail: string;
  /** Members added to the problem document (e.g. the payoff a short foreclosure did not meet). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

export const failure = (code: ServicingFailureCode, pointer: string, detail: string): ServicingFailure => ({ code, pointer, detail });

export type Outcome<T> = { readonly ok: true; readonly value: T; readonly replayed?: boolean } | { readonly ok: false; readonly error: ServicingFailure };
