import { beforeAll, describe, expect, it } from 'vitest';
import { loadSdnListFromDirectory } from './load-sdn.js';
import { buildSanctionsIndex, compareDateOfBirth, nameSimilarity, parseQueryDate, type SanctionsIndex } from './matcher.js';
import { parseDatesOfBirth } from './sdn-list.js';

let index: SanctionsIndex;
beforeAll(() => {
  index = buildSanctionsIndex(loadSdnListFromDirectory());
});

const top = (name: string, dateOfBirth?: string, country?: string) => index.screen({ name, dateOfBirth, country })[0];

describe('nameSimilarity', () => {
  it('is 1 for the same name in any order, case, accents and punctuation', () => {
    expect(nameSimilarity('KHOROSHEV, Dmitry Yuryevich', 'dmitry yuryevich khoroshev')).toBe(1);
    expect(nameSimilarity('Núñez, José', 'JOSE NUNEZ')).toBe(1);
  });

  it('scores transliteration variants above plain Jaro-Winkler and below an exact match', () => {
    const s = nameSimilarity('MUHAMMAD ALI', 'MOHAMMED ALI');
    expect(s).toBeGreaterThan(0.87); // talisman JW on the whole strings
    expect(s).toBeLessThan(1);
  });

  it('keeps different names apart', () => {
    expect(nameSimilarity('Mahmoud Abbas', 'Muhammad Abbas')).toBeLessThan(nameSimilarity('Mohammed Abbas', 'Muhammad Abbas'));
    expect(nameSimilarity('Priya Sharma', 'Daniel Moreno')).toBe(0);
    expect(nameSimilarity('', 'Daniel Moreno')).toBe(0);
  });

  it('costs a little for a missing middle name and more for each further one', () => {
    const one = nameSimilarity('Dmitry Khoroshev', 'KHOROSHEV, Dmitry Yuryevich');
    const two = nameSimilarity('Maria Garcia', 'GARCIA DURAN, Maria Del Rosario');
    expect(one).toBeCloseTo(0.96, 5);
    expect(two).toBeLessThan(one);
  });
});

describe('dates of birth', () => {
  const list = parseDatesOfBirth('DOB 17 Apr 1993; alt. DOB circa 1960');
  it('agrees exactly on the same date, loosely on the same year, and disagrees on a distant one', () => {
    expect(compareDateOfBirth(parseQueryDate('1993-04-17'), list)).toEqual({ agreement: 'agrees', exact: true });
    expect(compareDateOfBirth(parseQueryDate('1961-02-02'), list)).toEqual({ agreement: 'agrees', exact: false });
    expect(compareDateOfBirth(parseQueryDate('1980-01-01'), list).agreement).toBe('disagrees');
    // Same year, other day: could be a typo, so not a clear disagreement.
    expect(compareDateOfBirth(parseQueryDate('1993-05-17'), list).agreement).toBe('unknown');
    expect(compareDateOfBirth(parseQueryDate('not a date'), list).agreement).toBe('unknown');
    expect(compareDateOfBirth(parseQueryDate('1993-04-17'), []).agreement).toBe('unknown');
  });

  it('rejects impossible query dates', () => {
    expect(parseQueryDate('1993-13-01')).toBeNull();
    expect(parseQueryDate('0001-01-01')).toBeNull();
    expect(parseQueryDate(undefined)).toBeNull();
    expect(parseQueryDate('1993')).toEqual({ year: 1993 });
  });
});

