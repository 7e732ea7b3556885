/**
 * What the sandbox's receiving banks do with an entry, decided from the entry alone so a test can ask for any
 * outcome (documented in the README, "US disbursements over ACH"):
 * - DFI account number ending 00NN, with RNN one of the codes below: returned RNN before settlement (R01 and
 *   R09, insufficient or uncollected funds, only on debits: a credit never lacks funds);
 * - ending 01NN: settled, then returned RNN afterwards, inside the return window (a late return);
 * - ending 98NN, NN one of 01, 02, 03, 05, 06, 07: settled, with a notification of change CNN whose corrected
 *   data is laid out as Appendix Five has it for that code (C01 the account with its last digit plus one, mod 10;
 *   C02 routing 011000015; C03 both; C05 the other account type's transaction code; C06 account and code; C07
 *   routing, account and code);
 * - RDFI routing 121000358: settled, with a notification of change C01 (the account number's last digit was
 *   wrong; corrected data is the account with its last digit plus one, mod 10);
 * - anything else: settled.
 */
export const SANDBOX_RETURN_CODES = new Set(['R01', 'R02', 'R03', 'R04', 'R07', 'R08', 'R09', 'R10', 'R16', 'R20', 'R23', 'R29']);
export const NOC_ROUTING = '121000358';

export type EntryFate =
  | { readonly kind: 'settle' }
  | { readonly kind: 'return'; readonly code: string }
  | { readonly kind: 'late-return'; readonly code: string }
  | { readonly kind: 'settle-with-change'; readonly code: string; readonly correctedData: string };

/** Insufficient funds, stopped payments and revoked or unauthorised debits happen to debits only. */
const DEBIT_ONLY = new Set(['R01', 'R07', 'R08', 'R09', 'R10', 'R29']);
export const NOC_CORRECTED_ROUTING = '011000015';

/** Corrected data of a change code, as Appendix Five lays it out (what packages/nacha's reader expects). */
function correctedData(code: string, entry: { readonly transactionCode: number; readonly accountNumber: string }): string {
  const last = Number(entry.accountNumber.slice(-1));
  const account = (Number.isInteger(last) ? `${entry.accountNumber.slice(0, -1)}${(last + 1) % 10}` : entry.accountNumber).padEnd(17, ' ');
  const otherType = String(entry.transactionCode >= 30 ? entry.transactionCode - 10 : entry.transactionCode + 10);
  if (code === 'C01') return account.trim();
  if (code === 'C02') return NOC_CORRECTED_ROUTING;
  if (code === 'C03') return `${NOC_CORRECTED_ROUTING}   ${account.trim()}`;
  if (code === 'C05') return otherType;
  if (code === 'C06') return `${account}   ${otherType}`;
  return `${NOC_CORRECTED_ROUTING}${account}${otherType}`;
}

export function decideFate(entry: { readonly transactionCode: number; readonly rdfiRouting: string; readonly accountNumber: string }): EntryFate {
  const tail = entry.accountNumber.slice(-4);
  const code = `R${tail.slice(2)}`;
  const debit = entry.transactionCode % 10 >= 6;
  if (/^0[01]\d\d$/.test(tail) && SANDBOX_RETURN_CODES.has(code) && (debit || !DEBIT_ONLY.has(code))) return { kind: tail.startsWith('00') ? 'return' : 'late-return', code };
  const noc = /^98(0[1235-7])$/.exec(tail);
  if (noc) return { kind: 'settle-with-change', code: `C${noc[1]}`, correctedData: correctedData(`C${noc[1]}`, entry) };
  if (entry.rdfiRouting === NOC_ROUTING) {
    const last = Number(entry.accountNumber.slice(-1));
    const corrected = Number.isInteger(last) ? `${entry.accountNumber.slice(0, -1)}${(last + 1) % 10}` : entry.accountNumber;
    return { kind: 'settle-with-change', code: 'C01', correctedData: corrected };
  }
  return { kind: 'settle' };
}
