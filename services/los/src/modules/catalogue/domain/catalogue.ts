import type { ProductDefinition } from '@lendstack/contracts';

/** What the LOS needs of the loan terms to check them against a product. */
export interface TermsToCheck {
  readonly principal: { readonly amount: string; readonly currency: string; readonly scale: number };
  readonly annualRatePercent: string;
  readonly termPeriods: number;
  readonly frequency: string;
  readonly scheduleMethod: string;
  readonly interestCalculation: string;
  readonly dayCount: string;
}

export interface TermsIssue {
  /** Path inside the loan terms, e.g. ['principal', 'amount']. */
  readonly path: readonly string[];
  readonly message: string;
}

/** A decimal percent string as millionths of a percent, so two rates compare exactly. */
function micros(percent: string): bigint {
  const [whole = '0', fraction = ''] = percent.split('.');
  return BigInt(whole) * 1_000_000n + BigInt(fraction.padEnd(6, '0').slice(0, 6));
}

/**
 * The terms a product allows: its currency, principal, term and rate ranges (inclusive), and its
 * frequency, schedule method, interest calculation and day count. Pure; every issue names its field.
 */
export function checkAgainstProduct(terms: TermsToCheck, product: ProductDefinition): TermsIssue[] {
  const issues: TermsIssue[] = [];
  const issue = (path: string[], message: string) => issues.push({ path, message });
  if (terms.principal.currency !== product.currency) {
    issue(['principal', 'currency'], `product ${product.code} lends in ${product.currency}`);
  } else {
    const amount = BigInt(terms.principal.amount);
    const [min, max] = [BigInt(product.principal.min.amount), BigInt(product.principal.max.amount)];
    if (amount < min || amount > max) issue(['principal', 'amount'], `product ${product.code} lends ${min} to ${max} minor units of ${product.currency}`);
  }
  const { termPeriods, annualRatePercent: rate } = product;
  if (terms.termPeriods < termPeriods.min || terms.termPeriods > termPeriods.max) {
    issue(['termPeriods'], `product ${product.code} allows ${termPeriods.min} to ${termPeriods.max} periods`);
  }
  const r = micros(terms.annualRatePercent);
  if (r < micros(rate.min) || r > micros(rate.max)) issue(['annualRatePercent'], `product ${product.code} allows ${rate.min} % to ${rate.max} %`);
  for (const field of ['frequency', 'scheduleMethod', 'interestCalculation', 'dayCount'] as const) {
    if (terms[field] !== product[field]) issue([field], `product ${product.code} uses ${field} ${product[field]}`);
  }
  return issues;
}
