import { dayCountSchema, MAX_AMOUNT_MINOR } from '@lendstack/contracts';
import { DECIMAL_CURRENCIES, LOAN_DATE_RANGE } from '@lendstack/loan-engine';
import fc from 'fast-check';

/**
 * Every shape of POST /v1/applications body the LOS's schema accepts (applications.schemas.ts, built on
 * the contract's loanTermsShape + checkTermsRelations and parties.ts): valid by construction, so the
 * only refusal a well-behaved LOS may give is 422 unbookable-terms (checkBookable), never 400.
 * Text is any well-formed Unicode without NUL (platform/text-hygiene.ts refuses NUL and lone
 * surrogates), measured in UTF-16 code units as zod's min/max are.
 */

const DAY_MS = 86_400_000;
const dayOf = (iso: string) => Date.parse(`${iso}T00:00:00Z`) / DAY_MS;
const isoOf = (day: number) => new Date(day * DAY_MS).toISOString().slice(0, 10);
const LAST_DAY = dayOf(LOAN_DATE_RANGE.max);

/** Code points of scripts a borrower's name is written in, plus marks, joiners and astral characters. */
const SCRIPTS: readonly [number, number][] = [
  [0x0400, 0x04ff], // Cyrillic
  [0x0590, 0x05ff], // Hebrew
  [0x0600, 0x06ff], // Arabic
  [0x0900, 0x097f], // Devanagari
  [0x0b80, 0x0bff], // Tamil
  [0x0e00, 0x0e7f], // Thai
  [0x10a0, 0x10ff], // Georgian
  [0x3040, 0x30ff], // Hiragana, Katakana
  [0x4e00, 0x9fff], // CJK
  [0xac00, 0xd7a3], // Hangul
  [0x0300, 0x036f], // combining marks
  [0x200b, 0x200f], // zero-width space/joiners, direction marks
  [0x1f300, 0x1faff], // emoji (surrogate pairs)
  [0x20000, 0x2a6df], // CJK extension B (surrogate pairs)
];
const scriptChar = fc.constantFrom(...SCRIPTS).chain(([lo, hi]) => fc.integer({ min: lo, max: hi })).map((cp) => String.fromCodePoint(cp));
const anyChar = fc.oneof(
  { weight: 3, arbitrary: scriptChar },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 1 }) },
  // Any code point but NUL and surrogates: controls, private use, noncharacters, astral planes.
  { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }) },
).filter((c) => !c.includes('\u0000'));

/** A string of min..max UTF-16 code units (zod's measure) of any well-formed Unicode but NUL. */
export function text(min: number, max: number): fc.Arbitrary<string> {
  const ascii = fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: max });
  const mixed = fc.array(anyChar, { minLength: min, maxLength: max }).map((cs) => {
    let out = '';
    for (const c of cs) if (out.length + c.length <= max) out += c;
    return out;
  });
  const exact = (n: number) => fc.string({ unit: 'grapheme-ascii', minLength: n, maxLength: n });
  return fc.oneof({ weight: 3, arbitrary: mixed }, { weight: 1, arbitrary: ascii }, { weight: 1, arbitrary: fc.constantFrom(min, max).chain(exact) })
    .filter((s) => s.length >= min && s.length <= max);
}

const digits = (min: number, max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });

/** National ids as they are written: punctuated (Chile's RUT, Brazil's CPF), spaced, or free text. */
const nationalIdValue = fc.oneof(
  fc.tuple(digits(5, 5), digits(2, 2)).map(([a, b]) => `${a}-${b}`),
  fc.tuple(digits(2, 2), digits(3, 3), digits(3, 3), fc.constantFrom('K', 'k', '0', '9')).map(([a, b, c, k]) => `${a}.${b}.${c}-${k}`),
  fc.tuple(digits(3, 3), digits(3, 3), digits(3, 3), digits(2, 2)).map(([a, b, c, d]) => `${a}.${b}.${c}-${d}`),
  fc.constantFrom('ABCDE1234F', '123-45-6789', 'AB 12 34 56 C', '12345678Z', '---', 'X', 'ٱ١٢٣٤٥', '१२३४-५६७८'),
  text(4, 64),
).filter((s) => s.length >= 4 && s.length <= 64);

