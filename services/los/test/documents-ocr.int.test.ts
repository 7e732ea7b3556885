/**
 * The 'document-ocr' check with the real OCR engine (tesseract.js and the eng model shipped in
 * node_modules) on document images generated here: a payslip and a PAN card rendered as text into PNG,
 * read back and cross-checked against the application; and PDFs generated here with pdfkit (a text layer, a
 * scanned page, a corrupt file, an encrypted file, a page too large).
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCanvas } from '@napi-rs/canvas';
import { afterAll, describe, expect, it } from 'vitest';
import { createDocumentOcrCheckRunner, createFsBlobStore, createTesseractOcrEngine, ENG_LANG_PATH } from '../src/modules/documents/index.js';
import type { ApplicationDocumentRef } from '../src/modules/checks/check-runner.js';
import { checkContext, documentRef, identityLines, makeSubject, payslipLines, renderDocument, renderImagePdf, renderTextPdf } from './support/vendor-checks.js';

const blobs = createFsBlobStore(mkdtempSync(join(tmpdir(), 'lendstack-ocr-blobs-')));
const ocr = createTesseractOcrEngine();
const runner = createDocumentOcrCheckRunner({ blobs, ocr });
afterAll(() => ocr.close());

async function stored(kind: ApplicationDocumentRef['kind'], bytes: Buffer, contentType: ApplicationDocumentRef['contentType'] = 'image/png') {
  const sha = createHash('sha256').update(bytes).digest('hex');
  await blobs.put(`ocr-test/${sha}`, bytes);
  return documentRef(kind, `ocr-test/${sha}`, bytes, contentType);
}
const codes = (outcome: { reasons: readonly { code: string }[] }) => outcome.reasons.map((r) => r.code);

describe('document OCR check', () => {
  it('uses the model shipped in node_modules (no download)', () => {
    expect(existsSync(join(ENG_LANG_PATH, 'eng.traineddata.gz'))).toBe(true);
    expect(ENG_LANG_PATH).toContain('node_modules');
  });

  it('reads a generated payslip and PAN card and finds them consistent with the application', async () => {
    const documents = [await stored('identity', renderDocument(identityLines())), await stored('payslip', renderDocument(payslipLines()))];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    expect(outcome.reasons).toEqual([]);
    expect(outcome).toMatchObject({ kind: 'document-ocr', result: 'pass', score: 1 });
    const [identity, payslip] = (outcome.evidence.documents as any[]).map((d) => d.extracted);
    expect(identity).toMatchObject({ name: 'PRIYA SHARMA', idNumber: 'XXXXXX234K', idMatches: true, dateOfBirthRead: true, dobMatches: true });
    expect(payslip).toMatchObject({ name: 'Priya Sharma', employer: 'Acme Technologies Pvt Ltd', netPay: { amount: '8500000', currency: 'INR', scale: 2 } });
    expect(JSON.stringify(outcome)).not.toMatch(/ABCPS1234K|1990-03-14/);
  });

  it('refers a forged payslip whose net pay disagrees with the stated income', async () => {
    const documents = [await stored('payslip', renderDocument(payslipLines({ netPay: '42,000.00' })))];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    expect(outcome.result).toBe('refer');
    expect(codes(outcome)).toEqual(['identity-document-missing', 'net-pay-disagrees']);
    expect(outcome.reasons[1]!.detail).toContain('50.58% below');
  });

  it("refers another person's identity document with the name score and the id mismatch", async () => {
    const documents = [await stored('identity', renderDocument(identityLines({ name: 'RAHUL VERMA', pan: 'ZZCPV9876Q', dob: '01/01/1985' }))), await stored('payslip', renderDocument(payslipLines()))];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    expect(codes(outcome)).toEqual(['name-mismatch', 'id-number-mismatch', 'dob-mismatch']);
    expect(outcome.score).toBeLessThan(0.8);
  });

  it('takes a generated PDF payslip from its text layer, without OCR', async () => {
    const documents = [await stored('identity', renderDocument(identityLines())), await stored('payslip', await renderTextPdf(payslipLines()), 'application/pdf')];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    expect(outcome.reasons).toEqual([]);
    expect(outcome).toMatchObject({ result: 'pass', score: 1 });
    const payslip = (outcome.evidence.documents as any[])[1];
    expect(payslip).toMatchObject({ read: true, via: 'pdf-text-layer', pagesRead: 1, pageCount: 1, confidence: 100 });
    expect(payslip.extracted).toMatchObject({ name: 'Priya Sharma', employer: 'Acme Technologies Pvt Ltd', netPay: { amount: '8500000', currency: 'INR', scale: 2 } });
  });

  it('renders and OCRs a scanned PDF (a PNG as the page, no text layer)', async () => {
    const pdf = await renderImagePdf(renderDocument(payslipLines({ name: 'Rahul Verma', employer: 'Globex Retail Ltd', netPay: '61,250.00' })));
    const documents = [await stored('payslip', pdf, 'application/pdf')];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    const payslip = (outcome.evidence.documents as any[])[0];
    expect(payslip).toMatchObject({ read: true, via: 'pdf-ocr', pagesRead: 1, pageCount: 1 });
    expect(payslip.extracted).toMatchObject({ name: 'Rahul Verma', employer: 'Globex Retail Ltd', netPay: { amount: '6125000', currency: 'INR', scale: 2 } });
    expect(codes(outcome)).toContain('name-mismatch');
  });

  it('records corrupt, encrypted and oversized PDFs as pdf-unreadable with the reason', async () => {
    const good = await renderTextPdf(payslipLines());
    const corrupt = Buffer.concat([good.subarray(0, 400), Buffer.from('garbage'.repeat(50))]);
    const documents = [
      await stored('payslip', Buffer.from('%PDF-1.4\n%%EOF\n'), 'application/pdf'),
      await stored('payslip', corrupt, 'application/pdf'),
      await stored('payslip', await renderTextPdf(payslipLines(), { userPassword: 'secret' }), 'application/pdf'),
      await stored('payslip', await renderTextPdf(payslipLines(), { size: [20_000, 20_000] }), 'application/pdf'),
    ];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    expect(codes(outcome)).toEqual(['identity-document-missing', 'pdf-unreadable', 'pdf-unreadable', 'pdf-unreadable', 'pdf-unreadable']);
    const details = outcome.reasons.slice(1).map((r) => r.detail);
    expect(details[0]).toMatch(/corrupt/);
    expect(details[1]).toMatch(/corrupt: Invalid PDF structure/);
    expect(details[2]).toMatch(/encrypted/);
    expect(details[3]).toMatch(/page 1 is 20000×20000 pt/);
  });

  it('records unreadable images and PDFs as findings, never failing the check', async () => {
    const canvas = createCanvas(400, 300);
    const g = canvas.getContext('2d');
    for (let i = 0; i < 400; i += 1) {
      g.fillStyle = `rgb(${(i * 37) % 255},${(i * 91) % 255},${(i * 53) % 255})`;
      g.fillRect((i * 29) % 400, (i * 17) % 300, 23, 19);
    }
    const pdf = Buffer.from('%PDF-1.4\n%%EOF\n');
    const documents = [await stored('identity', canvas.toBuffer('image/png')), await stored('payslip', pdf, 'application/pdf'), { ...documentRef('payslip', `ocr-test/${randomUUID()}`, pdf), contentType: 'image/png' as const }];
    const outcome = await runner.run(makeSubject({ documents }), checkContext());
    expect(outcome.result).toBe('refer');
    expect(codes(outcome)).toEqual(['document-unreadable', 'pdf-unreadable', 'document-missing']);
  });
});
