import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { subtreeKey, type SubtreeRef } from './merkle';

type Queryable = Pick<EntityManager | QueryRunner | DataSource, 'query'>;

/**
 * Complete subtree hashes by reference, in one round trip: leaves (level 0) from
 * audit_log_entry, the rest from audit_log_node. Keyed by subtreeKey.
 */
export async function loadSubtrees(db: Queryable, refs: readonly SubtreeRef[]): Promise<Map<string, Buffer>> {
  const hashes = new Map<string, Buffer>();
  const leaves = refs.filter((ref) => ref.level === 0).map((ref) => ref.index.toString());
  const nodes = refs.filter((ref) => ref.level > 0);
  if (leaves.length > 0) {
    const rows: Array<{ log_index: string; leaf_hash: Buffer }> = await db.query(
      `SELECT log_index::text, leaf_hash FROM audit_log_entry WHERE log_index = ANY($1::bigint[])`,
      [leaves],
    );
    for (const row of rows) hashes.set(`0:${row.log_index}`, row.leaf_hash);
  }
  if (nodes.length > 0) {
    const rows: Array<{ level: number; node_index: string; hash: Buffer }> = await db.query(
      `SELECT n.level, n.node_index::text, n.hash FROM audit_log_node n JOIN unnest($1::smallint[], $2::bigint[]) AS r(level, node_index) USING (level, node_index)`,
      [nodes.map((ref) => ref.level), nodes.map((ref) => ref.index.toString())],
    );
    for (const row of rows) hashes.set(subtreeKey({ level: row.level, index: BigInt(row.node_index) }), row.hash);
  }
  return hashes;
}
