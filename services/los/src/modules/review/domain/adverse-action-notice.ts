/**
 * The content of an adverse-action notice (Reg B, 12 CFR 1002.9(a)(2) and (b); FCRA 615(a) with the credit
 * score disclosure of 15 U.S.C. 1681g(f)): the creditor's name and address, the action taken, the
 * principal reasons (at most four, plain words), the ECOA notice with the federal agency that administers
 * the creditor's compliance, and, where a bureau score was used, the score, its range, up to four key factors
 * that adversely affected it (plus the number of enquiries when that is a factor, §1681g(f)(9)), its date and
 * the bureau that furnished it, with the applicant's right to a free copy and to dispute.
 * Pure: the date and the inputs come in as arguments; the PDF is drawn from this by an adapter.
 */
import type { FeatureSet } from '../../underwriting/domain/features.js';
import type { ScoreResult } from '../../underwriting/domain/scorecard.js';
import { MAX_ADVERSE_ACTION_REASONS } from '../../underwriting/domain/decision.js';

export interface CreditorProfile {
  readonly legalName: string;
  readonly address: string;
  readonly contact: string;
  readonly agencyName: string;
  readonly agencyAddress: string;
  readonly bureauName: string;
  readonly bureauAddress: string;
  readonly bureauPhone: string;
  readonly scoreMin: number;
  readonly scoreMax: number;
}

/** 12 CFR 1002.9(b)(1), the ECOA notice, followed by the agency's name and address. */
export const ECOA_NOTICE = 'The Federal Equal Credit Opportunity Act prohibits creditors from discriminating against credit applicants on the basis of race, color, religion, national origin, sex, marital status, age (provided the applicant has the capacity to enter into a binding contract); because all or part of the applicant’s income derives from any public assistance program; or because the applicant has in good faith exercised any right under the Consumer Credit Protection Act. The Federal agency that administers compliance with this law concerning this creditor is:';

export const FCRA_RIGHTS = 'Our credit decision was based in whole or in part on information obtained in a report from the consumer reporting agency listed below. You have a right under the Fair Credit Reporting Act to know the information contained in your credit file at the consumer reporting agency. The reporting agency played no part in our decision and is unable to supply specific reasons why we have denied credit to you. You also have a right to a free copy of your report from the reporting agency, if you request it no later than 60 days after you receive this notice. In addition, if you find that any information contained in the report you receive is inaccurate or incomplete, you have the right to dispute the matter with the reporting agency.';

export interface AdverseActionNoticeContent {
  readonly noticeDate: string;
  readonly applicationId: string;
  readonly creditor: { readonly name: string; readonly address: string; readonly contact: string };
  readonly applicant: { readonly name: string; readonly address: string };
  readonly actionTaken: string;
  readonly reasons: readonly string[];
  readonly decidedBy: 'automated underwriting' | 'credit review';
  readonly ecoaNotice: string;
  readonly agency: { readonly name: string; readonly address: string };
  /** Null when no bureau score was used (no report, or no score on it). */
  readonly creditScore: {
    readonly score: number;
    readonly range: { readonly min: number; readonly max: number };
    readonly keyFactors: readonly string[];
    readonly date: string | null;
    readonly bureau: { readonly name: string; readonly address: string; readonly phone: string };
    readonly rights: string;
  } | null;
}

export interface NoticeInput {
  readonly noticeDate: string;
  readonly applicationId: string;
  readonly applicant: { readonly name: { readonly given: string; readonly family: string }; readonly address: { readonly line1: string; readonly line2?: string; readonly city: string; readonly region?: string; readonly postalCode: string; readonly country: string } };
  readonly loan: { readonly productCode: string; readonly principal: { readonly amount: string; readonly currency: string; readonly scale: number } };
  readonly reasons: readonly string[];
  readonly decidedBy: AdverseActionNoticeContent['decidedBy'];
  readonly creditor: CreditorProfile;
  /** Absent when no automated decision scored the application (an operator declined it before): no score disclosure then. */
  readonly features?: FeatureSet;
  readonly scorecard?: ScoreResult;
  readonly bureauReportDate: string | null;
}

/** A minor-unit amount in major units with its currency: 50000000 INR scale 2 → "INR 500,000.00". */
export function formatMoney(m: { amount: string; currency: string; scale: number }): string {
  const digits = m.amount.replace('-', '').padStart(m.scale + 1, '0');
  const whole = digits.slice(0, digits.length - m.scale).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${m.currency} ${m.amount.startsWith('-') ? '-' : ''}${whole}${m.scale > 0 ? `.${digits.slice(-m.scale)}` : ''}`;
}

const ENQUIRIES = 'enquiries6m';

/** The notice's content; at most four reasons, and the score disclosure only where a bureau score was used. */
export function adverseActionNotice(input: NoticeInput): AdverseActionNoticeContent {
  const a = input.applicant.address;
  const { features, scorecard } = input;
  const score = features?.bureauScore.value;
  // Key factors: the scorecard's reasons about what the bureau reported, worst first.
  const fromBureau = features && scorecard ? scorecard.reasons.filter((r) => features[r.feature].source.startsWith('check:bureau')) : [];
  const keyFactors = fromBureau.slice(0, 4).map((r) => r.reason);
  const enquiries = fromBureau.find((r) => r.feature === ENQUIRIES);
  if (enquiries && !keyFactors.includes(enquiries.reason)) keyFactors.push(enquiries.reason);
  const c = input.creditor;
  return {
    noticeDate: input.noticeDate,
    applicationId: input.applicationId,
    creditor: { name: c.legalName, address: c.address, contact: c.contact },
    applicant: { name: `${input.applicant.name.given} ${input.applicant.name.family}`, address: [a.line1, a.line2, [a.city, a.region, a.postalCode].filter(Boolean).join(' '), a.country].filter(Boolean).join(', ') },
    actionTaken: `We have declined your application for credit: ${input.loan.productCode}, ${formatMoney(input.loan.principal)}.`,
    reasons: input.reasons.slice(0, MAX_ADVERSE_ACTION_REASONS),
    decidedBy: input.decidedBy,
    ecoaNotice: ECOA_NOTICE,
    agency: { name: c.agencyName, address: c.agencyAddress },
    creditScore: typeof score === 'number'
      ? { score, range: { min: c.scoreMin, max: c.scoreMax }, keyFactors, date: input.bureauReportDate, bureau: { name: c.bureauName, address: c.bureauAddress, phone: c.bureauPhone }, rights: FCRA_RIGHTS }
      : null,
  };
}
