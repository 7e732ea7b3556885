/**
 * Evaluates a policy with @gorules/zen-engine: the policy is compiled to one JDM graph (input → one decision
 * table per eligibility rule, a limits table and a pricing table → output) and evaluated with trace on, so
 * every rule's outcome is recorded with the row that matched and the values it saw (the engine's
 * reference map). Deterministic: the same policy and inputs give the same evaluation.
 */
import { ZenEngine, type ZenDecision, type ZenEngineTrace } from '@gorules/zen-engine';
import type { FeatureName, FeatureValue } from './features.js';
import { SCORE_INPUT, type EligibilityRule, type PolicyDocument } from './policy.js';

export type RuleOutcome = 'pass' | 'decline' | 'refer';

export interface RuleResult {
  readonly id: string;
  readonly feature: string;
  readonly test: string;
  readonly outcome: RuleOutcome;
  /** The feature was missing: the outcome is the rule's onMissing. */
  readonly missing: boolean;
  /** Only on a rule that `appliesWhen`: whether the application is one it is for (a rule that is not passes). */
  readonly applies?: boolean;
  readonly reason: string;
  /** The values the rule saw, as the engine reported them. */
  readonly saw: Record<string, unknown>;
}

export interface TableResult<T> {
  /** The id of the matching row; null when no row matched. */
  readonly row: string | null;
  readonly value: T | null;
  readonly saw: Record<string, unknown>;
}

export interface PolicyEvaluation {
  readonly rules: readonly RuleResult[];
  readonly limits: TableResult<PolicyDocument['limits']['rules'][number]['then']>;
  readonly pricing: TableResult<PolicyDocument['pricing']['rules'][number]['then']>;
}

export type PolicyContext = Readonly<Record<FeatureName, FeatureValue | null>> & { readonly [SCORE_INPUT]: number | null };

const literal = (v: unknown) => JSON.stringify(v);

function eligibilityNode(rule: EligibilityRule, index: number) {
  const col = `c${index}`;
  const out = `o${index}`;
  const guard = rule.appliesWhen;
  const g = `g${index}`;
  // Missing first (a null never reaches the test), then the test, then the rule's failure. A rule that
  // appliesWhen has those rows only for the applications its guard passes; every other one passes it.
  const when = guard ? { [g]: guard.test } : {};
  const rows = [
    { _id: `${rule.id}:missing`, ...when, [col]: '$ == null', [out]: literal(rule.onMissing) },
    { _id: `${rule.id}:pass`, ...when, [col]: rule.test, [out]: literal('pass') },
    { _id: `${rule.id}:fail`, ...when, [col]: '', [out]: literal(rule.onFail) },
    ...(guard ? [{ _id: `${rule.id}:not-applicable`, [g]: '', [col]: '', [out]: literal('pass') }] : []),
  ];
  const inputs = [...(guard ? [{ id: g, name: guard.feature, field: guard.feature }] : []), { id: col, name: rule.feature, field: rule.feature }];
  return {
    id: `rule-${index}`, name: rule.id, type: 'decisionTableNode',
    content: { hitPolicy: 'first', inputs, outputs: [{ id: out, name: rule.id, field: `rules.r${index}` }], rules: rows },
  };
}

function tableNode(name: 'limits' | 'pricing', t: PolicyDocument['limits'] | PolicyDocument['pricing']) {
  const inputs = t.inputs.map((field, i) => ({ id: `i${i}`, name: field, field }));
  const outputKeys = Object.keys(t.rules[0]!.then);
  const outputs = outputKeys.map((key, i) => ({ id: `o${i}`, name: key, field: `${name}.${key}` }));
  const rows = t.rules.map((rule) => ({
    _id: rule.id,
    ...Object.fromEntries(t.inputs.map((field, i) => [`i${i}`, rule.when[field] ?? ''])),
    ...Object.fromEntries(outputKeys.map((key, i) => [`o${i}`, literal((rule.then as Record<string, unknown>)[key])])),
    [`o${outputKeys.length}`]: literal(rule.id),
  }));
  outputs.push({ id: `o${outputKeys.length}`, name: 'row', field: `${name}.row` });
  return { id: name, name, type: 'decisionTableNode', content: { hitPolicy: t.hitPolicy, inputs, outputs, rules: rows } };
}

