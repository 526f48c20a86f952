import type { EntityManager } from 'typeorm';

type Queryable = Pick<EntityManager, 'query'>;

/** Runs an UPDATE or DELETE: TypeORM answers those with `[rows, rowCount]` rather than the rows alone. */
export async function modify<T = unknown>(db: Queryable, sql: string, parameters: unknown[]): Promise<{ rows: T[]; count: number }> {
  const [rows, count] = (await db.query(sql, parameters)) as [T[], number];
  return { rows, count };
}
