import { createHash } from 'node:crypto';
import type { Principal } from '@lendstack/platform';
import type { ApplicationStatus } from '../../applications/domain/application.js';
import type { IdempotencyClaim } from '../../review/ports.js';
import { mandateTerms, transitionOf, type MandateRail, type MandateRequest } from '../domain/mandate.js';
import type { AccountNumberOf, MandatePort, MandateStore, MandateTransaction, StoredMandate, VendorMandate } from '../ports.js';
import { mandateView } from './mandate-view.js';

export interface MandateDeps {
  readonly mandates: MandateStore;
  /** The processors by rail; a rail without one is not offered. */
  readonly ports: Readonly<Partial<Record<MandateRail, MandatePort>>>;
  readonly accountNumberOf: AccountNumberOf;
  readonly now: () => Date;
}

export type MandateFailure =
  | { kind: 'not-found' } | { kind: 'idempotency-key-reused' } | { kind: 'not-offer-accepted'; status: ApplicationStatus } | { kind: 'no-accepted-offer' }
  | { kind: 'mandate-exists'; mandate: StoredMandate } | { kind: 'rail-not-offered'; rail: MandateRail } | { kind: 'invalid'; pointer: string; detail: string };

export type RegisterMandateResult = { ok: true; status: 201; body: unknown; replayed: boolean } | { ok: false; error: MandateFailure };

/**
 * Registers the repayment mandate of an offer-accepted application's checks run with the rail's processor:
 * pending until the borrower authenticates it (the processor's webhook moves it, refresh-mandate.ts). The
 * processor is called inside the transaction that holds the application's row lock, so two requests never
 * register two mandates; our mandate id and the processor's Idempotency-Key both derive from the tenant and
 * the request's Idempotency-Key, so a retry after a rollback (or a lost answer) is the same mandate at the
 * processor. Failures: not-found, idempotency-key-reused, not-offer-accepted, no-accepted-offer,
 * mandate-exists (a pending or active one; a rejected one may be followed by a new registration),
 * rail-not-offered, invalid (the terms, or the processor refusing a field). MandateProcessorUnavailableError
 * is thrown (nothing stored).
 */
