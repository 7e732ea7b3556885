/**
 * Tenant demo's approval limits and creditor profile, seeded at boot where it has none (as its default
 * policies are). Illustrative: a real lender sets its own legal name, address, ECOA agency and bureau.
 * The agency is the CFPB (Reg B Appendix A lists it for creditors it supervises).
 */
import type { CreditorProfile } from './adverse-action-notice.js';

export const DEMO_APPROVAL_LIMITS: readonly { role: 'operator' | 'approver' | 'admin'; currency: string; maxPrincipalMinor: bigint }[] = [
  { role: 'approver', currency: 'INR', maxPrincipalMinor: 100_000_000n },
  { role: 'admin', currency: 'INR', maxPrincipalMinor: 5_000_000_000n },
  { role: 'approver', currency: 'USD', maxPrincipalMinor: 100_000n },
  { role: 'admin', currency: 'USD', maxPrincipalMinor: 5_000_000n },
];

export const DEMO_CREDITOR: CreditorProfile = {
  legalName: 'Lendstack Demo Finance Ltd.', address: '14 MG Road, Bengaluru 560001, IN', contact: 'credit-decisions@demo.lendstack.example, +91 80 4000 0000',
  agencyName: 'Bureau of Consumer Financial Protection', agencyAddress: '1700 G Street NW, Washington, DC 20552',
  bureauName: 'Sandbox Credit Bureau', bureauAddress: '1 Bureau Way, Mumbai 400001, IN', bureauPhone: '+91 22 4000 0000', scoreMin: 300, scoreMax: 900,
};
