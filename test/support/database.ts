import { Client } from 'pg';
import { databaseUrlFor, withAdminClient } from './environment';

let workerDatabase: Promise<string> | undefined;

/**
 * This jest worker's own database, cloned from the run's migrated and seeded template on first
 * use. Test files in one worker share it, so specs create their own data with the factories
 * and never assume an empty table.
 */
export function workerDatabaseUrl(): Promise<string> {
  workerDatabase ??= (async () => {
    const baseUrl = required('PASSAGE_TEST_DATABASE_URL');
    const template = required('PASSAGE_TEST_TEMPLATE');
    const name = `${template}_w${process.env.JEST_WORKER_ID ?? '1'}`;
    await withAdminClient(baseUrl, async (client) => {
      const exists = await client.query(`SELECT 1 FROM pg_database WHERE datname = $1`, [name]);
      if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
    });
    return databaseUrlFor(baseUrl, name);
  })();
  return workerDatabase;
}

/** A fresh, empty-of-data database of its own (migrated and seeded), for specs that need one, e.g. chain verification. */
export async function isolatedDatabaseUrl(label: string): Promise<string> {
  const baseUrl = required('PASSAGE_TEST_DATABASE_URL');
  const name = `${required('PASSAGE_TEST_TEMPLATE')}_${label}_${process.env.JEST_WORKER_ID ?? '1'}`;
  await withAdminClient(baseUrl, async (client) => {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}" TEMPLATE "${required('PASSAGE_TEST_TEMPLATE')}"`);
  });
  return databaseUrlFor(baseUrl, name);
}

export async function withClient<T>(databaseUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

export function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the specs through jest (test/support/global-setup.ts)`);
  return value;
}
