import { similarity as jaroWinkler } from 'talisman/metrics/jaro-winkler.js';
import { nameTokens, skeleton } from './normalize.js';
import type { SanctionsList, SdnDateOfBirth, SdnEntry } from './sdn-list.js';

/**
 * Fuzzy screening of one person's name against a sanctions list.
 *
 * Name score (0..1): names are tokenised (normalize.ts), each query token is paired with its best unused
 * list token by Jaro-Winkler (or 0.95 when only the transliteration skeleton agrees, MUHAMMAD ~ MOHAMMED),
 * pairs below 0.8 count as unmatched, and the length-weighted mean is reduced for each list token that
 * had no partner (an unmatched middle name costs 0.04, each further one 0.08). Token order never matters. The best of the primary name and every alias wins.
 *
 * Tie-breakers move the score only for names that are already close: a date of birth that agrees with one
 * of the entry's `DOB`s adds up to 0.03, one that contradicts all of them takes 0.08; a country that agrees
 * adds 0.01, one that clearly differs takes 0.02.
 */

export type Agreement = 'agrees' | 'disagrees' | 'unknown';

export interface ScreeningQuery {
  readonly name: string;
  /** ISO `YYYY-MM-DD` (or `YYYY`); anything unparseable counts as unknown. */
  readonly dateOfBirth?: string | null;
  /** ISO 3166 alpha-2 (`IN`) or an English country name. */
  readonly country?: string | null;
}

export interface ScreeningMatch {
  readonly entry: SdnEntry;
  /** The list name that matched best: the primary name or one alias. */
  readonly matchedName: string;
  readonly matchedAlias: boolean;
  readonly nameScore: number;
  readonly score: number;
  readonly dateOfBirth: Agreement;
  readonly country: Agreement;
}

export interface SanctionsIndex {
  readonly snapshotId: string;
  readonly size: number;
  /** Best matches first, those with score ≥ minScore (default 0.75), at most `limit` (default 5). */
  screen(query: ScreeningQuery, options?: { minScore?: number; limit?: number }): ScreeningMatch[];
}

interface IndexedName {
  readonly entry: SdnEntry;
  readonly name: string;
  readonly alias: boolean;
  /** Ids into the vocabulary. */
  readonly tokenIds: readonly number[];
}

const PAIR_FLOOR = 0.8;
const SKELETON_SIMILARITY = 0.95;

function tokenSimilarity(a: string, sa: string, b: string, sb: string): number {
  if (a === b) return 1;
  const jw = jaroWinkler(a, b);
  return sa.length > 1 && sa === sb ? Math.max(jw, SKELETON_SIMILARITY) : jw;
}

/**
 * Greedy best-pair alignment of query tokens to list tokens. `sim(qi, ci)` is the similarity of query
 * token qi and list token ci. Length-weighted mean over the query tokens (an unmatched query token counts
 * 0), minus 0.04 for the first list token left unmatched (a missing middle name or patronymic) and 0.08 for
 * each further one. 0..1.
 */
export function alignTokens(qLengths: readonly number[], cCount: number, sim: (qi: number, ci: number) => number): number {
  if (qLengths.length === 0 || cCount === 0) return 0;
  const pairs: { qi: number; ci: number; s: number }[] = [];
  for (let qi = 0; qi < qLengths.length; qi++) {
    for (let ci = 0; ci < cCount; ci++) {
      const s = sim(qi, ci);
      if (s >= PAIR_FLOOR) pairs.push({ qi, ci, s });
    }
  }
  pairs.sort((x, y) => y.s - x.s);
  const usedQ = new Set<number>();
  const usedC = new Set<number>();
  let weighted = 0;
  for (const p of pairs) {
    if (usedQ.has(p.qi) || usedC.has(p.ci)) continue;
    usedQ.add(p.qi);
    usedC.add(p.ci);
    weighted += qLengths[p.qi]! * p.s;
  }
  const total = qLengths.reduce((a, b) => a + b, 0);
  const unmatched = cCount - usedC.size;
  const penalty = unmatched === 0 ? 0 : 0.04 + 0.08 * (unmatched - 1);
  return Math.max(0, weighted / total - penalty);
}

/** Similarity of two whole names (any order), as the index scores them. */
export function nameSimilarity(a: string, b: string): number {
  const qa = nameTokens(a);
  const qb = nameTokens(b);
  const sa = qa.map(skeleton);
  const sb = qb.map(skeleton);
  return alignTokens(
    qa.map((t) => t.length),
    qb.length,
    (i, j) => tokenSimilarity(qa[i]!, sa[i]!, qb[j]!, sb[j]!),
  );
}


