/**
 * Draws a loan agreement as a PDF with pdfkit, in the standard Helvetica fonts as the adverse-action notice does
 * (review/adapters/pdfkit-notice.renderer.ts: no font file, WinAnsi covers the text). The document's dates are
 * the agreement date, so the same content gives the same bytes; they are hashed and stored as generated.
 */
import PDFDocument from 'pdfkit';
import type { AgreementContent } from '../domain/agreement.js';

export type AgreementRenderer = (content: AgreementContent) => Promise<Buffer>;

const COLUMNS: { title: string; width: number; pick: (r: AgreementContent['schedule'][number]) => string }[] = [
  { title: 'No.', width: 30, pick: (r) => String(r.number) }, { title: 'Due date', width: 64, pick: (r) => r.dueDate },
  { title: 'Principal', width: 80, pick: (r) => r.principal }, { title: 'Interest', width: 76, pick: (r) => r.interest },
  { title: 'Fees', width: 60, pick: (r) => r.fees }, { title: 'Instalment', width: 80, pick: (r) => r.total }, { title: 'Balance after', width: 92, pick: (r) => r.balanceAfter },
];

export const renderAgreement: AgreementRenderer = (a) => new Promise<Buffer>((resolve, reject) => {
  const at = new Date(`${a.agreementDate}T00:00:00Z`);
  const doc = new PDFDocument({ size: 'A4', margin: 50, info: { Title: a.title, Author: a.lender, Subject: `Agreement ${a.reference}`, Keywords: a.templateVersion, CreationDate: at, ModDate: at } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.on('end', () => resolve(Buffer.concat(chunks)));
  doc.on('error', reject);

  const table = () => {
    const left = doc.page.margins.left;
    const row = (cells: string[], bold: boolean) => {
      if (doc.y > doc.page.height - doc.page.margins.bottom - 20) doc.addPage();
      const y = doc.y;
      let x = left;
      doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
      cells.forEach((cell, i) => { doc.text(cell, x, y, { width: COLUMNS[i]!.width - 4, lineBreak: false }); x += COLUMNS[i]!.width; });
      doc.x = left;
      doc.y = y + 12;
    };
    row(COLUMNS.map((c) => c.title), true);
    for (const r of a.schedule) row(COLUMNS.map((c) => c.pick(r)), false);
    doc.font('Helvetica').fontSize(10).moveDown(0.4);
  };
  for (const line of a.lines) {
    if (line.startsWith('# ')) doc.font('Helvetica-Bold').fontSize(16).text(line.slice(2)).font('Helvetica').fontSize(10).moveDown(0.3);
    else if (line.startsWith('## ')) doc.moveDown(0.6).font('Helvetica-Bold').fontSize(11).text(line.slice(3)).font('Helvetica').fontSize(10).moveDown(0.2);
    else if (line === '{{schedule}}') table();
    else doc.text(line).moveDown(0.15);
  }
  doc.end();
});
