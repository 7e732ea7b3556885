import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { HttpProblem, jsonPointer, parseOr400 } from './problem.js';

const schema = z.object({ loan: z.object({ amount: z.string(), 'a/b~c': z.number().optional() }).strict() }).strict();

function problemOf(value: unknown, where: 'body' | 'query' = 'body'): HttpProblem {
  try {
    parseOr400(schema, value, where);
  } catch (error) {
    return error as HttpProblem;
  }
  throw new Error('expected a problem');
}

describe('parseOr400', () => {
  it('names each wrong field by its JSON pointer', () => {
    const problem = problemOf({ loan: { amount: 5 } });
    expect(problem.status).toBe(400);
    expect(problem.extensions.errors).toEqual([{ pointer: '/loan/amount', detail: expect.stringContaining('expected string') }]);
  });

  it('names an unknown property by its own pointer', () => {
    expect(problemOf({ loan: { amount: '1', rate: 2 } }).extensions.errors).toEqual([{ pointer: '/loan/rate', detail: 'unknown property rate' }]);
  });

  it('prefixes pointers outside the body with where they were found', () => {
    expect(problemOf({}, 'query').extensions.errors).toEqual([{ pointer: '/query/loan', detail: expect.any(String) }]);
  });

  it('returns the parsed value when it is valid', () => {
    expect(parseOr400(schema, { loan: { amount: '1' } }, 'body')).toEqual({ loan: { amount: '1' } });
  });
});

describe('jsonPointer', () => {
  it('escapes ~ and / as RFC 6901 says', () => {
    expect(jsonPointer(['loan', 'a/b~c'])).toBe('/loan/a~1b~0c');
    expect(jsonPointer([])).toBe('/');
  });
});
