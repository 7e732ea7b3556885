/**
 * The monthly risk pack: the dashboard's four charts (PNG, rendered server side) and their tables in one PDF,
 * drawn with pdfkit in the standard Helvetica font (WinAnsi, no font file) as the LMS's statements are.
 * No wall-clock date is written: the pack of a date reads the same whenever it is drawn. Amounts are "INR 1,000.00".
 */
import PDFDocument from 'pdfkit';
import { percent } from './charts.js';
import { decimal, type Money } from './html.js';
import { chartOption, lastStep, type ChartName, type PortfolioView } from './portfolio.js';
import { renderPng } from './render.js';

type Doc = InstanceType<typeof PDFDocument>;
const MARGIN = 40;
const WIDTH = 595.28 - 2 * MARGIN;
const CHART = { width: 760, height: 380 };
const money = (m: Money) => `${m.currency} ${decimal(m.amount, m.scale)}`;

export function renderRiskPack(view: PortfolioView, tenant: string): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const stamp = new Date(`${view.asOf}T00:00:00Z`);
    const doc = new PDFDocument({ size: 'A4', margin: MARGIN, info: { Title: `Risk pack ${tenant} ${view.asOf}`, Author: 'Lendstack', CreationDate: stamp, ModDate: stamp } });
    const chunks: Buffer[] = [];
    doc.on('data', (c: Buffer) => chunks.push(c));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
    const currency = view.currency;
    const set = view.bucketSet === 'rbi' ? 'RBI asset classes' : 'US delinquency buckets';
    doc.font('Helvetica-Bold').fontSize(16).text('Monthly risk pack');
    doc.font('Helvetica').fontSize(9).text(`Tenant ${tenant}   As of ${view.asOf}   ${currency ?? 'no currency'}   ${set}   Vintages at ${view.thresholdDpd}+ DPD`);
    if (!currency) {
      doc.moveDown().text(`No loans on the book at ${view.asOf}.`);
      doc.end();
      return;
    }
    const summary = view.current.currencies.find((c) => c.currency === currency);
    heading(doc, 'Book');
    table(doc, ['Outstanding', 'Live loans', 'Gross NPA ratio', 'NPA outstanding'], [[summary ? money(summary.outstanding) : '-', String(summary?.loans ?? 0), `${summary ? percent(summary.npa.grossRatio).toFixed(2) : '0.00'} %`, summary ? money(summary.npa.outstanding) : '-']]);
    doc.font('Helvetica').fontSize(8).text(`NPA: ${summary?.npa.rule ?? '-'}; ratio of the live outstanding principal.`, MARGIN);
    chart(doc, view, 'buckets');
    heading(doc, `Outstanding by product and bucket at ${view.asOf}`);
    table(doc, ['Product', 'Bucket', 'Loans', 'Principal'], (summary?.items ?? []).map((i) => [i.productCode, i.bucket, String(i.loans), money(i.principal)]), [2, 3]);

    doc.addPage();
    const step = lastStep(view);
    chart(doc, view, 'roll-rates');
    heading(doc, step ? `Roll rates ${step.from} to ${step.to}: share of the start balance` : 'Roll rates: no balances at the start of the step');
    if (step) {
      const to = [...new Set(step.matrix.flatMap((r) => r.to.map((c) => c.bucket)))];
      table(doc, ['From', 'Start balance', ...to], step.matrix.map((r) => [r.from, money(r.principal), ...to.map((b) => {
        const c = r.to.find((x) => x.bucket === b);
        return c ? `${percent(c.share).toFixed(2)} %` : '';
      })]), [1, ...to.map((_, k) => k + 2)]);
    }

    doc.addPage();
    chart(doc, view, 'vintages');
    const cohorts = view.vintages.currencies.find((c) => c.currency === currency)?.cohorts ?? [];
    const longest = Math.min(12, Math.max(0, ...cohorts.map((c) => c.points.length)));
    heading(doc, `Vintages: cumulative share of disbursed principal at ${view.thresholdDpd}+ DPD, by months on book`);
    table(doc, ['Cohort', 'Loans', 'Disbursed', ...Array.from({ length: longest }, (_, k) => `MOB ${k}`)], cohorts.map((c) => [c.cohort, String(c.loans), money(c.disbursed), ...Array.from({ length: longest }, (_, k) => (c.points[k] ? `${percent(c.points[k].share).toFixed(2)}%` : ''))]), [1, 2, ...Array.from({ length: longest }, (_, k) => k + 3)]);

    doc.addPage();
    chart(doc, view, 'heatmap');
    heading(doc, `Risk heatmap at ${view.asOf}: product, region and bucket`);
    const cells = view.heatmap.currencies.find((c) => c.currency === currency)?.cells ?? [];
    table(doc, ['Product', 'Region', 'Bucket', 'Loans', 'Principal'], cells.map((c) => [c.productCode, c.region, c.bucket, String(c.loans), money(c.principal)]), [3, 4]);
    doc.end();
  });
}

const heading = (doc: Doc, text: string) => doc.moveDown(0.8).font('Helvetica-Bold').fontSize(11).text(text, MARGIN).font('Helvetica').fontSize(9).moveDown(0.2);

function chart(doc: Doc, view: PortfolioView, name: ChartName): void {
  const height = (WIDTH * CHART.height) / CHART.width;
  if (doc.y + height > doc.page.height - MARGIN) doc.addPage();
  doc.moveDown(0.5);
  doc.image(renderPng(chartOption(view, name), CHART), MARGIN, doc.y, { width: WIDTH });
  doc.y += height;
}

/** A table in equal columns; `right` are the right-aligned (numeric) ones. A page break repeats the header. */
function table(doc: Doc, header: string[], rows: string[][], right: number[] = []): void {
  const width = WIDTH / header.length;
  const size = header.length > 8 ? 7 : 9;
  const line = (cells: string[], bold: boolean) => {
    if (doc.y + 14 > doc.page.height - MARGIN) {
      doc.addPage();
      if (!bold) line(header, true);
    }
    const y = doc.y;
    doc.font(bold ? 'Helvetica-Bold' : 'Helvetica').fontSize(size);
    cells.forEach((c, k) => doc.text(c, MARGIN + k * width, y, { width: width - 4, align: right.includes(k) ? 'right' : 'left', lineBreak: false, ellipsis: true }));
    doc.y = y + size + 5;
  };
  line(header, true);
  if (rows.length === 0) doc.font('Helvetica').fontSize(9).text('None.', MARGIN);
  for (const r of rows) line(r, false);
  doc.x = MARGIN;
}
