import { createHash } from 'node:crypto';
import { parse } from 'csv-parse/sync';

/**
 * A parsed OFAC SDN list (legacy CSV layout: sdn.csv, alt.csv, add.csv; no header row; `-0-` is null;
 * rows joined on `ent_num`). Pure: it takes file contents, not paths; loading from disk is in load-sdn.ts.
 */

export interface SdnDateOfBirth {
  readonly year: number;
  /** Inclusive upper year for `DOB 1960 to 1962`; equals `year` otherwise. */
  readonly yearTo: number;
  readonly month?: number;
  readonly day?: number;
  /** `DOB circa 1957`. */
  readonly approximate: boolean;
}

export interface SdnAlias {
  readonly name: string;
  /** `aka`, `fka`, `nka`. */
  readonly type: string;
}

export interface SdnEntry {
  /** OFAC `ent_num`. */
  readonly uid: string;
  readonly name: string;
  /** `individual`, `vessel`, `aircraft`, or `entity` for OFAC's null type. */
  readonly type: string;
  readonly programs: readonly string[];
  readonly title: string | null;
  readonly remarks: string | null;
  readonly aliases: readonly SdnAlias[];
  readonly datesOfBirth: readonly SdnDateOfBirth[];
  /** Lower-case country names from `nationality`/`citizen` remarks and address rows. */
  readonly countries: readonly string[];
}

export interface SanctionsList {
  /** `ofac-sdn:` plus the first 16 hex of the SHA-256 over the three files: names the exact data screened against. */
  readonly snapshotId: string;
  readonly entries: readonly SdnEntry[];
}

export interface SdnFiles {
  readonly sdn: string;
  readonly alt?: string;
  readonly add?: string;
}

const MONTHS: Readonly<Record<string, number>> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };

function cell(value: string | undefined): string | null {
  if (value === undefined) return null;
  const v = value.trim();
  return v === '' || v === '-0-' ? null : v;
}

function rows(text: string): string[][] {
  // OFAC files end with a DOS EOF (0x1A) on some snapshots; records are CRLF separated.
  const records = parse(text.replaceAll(String.fromCharCode(0x1a), ''), { relax_column_count: true, relax_quotes: true, skip_empty_lines: true }) as string[][];
  return records.filter((r) => r.length > 1);
}

/** Every `DOB …` in the remarks: `DOB 12 Oct 1972`, `alt. DOB 1957`, `DOB circa 1957`, `DOB Jan 1960`, `DOB 1960 to 1962`. */
export function parseDatesOfBirth(remarks: string | null): SdnDateOfBirth[] {
  if (!remarks) return [];
  const out: SdnDateOfBirth[] = [];
  const re = /\bDOB\s+(circa\s+)?(?:(\d{1,2})\s+)?(?:([A-Za-z]{3})[a-z]*\s+)?(\d{4})(?:\s+to\s+(\d{4}))?/g;
  for (const m of remarks.matchAll(re)) {
    const year = Number(m[4]);
    const month = m[3] ? MONTHS[m[3].toLowerCase()] : undefined;
    const day = m[2] ? Number(m[2]) : undefined;
    const yearTo = m[5] ? Number(m[5]) : year;
    out.push({ year, yearTo: Math.max(year, yearTo), approximate: Boolean(m[1]), ...(month ? { month } : {}), ...(month && day ? { day } : {}) });
  }
  return out;
}

/** `nationality Russia`, `citizen Iran`, `Nationality: Syria` in the remarks. */
export function parseRemarkCountries(remarks: string | null): string[] {
  if (!remarks) return [];
  const out: string[] = [];
  for (const m of remarks.matchAll(/\b(?:nationality|citizen)\s*:?\s+([^;.]+)/gi)) out.push(m[1]!.trim().toLowerCase());
  return out;
}

export function parseSdnList(files: SdnFiles): SanctionsList {
  const hash = createHash('sha256').update(files.sdn).update('\u0000').update(files.alt ?? '').update('\u0000').update(files.add ?? '');
  const aliases = new Map<string, SdnAlias[]>();
  for (const r of files.alt ? rows(files.alt) : []) {
    const uid = cell(r[0]);
    const name = cell(r[3]);
    if (!uid || !name) continue;
    const list = aliases.get(uid) ?? [];
    list.push({ name, type: cell(r[2]) ?? 'aka' });
    aliases.set(uid, list);
  }
  const addressCountries = new Map<string, string[]>();
  for (const r of files.add ? rows(files.add) : []) {
    const uid = cell(r[0]);
    const country = cell(r[4]);
    if (!uid || !country) continue;
    const list = addressCountries.get(uid) ?? [];
    list.push(country.toLowerCase());
    addressCountries.set(uid, list);
  }
  const entries: SdnEntry[] = [];
  for (const r of rows(files.sdn)) {
    const uid = cell(r[0]);
    const name = cell(r[1]);
    if (!uid || !name) continue;
    const remarks = cell(r[11]);
    const programs = (cell(r[3]) ?? '')
      .split(/\]\s*\[/)
      .map((p) => p.replace(/[[\]]/g, '').trim())
      .filter((p) => p !== '');
    entries.push({
      uid,
      name,
      type: cell(r[2]) ?? 'entity',
      programs,
      title: cell(r[4]),
      remarks,
      aliases: aliases.get(uid) ?? [],
      datesOfBirth: parseDatesOfBirth(remarks),
      countries: [...new Set([...parseRemarkCountries(remarks), ...(addressCountries.get(uid) ?? [])])],
    });
  }
  return { snapshotId: `ofac-sdn:${hash.digest('hex').slice(0, 16)}`, entries };
}
