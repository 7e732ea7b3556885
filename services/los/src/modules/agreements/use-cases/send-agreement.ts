import { createHash } from 'node:crypto';
import type { Principal } from '@lendstack/platform';
import type { ApplicationStatus } from '../../applications/domain/application.js';
import type { CreditorProfile } from '../../review/domain/adverse-action-notice.js';
import type { IdempotencyClaim } from '../../review/ports.js';
import type { AgreementRenderer } from '../adapters/pdfkit-agreement.renderer.js';
import { agreementContent, stampPlan, type AgreementError, type Stamp } from '../domain/agreement.js';
import type { AgreementSource, AgreementStore, ESignPort, EStampPort, StoredAgreement } from '../ports.js';

export interface AgreementDeps {
  readonly agreements: AgreementStore;
  readonly esign: ESignPort;
  readonly estamp: EStampPort;
  readonly render: AgreementRenderer;
  /** The template new agreements are drawn from (its version and text). */
  readonly template: { readonly version: string; readonly text: string };
  /** The lender party (the tenant's creditor profile); a tenant without one is named as such. */
  readonly creditor: (tenantId: string) => Promise<CreditorProfile | undefined>;
  /** Where the signer lands after the embedded signing ceremony. */
  readonly signingReturnUrl: string;
  readonly newId: () => string;
  readonly now: () => Date;
}

export type SendAgreementResult =
  | { ok: true; status: 201 | 200; body: AgreementSummary; replayed: boolean }
  | { ok: false; error: AgreementError | { kind: 'not-found' } | { kind: 'idempotency-key-reused' } | { kind: 'not-accepted'; status: ApplicationStatus } | { kind: 'closed'; status: StoredAgreement['status'] } | { kind: 'being-sent' } };

export interface AgreementSummary {
  readonly agreementId: string; readonly applicationId: string; readonly checksRun: number; readonly status: StoredAgreement['status']; readonly templateVersion: string;
  readonly documentSha256: string; readonly stamp: Stamp; readonly envelopeId: string | null; readonly signingUrl: string | null; readonly createdAt: string; readonly sentAt: string | null;
}

export const agreementSummary = (a: StoredAgreement): AgreementSummary => ({
  agreementId: a.id, applicationId: a.applicationId, checksRun: a.checksRun, status: a.status, templateVersion: a.templateVersion, documentSha256: a.documentSha256, stamp: a.stamp,
  envelopeId: a.envelopeId, signingUrl: a.signingUrl, createdAt: a.createdAt.toISOString(), sentAt: a.sentAt?.toISOString() ?? null,
});

const unconfigured = (tenantId: string): CreditorProfile => ({ legalName: `Lender of tenant ${tenantId} (creditor profile not configured)`, address: 'Address not configured', contact: 'Contact not configured', agencyName: '', agencyAddress: '', bureauName: '', bureauAddress: '', bureauPhone: '', scoreMin: 300, scoreMax: 900 });

/**
 * The agreement of an offer-accepted application's run, generated, stamped and sent for signature, once: asking
 * again returns it (200). Vendors are called OUTSIDE any transaction: the stamp is bought (idempotent on the
 * run), the PDF stored as `generated` with its audit entry, the envelope sent under the agreement's id as its
 * transaction id, then `sent` is recorded with the Idempotency-Key's answer. A failure in between leaves a row
 * a retry finishes (a `generated` agreement is sent again; the vendor finds the envelope it already created).
 * The send runs under a lock on the agreement: a concurrent request for it is refused (being-sent) rather than
 * creating a second envelope. Failures: not-found, idempotency-key-reused, not-accepted, closed (declined or voided), being-sent, stamp-state-unknown,
 * unpriceable, template-placeholder; vendor errors are thrown (VendorUnavailableError → 503).
 */
