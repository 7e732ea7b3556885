/** Expected failures are values, not exceptions (house style). */
export type Result<T, E> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: E };

export interface ServicingError {
  readonly code: 'overdue-installments' | 'prepayment-exceeds-balance' | 'method-not-supported' | 'nothing-outstanding';
  /** The request field the failure is about. */
  readonly field: string;
  readonly message: string;
}

export const ok = <T>(value: T): Result<T, never> => ({ ok: true, value });
export const err = (code: ServicingError['code'], field: string, message: string): Result<never, ServicingError> => ({
  ok: false,
  error: { code, field, message },
});
