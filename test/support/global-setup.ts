import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { migrate } from '../../src/database/migrate';
import { seedDemoData } from '../../src/seed/demo-data';
import { databaseUrlFor, newRunId, withAdminClient } from './environment';
import { resolveServices } from './services';

import { TEST_PASSWORD } from './environment';

/**
 * Once per `jest` run: find or start the services, build a migrated and seeded template
 * database named after this run (so concurrent runs never collide), and hand its name and
 * fresh secrets to the workers through the environment.
 */
export default async function globalSetup(): Promise<void> {
  const services = await resolveServices((line) => process.stdout.write(`\n[test setup] ${line}`));
  const runId = newRunId();
  const template = `passage_t_${runId}`;
  // The run's lease: a session advisory lock held by the jest parent until teardown, or until the
  // process dies. Another run's clean-up skips the databases of a run whose lease is held, however
  // long it has been running (a full fuzz run takes hours).
  const lease = new Client({ connectionString: databaseUrlFor(services.databaseUrl, 'postgres') });
  await lease.connect();
  await lease.query(`SELECT pg_advisory_lock($1, hashtext($2))`, [RUN_LEASE_NAMESPACE, runId]);
  await withAdminClient(services.databaseUrl, async (client) => {
    // Leftovers of runs that were killed (older than an hour, lease free) are removed.
    const stale = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'passage\\_t\\_%' AND datname NOT LIKE $1`, [
      `passage_t_${runId}%`,
    ]);
    for (const { datname } of stale.rows) {
      const created = parseInt(datname.slice('passage_t_'.length, 'passage_t_'.length + 8), 36);
      if (!Number.isFinite(created) || Date.now() - created <= 3_600_000) continue;
      if (await leaseHeld(client, datname.slice('passage_t_'.length, 'passage_t_'.length + runId.length))) continue;
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    await client.query(`CREATE DATABASE "${template}"`);
  });
  const templateUrl = databaseUrlFor(services.databaseUrl, template);
  await migrate(templateUrl);
  await seedDemoData(templateUrl, TEST_PASSWORD);

  Object.assign(process.env, {
    PASSAGE_TEST_RUN: runId,
    PASSAGE_TEST_TEMPLATE: template,
    PASSAGE_TEST_DATABASE_URL: services.databaseUrl,
    PASSAGE_TEST_REDIS_URL: services.redisUrl,
    PASSAGE_TEST_KEYS: JSON.stringify({
      DATA_ENCRYPTION_KEY: `test1:${randomBytes(32).toString('base64')}`,
      AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
      JWT_SECRET: randomBytes(32).toString('base64'),
      MATCH_INDEX_KEY: `match1:${randomBytes(32).toString('base64')}`,
    }),
  });
  (globalThis as { __passageStop?: () => Promise<void> }).__passageStop = async () => {
    await lease.end();
    await services.stop();
  };
}

/** The advisory-lock namespace of test-run leases (the second key is the hashed run id). */
const RUN_LEASE_NAMESPACE = 7014;

/** Whether the run is still alive: its lease cannot be taken. A lease taken here to test it is given back at once. */
async function leaseHeld(client: Client, runId: string): Promise<boolean> {
  const { rows } = await client.query<{ free: boolean }>(`SELECT pg_try_advisory_lock($1, hashtext($2)) AS free`, [RUN_LEASE_NAMESPACE, runId]);
  if (rows[0]!.free) await client.query(`SELECT pg_advisory_unlock($1, hashtext($2))`, [RUN_LEASE_NAMESPACE, runId]);
  return !rows[0]!.free;
}
