import type { IncomingHttpHeaders } from 'node:http';
import { z } from 'zod';
import { HttpProblem, parseOr400 } from './problem.js';

/**
 * The `Idempotency-Key` request header every retried write honours: 8 to 128 characters of letters,
 * digits, `_ . : -`. A refusal names the header (`/header/idempotency-key`), as every other field is named.
 */
export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const idempotencyKeySchema = z.string().min(8).max(128).regex(/^[\w.:-]+$/, 'Idempotency-Key: 8-128 characters of letters, digits, _ . : -');

/** The header as the OpenAPI document shows it (`headers` of a route schema), with the pattern enforced. */
export function idempotencyKeyHeaderDoc(options: { required?: boolean } = {}): Record<string, unknown> {
  return {
    type: 'object',
    properties: { [IDEMPOTENCY_KEY_HEADER]: { type: 'string', minLength: 8, maxLength: 128, pattern: '^[\\w.:-]+$' } },
    ...(options.required ? { required: [IDEMPOTENCY_KEY_HEADER] } : {}),
  };
}

/** Parses one request header with `schema`, or throws a 400 problem naming `/header/<name>`. */
export function parseHeaderOr400<S extends z.ZodType>(schema: S, headers: IncomingHttpHeaders, name: string): z.infer<S> {
  const key = name.toLowerCase();
  return (parseOr400(z.object({ [key]: schema }), { [key]: headers[key] }, 'header') as Record<string, z.infer<S>>)[key]!;
}

/** The request's Idempotency-Key: undefined when absent (unless `required`), a 400 naming it when malformed. */
export function idempotencyKeyOf(headers: IncomingHttpHeaders, options: { required?: boolean } = {}): string | undefined {
  if (headers[IDEMPOTENCY_KEY_HEADER] === undefined) {
    if (!options.required) return undefined;
    throw new HttpProblem(400, 'validation-error', 'Request is not valid', 'Idempotency-Key is required.', { errors: [{ pointer: `/header/${IDEMPOTENCY_KEY_HEADER}`, detail: 'required' }] });
  }
  return parseHeaderOr400(idempotencyKeySchema, headers, IDEMPOTENCY_KEY_HEADER);
}
