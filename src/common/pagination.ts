import { isId } from './ids';
import { Problem } from './problem';

/** Every keyset-paged list: the page size when `limit` is absent, and the most one page may hold. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

/**
 * What one part of a cursor holds, checked before it reaches SQL, so a tampered cursor is a 400
 * naming the cursor rather than a database error: `time` a timestamptz as PostgreSQL prints it
 * (`created_at::text`, microseconds kept so pages neither skip nor repeat rows), `id` a uuid
 * (lower-cased), `seq` a positive bigint as text, `text` any string.
 */
export type CursorPart = 'time' | 'id' | 'seq' | 'text';

export type CursorValues<S extends readonly CursorPart[]> = { [I in keyof S]: string };

const TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const SEQ = /^[1-9]\d{0,18}$/;

const VALID: Record<CursorPart, (value: string) => boolean> = {
  time: (value) => TIME.test(value),
  id: isId,
  seq: (value) => SEQ.test(value),
  text: () => true,
};

/** Keyset cursors: opaque base64url of the sort key of the last item, so pages stay stable under inserts. */
export function encodeCursor(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor<const S extends readonly CursorPart[]>(cursor: string, shape: S): CursorValues<S> {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(parts) || parts.length !== shape.length) throw invalidCursor();
  return shape.map((kind, i) => {
    const value: unknown = parts[i];
    if (typeof value !== 'string' || !VALID[kind](value)) throw invalidCursor();
    return kind === 'id' ? value.toLowerCase() : value;
  }) as CursorValues<S>;
}

function invalidCursor(): Problem {
  return Problem.badRequest('The cursor is invalid', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}

/**
 * The one way a list reads its paging query: the page size (default applied) and the decoded
 * sort key of the last item of the previous page, if any. `limit` itself is bounded by
 * PageQueryDto's validation.
 */
export function keyset<const S extends readonly CursorPart[]>(
  query: { limit?: number; cursor?: string },
  shape: S,
): { limit: number; after: CursorValues<S> | null } {
  return { limit: query.limit ?? DEFAULT_PAGE_SIZE, after: query.cursor ? decodeCursor(query.cursor, shape) : null };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page from rows fetched with `LIMIT limit + 1`: the extra row only tells that another page exists. */
export function toPage<R, T>(rows: readonly R[], limit: number, view: (row: R) => T, cursorOf: (row: R) => readonly string[]): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}
