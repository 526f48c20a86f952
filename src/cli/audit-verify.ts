import { loadConfigOrExit } from '../config/config';
import { AuditCheckpointService } from '../audit/audit-checkpoint.service';
import { AuditVerifier } from '../audit/audit-verifier';
import { openCliDatabase } from '../database/cli-database';
import { createDataSource } from '../database/data-source';

/** `npm run audit:verify`: prints the verification as JSON; exit code 1 when the chain does not hold. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const database = await openCliDatabase(config, (line) => process.stderr.write(`passage: ${line}\n`));
  const dataSource = createDataSource(database.url);
  try {
    await dataSource.initialize();
    const verifier = new AuditVerifier(dataSource, new AuditCheckpointService(dataSource, config));
    const result = await verifier.verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result.valid ? 0 : 1;
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: audit verification failed to run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
