import type { JsonSchema } from './json-schema.js';

/**
 * Lists the changes from `oldSchema` to `newSchema` that break readers or writers of the same event
 * version. Empty means the new schema may replace the old one inside the version.
 *
 * Breaking: a property removed; a property that became required (including a new required one); a
 * changed `type`, `const`, `pattern` or `format`; an `enum` value removed (or an `enum` added);
 * `additionalProperties` tightened to false; a length/range/size bound tightened; any change to
 * composition keywords (`anyOf`, `oneOf`, `allOf`, `not`, `$ref`, …), which are not compared
 * structurally and so are treated as breaking.
 * Allowed: a new optional property, a new `enum` value, a relaxed bound, annotation changes (title,
 * description, examples, $id, $comment, default).
 *
 * Both schemas are the documents `generateJsonSchemas` writes (sub-schemas inlined, no `$defs`).
 */
export function findBreakingChanges(oldSchema: unknown, newSchema: unknown): string[] {
  const found: string[] = [];
  compare(oldSchema, newSchema, '', found);
  return found;
}

const annotations = new Set(['$schema', '$id', 'title', 'description', 'examples', '$comment', 'default', 'deprecated']);
const handled = new Set([
  'type', 'const', 'enum', 'pattern', 'format', 'properties', 'required', 'additionalProperties', 'items',
  ...['minLength', 'minimum', 'exclusiveMinimum', 'minItems', 'maxLength', 'maximum', 'exclusiveMaximum', 'maxItems'],
]);
/** Bounds where a bigger value is stricter, and where a smaller one is. */
const lowerBounds = ['minLength', 'minimum', 'exclusiveMinimum', 'minItems'] as const;
const upperBounds = ['maxLength', 'maximum', 'exclusiveMaximum', 'maxItems'] as const;

function compare(a: unknown, b: unknown, path: string, found: string[]): void {
  const at = path === '' ? '(root)' : path;
  if (!isSchema(a) || !isSchema(b)) {
    if (!same(a, b)) found.push(`${at}: schema changed from ${show(a)} to ${show(b)}`);
    return;
  }
  if (!same(typeSet(a['type']), typeSet(b['type']))) {
    found.push(`${at}: type changed from ${show(a['type'])} to ${show(b['type'])}`);
  }
  for (const keyword of ['const', 'pattern', 'format'] as const) {
    if (!same(a[keyword], b[keyword])) {
      found.push(`${at}: ${keyword} changed from ${show(a[keyword])} to ${show(b[keyword])}`);
    }
  }
  compareEnum(a, b, at, found);
  compareBounds(a, b, at, found);
  compareObject(a, b, path, found);
  if ('items' in a || 'items' in b) compare(a['items'] ?? {}, b['items'] ?? {}, `${path}[]`, found);
  for (const keyword of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (annotations.has(keyword) || handled.has(keyword)) continue;
    if (!same(a[keyword], b[keyword])) found.push(`${at}: ${keyword} changed (not compared structurally)`);
  }
}

function compareEnum(a: JsonSchema, b: JsonSchema, at: string, found: string[]): void {
  const oldValues = a['enum'];
  const newValues = b['enum'];
  if (!Array.isArray(newValues)) return;
  if (!Array.isArray(oldValues)) {
    found.push(`${at}: enum ${show(newValues)} added`);
    return;
  }
  const removed = oldValues.filter((v) => !newValues.some((w) => same(v, w)));
  if (removed.length > 0) found.push(`${at}: enum narrowed, removed ${show(removed)}`);
}

function compareBounds(a: JsonSchema, b: JsonSchema, at: string, found: string[]): void {
  for (const keyword of lowerBounds) {
    const [was, now] = [a[keyword], b[keyword]];
    if (typeof now === 'number' && (typeof was !== 'number' || now > was)) {
      found.push(`${at}: ${keyword} tightened from ${show(was)} to ${now}`);
    }
  }
  for (const keyword of upperBounds) {
    const [was, now] = [a[keyword], b[keyword]];
    if (typeof now === 'number' && (typeof was !== 'number' || now < was)) {
      found.push(`${at}: ${keyword} tightened from ${show(was)} to ${now}`);
    }
  }
}

function compareObject(a: JsonSchema, b: JsonSchema, path: string, found: string[]): void {
  const at = path === '' ? '(root)' : path;
  const oldProps = asRecord(a['properties']);
  const newProps = asRecord(b['properties']);
  for (const [name, oldProp] of Object.entries(oldProps)) {
    const child = path === '' ? name : `${path}.${name}`;
    if (!(name in newProps)) found.push(`${child}: property removed`);
    else compare(oldProp, newProps[name], child, found);
  }
  const oldRequired = new Set(asStrings(a['required']));
  for (const name of asStrings(b['required'])) {
    if (!oldRequired.has(name)) {
      const child = path === '' ? name : `${path}.${name}`;
      found.push(`${child}: ${name in oldProps ? 'became required' : 'added as required'}`);
    }
  }
  const [was, now] = [a['additionalProperties'], b['additionalProperties']];
  if (now === false && was !== false) {
    found.push(`${at}: additionalProperties tightened to false`);
  } else if (isSchema(was) && isSchema(now)) {
    compare(was, now, `${path}{*}`, found);
  } else if (isSchema(now) && was === undefined) {
    found.push(`${at}: additionalProperties restricted by a schema`);
  }
}

function isSchema(value: unknown): value is JsonSchema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function asRecord(value: unknown): Record<string, unknown> {
  return isSchema(value) ? value : {};
}

function asStrings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}

function typeSet(type: unknown): string[] | undefined {
  if (type === undefined) return undefined;
  return (Array.isArray(type) ? [...type] : [type]).map(String).sort();
}

/** Deep equality of JSON values, ignoring key order. */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isSchema(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  }
  return value === undefined ? 'undefined' : JSON.stringify(value);
}

function show(value: unknown): string {
  return value === undefined ? '(none)' : JSON.stringify(value);
}