export async function registerMandate(deps: MandateDeps, input: { principal: Principal; applicationId: string; request: MandateRequest & { authentication?: 'net_banking' | 'debit_card' | undefined }; idempotency: IdempotencyClaim }): Promise<RegisterMandateResult> {
  const tenantId = input.principal.tenantId;
  const derived = createHash('sha256').update(`${tenantId}:${input.idempotency.key}`).digest('hex');
  const mandateId = uuidOf(derived);
  return deps.mandates.transaction(async (tx): Promise<RegisterMandateResult> => {
    const claimed = await tx.claim(tenantId, input.idempotency);
    if (claimed.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
    if (claimed.kind === 'replay') return { ok: true, status: 201, body: claimed.body, replayed: true };
    const app = await tx.lockApplication(tenantId, input.applicationId);
    if (!app) throw new Refused({ kind: 'not-found' });
    if (app.status !== 'offer-accepted') throw new Refused({ kind: 'not-offer-accepted', status: app.status });
    const offer = await tx.acceptedOffer(input.applicationId, app.checksRun);
    if (!offer) throw new Refused({ kind: 'no-accepted-offer' });
    const live = await tx.liveMandate(input.applicationId, app.checksRun);
    if (live) throw new Refused({ kind: 'mandate-exists', mandate: live });
    const now = deps.now();
    const terms = mandateTerms(input.request, offer, now.toISOString().slice(0, 10));
    if (!terms.ok) throw new Refused({ kind: 'invalid', ...terms.refusal });
    const port = deps.ports[input.request.rail];
    if (!port) throw new Refused({ kind: 'rail-not-offered', rail: input.request.rail });
    const t = terms.terms;
    const consent = { ip: offer.ip, userAgent: offer.userAgent, acceptedAt: offer.acceptedAt };
    const registered = await port.register({
      mandateId, applicationId: input.applicationId, debtor: { holderName: app.holderName, bankCode: app.bankCode, accountNumber: await deps.accountNumberOf(tenantId, input.applicationId) },
      maxAmount: t.maxAmount, frequency: t.frequency, validFrom: t.validFrom, validUntil: t.validUntil, authentication: input.request.authentication ?? 'net_banking', consent,
    }, `ls-${derived.slice(0, 40)}`);
    if (!registered.ok) throw new Refused({ kind: 'invalid', pointer: registered.pointer, detail: registered.detail });
    const v = registered.mandate;
    const stored: StoredMandate = {
      id: mandateId, tenantId, applicationId: input.applicationId, checksRun: app.checksRun, rail: input.request.rail, status: 'pending', mandateReference: null, maxAmount: t.maxAmount,
      frequency: t.frequency, validFrom: t.validFrom, validUntil: t.validUntil, vendor: port.vendor, vendorMandateId: v.vendorMandateId, vendorSetupId: v.vendorSetupId,
      authenticationUrl: v.authenticationUrl, reasonCode: null, reason: null, requestedBy: input.principal.subject, createdAt: now, updatedAt: now, activatedAt: null,
    };
    await tx.insert(stored, { ...consent, acceptedAt: consent.acceptedAt.toISOString(), offerId: offer.offerId, kfsReference: offer.kfsReference });
    await tx.audit({ tenantId, applicationId: input.applicationId, checksRun: app.checksRun, action: 'mandate-requested', actor: input.principal.subject, at: now, detail: { mandateId, rail: stored.rail, vendor: port.vendor, vendorMandateId: v.vendorMandateId, maxAmount: t.maxAmount, frequency: t.frequency, validFrom: t.validFrom, validUntil: t.validUntil } });
    // A processor that answers at once (no authentication step) is applied in the same transaction.
    const final = await applyVendorState(tx, stored, v, now);
    const body = mandateView(final);
    await tx.remember(tenantId, input.idempotency.key, 201, body);
    return { ok: true, status: 201, body, replayed: false };
  }).catch((error: unknown) => {
    if (error instanceof Refused) return { ok: false, error: error.error };
    throw error;
  });
}

/**
 * Applies the processor's answer to a locked mandate: active → status, audit `mandate-registered` and the
 * completion step, in the caller's transaction; rejected → status with the reason and audit `mandate-rejected`.
 * A mandate that is no longer pending does not move (a replayed webhook changes nothing).
 */
export async function applyVendorState(tx: MandateTransaction, m: StoredMandate, v: VendorMandate, now: Date): Promise<StoredMandate> {
  const move = transitionOf(m.status, v);
  const entry = { tenantId: m.tenantId, applicationId: m.applicationId, checksRun: m.checksRun, actor: `mandate:${m.rail}`, at: now };
  if (move.kind === 'activate') {
    await tx.activate(m.id, move.reference, now);
    await tx.audit({ ...entry, action: 'mandate-registered', detail: { mandateId: m.id, rail: m.rail, vendor: m.vendor, mandateReference: move.reference, maxAmount: m.maxAmount, frequency: m.frequency, validFrom: m.validFrom, validUntil: m.validUntil } });
    await tx.stepDone({ tenantId: m.tenantId, applicationId: m.applicationId, checksRun: m.checksRun, actor: `mandate:${m.rail}`, at: now });
    return { ...m, status: 'active', mandateReference: move.reference, authenticationUrl: null, activatedAt: now, updatedAt: now };
  }
  if (move.kind === 'reject') {
    await tx.reject(m.id, move.code, move.reason, now);
    await tx.audit({ ...entry, action: 'mandate-rejected', detail: { mandateId: m.id, rail: m.rail, vendor: m.vendor, reasonCode: move.code, reason: move.reason } });
    return { ...m, status: 'rejected', reasonCode: move.code, reason: move.reason, authenticationUrl: null, updatedAt: now };
  }
  return m;
}

class Refused extends Error {
  constructor(readonly error: MandateFailure) {
    super(error.kind);
  }
}

/** A UUID (version 8, RFC 9562's custom layout) from 128 bits of a hash, so the same request names the same mandate. */
function uuidOf(hex: string): string {
  const h = [...hex.slice(0, 32)];
  h[12] = '8';
  h[16] = ((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  const s = h.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20, 32)}`;
}
