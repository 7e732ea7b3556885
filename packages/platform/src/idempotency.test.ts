import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { idempotencyKeyOf, parseHeaderOr400 } from './idempotency.js';
import type { HttpProblem } from './problem.js';

function problemOf(run: () => unknown): HttpProblem {
  try {
    run();
  } catch (error) {
    return error as HttpProblem;
  }
  throw new Error('expected a problem');
}

describe('idempotencyKeyOf', () => {
  it('returns the key, or undefined when the header is absent and optional', () => {
    expect(idempotencyKeyOf({ 'idempotency-key': 'order:2026-12-02.1' })).toBe('order:2026-12-02.1');
    expect(idempotencyKeyOf({})).toBeUndefined();
  });

  it('names the header, not /header, when the key is too short, too long or has other characters', () => {
    for (const key of ['short', 'x'.repeat(129), 'has space in it', 'comma,separated']) {
      const problem = problemOf(() => idempotencyKeyOf({ 'idempotency-key': key }));
      expect([problem.status, problem.extensions.errors]).toEqual([400, [{ pointer: '/header/idempotency-key', detail: expect.any(String) }]]);
    }
  });

  it('names the header when a required key is missing', () => {
    expect(problemOf(() => idempotencyKeyOf({}, { required: true })).extensions.errors).toEqual([{ pointer: '/header/idempotency-key', detail: 'required' }]);
  });
});

describe('parseHeaderOr400', () => {
  it('names any header by its lowercase name', () => {
    expect(problemOf(() => parseHeaderOr400(z.string().regex(/^\d+$/), { 'x-count': 'ten' }, 'X-Count')).extensions.errors).toEqual([{ pointer: '/header/x-count', detail: expect.any(String) }]);
  });
});