/** Parses `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; null for anything else. */
export function parseQueryDate(raw: unknown): { year: number; month?: number; day?: number } | null {
  if (typeof raw !== 'string') return null;
  const m = /^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?/.exec(raw);
  if (!m) return null;
  const year = Number(m[1]);
  const month = m[2] ? Number(m[2]) : undefined;
  const day = m[3] ? Number(m[3]) : undefined;
  if (year < 1800 || year > 2200 || (month !== undefined && (month < 1 || month > 12)) || (day !== undefined && (day < 1 || day > 31))) return null;
  return { year, ...(month ? { month } : {}), ...(month && day ? { day } : {}) };
}

/** agrees: some list DOB is compatible; disagrees: the entry has DOBs and none is within a year of it. */
export function compareDateOfBirth(query: ReturnType<typeof parseQueryDate>, list: readonly SdnDateOfBirth[]): { agreement: Agreement; exact: boolean } {
  if (!query || list.length === 0) return { agreement: 'unknown', exact: false };
  let nearby = false;
  for (const d of list) {
    const slack = d.approximate ? 1 : 0;
    if (query.year < d.year - slack || query.year > d.yearTo + slack) {
      if (query.year >= d.year - 1 && query.year <= d.yearTo + 1) nearby = true;
      continue;
    }
    const monthOk = d.month === undefined || query.month === undefined || d.month === query.month;
    const dayOk = d.day === undefined || query.day === undefined || d.day === query.day;
    if (monthOk && dayOk) return { agreement: 'agrees', exact: d.day !== undefined && query.day !== undefined };
    nearby = true;
  }
  // A different day in the same or an adjacent year is a typo as often as a different person: not "clear".
  return { agreement: nearby ? 'unknown' : 'disagrees', exact: false };
}

/** OFAC's own spelling for the countries where it differs from the usual English name. */
const OFAC_COUNTRY_NAMES: Readonly<Record<string, readonly string[]>> = {
  KP: ['korea, north', 'north korea'],
  KR: ['korea, south', 'south korea'],
  MM: ['burma', 'myanmar'],
  RU: ['russia', 'russian federation'],
  IR: ['iran'],
  SY: ['syria'],
  VE: ['venezuela'],
  US: ['united states'],
  GB: ['united kingdom'],
  CD: ['congo, democratic republic of the'],
  CG: ['congo, republic of the'],
  PS: ['west bank', 'gaza', 'palestinian'],
  TR: ['turkey', 'turkiye'],
};

let regionNames: Intl.DisplayNames | null | undefined;
function countryNames(raw: unknown): string[] {
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  const v = raw.trim();
  if (/^[A-Za-z]{2}$/.test(v)) {
    const code = v.toUpperCase();
    if (regionNames === undefined) {
      try {
        regionNames = new Intl.DisplayNames(['en'], { type: 'region' });
      } catch {
        regionNames = null;
      }
    }
    let display: string | undefined;
    try {
      display = regionNames?.of(code);
    } catch {
      display = undefined;
    }
    return [...(OFAC_COUNTRY_NAMES[code] ?? []), ...(display && display !== code ? [display.toLowerCase()] : [])];
  }
  return [v.toLowerCase()];
}

function compareCountry(query: readonly string[], list: readonly string[]): Agreement {
  if (query.length === 0 || list.length === 0) return 'unknown';
  const hit = list.some((l) => query.some((q) => l === q || l.includes(q) || q.includes(l)));
  return hit ? 'agrees' : 'disagrees';
}

const TIE_BREAK_FLOOR = 0.7;

/**
 * Blocking by initial, in its transliteration class (the skeleton's first letter: C/K/Q, S/Z, V/W …).
 * Vowel-initial tokens (and Y/J, which the skeleton reads as I) are split by their own initial, with
 * Y/J/I and E/I looked up together, so ABDUL and YURI do not share a block with every other vowel name.
 */
function blockKey(token: string, skel: string): string {
  const s0 = skel[0] ?? token[0]!;
  return s0 === 'a' ? `a${token[0]!}` : s0;
}

function queryBlockKeys(token: string, skel: string): string[] {
  const key = blockKey(token, skel);
  if (!key.startsWith('a')) return [key];
  const i = token[0]!;
  if ('yji'.includes(i)) return ['ay', 'aj', 'ai', 'ae'];
  if (i === 'e') return ['ae', 'ai'];
  if (i === 'o' || i === 'u') return ['ao', 'au'];
  return [key];
}

/** Jaro-Winkler can reach at most this for strings of these lengths (all of the shorter one matching, a 4-letter common prefix). */
function jaroWinklerBound(la: number, lb: number): number {
  const m = Math.min(la, lb);
  const jaro = (m / la + m / lb + 1) / 3;
  return jaro + Math.min(4, m) * 0.1 * (1 - jaro);
}

