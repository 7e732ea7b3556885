/**
 * Name normalisation for sanctions screening: case, diacritics, punctuation and token order are not
 * evidence of a different person, so they are removed before any comparison.
 */

/** Particles that carry little identity and make blocking noisy: `AL-MUHAMMAD` ≈ `MUHAMMAD`. */
const PARTICLES = new Set(['al', 'el', 'ul', 'bin', 'ibn', 'bint', 'ben', 'abu', 'de', 'del', 'della', 'da', 'di', 'do', 'dos', 'du', 'la', 'le', 'van', 'von', 'der', 'den', 'y', 'mr', 'mrs', 'dr']);

/** Letters NFKD does not decompose into ASCII. */
const SPECIAL: Readonly<Record<string, string>> = { ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', đ: 'd', ð: 'd', þ: 'th', ł: 'l', ı: 'i', ħ: 'h' };

/** Lower-case ASCII tokens of a name, particles dropped (unless nothing else is left), in original order. */
export function nameTokens(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  const folded = raw
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/[ßæœøđðþłıħ]/g, (c) => SPECIAL[c] ?? c)
    // Apostrophes and dots join (O'Brien → obrien, A.K. → ak); every other non-letter/digit separates.
    .replace(/['’‘`.]/g, '')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  if (folded === '') return [];
  const tokens = folded.split(' ').filter((t) => t !== '');
  const meaningful = tokens.filter((t) => !PARTICLES.has(t));
  return meaningful.length > 0 ? meaningful : tokens;
}

/**
 * A transliteration skeleton: digraphs folded (KH→K, PH→F), C/K/Q, S/Z, V/W and I/Y/J merged, every vowel
 * run read as one `a`, doubled letters collapsed. MUHAMMAD / MOHAMMED / MOHAMED → `mahamad`, but MAHMOUD →
 * `mahmad`; YURYEVICH / IURIEVICH → `aravak`. Used as a secondary signal next to Jaro-Winkler.
 */
export function skeleton(token: string): string {
  const t = token
    .replace(/ph/g, 'f')
    .replace(/(kh|gh|dh|th|sh|ch|zh)/g, (d) => d[0]!)
    .replace(/[cqk]+/g, 'k')
    .replace(/z/g, 's')
    .replace(/w/g, 'v')
    .replace(/[yj]/g, 'i')
    .replace(/x/g, 'ks');
  return t.replace(/[aeiou]+/g, 'a').replace(/(.)\1+/g, '$1');
}

/** OFAC names are `FAMILY, Given Middle`; for display and token-sorted comparison the order does not matter. */
export function sortedKey(tokens: readonly string[]): string {
  return [...tokens].sort().join(' ');
}