/** The JDM graph of a policy (what zen-engine evaluates; also viewable in GoRules' editor). */
export function compilePolicy(policy: PolicyDocument) {
  const tables = [...policy.eligibility.map(eligibilityNode), tableNode('limits', policy.limits), tableNode('pricing', policy.pricing)];
  const nodes = [{ id: 'input', name: 'input', type: 'inputNode' }, ...tables, { id: 'output', name: 'output', type: 'outputNode' }];
  const edges = tables.flatMap((t) => [
    { id: `in-${t.id}`, sourceId: 'input', targetId: t.id, type: 'edge' },
    { id: `${t.id}-out`, sourceId: t.id, targetId: 'output', type: 'edge' },
  ]);
  return { nodes, edges };
}

export interface PolicyEngine {
  evaluate(policy: PolicyDocument, context: PolicyContext): Promise<PolicyEvaluation>;
  dispose(): void;
}

const sawOf = (trace: ZenEngineTrace | undefined): Record<string, unknown> => {
  const map = (trace?.traceData as { reference_map?: Record<string, unknown> } | null | undefined)?.reference_map;
  return map ? { ...map } : {};
};
const rowOf = (trace: ZenEngineTrace | undefined): string | null => (trace?.traceData as { rule?: { _id?: string } } | null | undefined)?.rule?._id ?? null;

/**
 * One engine per process; compiled decisions are cached by policy object (a stored policy version is
 * immutable, so its compiled graph is too), at most `cacheSize` of them.
 */
export function createPolicyEngine(options: { cacheSize?: number } = {}): PolicyEngine {
  const engine = new ZenEngine();
  const cache = new Map<PolicyDocument, ZenDecision>();
  const limit = options.cacheSize ?? 256;
  const decisionOf = (policy: PolicyDocument) => {
    let d = cache.get(policy);
    if (!d) {
      d = engine.createDecision(compilePolicy(policy));
      if (cache.size >= limit) cache.delete(cache.keys().next().value!);
      cache.set(policy, d);
    }
    return d;
  };
  return {
    async evaluate(policy, context) {
      const response = await decisionOf(policy).evaluate({ ...context }, { trace: true });
      const result = response.result as { rules?: Record<string, RuleOutcome>; limits?: Record<string, unknown>; pricing?: Record<string, unknown> };
      const trace = response.trace ?? {};
      const rules = policy.eligibility.map((rule, i): RuleResult => {
        const t = trace[`rule-${i}`];
        const guard = rule.appliesWhen;
        return {
          id: rule.id, feature: rule.feature, test: rule.test, reason: rule.reason,
          outcome: result.rules?.[`r${i}`] ?? rule.onFail,
          missing: rowOf(t) === `${rule.id}:missing`,
          ...(guard ? { applies: rowOf(t) !== `${rule.id}:not-applicable` } : {}),
          saw: { ...(guard ? { [guard.feature]: context[guard.feature as FeatureName] ?? null } : {}), [rule.feature]: context[rule.feature as FeatureName] ?? null, ...sawOf(t) },
        };
      });
      const table = <T>(name: 'limits' | 'pricing'): TableResult<T> => {
        const saw = { ...Object.fromEntries(policy[name].inputs.map((i) => [i, (context as Record<string, unknown>)[i] ?? null])), ...sawOf(trace[name]) };
        const out = result[name];
        if (!out || typeof out.row !== 'string') return { row: null, value: null, saw };
        const { row, ...value } = out;
        return { row, value: value as T, saw };
      };
      return { rules, limits: table('limits'), pricing: table('pricing') };
    },
    dispose: () => engine.dispose(),
  };
}