/**
 * Precomputes, at load: each name's tokens as ids into a vocabulary of distinct tokens, the vocabulary's
 * transliteration skeletons, a posting list per token (token → names) and blocks of the vocabulary by
 * initial (of the token and of its skeleton). Screening one name compares its few tokens with the
 * vocabulary tokens sharing an initial (a few thousand Jaro-Winkler calls), then scores only the names
 * holding similar tokens for at least min(2, query tokens) of its tokens.
 */
export function buildSanctionsIndex(list: SanctionsList): SanctionsIndex {
  const names: IndexedName[] = [];
  const vocab: string[] = [];
  const vocabSkeletons: string[] = [];
  const vocabIds = new Map<string, number>();
  const postings: number[][] = [];
  const tokenId = (t: string): number => {
    let id = vocabIds.get(t);
    if (id === undefined) {
      id = vocab.length;
      vocab.push(t);
      vocabSkeletons.push(skeleton(t));
      vocabIds.set(t, id);
      postings.push([]);
    }
    return id;
  };
  for (const entry of list.entries) {
    const seen = new Set<string>();
    const add = (name: string, alias: boolean): void => {
      const tokens = nameTokens(name);
      const key = tokens.join(' ');
      if (tokens.length === 0 || seen.has(key)) return;
      seen.add(key);
      const n = names.length;
      const tokenIds = tokens.map(tokenId);
      for (const id of new Set(tokenIds)) postings[id]!.push(n);
      names.push({ entry, name, alias, tokenIds });
    };
    add(entry.name, false);
    for (const a of entry.aliases) add(a.name, true);
  }
  const blocks = new Map<string, number[]>();
  vocab.forEach((t, id) => {
    const key = blockKey(t, vocabSkeletons[id]!);
    const b = blocks.get(key) ?? [];
    b.push(id);
    blocks.set(key, b);
  });

  function screen(query: ScreeningQuery, options: { minScore?: number; limit?: number } = {}): ScreeningMatch[] {
    const minScore = options.minScore ?? 0.75;
    const limit = options.limit ?? 5;
    if (!query || typeof query !== 'object') return [];
    const qTokens = nameTokens(query.name).slice(0, 12);
    if (qTokens.length === 0) return [];
    const qSkeletons = qTokens.map(skeleton);
    // Per query token: the vocabulary tokens similar enough to pair with it.
    const similar: Map<number, number>[] = qTokens.map((t, qi) => {
      const found = new Map<number, number>();
      const keys = queryBlockKeys(t, qSkeletons[qi]!);
      for (const key of keys) {
        for (const id of blocks.get(key) ?? []) {
          const v = vocab[id]!;
          if (jaroWinklerBound(t.length, v.length) < PAIR_FLOOR && qSkeletons[qi] !== vocabSkeletons[id]) continue;
          const s = tokenSimilarity(t, qSkeletons[qi]!, v, vocabSkeletons[id]!);
          if (s >= PAIR_FLOOR) found.set(id, s);
        }
      }
      return found;
    });
    const hits = new Map<number, number>();
    similar.forEach((found) => {
      const namesForToken = new Set<number>();
      for (const id of found.keys()) for (const n of postings[id]!) namesForToken.add(n);
      for (const n of namesForToken) hits.set(n, (hits.get(n) ?? 0) + 1);
    });
    const needed = Math.min(2, qTokens.length);
    const qLengths = qTokens.map((t) => t.length);
    const dob = parseQueryDate(query.dateOfBirth);
    const countries = countryNames(query.country);
    const best = new Map<string, ScreeningMatch>();
    for (const [i, count] of hits) {
      if (count < needed) continue;
      const n = names[i]!;
      const nameScore = alignTokens(qLengths, n.tokenIds.length, (qi, ci) => similar[qi]!.get(n.tokenIds[ci]!) ?? 0);
      if (nameScore < TIE_BREAK_FLOOR) continue;
      const d = compareDateOfBirth(dob, n.entry.datesOfBirth);
      const c = compareCountry(countries, n.entry.countries);
      let score = nameScore;
      if (d.agreement === 'agrees') score += d.exact ? 0.03 : 0.015;
      if (d.agreement === 'disagrees') score -= 0.08;
      if (c === 'agrees') score += 0.01;
      if (c === 'disagrees') score -= 0.02;
      score = Math.round(Math.min(1, Math.max(0, score)) * 10_000) / 10_000;
      if (score < minScore) continue;
      const previous = best.get(n.entry.uid);
      if (previous && previous.score >= score) continue;
      best.set(n.entry.uid, { entry: n.entry, matchedName: n.name, matchedAlias: n.alias, nameScore: Math.round(nameScore * 10_000) / 10_000, score, dateOfBirth: d.agreement, country: c });
    }
    return [...best.values()].sort((a, b) => b.score - a.score || b.nameScore - a.nameScore || a.entry.uid.localeCompare(b.entry.uid)).slice(0, limit);
  }

  return { snapshotId: list.snapshotId, size: names.length, screen };
}
