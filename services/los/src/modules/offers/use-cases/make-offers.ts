import type { Principal } from '@lendstack/platform';
import type { ApplicationStatus } from '../../applications/domain/application.js';
import type { IdempotencyClaim } from '../../review/ports.js';
import { makeOffers, type Offer, type OfferError } from '../domain/offers.js';
import type { OfferStore } from '../ports.js';

export interface OfferDeps {
  readonly offers: OfferStore;
  readonly newId: () => string;
  readonly now: () => Date;
}

export type MakeOffersResult =
  | { ok: true; status: number; body: unknown; replayed: boolean }
  | { ok: false; error: OfferError | { kind: 'not-found' } | { kind: 'idempotency-key-reused' } | { kind: 'not-approved'; status: ApplicationStatus } | { kind: 'no-pricing-band' } };

/**
 * The offers of a policy-approved application's checks run, made once: asking again returns them (200).
 * One transaction with their audit entry and the Idempotency-Key's answer. Failures: not-found,
 * idempotency-key-reused, not-approved (not policy-approved), no-pricing-band (its decision set none, as
 * for an overridden decline), unpriceable (the engine cannot schedule the terms).
 */
export async function makeApplicationOffers(deps: OfferDeps, input: { principal: Principal; applicationId: string; idempotency: IdempotencyClaim }): Promise<MakeOffersResult> {
  const tenantId = input.principal.tenantId;
  return deps.offers.transaction(async (tx): Promise<MakeOffersResult> => {
    const claimed = await tx.claim(tenantId, input.idempotency);
    if (claimed.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
    if (claimed.kind === 'replay') return { ok: true, status: claimed.status, body: claimed.body, replayed: true };
    const app = await tx.lockApplication(tenantId, input.applicationId);
    if (!app) throw new Refused({ kind: 'not-found' });
    if (app.status !== 'policy-approved') throw new Refused({ kind: 'not-approved', status: app.status });
    const existing = await tx.offers(input.applicationId, app.checksRun);
    if (existing.length > 0) {
      const body = { items: existing.map(offerView) };
      await tx.remember(tenantId, input.idempotency.key, 200, body);
      return { ok: true, status: 200, body, replayed: false };
    }
    const band = await tx.pricingBand(input.applicationId, app.checksRun);
    if (!band) throw new Refused({ kind: 'no-pricing-band' });
    const now = deps.now();
    const made = makeOffers(app.loanRequest, band, deps.newId, now);
    if (!made.ok) throw new Refused(made.error);
    await tx.insert(tenantId, input.applicationId, app.checksRun, made.offers);
    await tx.audit({ tenantId, applicationId: input.applicationId, checksRun: app.checksRun, action: 'offers-made', actor: input.principal.subject, at: now, detail: { band: band.band, offers: made.offers.map((o) => ({ id: o.id, label: o.label, apr: o.pricing.apr })) } });
    const body = { items: made.offers.map(offerView) };
    await tx.remember(tenantId, input.idempotency.key, 201, body);
    return { ok: true, status: 201, body, replayed: false };
  }).catch((error: unknown) => {
    if (error instanceof Refused) return { ok: false, error: error.error };
    throw error;
  });
}

class Refused extends Error {
  constructor(readonly error: Extract<MakeOffersResult, { ok: false }>['error']) {
    super(error.kind);
  }
}

export function offerView(o: Offer) {
  const t = o.terms;
  return {
    id: o.id, label: o.label, band: o.band, principal: t.principal, termPeriods: t.termPeriods, frequency: t.frequency, annualRatePercent: t.annualRatePercent,
    fees: t.fees, expectedDisbursementDate: t.expectedDisbursementDate, ...o.pricing, expiresAt: o.expiresAt.toISOString(), createdAt: o.createdAt.toISOString(),
  };
}
