import type { DataSource } from 'typeorm';
import { Section } from '../access/policy';
import type { Sealer } from '../common/crypto';
import type { EncryptionKey } from '../config/config';
import { BlindIndexer, probeOfIdentity } from '../matching/blind-index';
import { IdentityIndexRepository } from '../matching/identity-index.repository';
import { CaseSectionsStore } from './case-sections.store';

/**
 * Re-seals every sensitive section (and every sealed referral message) still under an older
 * key with the current one (the first of DATA_ENCRYPTION_KEY), in small transactions, so it
 * can run while the platform serves. Contents and versions do not change.
 */
export interface RotationResult {
  resealed: number;
  /** Rows that did not open (tampered or sealed with a key no longer configured): left as they are, named by id. */
  unreadable: string[];
}

export async function rotateEncryptionKeys(dataSource: DataSource, sealer: Sealer, batchSize = 500): Promise<RotationResult> {
  const store = new CaseSectionsStore(sealer);
  const result: RotationResult = { resealed: 0, unreadable: [] };
  let after: [string, string] = ['00000000-0000-0000-0000-000000000000', ''];
  for (;;) {
    const batch: Array<{ case_id: string; section: Section }> = await dataSource.query(
      `SELECT case_id, section FROM case_section WHERE key_id IS NOT NULL AND key_id <> $1 AND (case_id, section) > ($2::uuid, $3)
        ORDER BY case_id, section LIMIT $4`,
      [sealer.currentKeyId, after[0], after[1], batchSize],
    );
    if (batch.length === 0) break;
    for (const row of batch) {
      try {
        if (await dataSource.transaction((manager) => store.reseal(manager, row.case_id, row.section))) result.resealed += 1;
      } catch {
        result.unreadable.push(`case ${row.case_id} section ${row.section}`);
      }
    }
    const last = batch[batch.length - 1]!;
    after = [last.case_id, last.section];
  }
  let afterReferral = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch: Array<{ id: string; message_key_id: string; message_ciphertext: Buffer }> = await dataSource.query(
      `SELECT id, message_key_id, message_ciphertext FROM referral WHERE message_key_id IS NOT NULL AND message_key_id <> $1 AND id > $2 ORDER BY id LIMIT $3`,
      [sealer.currentKeyId, afterReferral, batchSize],
    );
    if (batch.length === 0) break;
    for (const row of batch) {
      const associatedData = referralMessageAssociatedData(row.id);
      try {
        const sealed = sealer.seal(sealer.open({ keyId: row.message_key_id, ciphertext: row.message_ciphertext }, associatedData), associatedData);
        await dataSource.query(`UPDATE referral SET message_key_id = $2, message_ciphertext = $3 WHERE id = $1 AND message_key_id = $4`, [
          row.id,
          sealed.keyId,
          sealed.ciphertext,
          row.message_key_id,
        ]);
        result.resealed += 1;
      } catch {
        result.unreadable.push(`referral ${row.id} message`);
      }
    }
    afterReferral = batch[batch.length - 1]!.id;
  }
  return result;
}

export function referralMessageAssociatedData(referralId: string): string {
  return `referral:${referralId}:message`;
}

/**
 * Re-computes the identity blind indexes of every case still indexed under an older
 * MATCH_INDEX_KEY with the first one (put the new key first, keep the old ones after it so
 * matching keeps finding old rows meanwhile, run this, then drop the old keys). The identity
 * section is opened to do it; nothing else changes.
 */
export async function reindexIdentities(dataSource: DataSource, sealer: Sealer, matchKeys: EncryptionKey[], batchSize = 500): Promise<RotationResult> {
  const store = new CaseSectionsStore(sealer);
  const indexer = new BlindIndexer(matchKeys);
  const index = new IdentityIndexRepository();
  const result: RotationResult = { resealed: 0, unreadable: [] };
  let after = '00000000-0000-0000-0000-000000000000';
  for (;;) {
    const batch = await index.casesNotUnder(dataSource.manager, indexer.currentKeyId, after, batchSize);
    if (batch.length === 0) break;
    for (const caseId of batch) {
      try {
        await dataSource.transaction(async (manager) => {
          // The section's row lock keeps a concurrent identity write from interleaving with the re-index.
          const identity = (await store.read(manager, caseId, [Section.Identity], { lock: true })).get(Section.Identity);
          await index.replace(manager, caseId, identity ? indexer.termsToStore(probeOfIdentity(identity.data)) : []);
        });
        result.resealed += 1;
      } catch {
        result.unreadable.push(`case ${caseId} identity index`);
      }
    }
    after = batch[batch.length - 1]!;
  }
  return result;
}
