import type { MandatePort, MandateStore } from '../ports.js';
import { applyVendorState } from './register-mandate.js';

export type RefreshOutcome = { kind: 'unknown-mandate' } | { kind: 'applied'; status: string; changed: boolean };

/**
 * The processor says a mandate changed (its verified webhook): its current state is read from the processor
 * (the webhook's body is believed only for the id it names) and applied in one transaction with its audit
 * entry and, on activation, the completion step. Replay-safe: only a pending mandate moves, so the same
 * webhook again, or a late one, changes nothing. Returns unknown-mandate for an id we never registered.
 */
export async function refreshMandate(deps: { mandates: MandateStore; now: () => Date }, port: MandatePort, vendorMandateId: string): Promise<RefreshOutcome> {
  const known = await deps.mandates.byVendor(port.vendor, vendorMandateId);
  if (!known) return { kind: 'unknown-mandate' };
  if (known.status !== 'pending') return { kind: 'applied', status: known.status, changed: false };
  const current = await port.current({ vendorMandateId: known.vendorMandateId, vendorSetupId: known.vendorSetupId });
  return deps.mandates.transaction(async (tx) => {
    const locked = (await tx.lockMandate(known.id))!;
    const after = await applyVendorState(tx, locked, current, deps.now());
    return { kind: 'applied', status: after.status, changed: after.status !== locked.status };
  });
}
