// pnpm bench (BENCH_ONLY=underwriting): decision latency over stored check results — features → scorecard →
// policy → decision — with the policy evaluated by zen-engine, beside the same default policy written as
// plain TypeScript, in one process and run. BENCH_UNDERWRITING_DECISIONS (default 20000) applicants drawn
// from a seeded PRNG; every applicant is decided both ways and the two answers must agree.
// In process: no database or HTTP (reading the check rows is not measured here).
import { cleanApplicant } from '../test/underwriting-fixtures.js';
import { loadScorecardModel } from '../src/modules/underwriting/adapters/scorecard-model.js';
import { DEMO_PRODUCTS, defaultPolicy } from '../src/modules/underwriting/domain/default-policies.js';
import { decide, underwrite, type UnderwritingDecision } from '../src/modules/underwriting/domain/decision.js';
import { repaymentProfile } from '../src/modules/borrower-profile/domain/repayment-profile.js';
import { deriveFeatures, featureValues, type FeatureSet } from '../src/modules/underwriting/domain/features.js';
import type { PolicyEvaluation, RuleOutcome } from '../src/modules/underwriting/domain/policy-engine.js';
import { createPolicyEngine } from '../src/modules/underwriting/domain/policy-engine.js';
import { scoreApplicant } from '../src/modules/underwriting/domain/scorecard.js';
import { seededRandom } from '../src/modules/underwriting/domain/scorecard-training.js';

const N = Number(process.env.BENCH_UNDERWRITING_DECISIONS ?? 20_000);
const WARMUP = Math.min(1_000, Math.floor(N / 10));
const policy = defaultPolicy(DEMO_PRODUCTS[0]!);
const model = loadScorecardModel();
const engine = createPolicyEngine();
const random = seededRandom(20261202);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;

// A mix of profiles: clean, delinquent, thin, over-indebted, PEP, missing date of birth; some top-ups.
const inputs = Array.from({ length: N + WARMUP }, () => cleanApplicant({
  bureau: {
    score: random() < 0.08 ? null : Math.round(520 + random() * 330),
    worstDpd12m: pick([0, 0, 0, 0, 30, 90]), worstDpd24m: pick([0, 0, 0, 30, 60, 90]), enquiries6m: Math.floor(random() * 8),
    openTradelines: Math.floor(random() * 8), obligationsMinor: String(Math.floor(random() * 9_000_000)), thinFile: random() < 0.08,
  },
  dateOfBirth: random() < 0.03 ? null : `19${60 + Math.floor(random() * 45)}-0${1 + Math.floor(random() * 9)}-15`,
  pep: random() < 0.02,
}));
// Every fifth applicant asks for a top-up of their loan with us, some of them while past due on it (no draws
// from the PRNG, so the mix above stays as it was).
const TOP_UP_LOAN = '0b8f6c1e-2f43-4c0e-9a51-3d3c1a7f9e20';
const lenderOf = (i: number) => {
  const dpd = [0, 45, 0, 15, 0][Math.floor(i / 5) % 5]!;
  return { topUpOf: TOP_UP_LOAN, profile: repaymentProfile('tok_bench', '2026-12-02', [{
    loanId: TOP_UP_LOAN, applicationId: '5d1b5a0c-0000-4000-8000-000000000001', disbursedOn: '2026-06-01', closedOn: null, closureReason: null, chargedOffOn: null,
    currentDpd: dpd, dpdAsOf: '2026-11-15', worstDpd: dpd, worstDpd12m: dpd, installmentsDue: 5, installmentsPaidOnTime: dpd > 0 ? 3 : 5, earlyWarning: null, lastBusinessDate: '2026-11-15', lastEventAt: '2026-11-16T00:05:00.000Z',
  }]) };
};
const featureSets = inputs.map((input, i) => deriveFeatures(i % 5 === 0 ? { ...input, lender: lenderOf(i) } : input));

