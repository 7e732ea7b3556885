import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { percentToRate } from '../api/to-terms.js';
import { parseMoney } from '../money/money.js';
import { parseDecimal, rat, reduce, type Rational } from './rational.js';

// parseDecimal, percentToRate and parseMoney take short decimal strings through doubles (exact
// below 2^53); these properties hold them to the bigint parsing they used before, on short and
// long strings, malformed ones included (same value, or the same error).

function parseDecimalReference(text: string): Rational {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal number: ${text}`);
  const frac = m[3] ?? '';
  const n = BigInt((m[2] ?? '0') + frac);
  return reduce({ n: m[1] ? -n : n, d: 10n ** BigInt(frac.length) });
}

function parseMoneyReference(text: string, scale: number): bigint {
  const m = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text);
  if (!m) throw new RangeError(`not a decimal amount: ${text}`);
  const frac = m[3] ?? '';
  if (/[1-9]/.test(frac.slice(scale))) throw new RangeError('too many decimals');
  const value = BigInt((m[2] ?? '0') + frac.slice(0, scale).padEnd(scale, '0'));
  return m[1] ? -value : value;
}

const outcome = <T>(f: () => T): T | string => {
  try {
    return f();
  } catch (error) {
    return error instanceof RangeError ? 'RangeError' : String(error);
  }
};

const digitString = (max: number) => fc.array(fc.constantFrom(...'0123456789'), { minLength: 1, maxLength: max }).map((d) => d.join(''));
const decimalText = fc.oneof(
  fc.tuple(fc.boolean(), digitString(10), fc.option(digitString(8), { nil: undefined })).map(([neg, i, f]) => `${neg ? '-' : ''}${i}${f === undefined ? '' : `.${f}`}`),
  fc.tuple(digitString(20), fc.option(digitString(14), { nil: undefined })).map(([i, f]) => (f === undefined ? i : `${i}.${f}`)),
  fc.array(fc.constantFrom(...'0123456789.-+ e'), { maxLength: 18 }).map((c) => c.join('')),
  fc.constantFrom('0', '-0', '0.00', '1.', '.5', '-', '', '1.2.3', '999999999999999', '9999999999999999', '0.000000000000001', '00012.3400'),
);

describe('decimal parsing through doubles = the bigint parsing', () => {
  it('parseDecimal and percentToRate give the same reduced fraction, or refuse alike', () => {
    fc.assert(
      fc.property(decimalText, (text) => {
        expect(outcome(() => parseDecimal(text))).toEqual(outcome(() => parseDecimalReference(text)));
        expect(outcome(() => percentToRate(text))).toEqual(
          outcome(() => {
            const p = parseDecimalReference(text);
            return reduce(rat(p.n, p.d * 100n));
          }),
        );
      }),
      { numRuns: 20_000 },
    );
  });

  it('parseMoney gives the same minor units at scales 0 to 4, or refuses alike', () => {
    fc.assert(
      fc.property(decimalText, fc.integer({ min: 0, max: 4 }), (text, scale) => {
        expect(outcome(() => parseMoney(text, { code: 'XXX', scale }))).toEqual(outcome(() => parseMoneyReference(text, scale)));
      }),
      { numRuns: 20_000 },
    );
  });
});
