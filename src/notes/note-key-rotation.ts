import type { DataSource } from 'typeorm';
import type { Sealer } from '../common/crypto';
import { noteAssociatedData } from './notes.service';

/**
 * Re-seals every note still under an older DATA_ENCRYPTION_KEY with the first one, a row per
 * statement; the append-only trigger lets exactly this change through. Returns the number
 * re-sealed and the ids of notes that did not open.
 */
export async function resealNotes(dataSource: DataSource, sealer: Sealer, batchSize = 500): Promise<{ resealed: number; unreadable: string[] }> {
  const result = { resealed: 0, unreadable: [] as string[] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch: Array<{ id: string; case_id: string; key_id: string; ciphertext: Buffer }> = await dataSource.query(
      `SELECT id, case_id, key_id, ciphertext FROM case_note WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [sealer.currentKeyId, after, batchSize],
    );
    if (batch.length === 0) break;
    for (const row of batch) {
      const associatedData = noteAssociatedData(row.case_id, row.id);
      try {
        const sealed = sealer.seal(sealer.open({ keyId: row.key_id, ciphertext: row.ciphertext }, associatedData), associatedData);
        await dataSource.query(`UPDATE case_note SET key_id = $2, ciphertext = $3 WHERE id = $1 AND key_id = $4`, [
          row.id,
          sealed.keyId,
          sealed.ciphertext,
          row.key_id,
        ]);
        result.resealed += 1;
      } catch {
        result.unreadable.push(`note ${row.id}`);
      }
    }
    after = batch[batch.length - 1]!.id;
  }
  return result;
}
