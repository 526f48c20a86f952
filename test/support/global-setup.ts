import { randomBytes } from 'node:crypto';
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
  await withAdminClient(services.databaseUrl, async (client) => {
    // Leftovers of runs that were killed (older than an hour) are removed.
    const stale = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'passage\\_t\\_%' AND datname NOT LIKE $1`, [
      `passage_t_${runId}%`,
    ]);
    for (const { datname } of stale.rows) {
      const created = parseInt(datname.slice('passage_t_'.length, 'passage_t_'.length + 8), 36);
      if (Number.isFinite(created) && Date.now() - created > 3_600_000) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
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
  (globalThis as { __passageStop?: () => Promise<void> }).__passageStop = services.stop;
}
