// Writes golden.fixture.json: the engine's digests for the golden requests (see src/golden/golden-cases.ts).
// Run from packages/loan-engine: node --import tsx scripts/generate-golden.ts
// Only regenerate when a change of results is intended, and say so in the commit.
import { writeFileSync } from 'node:fs';
import { GOLDEN_FUZZ, GOLDEN_SEED, GOLDEN_TYPICAL, goldenDigest, goldenRequests } from '../src/golden/golden-cases.js';

const digests = goldenRequests().map(goldenDigest);
const fixture = { seed: GOLDEN_SEED, typical: GOLDEN_TYPICAL, fuzz: GOLDEN_FUZZ, digests };
writeFileSync(new URL('../src/golden/golden.fixture.json', import.meta.url), `${JSON.stringify(fixture, null, 0)}\n`);
console.log(`${digests.length} digests written`);
