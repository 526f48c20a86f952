import { Client } from 'pg';
import { Sealer } from '../src/common/crypto';
import { loadConfig } from '../src/config/config';
import { Random } from './random';
import { loadDirectory, seedCases } from './seed-cases';

/**
 * `npm run seed:scale -- --cases N [--seed S]`: adds N cases to the database at DATABASE_URL
 * (migrated, demo organisations and users seeded) with the bench's bulk loader: multi-row
 * INSERTs from column arrays, sensitive sections sealed with DATA_ENCRYPTION_KEY as the API
 * seals them, a progress bar, then VACUUM ANALYZE. Refuses anything but a local database.
 */
async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const option = (name: string, fallback?: string): string | undefined => {
    const at = args.indexOf(`--${name}`);
    return at >= 0 ? args[at + 1] : fallback;
  };
  const cases = Number(option('cases', '')?.replace(/_/g, ''));
  if (!Number.isInteger(cases) || cases < 1 || cases > 5_000_000) throw new Error('usage: npm run seed:scale -- --cases N (1 to 5,000,000)');
  const config = loadConfig(process.env);
  const databaseUrl = config.databaseUrl;
  if (!databaseUrl) throw new Error('set DATABASE_URL to the database to fill');
  const host = new URL(databaseUrl).hostname;
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)) throw new Error(`seed:scale writes only to a local database, DATABASE_URL points at ${host}`);
  const client = new Client({ connectionString: databaseUrl, application_name: 'passage-seed-scale' });
  await client.connect();
  const log = (line: string): void => void process.stdout.write(`${line}\n`);
  try {
    const directory = await loadDirectory(client);
    if (directory.organisations.length === 0) throw new Error('no organisations: run the migrations and `npm run seed` first');
    const started = performance.now();
    log(`seeding ${cases.toLocaleString('en')} cases into ${databaseUrl.replace(/\/\/[^@]*@/, '//')}`);
    const { stats } = await seedCases(client, directory, new Sealer(config.encryptionKeys), new Random(Number(option('seed', '42'))), cases, log);
    log(
      `inserted in ${stats.seconds.toFixed(1)} s (${Math.round(stats.cases / stats.seconds).toLocaleString('en')} cases/s, ${stats.sealedSections.toLocaleString('en')} sections sealed); VACUUM ANALYZE`,
    );
    await client.query(`VACUUM (ANALYZE) "case", case_section, participation, consent, break_glass_grant`);
    log(`done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    await client.end();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`seed:scale failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
