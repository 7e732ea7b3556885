import { z } from 'zod';
import { HttpProblem } from './problem.js';

/**
 * Keyset pagination for list endpoints: newest first, ordered by (createdAt, id) so a page never
 * skips or repeats a row while others are inserted. The cursor is opaque to callers (base64url JSON).
 */
export interface PageKey {
  readonly createdAt: Date;
  readonly id: string;
}

export const MAX_PAGE_SIZE = 100;

export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_SIZE).default(25),
  // An empty cursor is no cursor this API issued: refused by the schema, so the document says so.
  cursor: z.string().min(1).max(200).optional(),
});

const cursorSchema = z.object({ createdAt: z.iso.datetime(), id: z.string().min(1).max(64) }).strict();

export function encodeCursor(key: PageKey): string {
  return Buffer.from(JSON.stringify({ createdAt: key.createdAt.toISOString(), id: key.id })).toString('base64url');
}

/**
 * Reads a cursor from a query string, or throws a 422 problem naming `/query/cursor`: a cursor is any
 * non-empty string to the document (opaque), so one this API never issued is well-formed but unknown,
 * like an id that names nothing (an empty or over-long one is the schema's 400).
 */
export function decodeCursor(cursor: string | undefined): PageKey | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = cursorSchema.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString()));
    return { createdAt: new Date(parsed.createdAt), id: parsed.id };
  } catch {
    throw new HttpProblem(422, 'unknown-cursor', 'Cursor not recognised', 'The cursor is not one this API issued.', {
      errors: [{ pointer: '/query/cursor', detail: 'not a cursor from a previous page' }],
    });
  }
}

/** Splits `limit + 1` fetched rows into a page and the cursor of the next one (null on the last page). */
export function toPage<T>(rows: readonly T[], limit: number, keyOf: (row: T) => PageKey): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keyOf(last)) : null };
}

/** The Prisma `where` fragment selecting rows after `key` in (createdAt desc, id desc) order. */
export function afterKey(key: PageKey | undefined) {
  if (!key) return {};
  return { OR: [{ createdAt: { lt: key.createdAt } }, { createdAt: key.createdAt, id: { lt: key.id } }] };
}