export async function sendAgreement(deps: AgreementDeps, input: { principal: Principal; applicationId: string; idempotency: IdempotencyClaim }): Promise<SendAgreementResult> {
  const tenantId = input.principal.tenantId;
  const answered = await deps.agreements.answered(tenantId, input.idempotency);
  if (answered.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
  if (answered.kind === 'replay') return { ok: true, status: answered.status as 201 | 200, body: answered.body as AgreementSummary, replayed: true };
  const source = await deps.agreements.source(tenantId, input.applicationId);
  if (!source) return { ok: false, error: { kind: 'not-found' } };
  let agreement = source.agreement;
  if (!agreement) {
    if (source.status !== 'offer-accepted' || !source.acceptance || !source.offer) return { ok: false, error: { kind: 'not-accepted', status: source.status } };
    const generated = await generate(deps, tenantId, input.applicationId, source as FullSource, input.principal.subject);
    if (!generated.ok) return generated;
    agreement = generated.agreement;
  }
  if (agreement.status === 'declined' || agreement.status === 'voided') return { ok: false, error: { kind: 'closed', status: agreement.status } };
  if (agreement.status !== 'generated') return remember(deps, tenantId, input.idempotency, agreement, 200);
  const applicant = source.applicant;
  const toSend = agreement;
  const sent = await deps.agreements.whileSending(toSend.id, () => deps.esign.send({
    transactionId: toSend.id, subject: `Loan agreement ${toSend.id} for your signature`, returnUrl: deps.signingReturnUrl,
    document: { name: `loan-agreement-${toSend.id}.pdf`, pdf: toSend.pdf },
    signer: { name: `${applicant.name.given} ${applicant.name.family}`, email: applicant.contact.email, clientUserId: applicant.id },
  }));
  if (!sent) return { ok: false, error: { kind: 'being-sent' } };
  const at = deps.now();
  return deps.agreements.transaction(async (tx): Promise<SendAgreementResult> => {
    const current = await tx.lock(agreement.id);
    if (current && current.status === 'generated') {
      await tx.update(agreement.id, { status: 'sent', envelopeId: sent.envelopeId, signingUrl: sent.signingUrl, sentAt: at }, at);
      await tx.audit({ tenantId, applicationId: agreement.applicationId, checksRun: agreement.checksRun, action: 'agreement-sent', actor: input.principal.subject, at, detail: { agreementId: agreement.id, vendor: deps.esign.vendor, envelopeId: sent.envelopeId, documentSha256: agreement.documentSha256 } });
    }
    const stored = (await tx.lock(agreement.id))!;
    const status = current?.status === 'generated' ? 201 : 200;
    const claimed = await tx.claim(tenantId, input.idempotency);
    if (claimed.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
    if (claimed.kind === 'replay') return { ok: true, status: claimed.status as 201 | 200, body: claimed.body as AgreementSummary, replayed: true };
    const body = agreementSummary(stored);
    await tx.remember(tenantId, input.idempotency.key, status, body);
    return { ok: true, status, body, replayed: false };
  });
}

async function remember(deps: AgreementDeps, tenantId: string, idem: IdempotencyClaim, agreement: StoredAgreement, status: 200): Promise<SendAgreementResult> {
  return deps.agreements.transaction(async (tx): Promise<SendAgreementResult> => {
    const claimed = await tx.claim(tenantId, idem);
    if (claimed.kind === 'reused') return { ok: false, error: { kind: 'idempotency-key-reused' } };
    if (claimed.kind === 'replay') return { ok: true, status: claimed.status as 201 | 200, body: claimed.body as AgreementSummary, replayed: true };
    const body = agreementSummary(agreement);
    await tx.remember(tenantId, idem.key, status, body);
    return { ok: true, status, body, replayed: false };
  });
}

type FullSource = AgreementSource & { readonly offer: NonNullable<AgreementSource['offer']>; readonly acceptance: NonNullable<AgreementSource['acceptance']> };

/** Stamps (INR), draws and stores the agreement as `generated`; a concurrent request's agreement wins if it was first. */
async function generate(deps: AgreementDeps, tenantId: string, applicationId: string, source: FullSource, actor: string): Promise<{ ok: true; agreement: StoredAgreement } | { ok: false; error: AgreementError }> {
  const { offer, acceptance, applicant } = source;
  const planned = stampPlan(offer.terms, applicant.address);
  if (!planned.ok) return planned;
  const creditor = (await deps.creditor(tenantId)) ?? unconfigured(tenantId);
  const borrower = `${applicant.name.given} ${applicant.name.family}`;
  let stamp: Stamp;
  if (planned.plan.required) {
    const p = planned.plan;
    const issued = await deps.estamp.stamp({
      reference: `agr-${applicationId}-${source.checksRun}`, state: p.state, article: p.article, description: `Loan agreement, application ${applicationId}`,
      firstParty: creditor.legalName, secondParty: borrower, considerationMinor: p.considerationMinor, dutyMinor: p.dutyMinor,
    });
    stamp = { required: true, certificateNumber: issued.certificateNumber, state: p.state, article: p.article, duty: { amount: p.dutyMinor.toString(), currency: 'INR', scale: 2 } as StampDuty, issuedAt: issued.issuedAt };
  } else {
    stamp = { required: false, reason: planned.plan.reason };
  }
  const id = deps.newId();
  const at = deps.now();
  const drawn = agreementContent({ reference: id, template: deps.template, at, creditor, applicant, offer, acceptance, stamp });
  if (!drawn.ok) return drawn;
  const pdf = await deps.render(drawn.content);
  const documentSha256 = createHash('sha256').update(pdf).digest('hex');
  const agreement: StoredAgreement = {
    id, tenantId, applicationId, checksRun: source.checksRun, offerId: offer.id, templateVersion: deps.template.version, documentSha256, pdf, stamp, status: 'generated', esignVendor: deps.esign.vendor,
    envelopeId: null, signingUrl: null, esignEvents: [], signedDocumentSha256: null, signedAt: null, declinedReason: null, createdAt: at, sentAt: null,
  };
  const stored = await deps.agreements.insertGenerated(agreement, {
    tenantId, applicationId, checksRun: source.checksRun, action: 'agreement-generated', actor, at,
    detail: { agreementId: id, templateVersion: deps.template.version, documentSha256, offerId: offer.id, kfsReference: acceptance.kfsReference, stamp },
  });
  return { ok: true, agreement: stored };
}

type StampDuty = Extract<Stamp, { required: true }>['duty'];
