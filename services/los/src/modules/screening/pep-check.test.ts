import { performance } from 'node:perf_hooks';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext, CheckSubject } from '../checks/check-runner.js';
import { loadSdnListFromDirectory } from './load-sdn.js';
import { buildSanctionsIndex, type SanctionsIndex } from './matcher.js';
import { loadPepListFromDirectory, parsePepList, type PepList } from './pep-list.js';
import { createSanctionsCheckRunner } from './sanctions-check.js';

let sdn: SanctionsIndex;
let pep: PepList;
beforeAll(() => {
  sdn = buildSanctionsIndex(loadSdnListFromDirectory());
  pep = loadPepListFromDirectory();
});

const ctx: CheckContext = { idempotencyKey: 'app-1:sanctions:1', signal: new AbortController().signal };

function subject(given: string, family: string, opts: { dob?: string; country?: string } = {}): CheckSubject {
  return {
    tenantId: 't-1',
    applicationId: 'app-1',
    applicant: {
      name: { given, family },
      contact: { email: 'a@example.test', phone: '+910000000000' },
      country: opts.country ?? 'US',
      nationalIdType: 'SSN',
      nationalIdMasked: 'XXX-XX-1234',
      nationalIdToken: 'tok_nid',
      bankAccountToken: 'tok_acct',
    },
    statedMonthlyIncome: null,
    employerName: null,
    requestedPrincipal: { amount: 100_000n, currency: 'USD' } as never,
    proposedMonthlyInstallment: null,
    device: null,
    documents: [],
    reveal: async () => opts.dob ?? '1990-01-01',
  };
}

describe('PEP list', () => {
  it('loads the shipped excerpt: every row a person with a birth date, role and term', () => {
    expect(pep.entries.length).toBe(617);
    expect(pep.snapshotId).toMatch(/^pep:[0-9a-f]{16}$/);
    const schumer = pep.entries.find((e) => e.uid === 'us-bioguide:S000148')!;
    expect(schumer).toMatchObject({
      name: 'Charles E. Schumer',
      role: 'US Senate (NY)',
      country: 'US',
      countries: ['united states'],
      termStart: '2023-01-03',
      termEnd: '2029-01-03',
      datesOfBirth: [{ year: 1950, month: 11, day: 23, yearTo: 1950, approximate: false }],
    });
    expect(schumer.aliases.map((a) => a.name)).toEqual(['Chuck Schumer', 'Charles Schumer']);
    expect(pep.entries.every((e) => e.datesOfBirth.length === 1 && e.role !== '')).toBe(true);
  });

  it('refuses a row without id or name, naming the row', () => {
    const header = 'id,name,other_names,birth_date,country,role,term_start,term_end\n';
    expect(() => parsePepList(`${header}x,,,,US,r,,\n`)).toThrow(/row 2/);
    expect(() => parsePepList(`${header}x,A B,,,US,r,,\nx,C D,,,US,r,,\n`)).toThrow(/row 3: duplicate id x/);
    expect(new Set(pep.entries.map((e) => e.uid)).size).toBe(pep.entries.length);
  });

  it('builds its index quickly enough for LOS start', () => {
    const t0 = performance.now();
    buildSanctionsIndex(loadPepListFromDirectory());
    expect(performance.now() - t0).toBeLessThan(1000);
  });
});

describe('sanctions check with PEP screening', () => {
  const run = (s: CheckSubject) => createSanctionsCheckRunner({ list: sdn, pep }).run(s, ctx);

  it('an exact PEP name with the same date of birth is a refer with reason pep-match and the entry', async () => {
    const out = await run(subject('Ted', 'Cruz', { dob: '1970-12-22' }));
    expect(out.result).toBe('refer');
    expect(out.reasons).toContainEqual(expect.objectContaining({ code: 'pep-match' }));
    expect(out.evidence).toMatchObject({
      match: null,
      pepMatch: { list: 'pep', id: 'us-bioguide:C001098', name: 'Ted Cruz', role: 'US Senate (TX)', country: 'US', dateOfBirth: 'agrees', countryAgreement: 'agrees' },
    });
    expect((out.evidence as { pepMatch: { score: number } }).pepMatch.score).toBeGreaterThanOrEqual(1);
    expect(JSON.stringify(out.evidence)).not.toContain('1970-12-22');
  });

  it('a close spelling and an alias still refer', async () => {
    const close = await run(subject('Alexandria', 'Ocasio Cortes', { dob: '1989-10-13' }));
    expect(close.result).toBe('refer');
    expect(close.evidence).toMatchObject({ pepMatch: { id: 'us-bioguide:O000172' } });
    const alias = await run(subject('Chuck', 'Schumer', { dob: '1950-11-23' }));
    expect(alias.evidence).toMatchObject({ pepMatch: { id: 'us-bioguide:S000148', matchedAlias: 'Chuck Schumer' } });
  });

  it('a different date of birth lowers the score below the PEP bar: pass, with the nearest entry kept', async () => {
    const same = await run(subject('John', 'Thune', { dob: '1961-01-07' }));
    const other = await run(subject('John', 'Thune', { dob: '1988-05-30' }));
    expect(same.result).toBe('refer');
    expect(other.result).toBe('pass');
    const nearest = (other.evidence as { pepNearest: { id: string; score: number; dateOfBirth: string } }).pepNearest;
    expect(nearest).toMatchObject({ id: 'us-bioguide:T000250', dateOfBirth: 'disagrees' });
    expect(nearest.score).toBeLessThan((same.evidence as { pepMatch: { score: number } }).pepMatch.score);
  });

  it('raises no PEP hit for the test applicants', async () => {
    for (const [given, family] of [['Priya', 'Sharma'], ['Ada', 'Okafor'], ['Meera', 'Iyer'], ['Jordan', 'Lee']] as const) {
      const out = await run(subject(given, family, { country: 'IN' }));
      expect(out.result, `${given} ${family}`).toBe('pass');
      expect(out.reasons.map((r) => r.code)).not.toContain('pep-match');
    }
  });

  it('a sanctions fail still wins over a PEP hit', async () => {
    const out = await run(subject('Paulo', 'Elcoro Ayastuy', { dob: '1973-10-22', country: 'ES' }));
    expect(out.result).toBe('fail');
    expect(out.reasons.map((r) => r.code)).toContain('sanctions-match');
  });

  it('without a PEP list the check behaves as before', async () => {
    const out = await createSanctionsCheckRunner({ list: sdn }).run(subject('Ted', 'Cruz', { dob: '1970-12-22' }), ctx);
    expect(out.result).toBe('pass');
    expect(out.evidence).not.toHaveProperty('pepMatch');
  });
});
