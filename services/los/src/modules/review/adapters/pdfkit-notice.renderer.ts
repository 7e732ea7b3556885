/**
 * Draws an adverse-action notice as a PDF with pdfkit (MIT), in the standard Helvetica font (no font file
 * needed; WinAnsi covers the notice's text). The document's dates are the notice date, so the same content
 * gives the same layout; the bytes are hashed and stored as generated.
 */
import PDFDocument from 'pdfkit';
import type { AdverseActionNoticeContent } from '../domain/adverse-action-notice.js';

export type NoticeRenderer = (content: AdverseActionNoticeContent) => Promise<Buffer>;

export const renderAdverseActionNotice: NoticeRenderer = (n) => new Promise<Buffer>((resolve, reject) => {
  const at = new Date(`${n.noticeDate}T00:00:00Z`);
  const doc = new PDFDocument({ size: 'A4', margin: 56, info: { Title: 'Notice of action taken', Author: n.creditor.name, Subject: `Application ${n.applicationId}`, CreationDate: at, ModDate: at } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.on('end', () => resolve(Buffer.concat(chunks)));
  doc.on('error', reject);

  const heading = (text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(text).font('Helvetica').fontSize(10).moveDown(0.2);
  doc.font('Helvetica-Bold').fontSize(16).text('Notice of Action Taken');
  doc.font('Helvetica').fontSize(10).text(`Date: ${n.noticeDate}`).text(`Application: ${n.applicationId}`);
  heading('Creditor');
  doc.text(n.creditor.name).text(n.creditor.address).text(n.creditor.contact);
  heading('Applicant');
  doc.text(n.applicant.name).text(n.applicant.address);
  heading('Action taken');
  doc.text(n.actionTaken).text(`Decided by ${n.decidedBy}.`);
  heading('Principal reasons for our decision');
  n.reasons.forEach((r, i) => doc.text(`${i + 1}. ${r}`));
  if (n.creditScore) {
    const s = n.creditScore;
    heading('Your credit score');
    doc.text(s.rights).moveDown(0.4);
    doc.text(`Your credit score: ${s.score}`).text(`Scores range from a low of ${s.range.min} to a high of ${s.range.max}.`).text(`Date: ${s.date ?? 'not stated by the bureau'}`);
    doc.text('Key factors that adversely affected your credit score:');
    s.keyFactors.forEach((f) => doc.text(`- ${f}`));
    if (s.keyFactors.length === 0) doc.text('- None reported');
    doc.text(`Consumer reporting agency: ${s.bureau.name}, ${s.bureau.address}, telephone ${s.bureau.phone}`);
  }
  heading('Notice');
  doc.text(n.ecoaNotice).moveDown(0.2).text(n.agency.name).text(n.agency.address);
  doc.end();
});
