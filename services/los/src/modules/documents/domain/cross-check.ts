/**
 * Documents checked against the application. Every disagreement is a finding with its reason, never an
 * exception: an operator decides. Evidence keeps the extracted values masked (id number last four only;
 * the date of birth only as "matches or not").
 */
import type { Money } from '@lendstack/contracts';
import type { CheckReason } from '../../checks/check-runner.js';
import type { ExtractedFields } from './extract-fields.js';
import { classifyNameMatch, DEFAULT_NAME_THRESHOLDS, nameMatchScore, type NameMatchThresholds } from './name-match.js';

export interface StatedFacts {
  readonly fullName: string;
  readonly nationalId: string | null;
  /** YYYY-MM-DD */
  readonly dateOfBirth: string | null;
  readonly employerName: string | null;
  readonly statedMonthlyIncome: Money | null;
}

export interface CrossCheckPolicy {
  readonly names: NameMatchThresholds;
  /** Net pay may be this much below stated income (basis points of it) before it is a finding. */
  readonly netPayToleranceBasisPoints: number;
  /** Employer names at least this alike (Jaro-Winkler) are the same employer. */
  readonly employerMatch: number;
}

export const DEFAULT_CROSS_CHECK_POLICY: CrossCheckPolicy = { names: DEFAULT_NAME_THRESHOLDS, netPayToleranceBasisPoints: 1_000, employerMatch: 0.85 };

export interface DocumentCheck {
  readonly findings: CheckReason[];
  readonly nameScore: number | null;
  readonly evidence: Record<string, unknown>;
}

const mask = (id: string) => (id.length <= 4 ? '****' : `${'X'.repeat(id.length - 4)}${id.slice(-4)}`);
const normaliseId = (id: string) => id.replace(/[\s-]/g, '').toUpperCase();

/** Net pay against stated income, both at scale 2 in the same currency: how far below, in basis points (0 when not below). */
export function shortfallBasisPoints(netPay: bigint, stated: bigint): number {
  if (stated <= 0n || netPay >= stated) return 0;
  return Number(((stated - netPay) * 10_000n) / stated);
}

export function toScale2(money: Money): bigint | null {
  const amount = BigInt(money.amount);
  if (money.scale === 2) return amount;
  if (money.scale < 2) return amount * 10n ** BigInt(2 - money.scale);
  const divisor = 10n ** BigInt(money.scale - 2);
  return amount / divisor;
}

export function crossCheckDocument(kind: 'identity' | 'payslip' | 'bank-statement' | 'other', fields: ExtractedFields, stated: StatedFacts, policy: CrossCheckPolicy = DEFAULT_CROSS_CHECK_POLICY): DocumentCheck {
  const findings: CheckReason[] = [];
  const label = kind === 'identity' ? 'identity document' : kind;
  let nameScore: number | null = null;
  if (fields.name) {
    nameScore = nameMatchScore(stated.fullName, fields.name);
    const match = classifyNameMatch(nameScore, policy.names);
    if (match !== 'match') findings.push({ code: 'name-mismatch', detail: `The name on the ${label} ("${fields.name}") matches the application's with score ${nameScore} (${match})` });
  } else if (kind === 'identity' || kind === 'payslip') {
    findings.push({ code: 'field-unreadable', detail: `No name could be read from the ${label}` });
  }
  let idMatches: boolean | null = null;
  let dobMatches: boolean | null = null;
  if (kind === 'identity') {
    if (!fields.idNumber) findings.push({ code: 'field-unreadable', detail: 'No id number could be read from the identity document' });
    else if (stated.nationalId) {
      idMatches = normaliseId(fields.idNumber) === normaliseId(stated.nationalId);
      if (!idMatches) findings.push({ code: 'id-number-mismatch', detail: `The id number on the identity document (${mask(normaliseId(fields.idNumber))}) is not the application's` });
    }
    if (!fields.dateOfBirth) findings.push({ code: 'field-unreadable', detail: 'No date of birth could be read from the identity document' });
    else if (stated.dateOfBirth) {
      dobMatches = fields.dateOfBirth === stated.dateOfBirth;
      if (!dobMatches) findings.push({ code: 'dob-mismatch', detail: 'The date of birth on the identity document is not the application\'s' });
    }
  }
  let netPayShortfall: number | null = null;
  if (kind === 'payslip') {
    if (fields.employer && stated.employerName) {
      const score = nameMatchScore(stated.employerName.replace(/\b(pvt|private|ltd|limited|inc|llc|corp)\b\.?/gi, ''), fields.employer.replace(/\b(pvt|private|ltd|limited|inc|llc|corp)\b\.?/gi, ''));
      if (score < policy.employerMatch) findings.push({ code: 'employer-mismatch', detail: `The employer on the payslip ("${fields.employer}") is not the application's ("${stated.employerName}"), score ${score}` });
    }
    if (!fields.netPay) findings.push({ code: 'field-unreadable', detail: 'No net pay could be read from the payslip' });
    else if (stated.statedMonthlyIncome) {
      const stated2 = toScale2(stated.statedMonthlyIncome);
      if (fields.netPay.currency && fields.netPay.currency !== stated.statedMonthlyIncome.currency) {
        findings.push({ code: 'currency-mismatch', detail: `The payslip is in ${fields.netPay.currency}, the stated income in ${stated.statedMonthlyIncome.currency}` });
      } else if (stated2 !== null) {
        netPayShortfall = shortfallBasisPoints(BigInt(fields.netPay.amount), stated2);
        if (netPayShortfall > policy.netPayToleranceBasisPoints) {
          findings.push({ code: 'net-pay-disagrees', detail: `Net pay on the payslip (${fields.netPay.amount} minor units) is ${(netPayShortfall / 100).toFixed(2)}% below the stated monthly income (${stated2} minor units)` });
        }
      }
    }
  }
  return {
    findings,
    nameScore,
    evidence: {
      name: fields.name,
      nameScore,
      idNumber: fields.idNumber ? mask(normaliseId(fields.idNumber)) : null,
      idMatches,
      dateOfBirthRead: fields.dateOfBirth !== null,
      dobMatches,
      employer: fields.employer,
      netPay: fields.netPay,
      netPayShortfallBasisPoints: netPayShortfall,
    },
  };
}
