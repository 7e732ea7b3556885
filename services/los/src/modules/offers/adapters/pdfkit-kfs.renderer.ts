/**
 * Draws a Key Fact Statement as a PDF with pdfkit (MIT), in the standard Helvetica font as the adverse-action
 * notice does (no font file needed; WinAnsi covers the text, so amounts are written "INR 1,000.00", not with
 * the rupee sign). The RBI variant follows RBI/2024-25/18 Annex A (parts 1 and 2), B (the APR illustration)
 * and C (the repayment schedule); the TILA variant puts the four federal-box disclosures first, APR and
 * finance charge in bold (12 CFR 1026.17(a)(2): more conspicuous than the rest). The document's dates are the
 * issue date, so the same statement draws the same document. Every figure comes from the stored content.
 */
import PDFDocument from 'pdfkit';
import { formatMoney as fmt } from '../../review/domain/adverse-action-notice.js';
import type { KfsContent, KfsFee, KfsScheduleRow, RbiKfs, TilaKfs } from '../domain/kfs.js';
import type { KfsRenderer } from '../use-cases/issue-kfs.js';

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 50;

export const renderKfsPdf: KfsRenderer = (k) => new Promise<Buffer>((resolve, reject) => {
  const at = new Date(k.issuedAt);
  const title = k.variant === 'rbi' ? 'Key Fact Statement' : 'Truth in Lending Disclosure Statement';
  const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `${title} ${k.reference}`, Author: k.lender.legalName, Subject: `Offer ${k.offerId}`, CreationDate: at, ModDate: at } });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  doc.on('end', () => resolve(Buffer.concat(chunks)));
  doc.on('error', reject);
  doc.font('Helvetica-Bold').fontSize(16).text(title);
  doc.font('Helvetica').fontSize(9).text(`Reference ${k.reference} · template ${k.templateVersion} · issued ${k.issuedAt.slice(0, 10)}`).text(`Application ${k.applicationId} · offer ${k.offerId}`);
  doc.text(`${k.lender.legalName}, ${k.lender.address} · ${k.lender.contact}`);
  if (k.variant === 'rbi') drawRbi(doc, k);
  else drawTila(doc, k);
  doc.end();
});

