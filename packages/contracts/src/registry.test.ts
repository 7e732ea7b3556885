import { describe, expect, it } from 'vitest';
import { sampleLoanApprovedV1 } from './fixtures.js';
import { parseEvent } from './registry.js';

describe('parseEvent', () => {
  it('refuses an empty message', () => {
    expect(parseEvent(null)).toEqual({ ok: false, reason: 'empty message value' });
  });

  it('refuses a value that is not JSON', () => {
    expect(parseEvent('{"id": ')).toEqual({ ok: false, reason: 'message value is not valid JSON' });
  });

  it('refuses JSON without an envelope, naming the missing fields', () => {
    const result = parseEvent('{"hello":"world"}');
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^invalid envelope: id: /);
  });

  it('refuses an unknown event type', () => {
    const event = { ...sampleLoanApprovedV1(), type: 'LoanExploded' };
    expect(parseEvent(JSON.stringify(event))).toEqual({ ok: false, reason: 'unknown event type/version LoanExploded.v1' });
  });

  it('refuses an unknown version of a known type', () => {
    const event = { ...sampleLoanApprovedV1(), version: 7 };
    expect(parseEvent(JSON.stringify(event))).toEqual({ ok: false, reason: 'unknown event type/version LoanApproved.v7' });
  });

  it('refuses a known type and version whose payload is invalid, naming the field', () => {
    const event = sampleLoanApprovedV1();
    const broken = { ...event, payload: { ...event.payload, loan: { ...event.payload.loan, termPeriods: 0 } } };
    const result = parseEvent(JSON.stringify(broken));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(/^invalid LoanApproved\.v1: payload\.loan\.termPeriods: /);
  });

  it('accepts a valid LoanApproved v1 from a string or a Buffer', () => {
    const event = sampleLoanApprovedV1({ loanId: 'loan-7' });
    for (const raw of [JSON.stringify(event), Buffer.from(JSON.stringify(event))]) {
      const result = parseEvent(raw);
      expect(result).toEqual({ ok: true, event });
    }
  });
});
