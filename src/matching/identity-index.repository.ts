import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type BlindIndexTerm, BlindIndexKind } from './blind-index';

export interface IndexHit {
  caseId: string;
  kinds: BlindIndexKind[];
}

/** The only writer of case_identity_index: digests of a case's identity, replaced as a whole. */
@Injectable()
export class IdentityIndexRepository {
  async replace(manager: EntityManager, caseId: string, terms: readonly BlindIndexTerm[]): Promise<void> {
    await manager.query(`DELETE FROM case_identity_index WHERE case_id = $1`, [caseId]);
    if (terms.length === 0) return;
    await manager.query(
      `INSERT INTO case_identity_index (case_id, kind, key_id, digest)
       SELECT $1, t.kind, t.key_id, t.digest FROM unnest($2::text[], $3::text[], $4::bytea[]) AS t(kind, key_id, digest)
       ON CONFLICT DO NOTHING`,
      [caseId, terms.map((t) => t.kind), terms.map((t) => t.keyId), terms.map((t) => t.digest)],
    );
  }

  /** Cases holding any of the digests, with the kinds that matched; at most `limit` cases. */
  async find(manager: EntityManager, terms: readonly BlindIndexTerm[], limit: number): Promise<IndexHit[]> {
    if (terms.length === 0) return [];
    const rows: Array<{ case_id: string; kinds: BlindIndexKind[] }> = await manager.query(
      `SELECT case_id, array_agg(DISTINCT kind) AS kinds FROM case_identity_index WHERE digest = ANY($1::bytea[])
        GROUP BY case_id ORDER BY case_id LIMIT $2`,
      [terms.map((t) => t.digest), limit],
    );
    return rows.map((row) => ({ caseId: row.case_id, kinds: row.kinds }));
  }

  /** Cases with at least one digest under a key other than `currentKeyId`, after `after` (keyset), for re-indexing. */
  async casesNotUnder(manager: EntityManager, currentKeyId: string, after: string, limit: number): Promise<string[]> {
    const rows: Array<{ case_id: string }> = await manager.query(
      `SELECT DISTINCT case_id FROM case_identity_index WHERE key_id <> $1 AND case_id > $2 ORDER BY case_id LIMIT $3`,
      [currentKeyId, after, limit],
    );
    return rows.map((row) => row.case_id);
  }
}
