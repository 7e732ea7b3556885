import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext, CheckSubject } from '../checks/check-runner.js';
import { loadSdnListFromDirectory } from './load-sdn.js';
import { buildSanctionsIndex, type SanctionsIndex } from './matcher.js';
import { createSanctionsCheckRunner, DEFAULT_SANCTIONS_THRESHOLDS } from './sanctions-check.js';

let index: SanctionsIndex;
beforeAll(() => {
  index = buildSanctionsIndex(loadSdnListFromDirectory());
});

const ctx: CheckContext = { idempotencyKey: 'app-1:sanctions:1', signal: new AbortController().signal };

function subject(given: string, family: string, opts: { dob?: string | Error; country?: string } = {}): CheckSubject {
  return {
    tenantId: 't-1',
    applicationId: 'app-1',
    applicant: {
      name: { given, family },
      contact: { email: 'a@example.test', phone: '+910000000000' },
      country: opts.country ?? 'IN',
      nationalIdType: 'PAN',
      nationalIdMasked: 'XXXXX1234X',
      nationalIdToken: 'tok_nid',
      bankAccountToken: 'tok_acct',
    },
    statedMonthlyIncome: null,
    employerName: null,
    requestedPrincipal: { amount: 100_000n, currency: 'INR' } as never,
    proposedMonthlyInstallment: null,
    device: null,
    documents: [],
    reveal: async (field) => {
      if (field !== 'date-of-birth') throw new Error(`unexpected reveal of ${field}`);
      if (opts.dob instanceof Error) throw opts.dob;
      return opts.dob ?? '1990-01-01';
    },
  };
}

describe('sanctions CheckRunner', () => {
  it('is the sanctions kind', () => {
    expect(createSanctionsCheckRunner({ list: index }).kind).toBe('sanctions');
  });

  it('fails an exact match of a listed person, with the entry, score, thresholds and snapshot as evidence', async () => {
    const runner = createSanctionsCheckRunner({ list: index });
    const out = await runner.run(subject('Dmitry Yuryevich', 'Khoroshev', { dob: '1993-04-17', country: 'RU' }), ctx);
    expect(out).toMatchObject({ kind: 'sanctions', result: 'fail', score: 1 });
    expect(out.reasons.map((r) => r.code)).toEqual(['sanctions-match']);
    expect(out.evidence).toMatchObject({
      listSnapshotId: index.snapshotId,
      thresholds: DEFAULT_SANCTIONS_THRESHOLDS,
      match: { uid: '48603', name: 'KHOROSHEV, Dmitry Yuryevich', programs: ['CYBER2'], matchedAlias: null, dateOfBirth: 'agrees', country: 'agrees' },
    });
  });

  it('names the alias that matched', async () => {
    const out = await createSanctionsCheckRunner({ list: index }).run(subject('Dmitriy Yurevich', 'Khoroshev', { dob: '1993-04-17' }), ctx);
    expect(out.result).toBe('fail');
    expect(out.evidence).toMatchObject({ match: { uid: '48603', matchedAlias: 'KHOROSHEV, Dmitriy Yurevich' } });
  });

  it('refers an exact name whose date of birth clearly contradicts the list', async () => {
    const out = await createSanctionsCheckRunner({ list: index }).run(subject('Daniel', 'Moreno', { dob: '1990-03-03' }), ctx);
    expect(out.result).toBe('refer');
    expect(out.reasons[0]!.code).toBe('sanctions-possible-match');
    expect(out.evidence).toMatchObject({ match: { uid: '15102', dateOfBirth: 'disagrees' } });
  });

  it('refers a fuzzy match (typo plus transliteration)', async () => {
    const out = await createSanctionsCheckRunner({ list: index }).run(subject('Khaled Shaikh', 'Muhammad', { dob: '1965-07-01' }), ctx);
    expect(out.result).toBe('refer');
    expect(out.evidence).toMatchObject({ match: { uid: '6928' } });
    expect(out.score!).toBeGreaterThanOrEqual(DEFAULT_SANCTIONS_THRESHOLDS.refer);
    expect(out.score!).toBeLessThan(DEFAULT_SANCTIONS_THRESHOLDS.fail);
  });

  it('passes a clean applicant', async () => {
    const out = await createSanctionsCheckRunner({ list: index }).run(subject('Priya', 'Sharma'), ctx);
    expect(out).toMatchObject({ kind: 'sanctions', result: 'pass', reasons: [] });
    expect(out.evidence).toMatchObject({ match: null, listSnapshotId: index.snapshotId });
  });

  it('honours configured thresholds', async () => {
    const strict = createSanctionsCheckRunner({ list: index, thresholds: { fail: 1.01, refer: 0.99 } });
    expect((await strict.run(subject('Dmitry Yuryevich', 'Khoroshev', { dob: '1993-04-17' }), ctx)).result).toBe('refer');
    expect((await strict.run(subject('Danial', 'Morenno'), ctx)).result).toBe('pass');
  });

  it('accepts a parsed list as well as an index', async () => {
    const runner = createSanctionsCheckRunner({ list: loadSdnListFromDirectory() });
    expect((await runner.run(subject('Daniel', 'Moreno', { dob: '1972-10-12' }), ctx)).result).toBe('fail');
  });

  it('never puts the applicant date of birth into the outcome', async () => {
    const out = await createSanctionsCheckRunner({ list: index }).run(subject('Dmitry', 'Khoroshev', { dob: '1993-04-17' }), ctx);
    expect(JSON.stringify(out)).not.toContain('1993-04-17');
  });

  it('screens on name alone when the date of birth cannot be revealed, and says so', async () => {
    const out = await createSanctionsCheckRunner({ list: index }).run(subject('Daniel', 'Moreno', { dob: new Error('vault down') }), ctx);
    expect(out.result).toBe('fail');
    expect(out.reasons.map((r) => r.code)).toEqual(['date-of-birth-unavailable', 'sanctions-match']);
  });

  it('does not throw on odd subjects', async () => {
    const runner = createSanctionsCheckRunner({ list: index });
    const empty = await runner.run(subject('', ''), ctx);
    expect(empty.result).toBe('pass');
    expect(empty.reasons.map((r) => r.code)).toContain('name-missing');
    expect((await runner.run(subject('李', '小龙', { dob: 'garbage', country: '' }), ctx)).result).toBe('pass');
    const broken = { ...subject('x', 'y'), applicant: undefined, reveal: undefined } as unknown as CheckSubject;
    await expect(runner.run(broken, ctx)).resolves.toMatchObject({ kind: 'sanctions', result: 'pass' });
  });
});
