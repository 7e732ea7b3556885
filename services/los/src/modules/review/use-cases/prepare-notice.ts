import { createHash } from 'node:crypto';
import type { Application } from '../../applications/domain/application.js';
import type { CheckRecord } from '../../checks/ports.js';
import type { FeatureSet } from '../../underwriting/domain/features.js';
import type { ScoreResult } from '../../underwriting/domain/scorecard.js';
import { adverseActionNotice, type AdverseActionNoticeContent, type CreditorProfile } from '../domain/adverse-action-notice.js';
import type { NoticeRenderer } from '../adapters/pdfkit-notice.renderer.js';
import type { NoticeDraft } from '../ports.js';

export interface NoticeDeps {
  readonly creditor: (tenantId: string) => Promise<CreditorProfile | undefined>;
  readonly render: NoticeRenderer;
}

/** A tenant without a creditor profile still gets its notice; the missing parts say so (set creditor_profiles). */
const unconfigured = (tenantId: string): CreditorProfile => ({
  legalName: `Creditor of tenant ${tenantId} (creditor profile not configured)`, address: 'Address not configured', contact: 'Contact not configured',
  agencyName: 'Agency not configured', agencyAddress: 'Address not configured', bureauName: 'Consumer reporting agency not configured', bureauAddress: 'Address not configured', bureauPhone: 'not configured', scoreMin: 300, scoreMax: 900,
});

/** The adverse-action notice of a declined application: its content, the PDF and the PDF's SHA-256. */
export async function prepareNotice(
  deps: NoticeDeps,
  input: { app: Application; reasons: readonly string[]; decidedBy: AdverseActionNoticeContent['decidedBy']; features?: FeatureSet; scorecard?: ScoreResult; checks: readonly CheckRecord[]; now: Date },
): Promise<NoticeDraft> {
  const bureau = input.checks.find((c) => c.kind === 'bureau');
  const reportDate = typeof bureau?.evidence.reportDate === 'string' ? bureau.evidence.reportDate : null;
  const applicant = input.app.applicant as Application['applicant'] & { address: Parameters<typeof adverseActionNotice>[0]['applicant']['address'] };
  const content = adverseActionNotice({
    noticeDate: input.now.toISOString().slice(0, 10), applicationId: input.app.id, applicant: { name: applicant.name, address: applicant.address }, loan: input.app.loanRequest,
    reasons: input.reasons, decidedBy: input.decidedBy, creditor: (await deps.creditor(input.app.tenantId)) ?? unconfigured(input.app.tenantId),
    ...(input.features && input.scorecard ? { features: input.features, scorecard: input.scorecard } : {}), bureauReportDate: reportDate,
  });
  const pdf = await deps.render(content);
  return { pdf, sha256: createHash('sha256').update(pdf).digest('hex'), content };
}
