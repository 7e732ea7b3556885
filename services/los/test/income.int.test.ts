/** The 'income' check: stated income against the net pay OCR reads from a generated payslip; the lower one is used. */
import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createFsBlobStore, createIncomeCheckRunner, createTesseractOcrEngine } from '../src/modules/documents/index.js';
import { checkContext, documentRef, makeSubject, payslipLines, renderDocument, renderImagePdf, renderTextPdf } from './support/vendor-checks.js';

const blobs = createFsBlobStore(mkdtempSync(join(tmpdir(), 'lendstack-income-blobs-')));
const ocr = createTesseractOcrEngine();
const runner = createIncomeCheckRunner({ blobs, ocr });
afterAll(() => ocr.close());

const inr = (rupees: number) => ({ amount: String(rupees * 100), currency: 'INR', scale: 2 });
async function payslip(netPay: string, as: 'png' | 'text-pdf' | 'scanned-pdf' = 'png') {
  const png = renderDocument(payslipLines({ netPay }));
  const bytes = as === 'png' ? png : as === 'text-pdf' ? await renderTextPdf(payslipLines({ netPay })) : await renderImagePdf(png);
  const key = `income-test/${createHash('sha256').update(bytes).digest('hex')}`;
  await blobs.put(key, bytes);
  return documentRef('payslip', key, bytes, as === 'png' ? 'image/png' : 'application/pdf');
}

describe('income check', () => {
  it('passes when the payslip bears out the stated income, and says which figure is used', async () => {
    const outcome = await runner.run(makeSubject({ statedMonthlyIncome: inr(85_000), documents: [await payslip('85,000.00')] }), checkContext());
    expect(outcome).toMatchObject({ kind: 'income', result: 'pass', reasons: [], evidence: { statedMonthlyIncome: inr(85_000), payslipNetPay: inr(85_000), used: 'stated', usedMonthlyIncome: inr(85_000) } });
  });

  it('uses the lower payslip figure, within tolerance a pass', async () => {
    const outcome = await runner.run(makeSubject({ statedMonthlyIncome: inr(90_000), documents: [await payslip('85,000.00')] }), checkContext());
    expect(outcome).toMatchObject({ result: 'pass', evidence: { used: 'payslip', usedMonthlyIncome: inr(85_000), shortfallBasisPoints: 555 } });
  });

  it('refers a payslip far below the stated income, using the payslip figure', async () => {
    const outcome = await runner.run(makeSubject({ statedMonthlyIncome: inr(85_000), documents: [await payslip('42,000.00')] }), checkContext());
    expect(outcome).toMatchObject({ result: 'refer', reasons: [{ code: 'net-pay-disagrees' }], evidence: { used: 'payslip', usedMonthlyIncome: inr(42_000), statedMonthlyIncome: inr(85_000) } });
  });

  it('reads net pay from a PDF payslip, by its text layer or by OCR of the rendered page', async () => {
    const text = await runner.run(makeSubject({ statedMonthlyIncome: inr(90_000), documents: [await payslip('85,000.00', 'text-pdf')] }), checkContext());
    expect(text).toMatchObject({ result: 'pass', evidence: { used: 'payslip', usedMonthlyIncome: inr(85_000), payslipRead: { via: 'pdf-text-layer', pagesRead: 1, pageCount: 1 } } });
    const scanned = await runner.run(makeSubject({ statedMonthlyIncome: inr(85_000), documents: [await payslip('42,000.00', 'scanned-pdf')] }), checkContext());
    expect(scanned).toMatchObject({ result: 'refer', reasons: [{ code: 'net-pay-disagrees' }], evidence: { usedMonthlyIncome: inr(42_000), payslipRead: { via: 'pdf-ocr', pagesRead: 1 } } });
  });

  it('refers unverified income when there is no payslip, and uses the stated figure', async () => {
    const outcome = await runner.run(makeSubject({ statedMonthlyIncome: inr(85_000) }), checkContext());
    expect(outcome).toMatchObject({ result: 'refer', reasons: [{ code: 'income-unverified' }], evidence: { used: 'stated', payslipNetPay: null } });
  });
});
