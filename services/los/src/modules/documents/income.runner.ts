/**
 * The 'income' check: the monthly income the application may be underwritten on is the LOWER of the stated
 * income and the net pay read from the latest payslip (OCR). Evidence shows both and which was used.
 */
import type { Money } from '@lendstack/contracts';
import type { CheckOutcome, CheckReason, CheckRunner } from '../checks/check-runner.js';
import { readDocument, type DocumentOcrRunnerDeps, type ReadVia } from './document-ocr.runner.js';
import { shortfallBasisPoints, toScale2 } from './domain/cross-check.js';

export interface IncomeRunnerDeps extends Pick<DocumentOcrRunnerDeps, 'blobs' | 'ocr' | 'pdf' | 'minConfidence'> {
  /** Net pay may be this much below stated income before it is a finding (basis points of stated). */
  readonly toleranceBasisPoints?: number;
}

export function createIncomeCheckRunner(deps: IncomeRunnerDeps): CheckRunner {
  const tolerance = deps.toleranceBasisPoints ?? 1_000;
  return {
    kind: 'income',
    async run(subject): Promise<CheckOutcome> {
      const stated = subject.statedMonthlyIncome;
      const reasons: CheckReason[] = [];
      // The newest payslip that can be read; documents are listed oldest first.
      let payslip: { id: string; netPay: Money; read: ReadVia } | undefined;
      for (const document of [...subject.documents].reverse().filter((d) => d.kind === 'payslip')) {
        const read = await readDocument(deps, document);
        if (!read.ok) {
          reasons.push(read.reason);
          continue;
        }
        if (!read.fields.netPay) {
          reasons.push({ code: 'field-unreadable', detail: `No net pay could be read from payslip ${document.id}` });
          continue;
        }
        const currency = read.fields.netPay.currency ?? stated?.currency;
        if (!currency) continue;
        payslip = { id: document.id, netPay: { amount: read.fields.netPay.amount, currency, scale: 2 }, read: read.read };
        break;
      }
      if (!stated && !payslip) {
        return { kind: 'income', result: 'refer', reasons: [{ code: 'income-unverified', detail: 'No stated income and no readable payslip' }, ...reasons], evidence: { statedMonthlyIncome: null, payslipNetPay: null, used: null, usedMonthlyIncome: null } };
      }
      if (!payslip) {
        return { kind: 'income', result: 'refer', reasons: [{ code: 'income-unverified', detail: 'No payslip net pay could be read; the stated income is unverified' }, ...reasons], evidence: { statedMonthlyIncome: stated, payslipNetPay: null, used: 'stated', usedMonthlyIncome: stated } };
      }
      if (!stated) {
        return { kind: 'income', result: 'refer', reasons: [{ code: 'income-not-stated', detail: 'No stated income; the payslip net pay is used' }], evidence: { statedMonthlyIncome: null, payslipNetPay: payslip.netPay, payslipDocumentId: payslip.id, payslipRead: payslip.read, used: 'payslip', usedMonthlyIncome: payslip.netPay } };
      }
      if (payslip.netPay.currency !== stated.currency) {
        return { kind: 'income', result: 'refer', reasons: [{ code: 'currency-mismatch', detail: `The payslip is in ${payslip.netPay.currency}, the stated income in ${stated.currency}` }], evidence: { statedMonthlyIncome: stated, payslipNetPay: payslip.netPay, payslipDocumentId: payslip.id, payslipRead: payslip.read, used: 'stated', usedMonthlyIncome: stated } };
      }
      const stated2 = toScale2(stated)!;
      const net = BigInt(payslip.netPay.amount);
      const used = net < stated2 ? 'payslip' : 'stated';
      const shortfall = shortfallBasisPoints(net, stated2);
      if (shortfall > tolerance) reasons.push({ code: 'net-pay-disagrees', detail: `Payslip net pay is ${(shortfall / 100).toFixed(2)}% below the stated monthly income; the payslip figure is used` });
      return {
        kind: 'income',
        result: shortfall > tolerance ? 'refer' : 'pass',
        reasons: shortfall > tolerance ? reasons : [],
        evidence: { statedMonthlyIncome: stated, payslipNetPay: payslip.netPay, payslipDocumentId: payslip.id, payslipRead: payslip.read, shortfallBasisPoints: shortfall, used, usedMonthlyIncome: used === 'payslip' ? payslip.netPay : stated },
      };
    },
  };
}
