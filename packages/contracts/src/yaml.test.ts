import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { toYaml } from './yaml.js';

describe('toYaml', () => {
  it('writes block mappings and sequences with a trailing newline', () => {
    expect(toYaml({ a: 1, b: ['x', { c: true }], d: {} })).toBe('a: 1\nb:\n  - x\n  - c: true\nd: {}\n');
  });

  it('quotes strings YAML would read as something else', () => {
    const tricky = {
      version: '3.0.0',
      number: '42',
      bool: 'true',
      yes: 'yes',
      nil: 'null',
      tilde: '~',
      empty: '',
      colon: 'a: b',
      hash: 'a #b',
      ref: '#/components/messages/X',
      dash: '- item',
      star: '*alias',
      amp: '&anchor',
      brace: '{"amount":"1"}',
      newline: 'two\nlines',
      trailing: 'space ',
      quote: "it's \"quoted\"",
      unicode: '₹ 5,00,000',
      host: '127.0.0.1:9092',
      'key with space': 1,
      'x-dead-letter-reason': 'ok',
      'retention.ms': 2_592_000_000,
      dotInf: '.inf',
    };
    expect(parse(toYaml(tricky))).toEqual(tricky);
  });

  it('round-trips nested arrays, empty collections and null', () => {
    const value = { a: [[1, 2], [], [{ b: null }]], c: [{}], d: [{ e: [{ f: 'g' }] }] };
    expect(parse(toYaml(value))).toEqual(value);
  });
});
