import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

export function databaseUrlFor(serverUrl: string, database: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

export async function withClient<T>(databaseUrl: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl, application_name: 'passage-bench' });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

const PREFIX = 'passage_bench_';

/** `passage_bench_[<kind>_]<base36 time, 8 characters><6 hex>`: the time is read back to find leftovers. */
const NAME = /^passage_bench_(?:[a-z]+_)?([0-9a-z]{8})[0-9a-f]{6}$/;

/**
 * A new, empty database `passage_bench_[<kind>_]<base36 time><random>` (`kind` keeps a section's own database apart);
 * leftovers of killed runs older than six hours are dropped.
 */
export async function createBenchDatabase(serverUrl: string, kind?: string): Promise<{ name: string; url: string }> {
  if (kind !== undefined && !/^[a-z]+$/.test(kind)) throw new Error(`invalid bench database kind "${kind}"`);
  const name = `${PREFIX}${kind ? `${kind}_` : ''}${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  await withClient(databaseUrlFor(serverUrl, 'postgres'), async (client) => {
    const stale = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'passage\\_bench\\_%'`);
    for (const { datname } of stale.rows) {
      const time = NAME.exec(datname)?.[1];
      const created = time === undefined ? NaN : parseInt(time, 36);
      if (Number.isFinite(created) && Date.now() - created > 6 * 3_600_000) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await client.query(`CREATE DATABASE "${name}"`);
  });
  return { name, url: databaseUrlFor(serverUrl, name) };
}

export async function dropBenchDatabase(serverUrl: string, name: string): Promise<void> {
  if (!name.startsWith(PREFIX)) throw new Error(`refusing to drop "${name}": not a bench database`);
  await withClient(databaseUrlFor(serverUrl, 'postgres'), (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}
