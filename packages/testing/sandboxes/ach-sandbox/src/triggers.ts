/**
 * What the sandbox's receiving banks do with an entry, decided from the entry alone so a test can ask for any
 * outcome (documented in the README, "US disbursements over ACH"):
 * - DFI account number ending 00NN, with RNN one of the codes below: returned RNN before settlement (R01 and
 *   R09, insufficient or uncollected funds, only on debits: a credit never lacks funds);
 * - ending 01NN: settled, then returned RNN afterwards, inside the return window (a late return);
 * - RDFI routing 121000358: settled, with a notification of change C01 (the account number's last digit was
 *   wrong; corrected data is the account with its last digit plus one, mod 10);
 * - anything else: settled.
 */
export const SANDBOX_RETURN_CODES = new Set(['R01', 'R02', 'R03', 'R04', 'R09', 'R16', 'R20', 'R23']);
export const NOC_ROUTING = '121000358';

export type EntryFate =
  | { readonly kind: 'settle' }
  | { readonly kind: 'return'; readonly code: string }
  | { readonly kind: 'late-return'; readonly code: string }
  | { readonly kind: 'settle-with-change'; readonly code: 'C01'; readonly correctedData: string };

const DEBIT_ONLY = new Set(['R01', 'R09']);

export function decideFate(entry: { readonly transactionCode: number; readonly rdfiRouting: string; readonly accountNumber: string }): EntryFate {
  const tail = entry.accountNumber.slice(-4);
  const code = `R${tail.slice(2)}`;
  const debit = entry.transactionCode % 10 >= 6;
  if (/^0[01]\d\d$/.test(tail) && SANDBOX_RETURN_CODES.has(code) && (debit || !DEBIT_ONLY.has(code))) return { kind: tail.startsWith('00') ? 'return' : 'late-return', code };
  if (entry.rdfiRouting === NOC_ROUTING) {
    const last = Number(entry.accountNumber.slice(-1));
    const corrected = Number.isInteger(last) ? `${entry.accountNumber.slice(0, -1)}${(last + 1) % 10}` : entry.accountNumber;
    return { kind: 'settle-with-change', code: 'C01', correctedData: corrected };
  }
  return { kind: 'settle' };
}