describe('screening the bundled OFAC excerpt', () => {
  it('finds real listed names exactly, in either order', () => {
    expect(top('Dmitry Yuryevich Khoroshev')).toMatchObject({ score: 1, matchedAlias: false, entry: { uid: '48603' } });
    expect(top('Khoroshev Dmitry Yuryevich')).toMatchObject({ score: 1, entry: { uid: '48603' } });
    expect(top('Daniel Moreno')).toMatchObject({ score: 1, entry: { uid: '15102', programs: ['SDNTK'] } });
    expect(top('Khalid Shaikh Mohammed')).toMatchObject({ score: 1, entry: { uid: '6928' } });
  });

  it('finds them through an alias, reporting the alias', () => {
    const m = top('Dmitrii Yuryevich Khoroshev')!;
    expect(m.entry.uid).toBe('48603');
    expect(m.matchedAlias).toBe(true);
    expect(m.matchedName).toBe('KHOROSHEV, Dmitrii Yuryevich');
  });

  it('finds them with typos and transliteration variants', () => {
    const typo = top('Danial Morenno')!;
    expect(typo.entry.uid).toBe('15102');
    expect(typo.score).toBeGreaterThan(0.9);
    expect(typo.score).toBeLessThan(1);
    const translit = top('Muhammad Khalid Shaikh')!; // listed as MOHAMMED, Khalid Shaikh
    expect(translit.entry.uid).toBe('6928');
    expect(translit.score).toBeGreaterThan(0.95);
    const fazul = top('Fazul Abdallah Muhamed')!; // listed as MOHAMMED, Fazul Abdullah
    expect(fazul.entry.uid).toBe('6927');
    expect(fazul.score).toBeGreaterThan(0.9);
  });

  it('lets an agreeing date of birth and country lift a partial name, and a contradicting one lower it', () => {
    const plain = top('Dmitry Khoroshev')!;
    const agreeing = top('Dmitry Khoroshev', '1993-04-17', 'RU')!;
    const contradicting = top('Dmitry Khoroshev', '1960-01-01', 'IN')!;
    expect(plain.entry.uid).toBe('48603');
    expect(agreeing).toMatchObject({ dateOfBirth: 'agrees', country: 'agrees', entry: { uid: '48603' } });
    expect(agreeing.score).toBeGreaterThan(plain.score);
    expect(agreeing.score).toBeGreaterThanOrEqual(0.97);
    expect(contradicting).toMatchObject({ dateOfBirth: 'disagrees', country: 'disagrees' });
    expect(contradicting.score).toBeLessThan(plain.score - 0.05);
    expect(top('Daniel Moreno', '1990-03-03')!.score).toBeLessThan(top('Daniel Moreno', '1972-10-12')!.score);
  });

  it('finds nothing close for clean common names', () => {
    for (const name of ['Priya Sharma', 'John Smith', 'Rahul Verma', 'Emily Johnson', 'Aarav Patel']) {
      const m = top(name);
      expect(m?.score ?? 0, name).toBeLessThan(0.85);
    }
  });

  it('handles empty, punctuation-only, non-Latin and absurd input without throwing', () => {
    expect(index.screen({ name: '' })).toEqual([]);
    expect(index.screen({ name: ' , - . ' })).toEqual([]);
    expect(index.screen({ name: '李小龙', dateOfBirth: '☃', country: '🙂' })).toEqual([]);
    expect(index.screen({ name: 'Ærøskøbing Çelik' }).every((m) => m.score < 0.85)).toBe(true);
    expect(index.screen({ name: 'a'.repeat(10_000) })).toBeInstanceOf(Array);
    expect(index.screen(null as never)).toEqual([]);
    expect(index.screen({ name: 7 as never })).toEqual([]);
  });

  it('screens one name in well under 5 ms once loaded', () => {
    const names = ['Dmitry Khoroshev', 'Priya Sharma', 'Mohammed Ali', 'Maria Garcia', 'Daniel Moreno', 'Abdul Rahman', 'Yusuf Qasim', 'Elena Ivanova'];
    for (const n of names) index.screen({ name: n }); // warm up
    const times: number[] = [];
    for (let i = 0; i < 20; i++) {
      for (const n of names) {
        const start = performance.now();
        index.screen({ name: n, dateOfBirth: '1980-01-01', country: 'IN' });
        times.push(performance.now() - start);
      }
    }
    times.sort((a, b) => a - b);
    expect(times[Math.floor(times.length / 2)]!).toBeLessThan(5);
  });
});