/** The default policy's rules, written by hand: what the JDM graph computes, in plain TypeScript. */
function plainEvaluation(features: FeatureSet, score: number): PolicyEvaluation {
  const v = featureValues(features);
  const rule = (id: string, feature: keyof typeof v, test: (x: never) => boolean): PolicyEvaluation['rules'][number] => {
    const r = policy.eligibility.find((e) => e.id === id)!;
    const value = v[feature];
    const missing = value === null;
    const outcome: RuleOutcome = missing ? r.onMissing : test(value as never) ? 'pass' : r.onFail;
    return { id, feature, test: r.test, outcome, missing, reason: r.reason, saw: { [feature]: value } };
  };
  // A rule that appliesWhen topUp is true: any other application passes it.
  const forTopUps = (r: PolicyEvaluation['rules'][number]): PolicyEvaluation['rules'][number] => (v.topUp === true
    ? { ...r, applies: true, saw: { topUp: true, ...r.saw } }
    : { ...r, outcome: 'pass', missing: false, applies: false, saw: { topUp: v.topUp, ...r.saw } });
  const rules = [
    rule('age-range', 'ageYears', (x: number) => x >= 21 && x <= 60),
    rule('residency', 'residenceCountry', (x: string) => x === 'IN'),
    rule('income-floor', 'statedMonthlyIncomeMinor', (x: number) => x >= 2_500_000),
    rule('income-verified', 'incomeVerified', (x: boolean) => x === true),
    rule('foir-cap', 'foirBasisPoints', (x: number) => x <= 5_000),
    rule('bureau-score', 'bureauScore', (x: number) => x >= 650),
    rule('worst-dpd-12m', 'worstDpd12m', (x: number) => x < 90),
    rule('worst-dpd-24m', 'worstDpd24m', (x: number) => x < 30),
    rule('derogatory', 'derogatory24m', (x: boolean) => x === false),
    rule('enquiries-6m', 'enquiries6m', (x: number) => x <= 4),
    rule('sanctions-not-listed', 'sanctionsResult', (x: string) => x === 'pass' || x === 'refer'),
    rule('sanctions-clear', 'sanctionsResult', (x: string) => x === 'pass'),
    rule('pep-clear', 'pepMatch', (x: boolean) => x === false),
    rule('kyc-not-rejected', 'kycResult', (x: string) => x === 'pass' || x === 'refer'),
    rule('kyc-clear', 'kycResult', (x: string) => x === 'pass'),
    rule('duplicate-clear', 'duplicateResult', (x: string) => x === 'pass'),
    rule('velocity-clear', 'velocityResult', (x: string) => x === 'pass'),
    rule('device-clear', 'deviceResult', (x: string) => x === 'pass'),
    forTopUps(rule('top-up-not-delinquent', 'currentDpdAtLender', (x: number) => x <= 0)),
    forTopUps(rule('top-up-of-open-loan', 'topUpLoanOpenAtLender', (x: boolean) => x === true)),
  ];
  const limitsRow = score >= 600 ? 0 : score >= 580 ? 1 : 2;
  const pricingRow = score >= 610 ? 0 : score >= 590 ? 1 : 2;
  const saw = { scorecardScore: score };
  return {
    rules,
    limits: { row: policy.limits.rules[limitsRow]!.id, value: policy.limits.rules[limitsRow]!.then, saw },
    pricing: { row: policy.pricing.rules[pricingRow]!.id, value: policy.pricing.rules[pricingRow]!.then, saw },
  };
}
const plain = (features: FeatureSet): UnderwritingDecision => {
  const scorecard = scoreApplicant(model, featureValues(features));
  return decide(policy, features, plainEvaluation(features, scorecard.score), scorecard);
};

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
async function measure(name: string, run: (f: FeatureSet) => Promise<UnderwritingDecision> | UnderwritingDecision) {
  for (let i = 0; i < WARMUP; i += 1) await run(featureSets[N + i]!);
  const latencies: number[] = [];
  const outcomes: string[] = [];
  const started = performance.now();
  for (let i = 0; i < N; i += 1) {
    const t = performance.now();
    const d = await run(featureSets[i]!);
    latencies.push(performance.now() - t);
    outcomes.push(`${d.outcome}|${d.reasons.join(';')}|${d.offer?.band ?? '-'}`);
  }
  const totalMs = performance.now() - started;
  latencies.sort((a, b) => a - b);
  const row = { name, decisions: N, perSecond: Math.round(N / (totalMs / 1000)), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), maxMs: latencies[latencies.length - 1]! };
  console.log(`${name.padEnd(34)} ${String(row.perSecond).padStart(7)} decisions/s   p50 ${(row.p50Ms * 1000).toFixed(1).padStart(7)} µs   p99 ${(row.p99Ms * 1000).toFixed(1).padStart(7)} µs   max ${row.maxMs.toFixed(2)} ms`);
  return { row, outcomes };
}

console.log(`underwriting bench: ${N} decisions (+${WARMUP} warm-up), policy PL-12 default (${policy.eligibility.length} rules, 2 tables), model ${model.version}, Node ${process.version}`);
const zen = await measure('zen-engine 0.54.0 (JDM, trace on)', (f) => underwrite({ engine, model }, policy, f));
const ts = await measure('same rules as plain TypeScript', plain);
// The shared part of both: features from the stored check records, and the scorecard.
const t0 = performance.now();
for (let i = 0; i < N; i += 1) scoreApplicant(model, featureValues(deriveFeatures(inputs[i]!)));
console.log(`features + scorecard alone: ${Math.round(N / ((performance.now() - t0) / 1000))} applicants/s (${(((performance.now() - t0) / N) * 1000).toFixed(1)} µs each)`);
const disagree = zen.outcomes.filter((o, i) => o !== ts.outcomes[i]).length;
const mix = zen.outcomes.reduce<Record<string, number>>((m, o) => ({ ...m, [o.split('|')[0]!]: (m[o.split('|')[0]!] ?? 0) + 1 }), {});
console.log(`outcomes: ${Object.entries(mix).map(([k, n]) => `${k} ${n}`).join(', ')}; zen vs plain TypeScript disagree on ${disagree} of ${N}`);
engine.dispose();
if (disagree > 0) process.exit(1);
