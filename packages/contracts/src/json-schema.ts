import { z } from 'zod';
import { eventCatalog, eventKeys, schemaFileName, schemaIdBase } from './catalog.js';
import { envelopeHeaderSchema } from './envelope.js';
import { isLoanDateSchema, LOAN_DATE_PATTERN, loanDateDescription } from './loan-terms.js';
import { MAX_AMOUNT_DIGITS, moneySchema, nonNegativeMoneySchema, positiveMoneySchema } from './money.js';
import { eventSchemas } from './registry.js';

export type JsonSchema = { [keyword: string]: unknown };

/** One generated file: its name under `schemas/` and its document. */
export interface GeneratedSchema {
  readonly fileName: string;
  readonly schema: JsonSchema;
}

/**
 * Refinements JSON Schema cannot see are mirrored where JSON Schema can express them, so a consumer
 * validating with the committed schema rejects what the zod schema rejects. Refined money schemas are
 * marked through the generator's private metadata registry, which zod copies to EVERY place a schema
 * is used, and the marked nodes are patched afterwards (with new objects: zod shares sub-objects
 * between a refined schema and its parent). Loan dates are one instance per use, reported by `override`.
 */
const digits = MAX_AMOUNT_DIGITS - 1;
const MARK = 'x-lendstack-mirror';
const amountIn = (pattern: string, description: string): JsonSchema => ({ type: 'string', pattern, description });
const mirrors: Record<string, JsonSchema> = {
  'positive-amount': amountIn(`^[1-9]\\d{0,${digits}}$`, `Greater than zero: an integer count of minor units, as a string of at most ${MAX_AMOUNT_DIGITS} digits.`),
  'non-negative-amount': amountIn(`^(0|[1-9]\\d{0,${digits}})$`, `Zero or more: an integer count of minor units, as a string of at most ${MAX_AMOUNT_DIGITS} digits.`),
};
const loanDate: JsonSchema = { type: 'string', format: 'date', pattern: LOAN_DATE_PATTERN, description: loanDateDescription };

function markers(): z.core.$ZodRegistry<Record<string, unknown>> {
  const registry = z.registry<Record<string, unknown>>();
  registry.add(positiveMoneySchema, { [MARK]: 'positive-amount' });
  registry.add(nonNegativeMoneySchema, { [MARK]: 'non-negative-amount' });
  return registry;
}

/** Replaces each marked money node's amount with its mirror, everywhere in the document. */
function applyMirrors(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(applyMirrors);
  if (!isObject(node)) return node;
  const out: JsonSchema = Object.fromEntries(Object.entries(node).filter(([k]) => k !== MARK).map(([k, v]) => [k, applyMirrors(v)]));
  const mark = node[MARK];
  if (typeof mark === 'string' && isObject(out['properties'])) out['properties'] = { ...out['properties'], amount: mirrors[mark] };
  return out;
}

function fromZod(schema: z.ZodType, fileName: string, title: string, description: string): GeneratedSchema {
  const patches: { path: (string | number)[]; patch: JsonSchema }[] = [];
  const generated = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    // A private registry: the output must not depend on metadata other modules put in the global one.
    metadata: markers(),
    override: (ctx) => {
      if (isLoanDateSchema(ctx.zodSchema)) patches.push({ path: ctx.path, patch: loanDate });
    },
  }) as JsonSchema;
  for (const { path, patch } of patches) {
    const node = path.reduce<unknown>((at, key) => (at as JsonSchema)[key], generated) as JsonSchema;
    merge(node, patch);
  }
  return {
    fileName,
    schema: canonicalJsonSchema({ ...(applyMirrors(generated) as JsonSchema), $id: `${schemaIdBase}${fileName}`, title, description }),
  };
}

/** Deep-merges `patch` into `node`: nested objects merge, anything else replaces. */
function merge(node: JsonSchema, patch: JsonSchema): void {
  for (const [key, value] of Object.entries(patch)) {
    const current = node[key];
    if (isObject(value) && isObject(current)) merge(current, value);
    else node[key] = value;
  }
}

/** Every JSON Schema the package publishes: one per event version, plus money and the envelope header. */
export function generateJsonSchemas(): GeneratedSchema[] {
  const events = eventKeys.map((key) => {
    const doc = eventCatalog[key];
    return fromZod(eventSchemas[key], schemaFileName(key), `${doc.name} v${doc.version}`, doc.summary);
  });
  return [
    ...events,
    fromZod(
      moneySchema,
      'money.schema.json',
      'Money',
      'Money on the wire: an integer count of minor units as a string (never a float), an ISO 4217 currency ' +
        'and the scale the amount is expressed in. {"amount":"1234567","currency":"INR","scale":2} is INR 12,345.67.',
    ),
    fromZod(
      envelopeHeaderSchema,
      'envelope-header.schema.json',
      'Event envelope header',
      'The fields every Lendstack event envelope has whatever its type and version; enough to route, ' +
        'deduplicate (id) and dead-letter a message. Each event schema describes its full envelope.',
    ),
  ];
}

/** Keywords in the order a reader wants them; anything else follows, alphabetically. */
const keywordOrder = [
  '$schema', '$id', 'title', 'description', 'type', 'const', 'enum', 'format', 'pattern',
  'minLength', 'maxLength', 'minimum', 'exclusiveMinimum', 'maximum', 'exclusiveMaximum', 'multipleOf',
  'items', 'minItems', 'maxItems', 'properties', 'required', 'additionalProperties',
  'anyOf', 'oneOf', 'allOf', 'not', '$defs',
];
/** Keywords whose members are names chosen by the schema author: keep their declared order. */
const namedMembers = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

function rank(keyword: string): number {
  const i = keywordOrder.indexOf(keyword);
  return i === -1 ? keywordOrder.length : i;
}

/** Orders keywords deterministically (recursively), so regenerating gives the same bytes. */
export function canonicalJsonSchema(schema: JsonSchema): JsonSchema {
  const keys = Object.keys(schema).sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
  const out: JsonSchema = {};
  for (const key of keys) {
    const value = schema[key];
    if (namedMembers.has(key) && isObject(value)) {
      out[key] = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, canonicalValue(v)]));
    } else {
      out[key] = canonicalValue(value);
    }
  }
  return out;
}

function canonicalValue(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonicalValue);
  if (isObject(value)) return canonicalJsonSchema(value);
  return value;
}

function isObject(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The committed text of a JSON document: two-space indent and a trailing newline. */
export function toJsonFile(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