const heading = (doc: Doc, text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(text, MARGIN).font('Helvetica').fontSize(9).moveDown(0.2);
const line = (doc: Doc, label: string, value: string) => doc.font('Helvetica-Bold').text(`${label}: `, MARGIN, undefined, { continued: true }).font('Helvetica').text(value);
const feeLine = (f: KfsFee) => `${f.name} (${f.code}): ${fmt(f.amount)}${f.recurrence === 'recurring' ? ` per instalment, ${fmt(f.total)} in all` : ''}, ${f.recurrence}, ${f.timing === 'upfront' ? 'deducted from the disbursal' : f.timing === 'financed' ? 'added to the loan' : 'in each instalment'}`;

function drawRbi(doc: Doc, k: RbiKfs): void {
  const l = k.loan;
  const a = k.aprIllustration;
  heading(doc, 'Part 1 (interest rate and fees/charges)');
  line(doc, '1. Loan proposal / type of loan', `${k.applicationId} / ${l.type}`);
  line(doc, '2. Sanctioned loan amount', fmt(l.sanctionedAmount));
  line(doc, '3. Disbursal schedule', `${l.disbursal.schedule}, on ${l.disbursal.date}`);
  line(doc, '4. Loan term', `${l.termPeriods} ${l.frequency} periods`);
  line(doc, '5. Instalments', `${l.instalments.type}, ${l.instalments.count} instalments${l.instalments.epi ? ` of ${fmt(l.instalments.epi)}` : ''}, from ${l.instalments.firstDueDate} to ${l.instalments.lastDueDate}`);
  line(doc, '6. Interest rate and type', `${l.interest.annualRatePercent}% a year, ${l.interest.type}`);
  line(doc, '7. Floating rate (benchmark, spread, reset)', 'not applicable: the rate is fixed for the term');
  line(doc, '8. Fees and charges payable to the RE (A)', fmt(k.feesToLender));
  line(doc, '   Fees and charges payable to third parties through the RE (B)', fmt(k.feesToThirdParties));
  for (const f of k.fees) doc.text(`   - ${f.payee === 'lender' ? 'A' : 'B'}: ${feeLine(f)}`, MARGIN);
  line(doc, '9. Annual Percentage Rate (APR)', `${k.apr}%`);
  line(doc, '10. Contingent charges', contingentText(k));
  heading(doc, 'Part 2 (other qualitative information)');
  line(doc, 'Cooling-off / look-up period', `${k.coolingOff.days} days. ${k.coolingOff.statement}`);
  line(doc, 'Grievance redressal', `${k.grievance.officer}, ${k.grievance.address}; ${k.grievance.contact}. ${k.grievance.escalation}`);
  heading(doc, 'Annex B: illustration of the APR');
  line(doc, '1. Sanctioned loan amount', fmt(a.sanctionedAmount));
  line(doc, '2. Loan term', `${l.termPeriods} ${l.frequency} periods; ${l.instalments.count} ${l.instalments.type} instalments${l.instalments.epi ? ` of ${fmt(l.instalments.epi)}` : ''}, the first on ${l.instalments.firstDueDate}`);
  line(doc, '3. Interest rate type', l.interest.type);
  line(doc, '4. Rate of interest', `${l.interest.annualRatePercent}% a year`);
  line(doc, '5. Total interest amount over the term', fmt(a.totalInterest));
  line(doc, '6. Fees and charges payable (A to the RE, B to third parties)', `${fmt(a.totalFees)} (A ${fmt(k.feesToLender)}, B ${fmt(k.feesToThirdParties)})`);
  line(doc, '7. Net disbursed amount', fmt(a.netDisbursed));
  line(doc, '8. Total amount to be paid by the borrower', fmt(a.totalPayable));
  line(doc, '9. Annual Percentage Rate', `${a.apr}% (on the net disbursed amount, reducing balance)`);
  line(doc, '10. Disbursal schedule', `${l.disbursal.schedule}, on ${l.disbursal.date}`);
  line(doc, '11. Due dates', `${l.frequency}, ${l.instalments.firstDueDate} to ${l.instalments.lastDueDate}`);
  heading(doc, 'Annex C: repayment schedule');
  scheduleTable(doc, k.schedule);
}

function drawTila(doc: Doc, k: TilaKfs): void {
  heading(doc, `Creditor: ${k.creditor.legalName}`);
  const boxes: [string, string, string, boolean][] = [
    ['ANNUAL PERCENTAGE RATE', 'The cost of your credit as a yearly rate.', `${k.apr}%`, true],
    ['FINANCE CHARGE', 'The dollar amount the credit will cost you.', fmt(k.financeCharge), true],
    ['Amount Financed', 'The amount of credit provided to you or on your behalf.', fmt(k.amountFinanced), false],
    ['Total of Payments', 'The amount you will have paid after you have made all payments as scheduled.', fmt(k.totalOfPayments), false],
  ];
  const width = (doc.page.width - 2 * MARGIN) / 4;
  const top = doc.y;
  boxes.forEach(([name, what, value, bold], i) => {
    const x = MARGIN + i * width;
    doc.rect(x, top, width, 96).lineWidth(bold ? 1.5 : 0.5).stroke();
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(9).text(name, x + 4, top + 4, { width: width - 8 });
    doc.font('Helvetica').fontSize(8).text(what, x + 4, top + 26, { width: width - 8 });
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(11).text(value, x + 4, top + 72, { width: width - 8 });
  });
  doc.font('Helvetica').fontSize(9).text('', MARGIN, top + 104);
  heading(doc, 'Your payment schedule will be');
  for (const r of k.paymentSchedule) doc.text(`${r.count} payment${r.count === 1 ? '' : 's'} of ${fmt(r.amount)}, ${r.when}`, MARGIN);
  line(doc, 'Late charge', k.latePayment);
  line(doc, 'Prepayment', k.prepayment);
  heading(doc, 'Itemization of the Amount Financed');
  line(doc, 'Amount paid to you directly', fmt(k.itemization.amountPaidToYou));
  line(doc, 'Prepaid finance charge', fmt(k.itemization.prepaidFinanceCharge));
  line(doc, 'Finance charges added to the loan', fmt(k.itemization.financedFinanceCharge));
  for (const f of k.fees) doc.text(`- ${feeLine(f)}`, MARGIN);
  doc.text('See your contract documents for any additional information about nonpayment, default, any required repayment in full before the scheduled date, and prepayment refunds and penalties.', MARGIN);
  heading(doc, 'Payments, instalment by instalment');
  scheduleTable(doc, k.schedule);
}

function contingentText(k: KfsContent): string {
  const c = k.contingentCharges;
  if (c.source === 'not-in-catalogue') return 'as set out in the loan agreement (the product is not in the catalogue)';
  const late = !c.lateFee ? 'no late fee' : c.lateFee.kind === 'flat' ? `late fee ${fmt(c.lateFee.amount)} per overdue instalment` : `late fee ${c.lateFee.percent}% of the overdue instalment, at most ${fmt(c.lateFee.cap)}`;
  const penal = c.penalInterest ? `penal interest ${c.penalInterest.annualRatePercent}% a year on overdue principal` : 'no penal interest';
  const fore = c.foreclosure ? `foreclosure ${c.foreclosure.percentOfPrincipal}% of the principal prepaid plus ${fmt(c.foreclosure.fixed)}` : 'no foreclosure charge';
  return `${late}; ${penal}; ${fore}; after ${c.graceDays} days' grace`;
}

const COLUMNS = ['No.', 'Due date', 'Outstanding principal', 'Principal', 'Interest', 'Fees', 'Instalment'];
const WIDTHS = [30, 62, 95, 80, 75, 60, 93];

function scheduleTable(doc: Doc, rows: readonly KfsScheduleRow[]): void {
  const row = (cells: string[], bold: boolean) => {
    if (doc.y > doc.page.height - MARGIN - 14) doc.addPage();
    const y = doc.y;
    let x = MARGIN;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(8);
    cells.forEach((c, i) => {
      doc.text(c, x, y, { width: WIDTHS[i]! - 4, align: i < 2 ? 'left' : 'right', lineBreak: false });
      x += WIDTHS[i]!;
    });
    doc.text('', MARGIN, y + 12);
  };
  row(COLUMNS, true);
  const major = (m: { amount: string; currency: string; scale: number }) => fmt(m).slice(m.currency.length + 1);
  for (const r of rows) row([String(r.number), r.dueDate, major(r.outstandingPrincipal), major(r.principal), major(r.interest), major(r.fees), major(r.instalment)], false);
  doc.font('Helvetica').fontSize(8).text(`Amounts in ${rows[0]?.instalment.currency ?? ''}. Any difference from the totals above would be rounding; there is none: the rows sum to them exactly.`, MARGIN);
}
