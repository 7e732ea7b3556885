// Rewrites pep.csv in this directory: politically exposed persons taken from the public-domain (CC0)
// @unitedstates/congress-legislators data (github.com/unitedstates/congress-legislators, see README.md):
// every member of the current US Congress (legislators-current.yaml) and every President and Vice
// President (executive.yaml). One row per person; their latest term gives role and dates.
// Run from services/los:  node data/pep/make-excerpt.mjs <dir holding legislators-current.yaml and executive.yaml>
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const src = process.argv[2];
if (!src) throw new Error('usage: node make-excerpt.mjs <congress-legislators checkout>');
const out = dirname(fileURLToPath(import.meta.url));

const ROLES = { rep: 'US House of Representatives', sen: 'US Senate', prez: 'President of the United States', viceprez: 'Vice President of the United States' };

/** `First Middle Last Suffix`, and the other spellings the file gives (official full name, nickname). */
function names(n) {
  const primary = [n.first, n.middle, n.last, n.suffix].filter(Boolean).join(' ');
  const others = new Set();
  if (n.official_full && n.official_full !== primary) others.add(n.official_full);
  if (n.nickname) others.add([n.nickname, n.last].join(' '));
  if (n.middle) others.add([n.first, n.last].join(' '));
  others.delete(primary);
  return { primary, others: [...others] };
}

const csvField = (v) => {
  const s = v == null ? '' : String(v);
  return /[",\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/** The Congress Bioguide id; some Presidents have none, then Wikidata's, then the ICPSR's. */
function personId(id) {
  if (id.bioguide) return `us-bioguide:${id.bioguide}`;
  if (id.wikidata) return `wikidata:${id.wikidata}`;
  if (id.icpsr_prez) return `icpsr:${id.icpsr_prez}`;
  throw new Error(`no usable id in ${JSON.stringify(id)}`);
}

const rows = [];
const seen = new Set();
for (const file of ['legislators-current.yaml', 'executive.yaml']) {
  for (const person of parse(readFileSync(join(src, file), 'utf8'))) {
    const term = person.terms.at(-1);
    const { primary, others } = names(person.name);
    const role = term.type === 'rep' || term.type === 'sen' ? `${ROLES[term.type]} (${term.state})` : ROLES[term.type];
    const id = personId(person.id);
    if (seen.has(id)) throw new Error(`duplicate id ${id}`);
    seen.add(id);
    rows.push([id, primary, others.join('; '), person.bio?.birthday ?? '', 'US', role, term.start, term.end]);
  }
}
rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
const header = ['id', 'name', 'other_names', 'birth_date', 'country', 'role', 'term_start', 'term_end'];
writeFileSync(join(out, 'pep.csv'), [header, ...rows].map((r) => r.map(csvField).join(',')).join('\n') + '\n', 'utf8');
console.log(`pep.csv: ${rows.length} people`);
