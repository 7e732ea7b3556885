/**
 * `pnpm -s ach parse FILE` — validates a NACHA file (ours or a bank's: 94-character records with or without line
 * breaks, padding blocks of 9s) and prints its header, batches, entries and control totals as JSON on stdout.
 * Exit 0 valid; 2 invalid, with `{ valid: false, error: { record, field, rule, detail } }`; 1 usage or I/O error.
 */
import { readFileSync } from 'node:fs';
import { summariseNachaFile } from '../summary.js';

const [command, path] = process.argv.slice(2);
if (command !== 'parse' || !path) {
  process.stderr.write('usage: pnpm -s ach parse FILE\n');
  process.exit(1);
}
let text: string;
try {
  text = readFileSync(path, 'latin1');
} catch (error) {
  process.stderr.write(`ach: cannot read ${path}: ${(error as Error).message}\n`);
  process.exit(1);
}
const summary = summariseNachaFile(text);
process.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
process.exit(summary.valid ? 0 : 2);
