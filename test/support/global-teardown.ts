import { withAdminClient } from './environment';

/** Drops this run's template and worker databases, and stops services the run started. */
export default async function globalTeardown(): Promise<void> {
  const baseUrl = process.env.PASSAGE_TEST_DATABASE_URL;
  const runId = process.env.PASSAGE_TEST_RUN;
  if (baseUrl && runId) {
    await withAdminClient(baseUrl, async (client) => {
      const rows = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [`passage_t_${runId}%`]);
      for (const { datname } of rows.rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    });
  }
  await (globalThis as { __passageStop?: () => Promise<void> }).__passageStop?.();
}
