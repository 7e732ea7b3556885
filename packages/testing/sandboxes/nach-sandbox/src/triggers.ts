/**
 * What the sandbox's destination banks and payers do, decided from test data alone (README, "India auto-debit:
 * NACH and UPI AutoPay"):
 * - NACH mandate registration: a debtor account number ending 77NN (NN one of 01, 02, 05, 10, 15) is rejected
 *   with APNN (account blocked, closed, no such account, amount above the e-mandate limit, balance not
 *   maintained); any other is registered and a UMRN issued at once.
 * - NACH debit: account ending 00NN, NN a two-digit code, is returned NN (Circular 274's codes; 99, which NPCI
 *   does not define, lets a test see a malformed response refused); ending 01NN is confirmed, then returned NN
 *   late; anything else is confirmed.
 * - UPI execution: a payer VPA whose handle ends `.<CODE>` before the `@` (e.g. `asha.Z9@sbox`) fails with that
 *   UPI response code; a mandate the payer revoked or paused (POST /sandbox/upi/mandates/{id}/revoke|pause)
 *   fails MANDATE-REVOKED or MANDATE-PAUSED; anything else succeeds.
 */
export const MANDATE_REJECTIONS: Readonly<Record<string, string>> = { AP01: 'Account blocked', AP02: 'Account closed', AP05: 'No such account', AP10: 'Amount exceeds e-mandate limit', AP15: 'Not maintaining required balance' };

export function mandateRejection(accountNumber: string): { code: string; reason: string } | undefined {
  const m = /77(\d\d)$/.exec(accountNumber);
  const code = m ? `AP${m[1]}` : '';
  return MANDATE_REJECTIONS[code] ? { code, reason: MANDATE_REJECTIONS[code]! } : undefined;
}

export type DebitFate = { kind: 'confirm' } | { kind: 'return'; code: string } | { kind: 'late-return'; code: string };

export function nachDebitFate(accountNumber: string): DebitFate {
  const m = /(00|01)(\d\d)$/.exec(accountNumber);
  if (!m) return { kind: 'confirm' };
  return m[1] === '00' ? { kind: 'return', code: m[2]! } : { kind: 'late-return', code: m[2]! };
}

export function upiFailureOf(vpa: string): string | undefined {
  const m = /\.([A-Z][A-Z0-9]{1,2})@/.exec(vpa);
  return m?.[1];
}
