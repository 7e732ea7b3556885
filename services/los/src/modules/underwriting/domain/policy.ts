/**
 * An underwriting policy as data: eligibility rules, a limits table and a pricing table over the features
 * (and, for limits and pricing, the scorecard score), plus the score cut-offs. Each rule's `test` and each
 * table cell is a ZEN unary expression (`[21..60]`, `>= 650`, `"IN", "US"`, `<= 5000`) tested against one
 * feature (a rule that `appliesWhen` has one more, saying which applications it is for), so a policy never
 * contains code; it is compiled to a JDM graph (policy-engine.ts) and evaluated by
 * @gorules/zen-engine. Parsing refuses, naming the JSON pointer of the field: an unknown feature, an
 * expression that does not parse or does not fit the feature's type, a table cell for a column it does not have.
 */
import { evaluateUnaryExpressionSync } from '@gorules/zen-engine';
import { z } from 'zod';
import { FEATURE_CATALOG, isFeatureName, type FeatureName, type FeatureType } from './features.js';

/** Limits and pricing may also look at the score the scorecard gave. */
export const SCORE_INPUT = 'scorecardScore';
export type TableInput = FeatureName | typeof SCORE_INPUT;

const id = z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/, 'an id: 1-48 of a-z, 0-9 and -');
const expression = z.string().max(200);
const plainWords = z.string().min(3).max(120);

const eligibilityRuleSchema = z.object({
  id,
  description: z.string().max(300).optional(),
  feature: z.string(),
  /** Passes when the feature satisfies it. */
  test: expression.min(1),
  onFail: z.enum(['decline', 'refer']),
  /** What a missing feature means for this rule (a check that did not complete, no date of birth …). */
  onMissing: z.enum(['decline', 'refer']).default('refer'),
  /** The adverse-action reason in plain words (Reg B), used when this rule declines. */
  reason: plainWords,
  /**
   * Only for applications whose `feature` passes `test` (e.g. top-ups: `{ feature: 'topUp', test: 'true' }`);
   * any other application passes the rule, recorded as not applicable.
   */
  appliesWhen: z.object({ feature: z.string(), test: expression.min(1) }).strict().optional(),
}).strict();

const tableRuleSchema = <T extends z.ZodType>(then: T) => z.object({
  id,
  /** Column → unary expression; an absent or empty cell matches anything. */
  when: z.record(z.string(), expression).default({}),
  then,
}).strict();

const table = <T extends z.ZodType>(then: T) => z.object({
  /** The first matching row wins; a policy lists its rows from the most specific. */
  hitPolicy: z.literal('first').default('first'),
  inputs: z.array(z.string()).max(10),
  rules: z.array(tableRuleSchema(then)).min(1).max(100),
}).strict();

