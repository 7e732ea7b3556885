import type { StoredMandate } from '../ports.js';

/** A mandate as the API shows it. */
export function mandateView(m: StoredMandate) {
  return {
    id: m.id, applicationId: m.applicationId, checksRun: m.checksRun, rail: m.rail, status: m.status, mandateReference: m.mandateReference, maxAmount: { amount: m.maxAmount.amount, currency: m.maxAmount.currency, scale: m.maxAmount.scale }, frequency: m.frequency,
    validFrom: m.validFrom, validUntil: m.validUntil, authenticationUrl: m.authenticationUrl, vendor: m.vendor, vendorMandateId: m.vendorMandateId, vendorSetupId: m.vendorSetupId,
    reasonCode: m.reasonCode, reason: m.reason, createdAt: m.createdAt.toISOString(), activatedAt: m.activatedAt?.toISOString() ?? null,
  };
}
