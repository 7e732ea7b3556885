import { createHash } from 'node:crypto';
import type { PayoutBeneficiary } from '../ports.js';

/**
 * Turns the borrower's account token (LoanApproved carries a token, never the number) into the DFI account
 * number a NACHA entry needs, just before the file is written; the number is never stored by the LMS.
 * A deployment resolves the token through the LOS's vault (the LOS tokenises with a one-way HMAC today, so its
 * vault's clear-value backend is the LOS's to provide); `undefined` means the token cannot be resolved.
 */
export type AchAccountResolver = (beneficiary: PayoutBeneficiary) => Promise<string | undefined>;

/**
 * The development and sandbox resolver (ACH_ACCOUNT_RESOLVER=derived): a stable 8-digit number derived from the
 * token, followed by the last four digits the LOS published in the masked account number, so the number the
 * sandbox bank sees ends as the borrower's real one does (and the sandbox's return triggers, which read those
 * last four digits, work from LoanApproved data alone). A masked number without four trailing digits gives
 * four more derived digits.
 */
export const derivedAccountResolver: AchAccountResolver = async (beneficiary) => {
  if (beneficiary.accountToken.length < 8) return undefined;
  const digest = createHash('sha256').update(`ach-account:${beneficiary.accountToken}`).digest();
  const derived = Array.from(digest.subarray(0, 12), (b) => String(b % 10)).join('');
  const lastFour = /(\d{4})$/.exec(beneficiary.accountNumberMasked ?? '')?.[1];
  return `${derived.slice(0, 8)}${lastFour ?? derived.slice(8, 12)}`;
};
