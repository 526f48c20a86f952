import type { DataSource } from 'typeorm';
import { type AppConfig, loadConfigOrExit } from '../config/config';
import { exportLog, verifyExport } from '../audit/audit-log-export';
import { AuditVerifier } from '../audit/audit-verifier';
import { auditNoteSigner } from '../audit/audit-log-key';
import { AuditWitness } from '../audit/audit-witness';
import { createDataSource } from '../database/data-source';
import { openCliDatabase } from '../database/cli-database';

const USAGE = `usage:
  npm run audit:verify                                   verify the database's log (DATABASE_URL, else the embedded database)
  npm run audit:verify -- --export <file>                write the log, its checkpoints and retention records as JSON lines
  npm run audit:verify -- --offline <file> --key <vkey> [--witness <checkpoints.jsonl>]
                                                         verify an exported log with the verifier key only (no database)
  npm run audit:verify -- --verifier-key                 print the verifier key`;

/** DATABASE_URL, else this checkout's embedded PostgreSQL (found running, or started and migrated). */
async function withDatabase<T>(config: AppConfig, work: (dataSource: DataSource) => Promise<T>): Promise<T> {
  const database = await openCliDatabase(config, (line) => process.stderr.write(`passage: ${line}\n`));
  const dataSource = createDataSource(database.url);
  try {
    await dataSource.initialize();
    return await work(dataSource);
  } finally {
    if (dataSource.isInitialized) await dataSource.destroy();
    await database.stop();
  }
}

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const offline = argument('--offline');
  if (offline) {
    const key = argument('--key');
    if (!key) throw new Error(`--offline needs --key <verifier key>\n${USAGE}`);
    const started = performance.now();
    const result = await verifyExport(offline, key, argument('--witness'));
    process.stdout.write(`${JSON.stringify({ ...result, seconds: (performance.now() - started) / 1000 })}\n`);
    process.exitCode = result.valid ? 0 : 1;
    return;
  }
  if (process.argv.includes('--help')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfigOrExit();
  if (process.argv.includes('--verifier-key')) {
    process.stdout.write(`${auditNoteSigner(config).verifierKey}\n`);
    return;
  }
  const target = argument('--export');
  await withDatabase(config, async (dataSource) => {
    if (target) {
      const leaves = await exportLog(dataSource, config, target);
      process.stdout.write(`${JSON.stringify({ exported: leaves, file: target, verifierKey: auditNoteSigner(config).verifierKey })}\n`);
      return;
    }
    const result = await new AuditVerifier(dataSource, config, new AuditWitness(config)).verify();
    process.stdout.write(`${JSON.stringify(result)}\n`);
    process.exitCode = result.valid ? 0 : 1;
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`passage: audit verification failed to run: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(2);
});
