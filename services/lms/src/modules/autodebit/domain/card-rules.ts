/**
 * Card-on-file (merchant-initiated, stored-credential) declines and what each means for the loan, from the
 * networks' retry rules the collections-rails research §4 quotes (test vectors K1–K6):
 * - Visa category 1 (the issuer will never approve: 04, 07, 12, 14, 15, 41, 43, 46, 57, R0, R1, R3) is never
 *   reattempted: a lost, stolen, closed or invalid card (04, 07, 14, 15, 41, 43, 46) needs a new card; a
 *   revoked authorisation or stop order (R0, R1, R3) revokes ours; 12 and 57 go to an operator;
 * - Mastercard Merchant Advice Code 03 (do not try again) stops; 21 (payment cancelled, stop recurring) revokes;
 *   01 (new account information) stops until the credentials are refreshed, since a retry with the same ones is
 *   blocked; 24–30 ask for a retry after 1 h, 24 h, 2, 4, 6, 8 or 10 days; 02 after a while;
 * - 54 (expired card) needs refreshed credentials; other soft declines (05 do not honour, 51 insufficient
 *   funds, 61/65 limits, 91/96 issuer or system unavailable) are retried the next day.
 * Attempts stay within MAX_CARD_ATTEMPTS per instalment, far inside Visa's 15 reattempts in 30 days and
 * Mastercard's 10 declines a card in 24 hours. Stripe, for one, does not retry India-issued cards; a tenant that
 * collects from them sets retryIndianCards false.
 */
import type { ResultAction } from '../ports.js';
import { addDays } from './banking-days.js';

export const CARD_DECLINES: Readonly<Record<string, string>> = {
  '04': 'Pick up card', '05': 'Do not honour', '07': 'Pick up card, special conditions', '12': 'Invalid transaction', '14': 'Invalid account number', '15': 'No such issuer',
  '41': 'Lost card', '43': 'Stolen card', '46': 'Closed account', '51': 'Insufficient funds', '54': 'Expired card', '57': 'Transaction not permitted to cardholder',
  '61': 'Exceeds withdrawal amount limit', '65': 'Exceeds withdrawal frequency limit', '91': 'Issuer unavailable', '96': 'System malfunction',
  R0: 'Stop payment order', R1: 'Revocation of authorisation order', R3: 'Revocation of all authorisations order',
};
export const MERCHANT_ADVICE: Readonly<Record<string, string>> = {
  '01': 'New account information available', '02': 'Cannot approve at this time, try again later', '03': 'Do not try again', '04': 'Token requirements not met', '21': 'Payment cancelled',
  '24': 'Retry after 1 hour', '25': 'Retry after 24 hours', '26': 'Retry after 2 days', '27': 'Retry after 4 days', '28': 'Retry after 6 days', '29': 'Retry after 8 days', '30': 'Retry after 10 days',
};
const MAC_RETRY_DAYS: Readonly<Record<string, number>> = { '02': 1, '24': 1, '25': 1, '26': 2, '27': 4, '28': 6, '29': 8, '30': 10 };
export const NEW_CARD_DECLINES: ReadonlySet<string> = new Set(['04', '07', '14', '15', '41', '43', '46', '54']);
export const REVOKING_DECLINES: ReadonlySet<string> = new Set(['R0', 'R1', 'R3']);
export const NEVER_RETRY_DECLINES: ReadonlySet<string> = new Set(['12', '57']);
export const MAX_CARD_ATTEMPTS = 3;

/** A decline as the rail reports it: `code` the ISO 8583 response code, optionally `/MAC` (e.g. `51/25`). */
export const cardDeclineCode = (responseCode: string, merchantAdviceCode?: string): string => (merchantAdviceCode ? `${responseCode}/${merchantAdviceCode}` : responseCode);

export const isCardDeclineCode = (code: string): boolean => {
  const [response, mac, extra] = code.split('/');
  return extra === undefined && response !== undefined && response in CARD_DECLINES && (mac === undefined || mac in MERCHANT_ADVICE);
};

export function decideCardDecline(p: { readonly attempt: number; readonly posted: boolean; readonly retryIndianCards?: boolean; readonly issuerCountry?: string }, code: string, declinedOn: string): ResultAction {
  const reversePosted = p.posted;
  const [response = '', mac] = code.split('/');
  const text = `${response} ${CARD_DECLINES[response] ?? 'unknown decline'}${mac ? `, advice ${mac} ${MERCHANT_ADVICE[mac] ?? ''}`.trimEnd() : ''}`;
  if (REVOKING_DECLINES.has(response) || mac === '21') return { kind: 'stop-revoke-authorisation', reason: `${text}: card auto-debit stops; a new authorisation is needed`, reversePosted };
  if (NEW_CARD_DECLINES.has(response) || mac === '01') return { kind: 'stop-new-account-data', reason: `${text}: a new or refreshed card is needed before any attempt`, reversePosted };
  if (NEVER_RETRY_DECLINES.has(response) || mac === '03' || mac === '04') return { kind: 'stop-manual-review', reason: `${text}: never retried on this card`, reversePosted };
  if (p.issuerCountry === 'IN' && p.retryIndianCards === false) return { kind: 'stop-manual-review', reason: `${text}: India-issued cards are not retried`, reversePosted };
  if (p.attempt >= MAX_CARD_ATTEMPTS) return { kind: 'stop-manual-review', reason: `${text} on attempt ${p.attempt} of ${MAX_CARD_ATTEMPTS}: retries exhausted`, reversePosted };
  return { kind: 'retry-at', date: addDays(declinedOn, mac ? (MAC_RETRY_DAYS[mac] ?? 1) : 1), attempt: p.attempt + 1, reversePosted };
}
