import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import type { SanctionsList, SdnDateOfBirth, SdnEntry } from './sdn-list.js';

/**
 * A list of politically exposed persons (services/los/data/pep/pep.csv, see its README): header row
 * `id,name,other_names,birth_date,country,role,term_start,term_end`, other names separated by `; `,
 * dates ISO. Each person becomes an entry of the same shape as an SDN entry (type `individual`, program
 * `PEP`, role as title) so the one matcher (matcher.ts) screens both lists.
 */

export interface PepEntry extends SdnEntry {
  readonly role: string;
  /** ISO 3166 alpha-2 of the office. */
  readonly country: string;
  readonly termStart: string | null;
  readonly termEnd: string | null;
}

export interface PepList extends SanctionsList {
  readonly entries: readonly PepEntry[];
}

/** The excerpt shipped with the LOS (services/los/data/pep, see its README). */
export const BUNDLED_PEP_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../data/pep');

const COUNTRY_NAMES: Readonly<Record<string, string>> = { US: 'united states', GB: 'united kingdom', IN: 'india' };

function isoDate(value: string): SdnDateOfBirth[] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value.trim());
  if (!m) return [];
  const year = Number(m[1]);
  return [{ year, yearTo: year, month: Number(m[2]), day: Number(m[3]), approximate: false }];
}

export function parsePepList(csv: string): PepList {
  const records = parse(csv, { columns: true, skip_empty_lines: true, trim: true }) as Record<string, string>[];
  const entries: PepEntry[] = [];
  const seen = new Set<string>();
  for (const [i, r] of records.entries()) {
    const uid = r.id ?? '';
    const name = r.name ?? '';
    if (uid === '' || name === '') throw new Error(`pep.csv row ${i + 2}: id and name are required`);
    if (seen.has(uid)) throw new Error(`pep.csv row ${i + 2}: duplicate id ${uid}`);
    seen.add(uid);
    const country = (r.country ?? '').toUpperCase();
    entries.push({
      uid,
      name,
      type: 'individual',
      programs: ['PEP'],
      title: r.role || null,
      remarks: null,
      aliases: (r.other_names ?? '').split(';').map((s) => s.trim()).filter((s) => s !== '').map((alias) => ({ name: alias, type: 'aka' })),
      datesOfBirth: isoDate(r.birth_date ?? ''),
      countries: COUNTRY_NAMES[country] ? [COUNTRY_NAMES[country]] : [],
      role: r.role ?? '',
      country,
      termStart: r.term_start || null,
      termEnd: r.term_end || null,
    });
  }
  return { snapshotId: `pep:${createHash('sha256').update(csv).digest('hex').slice(0, 16)}`, entries };
}

/** Reads pep.csv from a directory (the shipped excerpt by default). */
export function loadPepListFromDirectory(dir: string = BUNDLED_PEP_DIR): PepList {
  const path = join(dir, 'pep.csv');
  if (!existsSync(path)) throw new Error(`no pep.csv in ${dir}`);
  return parsePepList(readFileSync(path, 'utf8'));
}
