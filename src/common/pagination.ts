import { Problem } from './problem';

/** Keyset cursors: opaque base64url of the sort key of the last item, so pages stay stable under inserts. */
export function encodeCursor(parts: Array<string | number>): string {
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

export function decodeCursor(cursor: string, arity: number): Array<string | number> {
  try {
    const parts = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(parts) && parts.length === arity && parts.every((p) => typeof p === 'string' || typeof p === 'number')) {
      return parts as Array<string | number>;
    }
  } catch {
    // fall through to the problem below
  }
  throw Problem.badRequest('The cursor is invalid', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A page from rows fetched with `LIMIT limit + 1`: the extra row only tells that another page exists. */
export function toPage<R, T>(rows: readonly R[], limit: number, view: (row: R) => T, cursorOf: (row: R) => Array<string | number>): Page<T> {
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { items: page.map(view), nextCursor: rows.length > limit && last ? encodeCursor(cursorOf(last)) : null };
}

const CURSOR_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const CURSOR_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A `(created_at, id)` cursor, checked before it reaches SQL as timestamptz and uuid, so a
 * tampered cursor is a 400 naming the cursor rather than a database error.
 */
export function decodeTimeIdCursor(cursor: string): { at: string; id: string } {
  const [at, id] = decodeCursor(cursor, 2);
  if (typeof at !== 'string' || typeof id !== 'string' || !CURSOR_TIME.test(at) || !CURSOR_UUID.test(id)) {
    throw Problem.badRequest('The cursor is invalid', [{ path: 'cursor', message: 'is not a cursor this API returned' }]);
  }
  return { at, id };
}
