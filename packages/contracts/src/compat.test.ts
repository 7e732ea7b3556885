import { describe, expect, it } from 'vitest';
import { findBreakingChanges } from './compat.js';

/** A small event-like schema; each test changes one thing in a copy. */
function base() {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'Thing v1',
    type: 'object',
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 64 },
      version: { type: 'number', const: 1 },
      frequency: { type: 'string', enum: ['weekly', 'monthly'] },
      amount: { type: 'string', pattern: '^-?(0|[1-9]\\d*)$' },
      note: { type: 'string', maxLength: 200 },
      occurredAt: { type: 'string', format: 'date-time' },
      fees: {
        type: 'array',
        maxItems: 20,
        items: {
          type: 'object',
          properties: { code: { type: 'string' }, scale: { type: 'integer', minimum: 0, maximum: 4 } },
          required: ['code'],
          additionalProperties: false,
        },
      },
      meta: { type: 'object', properties: { source: { type: 'string' } } },
    },
    required: ['id', 'version', 'frequency', 'amount', 'occurredAt', 'fees'],
    additionalProperties: false,
  };
}
type Schema = ReturnType<typeof base> & Record<string, any>;

function changed(edit: (s: Schema) => void): string[] {
  const next = structuredClone(base()) as Schema;
  edit(next);
  return findBreakingChanges(base(), next);
}

describe('findBreakingChanges', () => {
  it('finds nothing between a schema and itself', () => {
    expect(findBreakingChanges(base(), base())).toEqual([]);
  });

  describe('allows', () => {
    it.each<[string, (s: Schema) => void]>([
      ['a new optional property', (s) => ((s.properties as any).channel = { type: 'string' })],
      ['a new optional nested property', (s) => ((s.properties.fees.items.properties as any).name = { type: 'string' })],
      ['a new required property inside a new optional object', (s) => {
        (s.properties as any).extra = { type: 'object', properties: { a: { type: 'string' } }, required: ['a'] };
      }],
      ['a new enum value', (s) => s.properties.frequency.enum.push('quarterly')],
      ['a relaxed bound', (s) => (s.properties.note.maxLength = 500)],
      ['a removed bound', (s) => delete (s.properties.id as any).minLength],
      ['a property made optional', (s) => (s.required = s.required.filter((r) => r !== 'occurredAt'))],
      ['annotation changes', (s) => {
        s.title = 'Thing, version one';
        (s.properties.id as any).description = 'The id.';
        (s as any).$id = 'https://example.test/thing.v1.schema.json';
      }],
      ['reordered properties and required', (s) => {
        s.properties = Object.fromEntries(Object.entries(s.properties).reverse()) as Schema['properties'];
        s.required = [...s.required].reverse();
      }],
    ])('%s', (_, edit) => {
      expect(changed(edit)).toEqual([]);
    });
  });

  describe('catches', () => {
    it.each<[string, (s: Schema) => void, string]>([
      ['a removed property', (s) => delete (s.properties as any).note, 'note: property removed'],
      ['a removed nested property', (s) => delete (s.properties.fees.items.properties as any).scale, 'fees[].scale: property removed'],
      ['a property that became required', (s) => s.required.push('note'), 'note: became required'],
      ['a new required property', (s) => {
        (s.properties as any).channel = { type: 'string' };
        s.required.push('channel');
      }, 'channel: added as required'],
      ['a changed type', (s) => ((s.properties.amount as any).type = 'number'), 'amount: type changed from "string" to "number"'],
      ['a widened type', (s) => ((s.properties.amount as any).type = ['string', 'number']), 'amount: type changed'],
      ['a changed nested type', (s) => ((s.properties.fees.items.properties.scale as any).type = 'string'), 'fees[].scale: type changed'],
      ['a narrowed enum', (s) => (s.properties.frequency.enum = ['monthly']), 'frequency: enum narrowed, removed ["weekly"]'],
      ['an enum added to a free string', (s) => ((s.properties.note as any).enum = ['a']), 'note: enum ["a"] added'],
      ['a changed const', (s) => (s.properties.version.const = 2), 'version: const changed from 1 to 2'],
      ['a const added', (s) => ((s.properties.note as any).const = 'x'), 'note: const changed from (none) to "x"'],
      ['a changed pattern', (s) => (s.properties.amount.pattern = '^\\d+$'), 'amount: pattern changed'],
      ['a removed pattern', (s) => delete (s.properties.amount as any).pattern, 'amount: pattern changed'],
      ['a changed format', (s) => (s.properties.occurredAt.format = 'date'), 'occurredAt: format changed'],
      ['additionalProperties tightened', (s) => ((s.properties.meta as any).additionalProperties = false), 'meta: additionalProperties tightened to false'],
      ['a tightened maxLength', (s) => (s.properties.note.maxLength = 100), 'note: maxLength tightened from 200 to 100'],
      ['a new minLength', (s) => ((s.properties.note as any).minLength = 1), 'note: minLength tightened from (none) to 1'],
      ['a tightened maximum in array items', (s) => (s.properties.fees.items.properties.scale.maximum = 2), 'fees[].scale: maximum tightened from 4 to 2'],
      ['a tightened maxItems', (s) => (s.properties.fees.maxItems = 10), 'fees: maxItems tightened from 20 to 10'],
      ['a changed union (not compared structurally)', (s) => ((s.properties.note as any).anyOf = [{ type: 'string' }]), 'note: anyOf changed'],
    ])('%s', (_, edit, message) => {
      const breaks = changed(edit);
      expect(breaks.length).toBeGreaterThan(0);
      expect(breaks.join('\n')).toContain(message);
    });
  });

  it('reports every break, not only the first', () => {
    const breaks = changed((s) => {
      delete (s.properties as any).note;
      s.properties.version.const = 2;
      s.properties.frequency.enum = ['monthly'];
    });
    expect(breaks).toHaveLength(3);
  });
});
