import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GOLDEN_FUZZ, GOLDEN_SEED, GOLDEN_TYPICAL, goldenDigest, goldenRequests } from './golden-cases.js';

interface Fixture {
  seed: number;
  typical: number;
  fuzz: number;
  digests: string[];
}

const fixture = JSON.parse(readFileSync(new URL('./golden.fixture.json', import.meta.url), 'utf8')) as Fixture;

describe('golden schedules (results of the engine before its hot paths were rewritten)', () => {
  it('draws the same requests as the fixture', () => {
    expect([fixture.seed, fixture.typical, fixture.fuzz]).toEqual([GOLDEN_SEED, GOLDEN_TYPICAL, GOLDEN_FUZZ]);
  });

  it('gives every request the same schedule, exact APR and JSON answer, bit for bit', { timeout: 120_000 }, () => {
    const requests = goldenRequests();
    const differing = requests.flatMap((request, i) => (goldenDigest(request) === fixture.digests[i] ? [] : [{ i, request }]));
    expect(differing.slice(0, 3)).toEqual([]);
    expect(requests).toHaveLength(fixture.digests.length);
  });
});
