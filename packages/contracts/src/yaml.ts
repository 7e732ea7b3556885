/**
 * A small YAML writer for JSON values: block mappings and sequences, strings quoted JSON-style unless
 * they are plainly safe. Every JSON value round-trips; no anchors, tags or multi-line scalars are
 * produced, so the output is easy to diff and any YAML 1.2 parser reads it back as the same value.
 */
export function toYaml(value: unknown): string {
  return `${lines(value, 0).join('\n')}\n`;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Plain (unquoted) scalars: words, paths, dotted names. Nothing YAML could read as another type. */
const plainSafe = /^[A-Za-z_$/][A-Za-z0-9_$#./ :,()-]*$/;
const reserved = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

export function yamlScalar(value: Json): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error(`cannot write ${value} as YAML`);
    return String(value);
  }
  if (typeof value === 'string') {
    const safe = plainSafe.test(value) && !reserved.test(value) && !/: |:$| #|\s$/.test(value);
    return safe ? value : JSON.stringify(value);
  }
  throw new Error('yamlScalar takes a scalar');
}

function yamlKey(key: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$.-]*$/.test(key) && !reserved.test(key) ? key : JSON.stringify(key);
}

function isCollection(value: Json): value is Json[] | { [key: string]: Json } {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: Json[] | { [key: string]: Json }): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).length === 0;
}

function lines(raw: unknown, indent: number): string[] {
  const value = raw as Json;
  const pad = ' '.repeat(indent);
  if (!isCollection(value)) return [pad + yamlScalar(value)];
  if (isEmpty(value)) return [pad + (Array.isArray(value) ? '[]' : '{}')];
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value) {
      if (isCollection(item) && !isEmpty(item)) {
        // "- " then the item's first line on the same line, the rest indented under it.
        const [first, ...rest] = lines(item, indent + 2);
        out.push(`${pad}- ${first!.slice(indent + 2)}`, ...rest);
      } else {
        out.push(`${pad}- ${lines(item, 0)[0]}`);
      }
    }
    return out;
  }
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    if (isCollection(item) && !isEmpty(item)) {
      out.push(`${pad}${yamlKey(key)}:`, ...lines(item, indent + 2));
    } else {
      out.push(`${pad}${yamlKey(key)}: ${lines(item, 0)[0]}`);
    }
  }
  return out;
}
