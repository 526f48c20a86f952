import type { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

/**
 * The one way to build positional parameters ($1, $2, ...) for a raw statement: `add` keeps the
 * value and answers its placeholder, so a clause and its value are written together and can be
 * added conditionally without counting.
 */
export class SqlParams {
  readonly values: unknown[] = [];

  add(value: unknown): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/** Runs an UPDATE or DELETE: TypeORM answers those with `[rows, rowCount]` rather than the rows alone. */
export async function modify<T = unknown>(db: Queryable, sql: string, parameters: unknown[]): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = (await db.query(sql, parameters)) as [T[], number];
  return { rows, count };
}
