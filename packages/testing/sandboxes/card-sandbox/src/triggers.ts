/**
 * What the sandbox's issuers answer, decided from test data alone: a card number's last four digits `RRAA`
 * decline it with ISO 8583 response code RR (00: approve) and, on a Mastercard, Merchant Advice Code AA (00: none);
 * e.g. 4111 1111 1111 5100 declines 51, 5555 5555 5555 5125 declines 51 with advice 25 (retry after 24 h), and
 * …9999 answers response code 99, which no network defines, so a client can see a malformed answer refused.
 * A card whose holder revoked the merchant's authorisation (POST /sandbox/payment_methods/{id}/revoke) declines
 * R1 (Visa) or 05 with advice 21 (Mastercard). Visa cards start with 4, Mastercard with 5 or 2.
 */
export type Brand = 'visa' | 'mastercard';

export function brandOf(number: string): Brand | undefined {
  if (number.startsWith('4')) return 'visa';
  if (/^(5[1-5]|2[2-7])/.test(number)) return 'mastercard';
  return undefined;
}

/** The Luhn check every card number passes. */
export function luhnValid(number: string): boolean {
  let sum = 0;
  for (let i = 0; i < number.length; i += 1) {
    let d = Number(number[number.length - 1 - i]);
    if (i % 2 === 1) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return number.length >= 12 && sum % 10 === 0;
}

export function issuerAnswer(number: string, brand: Brand, revoked: boolean): { approved: true } | { approved: false; responseCode: string; merchantAdviceCode: string | null } {
  if (revoked) return brand === 'visa' ? { approved: false, responseCode: 'R1', merchantAdviceCode: null } : { approved: false, responseCode: '05', merchantAdviceCode: '21' };
  const last4 = number.slice(-4);
  const rr = last4.slice(0, 2);
  const aa = last4.slice(2);
  if (rr === '00') return { approved: true };
  return { approved: false, responseCode: rr, merchantAdviceCode: brand === 'mastercard' && aa !== '00' ? aa : null };
}
