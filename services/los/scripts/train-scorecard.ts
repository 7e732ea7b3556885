// Trains the LOS application scorecard on synthetic applicants and writes data/scorecard/model.json.
//   pnpm --filter @lendstack/los exec tsx scripts/train-scorecard.ts [--seed 20261202] [--applicants 40000] [--out path] [--check]
// Reproducible: the same seed and count give the same file, byte for byte. --check trains and compares with
// the committed model instead of writing (exit 1 when they differ).
//
// The synthetic population: bureau score ~ N(715, 65) clipped to 300–900 (8 % without a score: thin files),
// worst DPD in 24 months by a score-dependent mix, enquiries ~ Poisson(1.4 + risk), FOIR uniform-ish 5–75 %,
// open tradelines 0–8. Default is drawn from a logistic of those (the "true" model below), so the scorecard
// has real but imperfect signal. Age is deliberately not an attribute: under Reg B (12 CFR 1002.6(b)(2)) age
// in a scoring system needs particular care, and the policy's eligibility rules handle it instead.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scorecardModelSchema } from '../src/modules/underwriting/domain/scorecard.js';
import { seededRandom, trainScorecard, type AttributeSpec, type Sample } from '../src/modules/underwriting/domain/scorecard-training.js';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
};
const seed = Number(arg('seed', '20261202'));
const applicants = Number(arg('applicants', '40000'));
const out = resolve(arg('out', resolve(here, '../data/scorecard/model.json')));
if (!Number.isInteger(seed) || !Number.isInteger(applicants) || applicants < 1000 || applicants > 1_000_000) {
  console.error('--seed must be an integer and --applicants an integer from 1000 to 1000000');
  process.exit(2);
}

const random = seededRandom(seed);
const normal = () => {
  // Box–Muller on the seeded stream.
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
};
const poisson = (lambda: number) => {
  const l = Math.exp(-lambda);
  let k = 0;
  for (let p = random(); p > l; p *= random()) k += 1;
  return k;
};

function applicant(): Sample {
  const thin = random() < 0.08;
  const score = thin ? null : Math.round(Math.min(900, Math.max(300, 715 + 65 * normal())));
  const risk = score === null ? 0.5 : (715 - score) / 65;
  const r = random();
  const pDelinquent = Math.min(0.6, Math.max(0.02, 0.1 + 0.08 * risk));
  const worstDpd24m = r < pDelinquent * 0.5 ? 30 : r < pDelinquent * 0.8 ? 60 : r < pDelinquent ? 90 : 0;
  const enquiries6m = poisson(Math.max(0.3, 1.4 + 0.5 * risk));
  const foirBasisPoints = Math.round(500 + 7000 * random() ** 1.3);
  const openTradelines = thin ? Math.floor(random() * 2) : Math.floor(random() * 9);
  const logit = -3.1 - 0.011 * ((score ?? 640) - 715) + 0.018 * worstDpd24m + 0.22 * enquiries6m + 0.00035 * (foirBasisPoints - 3500) - 0.08 * (openTradelines - 3) + (thin ? 0.6 : 0);
  const bad = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  return { values: { bureauScore: score, worstDpd24m, enquiries6m, foirBasisPoints, openTradelines }, bad };
}

// Coarse classes a credit analyst would draw: round cut points, each bin with enough applicants of both kinds.
const attributes: AttributeSpec[] = [
  {
    feature: 'bureauScore', reason: 'Credit bureau score indicates higher risk than approved applicants', missingReason: 'No credit file',
    bins: [{ label: 'missing', missing: true }, { label: '< 600', max: 600 }, { label: '600–649', min: 600, max: 650 }, { label: '650–699', min: 650, max: 700 }, { label: '700–749', min: 700, max: 750 }, { label: '750–799', min: 750, max: 800 }, { label: '≥ 800', min: 800 }],
  },
  {
    feature: 'worstDpd24m', reason: 'Delinquent past or present credit obligations with others',
    bins: [{ label: 'missing', missing: true }, { label: '0', max: 30 }, { label: '30', min: 30, max: 60 }, { label: '60', min: 60, max: 90 }, { label: '90+', min: 90 }],
  },
  {
    feature: 'enquiries6m', reason: 'Number of recent inquiries on credit bureau report',
    bins: [{ label: 'missing', missing: true }, { label: '0', max: 1 }, { label: '1–2', min: 1, max: 3 }, { label: '3–4', min: 3, max: 5 }, { label: '5+', min: 5 }],
  },
  {
    feature: 'foirBasisPoints', reason: 'Excessive obligations in relation to income',
    bins: [{ label: 'missing', missing: true }, { label: '< 20 %', max: 2000 }, { label: '20–35 %', min: 2000, max: 3500 }, { label: '35–50 %', min: 3500, max: 5000 }, { label: '≥ 50 %', min: 5000 }],
  },
  {
    feature: 'openTradelines', reason: 'Limited credit experience',
    bins: [{ label: 'missing', missing: true }, { label: '0–1', max: 2 }, { label: '2–4', min: 2, max: 5 }, { label: '5+', min: 5 }],
  },
];

const population = Array.from({ length: applicants }, applicant);
// Holdout: every applicant whose draw puts it in the last 30 % (a seeded shuffle, not the tail of the stream).
const holdoutMask = population.map(() => random() < 0.3);
const train = population.filter((_, i) => !holdoutMask[i]);
const holdout = population.filter((_, i) => holdoutMask[i]);

const started = performance.now();
const model = trainScorecard({ version: `scorecard-2026.12-s${seed}`, seed, train, holdout, attributes, base: { score: 600, odds: 50, pdo: 20 } });
scorecardModelSchema.parse(model);
const json = `${JSON.stringify(model, null, 2)}\n`;

console.log(`applicants ${applicants} (train ${train.length}, holdout ${holdout.length}), bad rate ${(model.trainedWith.badRate * 100).toFixed(2)} %, seed ${seed}`);
console.log(`scaling: 600 points at 50:1 odds, PDO 20 → factor ${model.scaling.factor.toFixed(4)}, offset ${model.scaling.offset.toFixed(4)}; intercept ${model.intercept.toFixed(4)}`);
for (const a of model.attributes) {
  console.log(`  ${a.feature.padEnd(16)} IV ${a.informationValue.toFixed(3)}  β ${a.coefficient.toFixed(3)}  points ${a.bins.map((b) => `${b.label}:${b.points}`).join('  ')}`);
}
console.log(`holdout AUC ${model.metrics.auc.toFixed(4)}  KS ${model.metrics.ks.toFixed(4)}  (train AUC ${model.metrics.trainAuc.toFixed(4)}); trained in ${Math.round(performance.now() - started)} ms`);

if (args.includes('--check')) {
  const committed = readFileSync(out, 'utf8');
  if (committed !== json) {
    console.error(`${out} differs from a fresh training with seed ${seed}`);
    process.exit(1);
  }
  console.log(`${out} matches a fresh training`);
} else {
  writeFileSync(out, json);
  console.log(`wrote ${out} (${json.length} bytes)`);
}
