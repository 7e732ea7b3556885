// Rewrites sdn.csv, alt.csv and add.csv in this directory: a bounded excerpt of the OFAC SDN snapshot that
// the Go module github.com/moov-io/watchman v0.60.0 ships as test data (pkg/sources/ofac/testdata/).
// Selection: individuals only, the first 1,500 and the last 1,500 by entity number, with every alias and
// address row of theirs. Rows are copied verbatim (OFAC CSV layout, `-0-` nulls).
// Run from services/los:  node data/sanctions/make-excerpt.mjs <dir holding watchman's sdn.csv, alt.csv, add.csv>
// (get the dir: curl https://proxy.golang.org/github.com/moov-io/watchman/@v/v0.60.0.zip and unzip it).
import { parse } from 'csv-parse/sync';
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = process.argv[2];
if (!src) throw new Error('usage: node make-excerpt.mjs <watchman testdata dir>');
const out = dirname(fileURLToPath(import.meta.url));
const HEAD = 1500;
const TAIL = 1500;

/** Records with their exact source text, so rows are copied byte for byte. */
function records(file) {
  const text = readFileSync(join(src, file), 'latin1');
  const rows = parse(text, { relax_column_count: true, skip_empty_lines: true, info: true, raw: true });
  return rows.filter((r) => r.record.length > 1).map((r) => ({ id: r.record[0].trim(), fields: r.record, raw: r.raw.replace(/\r?\n$/, '') }));
}

const individuals = records('sdn.csv').filter((r) => r.fields[2].trim() === 'individual');
individuals.sort((a, b) => Number(a.id) - Number(b.id));
const chosen = individuals.length <= HEAD + TAIL ? individuals : [...individuals.slice(0, HEAD), ...individuals.slice(-TAIL)];
const ids = new Set(chosen.map((r) => r.id));
const write = (file, rows) => writeFileSync(join(out, file), rows.map((r) => `${r.raw}\r\n`).join(''), 'latin1');
write('sdn.csv', chosen);
write('alt.csv', records('alt.csv').filter((r) => ids.has(r.id)));
write('add.csv', records('add.csv').filter((r) => ids.has(r.id)));
console.log(`sdn.csv: ${chosen.length} individuals of ${individuals.length}`);
