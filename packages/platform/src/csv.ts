import { stringify } from 'csv-stringify/sync';
import type { FastifyReply } from 'fastify';

/**
 * RFC 4180 CSV of a header and rows (csv-stringify: quoting of commas, quotes and line breaks, CRLF
 * record ends). For report-sized answers held in memory; a statement or file export streams instead.
 */
export function toCsv(header: readonly string[], rows: Iterable<readonly (string | number | bigint | null)[]>): string {
  return stringify([header, ...[...rows].map((row) => row.map((v) => (v === null ? '' : String(v))))], { record_delimiter: 'windows' });
}

/** Sends `text/csv` as an attachment named `filename`. */
export function sendCsv(reply: FastifyReply, filename: string, csv: string): FastifyReply {
  return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${filename}"`).send(csv);
}
