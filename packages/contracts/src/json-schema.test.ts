import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { eventCatalog, eventKeys, kebabCase, schemaFileName } from './catalog.js';
import { acceptedChanges, unacceptedChanges } from './accepted-changes.js';
import { findBreakingChanges } from './compat.js';
import { generateJsonSchemas, toJsonFile, type JsonSchema } from './json-schema.js';
import { packageRoot, readJson, readText } from './test-support.js';

const regenerate = 'run `pnpm --filter @lendstack/contracts generate` and commit the result';
const generated = generateJsonSchemas();

describe('committed JSON Schemas', () => {
  it('has one schema per entry of eventSchemas, named <event-kebab>.v<N>.schema.json', () => {
    expect(eventKeys.map(schemaFileName)).toEqual(expect.arrayContaining([
        'loan-approved.v1.schema.json', 'loan-booking-rejected.v1.schema.json', 'loan-disbursed.v1.schema.json',
        'repayment-received.v1.schema.json', 'transaction-reversed.v1.schema.json', 'repayment-reallocated.v1.schema.json', 'installment-due.v1.schema.json',
        'installment-overdue.v1.schema.json', 'installment-paid.v1.schema.json', 'delinquency-changed.v1.schema.json',
        'accrual-status-changed.v1.schema.json', 'loan-charged-off.v1.schema.json', 'loan-closed.v1.schema.json',
      ]));
    for (const key of eventKeys) expect(generated.map((g) => g.fileName)).toContain(schemaFileName(key));
  });

  it('holds no schema file the generator does not write', () => {
    const committed = readdirSync(join(packageRoot, 'schemas')).filter((f) => f.endsWith('.json'));
    expect(committed.sort()).toEqual(generated.map((g) => g.fileName).sort());
  });

  describe.each(generated)('$fileName', ({ fileName, schema }) => {
    it('is exactly what the zod schema generates (otherwise regenerate)', () => {
      const path = join(packageRoot, 'schemas', fileName);
      expect(existsSync(path), `schemas/${fileName} is missing: ${regenerate}`).toBe(true);
      expect(readText('schemas', fileName), `schemas/${fileName} is stale: ${regenerate}`).toBe(toJsonFile(schema));
    });

    it('has no breaking change against its frozen baseline (the first published form of this version)', () => {
      const baselinePath = join(packageRoot, 'schemas', 'baseline', fileName);
      expect(existsSync(baselinePath), `schemas/baseline/${fileName} is missing: ${regenerate}`).toBe(true);
      const breaks = findBreakingChanges(readJson('schemas', 'baseline', fileName), readJson('schemas', fileName));
      expect(unacceptedChanges(fileName, breaks), 'incompatible change inside a version: add a new version (.v2.ts) instead').toEqual([]);
    });

    it('lists only accepted tightenings that still occur, each explained in CHANGELOG.md', () => {
      const breaks = findBreakingChanges(readJson('schemas', 'baseline', fileName), readJson('schemas', fileName));
      const changelog = readText('CHANGELOG.md');
      for (const accepted of acceptedChanges.filter((a) => a.schema === fileName)) {
        expect(breaks.some((line) => line.startsWith(accepted.change)), `stale accepted change: ${accepted.change}`).toBe(true);
        expect(changelog).toContain(`## ${accepted.changelog}`);
      }
    });

    it('is a valid draft 2020-12 schema with $id, title and description', () => {
      const ajv = new Ajv2020({ strict: true });
      expect(ajv.validateSchema(schema), JSON.stringify(ajv.errors)).toBe(true);
      expect(schema['$schema']).toBe('https://json-schema.org/draft/2020-12/schema');
      expect(schema['$id']).toMatch(new RegExp(`/${fileName.replace(/\./g, '\\.')}$`));
      expect(schema['title']).toEqual(expect.any(String));
      expect(schema['description']).toEqual(expect.any(String));
    });
  });

  it.each(eventKeys)('%s pins its type and version with const, and forbids unknown fields', (key) => {
    const schema = readJson('schemas', schemaFileName(key)) as JsonSchema;
    const properties = schema['properties'] as Record<string, JsonSchema>;
    expect(properties['type']?.['const']).toBe(eventCatalog[key].name);
    expect(properties['version']?.['const']).toBe(eventCatalog[key].version);
    expect(schema['additionalProperties']).toBe(false);
  });

  it('writes money amounts as strings and a positive principal as a positive integer string', () => {
    const schema = readJson('schemas', 'loan-approved.v1.schema.json') as JsonSchema;
    const loan = (schema as any).properties.payload.properties.loan.properties;
    expect(loan.principal.properties.amount).toMatchObject({ type: 'string', pattern: '^[1-9]\\d{0,17}$' });
    expect(loan.fees.items.properties.amount.properties.amount).toMatchObject({ type: 'string' });
  });
});

describe('kebabCase', () => {
  it.each([
    ['LoanApproved', 'loan-approved'],
    ['InstallmentDue', 'installment-due'],
    ['NPAClassified', 'npa-classified'],
  ])('%s → %s', (name, kebab) => expect(kebabCase(name)).toBe(kebab));
});
