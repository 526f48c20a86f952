import type { DataSource } from 'typeorm';
import { Section } from '../access/policy';
import { CaseKeysService } from './case-keys.service';
import { CaseSectionsStore } from './case-sections.store';
import type { Sealer } from '../common/crypto';
import type { EncryptionKey } from '../config/config';
import { BlindIndexer, probeOfIdentity } from '../matching/blind-index';
import { IdentityIndexRepository } from '../matching/identity-index.repository';

/**
 * Re-computes the identity blind indexes of every case still indexed under an older
 * MATCH_INDEX_KEY with the first one (put the new key first, keep the old ones after it so
 * matching keeps finding old rows meanwhile, run this, then drop the old keys). The identity
 * section is opened to do it; nothing else changes.
 */
export async function reindexIdentities(
  dataSource: DataSource,
  sealer: Sealer,
  matchKeys: EncryptionKey[],
  batchSize = 500,
): Promise<{ resealed: number; unreadable: string[] }> {
  const store = new CaseSectionsStore(new CaseKeysService(sealer));
  const indexer = new BlindIndexer(matchKeys);
  const index = new IdentityIndexRepository();
  const result = { resealed: 0, unreadable: [] as string[] };
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
