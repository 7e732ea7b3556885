import { describe, expect, it } from 'vitest';
import { eventKeys, eventSlug, schemaFileName } from './catalog.js';
import { loanApprovedV1Schema } from './events/loan-approved.v1.js';
import { sampleLoanApprovedV1 } from './fixtures.js';
import { eventSchemas } from './registry.js';
import { jsonSchemaValidator, loadFixtures, readJson, zodErrorPaths } from './test-support.js';

describe.each(eventKeys)('golden fixtures of %s', (key) => {
  const fixtures = loadFixtures(eventSlug(key));
  const schema = eventSchemas[key];
  const validateJson = jsonSchemaValidator(readJson('schemas', schemaFileName(key)) as object);

  it('has accept and reject fixtures', () => {
    expect(fixtures.accept.length).toBeGreaterThanOrEqual(1);
    expect(fixtures.reject.length).toBeGreaterThanOrEqual(1);
  });

  describe.each(fixtures.accept)('accept/$name', ({ value }) => {
    it('parses with the zod schema', () => {
      const result = schema.safeParse(value);
      expect(result.success ? [] : zodErrorPaths(result.error)).toEqual([]);
    });

    it('validates against the committed JSON Schema', () => {
      expect(validateJson(value)).toEqual([]);
    });

    it('round-trips through zod unchanged (no field is dropped or rewritten)', () => {
      expect(schema.parse(value)).toEqual(value);
    });
  });

  describe.each(fixtures.reject)('reject/$name', ({ value, expected }) => {
    it(`zod reports ${expected.path} and nothing else`, () => {
      const result = schema.safeParse(value);
      expect(result.success).toBe(false);
      if (!result.success) expect([...new Set(zodErrorPaths(result.error))]).toEqual([expected.path]);
    });

    it(`the committed JSON Schema reports ${expected.path} and nothing else`, () => {
      expect([...new Set(validateJson(value))]).toEqual([expected.path]);
    });
  });
});

describe('LoanApproved v1 fixtures cover the cases the contract promises', () => {
  const { accept, reject } = loadFixtures('loan-approved.v1');
  it('accepts a full INR loan, a minimal one and a USD one', () => {
    expect(accept.map((f) => f.name)).toEqual(
      expect.arrayContaining(['inr-personal-loan-full.json', 'minimal-optional-fields-omitted.json', 'usd-installment-loan.json']),
    );
  });
  it('rejects floats, unmasked ids, missing ids, unknown fields, wrong versions, bad principal and currency', () => {
    expect(reject.map((f) => f.name)).toEqual(
      expect.arrayContaining([
        'float-amount.json', 'unmasked-national-id.json', 'missing-loan-id.json', 'unknown-extra-property.json',
        'version-2-under-v1.json', 'negative-principal.json', 'bad-currency.json',
      ]),
    );
  });
});

describe('sampleLoanApprovedV1', () => {
  const validateJson = jsonSchemaValidator(readJson('schemas', 'loan-approved.v1.schema.json') as object);

  it('builds an event valid under zod and the committed JSON Schema', () => {
    const event = sampleLoanApprovedV1();
    expect(loanApprovedV1Schema.safeParse(event).success).toBe(true);
    expect(validateJson(event)).toEqual([]);
  });

  it('gives every event a fresh id, correlation id and loan id', () => {
    const [a, b] = [sampleLoanApprovedV1(), sampleLoanApprovedV1()];
    expect(a.id).not.toBe(b.id);
    expect(a.correlationId).not.toBe(b.correlationId);
    expect(a.payload.loan.id).not.toBe(b.payload.loan.id);
  });

  it('keeps the Kafka key (subject) and the loan id together, and the tenant in both places', () => {
    const event = sampleLoanApprovedV1({ loanId: 'loan-42', tenantId: 'tenant-b' });
    expect(event.subject).toBe('loan-42');
    expect(event.payload.loan.id).toBe('loan-42');
    expect(event.tenantId).toBe('tenant-b');
    expect(event.payload.loan.tenantId).toBe('tenant-b');
  });

  it('applies envelope, loan and borrower overrides', () => {
    const principal = { amount: '1250000', currency: 'USD', scale: 2 };
    const event = sampleLoanApprovedV1({
      envelope: { occurredAt: '2025-06-01T00:00:00Z', causationId: 'cmd-1' },
      loan: { principal, fees: [], termPeriods: 12 },
      borrower: { id: 'bor-9' },
    });
    expect(event.occurredAt).toBe('2025-06-01T00:00:00Z');
    expect(event.causationId).toBe('cmd-1');
    expect(event.payload.loan.principal).toEqual(principal);
    expect(event.payload.loan.termPeriods).toBe(12);
    expect(event.payload.borrower.id).toBe('bor-9');
  });

  it('refuses overrides that make the event invalid', () => {
    expect(() => sampleLoanApprovedV1({ loan: { principal: { amount: '-1', currency: 'INR', scale: 2 } } })).toThrow(
      /greater than zero/,
    );
  });
});
