import type { DataSource } from 'typeorm';
import type { Sealer } from '../common/crypto';
import { documentKeyAssociatedData } from './document-cipher';

/**
 * Re-wraps every document's data key still under an older DATA_ENCRYPTION_KEY with the first
 * one. The content is not touched: it is encrypted with the document's own key, which stays.
 */
export async function rewrapDocumentKeys(dataSource: DataSource, sealer: Sealer, batchSize = 500): Promise<{ resealed: number; unreadable: string[] }> {
  const result = { resealed: 0, unreadable: [] as string[] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch: Array<{ id: string; key_id: string; wrapped_key: Buffer }> = await dataSource.query(
      `SELECT id, key_id, wrapped_key FROM case_document WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [sealer.currentKeyId, after, batchSize],
    );
    if (batch.length === 0) break;
    for (const row of batch) {
      const associatedData = documentKeyAssociatedData(row.id);
      try {
        const sealed = sealer.seal(sealer.open({ keyId: row.key_id, ciphertext: row.wrapped_key }, associatedData), associatedData);
        await dataSource.query(`UPDATE case_document SET key_id = $2, wrapped_key = $3 WHERE id = $1 AND key_id = $4`, [
          row.id,
          sealed.keyId,
          sealed.ciphertext,
          row.key_id,
        ]);
        result.resealed += 1;
      } catch {
        result.unreadable.push(`document ${row.id} key`);
      }
    }
    after = batch[batch.length - 1]!.id;
  }
  return result;
}
