import * as currencies from 'dinero.js/bigint/currencies';
import type { DineroCurrency } from 'dinero.js/bigint';

/** A currency as the engine sees it: ISO 4217 code and its minor-unit scale (decimals). */
export interface Currency {
  readonly code: string;
  readonly scale: number;
}

const TABLE: ReadonlyMap<string, DineroCurrency<bigint>> = new Map(
  Object.values(currencies as Record<string, DineroCurrency<bigint>>).map((c) => [c.code, c]),
);

/** Every ISO 4217 currency with a decimal minor unit, by code, with its scale: what the engine can book. */
export const DECIMAL_CURRENCIES: readonly Currency[] = [...TABLE.values()]
  .filter((c) => c.base === 10n)
  .map((c) => ({ code: c.code, scale: Number(c.exponent) }))
  .sort((a, b) => (a.code < b.code ? -1 : 1));

/** Looks up an ISO 4217 code in dinero.js's currency table; undefined if unknown or not decimal. */
export function findCurrency(code: string): Currency | undefined {
  const c = TABLE.get(code);
  if (!c || c.base !== 10n) return undefined;
  return { code: c.code, scale: Number(c.exponent) };
}

export function dineroCurrency(code: string): DineroCurrency<bigint> {
  const c = TABLE.get(code);
  if (!c) throw new RangeError(`unknown currency ${code}`);
  return c;
}

export function isKnownCurrency(code: string): boolean {
  return findCurrency(code) !== undefined;
}
