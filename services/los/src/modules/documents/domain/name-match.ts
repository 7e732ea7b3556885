import jaroWinkler from 'talisman/metrics/jaro-winkler.js';

/** Upper case, letters and spaces only (diacritics folded), single spaces. */
export function normaliseName(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toUpperCase().replace(/[^A-Z ]+/g, ' ').replace(/\s+/g, ' ').trim();
}

/**
 * How alike two person names are, 0..1: the best of Jaro-Winkler (talisman) on the whole names, on their
 * tokens sorted (so "SHARMA PRIYA" = "PRIYA SHARMA"), and the mean best per-token score of the shorter
 * name (so a middle name on one side costs little).
 */
export function nameMatchScore(a: string, b: string): number {
  const x = normaliseName(a);
  const y = normaliseName(b);
  if (x === '' || y === '') return 0;
  if (x === y) return 1;
  const tx = x.split(' ');
  const ty = y.split(' ');
  const sorted = jaroWinkler.similarity([...tx].sort().join(' '), [...ty].sort().join(' '));
  const [short, long] = tx.length <= ty.length ? [tx, ty] : [ty, tx];
  const perToken = short.reduce((sum, token) => sum + Math.max(...long.map((other) => jaroWinkler.similarity(token, other))), 0) / short.length;
  // A name that covers only some of the other's tokens is penalised by the share it leaves out.
  const coverage = short.length / long.length;
  const tokenScore = perToken * (0.85 + 0.15 * coverage);
  return Math.round(Math.max(jaroWinkler.similarity(x, y), sorted, tokenScore) * 1000) / 1000;
}

export interface NameMatchThresholds {
  /** At or above: the same person's name. */
  readonly match: number;
  /** At or above (below `match`): close, an operator looks. Below: a mismatch. */
  readonly partial: number;
}

export const DEFAULT_NAME_THRESHOLDS: NameMatchThresholds = { match: 0.92, partial: 0.8 };

export function classifyNameMatch(score: number, thresholds: NameMatchThresholds = DEFAULT_NAME_THRESHOLDS): 'match' | 'partial' | 'mismatch' {
  return score >= thresholds.match ? 'match' : score >= thresholds.partial ? 'partial' : 'mismatch';
}
