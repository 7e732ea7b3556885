/** Helpers for this package's tests: reading committed files, validating with Ajv, reporting paths. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { z } from 'zod';

export const packageRoot = fileURLToPath(new URL('..', import.meta.url));

export function readJson(...segments: string[]): unknown {
  return JSON.parse(readFileSync(join(packageRoot, ...segments), 'utf8'));
}

export function readText(...segments: string[]): string {
  return readFileSync(join(packageRoot, ...segments), 'utf8');
}

export interface AcceptFixture {
  readonly name: string;
  readonly value: unknown;
}
export interface RejectFixture extends AcceptFixture {
  readonly expected: { readonly path: string; readonly why: string };
}

/** fixtures/<event>/accept/*.json, and reject/*.json with their sibling *.expected.json. */
export function loadFixtures(event: string): { accept: AcceptFixture[]; reject: RejectFixture[] } {
  const dir = (kind: string) => join('fixtures', event, kind);
  const names = (kind: string) =>
    readdirSync(join(packageRoot, dir(kind)))
      .filter((f) => f.endsWith('.json') && !f.endsWith('.expected.json'))
      .sort();
  return {
    accept: names('accept').map((f) => ({ name: f, value: readJson(dir('accept'), f) })),
    reject: names('reject').map((f) => ({
      name: f,
      value: readJson(dir('reject'), f),
      expected: readJson(dir('reject'), f.replace(/\.json$/, '.expected.json')) as RejectFixture['expected'],
    })),
  };
}

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

/** A draft 2020-12 validator for a committed schema, formats checked, reporting every error. */
export function jsonSchemaValidator(schema: object): (value: unknown) => string[] {
  const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
  const validate = ajv.compile(schema);
  return (value) => (validate(value) ? [] : (validate.errors ?? []).map(ajvErrorPath));
}

/** The instance path an Ajv error is about, dotted; a missing or extra property names the property. */
export function ajvErrorPath(error: ErrorObject): string {
  const parts = error.instancePath.split('/').slice(1);
  const params = error.params as { missingProperty?: string; additionalProperty?: string };
  if (error.keyword === 'required' && params.missingProperty) parts.push(params.missingProperty);
  if (error.keyword === 'additionalProperties' && params.additionalProperty) parts.push(params.additionalProperty);
  return parts.join('.');
}

/** The paths a zod error reports, dotted; an unrecognised key names the key. */
export function zodErrorPaths(error: z.ZodError): string[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => [...base, key].join('.'));
    return [base.join('.')];
  });
}
