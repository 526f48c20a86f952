import { createSealer } from '../common/crypto.module';
import { loadConfigOrExit } from '../config/config';
import { openCliDatabase } from '../database/cli-database';
import { createDataSource } from '../database/data-source';
import { reindexIdentities } from '../cases/identity-reindex';
import { rotateSealedColumns, sealCaseValuesUnderCaseKeys } from '../sealed-columns';

/**
 * `npm run keys:rotate`: put the new key first in DATA_ENCRYPTION_KEY (or MATCH_INDEX_KEY), keep
 * the old ones after it, run this, then drop the old ones. It moves case values still under a
 * master key under their case key, re-wraps the case data keys and re-seals the other
 * master-sealed columns of the registry (src/sealed-columns.ts), then the identity blind indexes;
 * each does nothing when everything is already under its first key.
 */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const database = await openCliDatabase(config, (line) => process.stderr.write(`passage: ${line}\n`));
  const dataSource = createDataSource(database.url);
  try {
    await dataSource.initialize();
    const sealer = createSealer(config);
    const moved = await sealCaseValuesUnderCaseKeys(dataSource, sealer);
    if (moved.resealed > 0) process.stdout.write(`re-sealed ${moved.resealed} case value(s) under their case key\n`);
    const rotated = await rotateSealedColumns(dataSource, sealer);
    const sealed = { resealed: rotated.resealed, unreadable: [...moved.unreadable, ...rotated.unreadable] };
    process.stdout.write(`re-sealed ${sealed.resealed} row(s) under key "${config.encryptionKeys[0]!.id}"\n`);
    const reindexed = await reindexIdentities(dataSource, sealer, config.matchIndexKeys);
    process.stdout.write(`re-indexed the identity of ${reindexed.resealed} case(s) under match key "${config.matchIndexKeys[0]!.id}"\n`);
    const unreadable = [...sealed.unreadable, ...reindexed.unreadable];
    if (unreadable.length > 0) {
      process.stderr.write(`passage: ${unreadable.length} row(s) could not be opened and were left as they are:\n  ${unreadable.join('\n  ')}\n`);
      process.exitCode = 1;
    }
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: key rotation failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
