/**
 * Draws a loan statement as a PDF with pdfkit (MIT) in the standard Helvetica font (WinAnsi, no font file),
 * as the LOS's Key Fact Statement does. No wall-clock date is written: the same statement draws the same
 * document. Amounts are "INR 1,000.00" (the currency code, not a sign the font may lack).
 */
import PDFDocument from 'pdfkit';
import { decimal, type Statement, type StatementBalances } from '../domain/statement.js';

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 40;
const COLUMNS = [40, 105, 260, 360, 460];

export function renderStatementPdf(s: Statement): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const stamp = new Date(`${s.to}T00:00:00Z`);
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `Statement ${s.loanId} ${s.from} to ${s.to}`, Author: 'Lendstack', CreationDate: stamp, ModDate: stamp } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const money = (m: bigint) => `${s.currency} ${group(decimal(m, s.scale))}`;
    doc.font('Helvetica-Bold').fontSize(16).text('Loan account statement');
    doc.font('Helvetica').fontSize(9).text(`Loan ${s.loanId}`).text(`Period ${s.from} to ${s.to}`);
    balances(doc, `Opening balance on ${s.from}`, s.opening, money);
    heading(doc, 'Transactions and charges');
    row(doc, ['Date', 'Description', 'Amount', 'Balance'], true);
    for (const r of s.rows) row(doc, [r.date, r.description, money(r.amount), money(r.balance)]);
    if (s.rows.length === 0) doc.text('No transactions in this period.', MARGIN);
    balances(doc, `Closing balance on ${s.to}`, s.closing, money);
    heading(doc, 'Schedule ahead');
    if (s.scheduleAhead.length === 0) doc.text('No instalments fall due after this period.', MARGIN);
    else row(doc, ['No.', 'Due date', 'Instalment', 'Balance after'], true);
    for (const i of s.scheduleAhead) row(doc, [String(i.number), i.dueDate, money(i.total), money(i.balanceAfter)]);
    doc.end();
  });
}

const heading = (doc: Doc, text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(text, MARGIN).font('Helvetica').fontSize(9).moveDown(0.2);

function balances(doc: Doc, title: string, b: StatementBalances, money: (m: bigint) => string): void {
  heading(doc, title);
  doc.text(`Principal ${money(b.principal)} · Interest ${money(b.interest)} · Fees ${money(b.fees)} · Penalties ${money(b.penalties)} · Excess held ${money(b.excess)}`, MARGIN);
  doc.font('Helvetica-Bold').text(`Total outstanding ${money(b.total)}`, MARGIN).font('Helvetica');
}

function row(doc: Doc, cells: readonly string[], bold = false): void {
  if (doc.y > doc.page.height - 80) doc.addPage();
  const y = doc.y;
  doc.font(bold ? 'Helvetica-Bold' : 'Helvetica');
  const xs = cells.length === 4 ? [COLUMNS[0]!, COLUMNS[1]!, COLUMNS[3]!, COLUMNS[4]!] : COLUMNS;
  cells.forEach((c, i) => doc.text(c, xs[i]!, y, { width: 150, lineBreak: false }));
  doc.font('Helvetica').text('', MARGIN, y + 12);
}

/** "1234567.89" → "1,234,567.89". */
function group(d: string): string {
  const [whole, frac] = d.split('.');
  const sign = whole!.startsWith('-') ? '-' : '';
  const digits = whole!.replace('-', '').replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${digits}${frac !== undefined ? `.${frac}` : ''}`;
}