export const policyDocumentSchema = z.object({
  eligibility: z.array(eligibilityRuleSchema).min(1).max(50),
  limits: table(z.object({ maxPrincipalMinor: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER), maxTermPeriods: z.number().int().min(1).max(600) }).strict()),
  pricing: table(z.object({ band: z.string().regex(/^[A-Z0-9-]{1,16}$/, 'a band: 1-16 of A-Z, 0-9 and -'), annualRatePercent: z.string().regex(/^\d{1,2}(\.\d{1,4})?$/, 'a rate: percent per year, up to 4 decimals') }).strict()),
  /** Scorecard cut-offs: decline below `declineBelow`, approve at `approveAtOrAbove` or more, refer in between. */
  scorecard: z.object({ declineBelow: z.number().int().min(0).max(1000), approveAtOrAbove: z.number().int().min(0).max(1000) }).strict(),
}).strict().superRefine((doc, ctx) => {
  if (doc.scorecard.declineBelow > doc.scorecard.approveAtOrAbove) ctx.addIssue({ code: 'custom', path: ['scorecard', 'declineBelow'], message: 'declineBelow must not be above approveAtOrAbove' });
  const seen = new Set<string>();
  doc.eligibility.forEach((rule, i) => {
    if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['eligibility', i, 'id'], message: `rule id ${rule.id} is used twice` });
    seen.add(rule.id);
    if (!isFeatureName(rule.feature)) return ctx.addIssue({ code: 'custom', path: ['eligibility', i, 'feature'], message: `unknown feature ${rule.feature}` });
    const problem = expressionProblem(rule.test, FEATURE_CATALOG[rule.feature].type);
    if (problem) ctx.addIssue({ code: 'custom', path: ['eligibility', i, 'test'], message: problem });
    const when = rule.appliesWhen;
    if (!when) return;
    if (!isFeatureName(when.feature)) return ctx.addIssue({ code: 'custom', path: ['eligibility', i, 'appliesWhen', 'feature'], message: `unknown feature ${when.feature}` });
    const guard = expressionProblem(when.test, FEATURE_CATALOG[when.feature].type);
    if (guard) ctx.addIssue({ code: 'custom', path: ['eligibility', i, 'appliesWhen', 'test'], message: guard });
  });
  for (const name of ['limits', 'pricing'] as const) {
    const t = doc[name];
    t.inputs.forEach((input, i) => {
      if (input !== SCORE_INPUT && !isFeatureName(input)) ctx.addIssue({ code: 'custom', path: [name, 'inputs', i], message: `unknown feature ${input}` });
    });
    t.rules.forEach((rule, r) => {
      for (const [column, cell] of Object.entries(rule.when)) {
        const path = [name, 'rules', r, 'when', column];
        if (!t.inputs.includes(column)) ctx.addIssue({ code: 'custom', path, message: `${column} is not one of this table's inputs` });
        else if (cell !== '') {
          const type = column === SCORE_INPUT ? 'number' : isFeatureName(column) ? FEATURE_CATALOG[column].type : undefined;
          const problem = type && expressionProblem(cell, type);
          if (problem) ctx.addIssue({ code: 'custom', path, message: problem });
        }
      }
    });
  }
});

export type PolicyDocument = z.infer<typeof policyDocumentSchema>;
export type EligibilityRule = PolicyDocument['eligibility'][number];

const SAMPLE: Record<FeatureType, number | string | boolean> = { number: 0, string: 'XX', boolean: false };

/** Why `expression` is not a unary test for a feature of `type` (it does not parse, or cannot compare that type); undefined when it is. */
export function expressionProblem(expression: string, type: FeatureType): string | undefined {
  try {
    const result = evaluateUnaryExpressionSync(expression, { $: SAMPLE[type] });
    return typeof result === 'boolean' ? undefined : `expression ${JSON.stringify(expression)} is not a test`;
  } catch (error) {
    const first = String(error instanceof Error ? error.message : error).split('\n')[0] ?? '';
    let source = first;
    try {
      const parsed = JSON.parse(first) as { type?: string; source?: string };
      source = `${parsed.type ?? 'error'}: ${parsed.source ?? first}`;
    } catch {
      // Not the engine's JSON error: keep the first line.
    }
    return `expression ${JSON.stringify(expression)} is not a valid test of a ${type}: ${source}`;
  }
}

export type PolicyParse = { ok: true; policy: PolicyDocument } | { ok: false; errors: { pointer: string; detail: string }[]; onlyRules: boolean };

/**
 * Parses a policy document; the errors name each wrong field by JSON pointer (under `/document`).
 * `onlyRules`: the document has the policy's shape and only its rules (known features, tests of them,
 * band and cut-off relations) refuse it.
 */
export function parsePolicy(input: unknown): PolicyParse {
  const parsed = policyDocumentSchema.safeParse(input);
  if (parsed.success) return { ok: true, policy: parsed.data };
  const errors = parsed.error.issues.map((i) => ({ pointer: `/document${i.path.map((p) => `/${String(p)}`).join('')}`, detail: i.message }));
  return { ok: false, errors, onlyRules: parsed.error.issues.every((i) => i.code === 'custom') };
}
