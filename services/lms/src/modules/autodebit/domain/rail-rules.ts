/**
 * Which rail's rules decide a return, decline or failure: the one place apply-results asks, so each rail keeps
 * its own codes (ach-rules, nach-rules, upi-autopay, card-rules) and none is consulted for another's.
 */
import type { CollectionRail, ResultAction } from '../ports.js';
import { decideAchReturn, DEFAULT_RETRY_POLICY, type AchRetryPolicy } from './ach-rules.js';
import { decideCardDecline } from './card-rules.js';
import { decideNachReturn, DEFAULT_NACH_RETRY_POLICY, type NachRetryPolicy } from './nach-rules.js';
import { decideUpiFailure } from './upi-autopay.js';

export interface RailPolicies {
  readonly ach?: AchRetryPolicy;
  readonly nach?: NachRetryPolicy;
}

export interface UnpaidPresentment {
  readonly rail: CollectionRail;
  readonly attempt: number;
  /** ACH: settlement date of the original entry (the reinitiation window runs from it). */
  readonly originalSettlementDate: string;
  readonly posted: boolean;
}

export function decideUnpaid(p: UnpaidPresentment, code: string, returnedOn: string, policies: RailPolicies = {}): ResultAction {
  switch (p.rail) {
    case 'us-ach': return decideAchReturn(p, code, returnedOn, policies.ach ?? DEFAULT_RETRY_POLICY);
    case 'in-nach': return decideNachReturn(p, code, returnedOn, policies.nach ?? DEFAULT_NACH_RETRY_POLICY);
    case 'upi-autopay': return decideUpiFailure(p, code, returnedOn);
    case 'card-on-file': return decideCardDecline(p, code, returnedOn);
  }
}