const emailArb = fc
  .tuple(
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789_+-'), minLength: 1, maxLength: 30 }),
    fc.array(fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789'), minLength: 1, maxLength: 20 }), { minLength: 1, maxLength: 3 }),
    fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz'), minLength: 2, maxLength: 10 }),
  )
  .map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`);
const phoneArb = fc.tuple(fc.integer({ min: 1, max: 9 }), digits(6, 14)).map(([first, rest]) => `+${first}${rest}`);
const countryArb = fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZ'), minLength: 2, maxLength: 2 });
const optional = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined, freq: 2 });
/** Drops undefined properties, so an optional field is absent rather than null. */
const present = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

export const applicantArb = fc
  .record({
    id: optional(text(1, 64)),
    name: fc.record({ given: text(1, 100), family: text(1, 100) }),
    contact: fc.record({ email: emailArb, phone: phoneArb }),
    address: fc.record({ line1: text(1, 200), line2: optional(text(0, 200)), city: text(1, 100), region: optional(text(0, 100)), postalCode: text(1, 20), country: countryArb }).map(present),
    nationalId: fc.record({ type: text(1, 32), value: nationalIdValue }),
    bankAccount: fc.record({ holderName: text(1, 140), accountNumber: digits(6, 34), bankCode: text(1, 34), mandateReference: optional(text(1, 64)) }).map(present),
  })
  .map(present);

/** 1..MAX minor units (or 0..MAX), biased to both ends. */
function minorUnits(min: bigint): fc.Arbitrary<bigint> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(min, min + 1n, MAX_AMOUNT_MINOR - 1n, MAX_AMOUNT_MINOR, 10n ** 17n) },
    { weight: 3, arbitrary: fc.bigInt({ min, max: 10n ** 9n }) },
    { weight: 2, arbitrary: fc.bigInt({ min, max: MAX_AMOUNT_MINOR }) },
  );
}

/** "0".."999.999999" in every spelling the pattern ^\d{1,3}(\.\d{1,6})?$ accepts, leading zeros too. */
const rateArb = fc.oneof(
  fc.constantFrom('0', '0.0', '000', '0.000001', '999.999999', '999', '14', '12.5', '36'),
  fc.tuple(digits(1, 3), fc.option(digits(1, 6), { nil: undefined })).map(([whole, fraction]) => (fraction === undefined ? whole : `${whole}.${fraction}`)),
);
const zeroRateArb = fc.tuple(digits(1, 3), fc.option(digits(1, 6), { nil: undefined })).map(([w, f]) => `${w.replace(/\d/g, '0')}${f === undefined ? '' : `.${f.replace(/\d/g, '0')}`}`);

/** A day from `first` to 2999-12-31, biased to both ends and to the near future. */
function dayFrom(first: number): fc.Arbitrary<number> {
  return fc.oneof(
    { weight: 2, arbitrary: fc.constantFrom(first, Math.min(first + 1, LAST_DAY), LAST_DAY, Math.max(first, LAST_DAY - 1)) },
    { weight: 3, arbitrary: fc.integer({ min: first, max: Math.min(first + 400, LAST_DAY) }) },
    { weight: 1, arbitrary: fc.integer({ min: first, max: LAST_DAY }) },
  );
}

const frequencyArb = fc.constantFrom('weekly', 'biweekly', 'semi-monthly', 'monthly', 'quarterly');
const methodArb = fc.constantFrom('equal-installment', 'equal-principal', 'flat', 'interest-only', 'bullet', 'zero-interest-split');

/** The `loan` of a submission. `today` is the UTC date the approval will be made on. */
export function loanArb(today: string) {
  return fc
    .record({
      currency: fc.constantFrom(...DECIMAL_CURRENCIES),
      method: optional(methodArb),
      disbursementDay: dayFrom(dayOf(today)),
      hasFirstDue: fc.boolean(),
      firstDueOffset: fc.oneof(fc.constantFrom(1, 7, 14, 15, 30, 31, 90), fc.integer({ min: 1, max: 800 }), fc.integer({ min: 1, max: LAST_DAY - dayOf(today) })),
    })
    .chain(({ currency, method, disbursementDay, hasFirstDue, firstDueOffset }) => {
      const money = (amount: bigint) => ({ amount: amount.toString(), currency: currency.code, scale: currency.scale });
      const firstDue = hasFirstDue && disbursementDay < LAST_DAY ? isoOf(Math.min(disbursementDay + firstDueOffset, LAST_DAY)) : undefined;
      return fc
        .record({
          productCode: text(1, 40),
          principal: minorUnits(1n).map(money),
          annualRatePercent: method === 'zero-interest-split' ? zeroRateArb : rateArb,
          termPeriods: fc.oneof(fc.constantFrom(1, 2, 12, 599, 600), fc.integer({ min: 1, max: 600 })),
          frequency: frequencyArb,
          scheduleMethod: fc.constant(method),
          interestCalculation: optional(fc.constantFrom('per-period', 'daily')),
          dayCount: optional(fc.constantFrom(...dayCountSchema.options)),
          expectedDisbursementDate: fc.constant(isoOf(disbursementDay)),
          firstDueDate: fc.constant(firstDue),
          fees: optional(fc.integer({ min: 0, max: 20 }).chain((n) => fc.array(
            fc.record({
              code: text(1, 40),
              name: text(1, 100),
              amount: fc.oneof({ weight: 4, arbitrary: fc.bigInt({ min: 0n, max: 10n ** 6n }) }, { weight: 1, arbitrary: minorUnits(0n) }).map(money),
              timing: fc.constantFrom('upfront', 'financed', 'per-installment'),
            }),
            { minLength: n, maxLength: n },
          ))),
        })
        .map(present);
    });
}

/** A whole submission body. */
export function submissionArb(today: string) {
  return fc.record({ applicant: applicantArb, loan: loanArb(today) });
}
