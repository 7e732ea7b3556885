import { describe, expect, it } from 'vitest';
import { nameTokens, skeleton, sortedKey } from './normalize.js';

describe('nameTokens', () => {
  it('lower-cases, strips diacritics and splits on punctuation', () => {
    expect(nameTokens('KHOROSHEV, Dmitry Yuryevich')).toEqual(['khoroshev', 'dmitry', 'yuryevich']);
    expect(nameTokens('José  Ñúñez-García')).toEqual(['jose', 'nunez', 'garcia']);
    expect(nameTokens('Łukasz Øster Straße')).toEqual(['lukasz', 'oster', 'strasse']);
  });

  it("joins apostrophes and dots, drops particles unless they are all there is", () => {
    expect(nameTokens("O'Brien, J.R.")).toEqual(['obrien', 'jr']);
    expect(nameTokens('AL-MUHAMMAD, Khamis Sirhan')).toEqual(['muhammad', 'khamis', 'sirhan']);
    expect(nameTokens('Abu Bin')).toEqual(['abu', 'bin']);
  });

  it('returns no tokens for empty, non-string or punctuation-only input', () => {
    expect(nameTokens('')).toEqual([]);
    expect(nameTokens('  ,.-  ')).toEqual([]);
    expect(nameTokens(undefined)).toEqual([]);
    expect(nameTokens(42)).toEqual([]);
  });

  it('keeps non-Latin letters as tokens rather than dropping them', () => {
    expect(nameTokens('李 小龙')).toEqual(['李', '小龙']);
  });
});

describe('skeleton', () => {
  it('makes common transliteration variants equal', () => {
    expect(skeleton('muhammad')).toBe(skeleton('mohammed'));
    expect(skeleton('mohamed')).toBe(skeleton('muhammad'));
    expect(skeleton('yuryevich')).toBe(skeleton('iurievich'));
    expect(skeleton('qasim')).toBe(skeleton('kassim'));
  });

  it('keeps different names apart', () => {
    expect(skeleton('muhammad')).not.toBe(skeleton('mahmoud'));
    expect(skeleton('daniel')).not.toBe(skeleton('david'));
  });
});

describe('sortedKey', () => {
  it('ignores token order', () => {
    expect(sortedKey(['khoroshev', 'dmitry'])).toBe(sortedKey(['dmitry', 'khoroshev']));
  });
});
