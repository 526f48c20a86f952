import type { INestApplicationContext } from '@nestjs/common';
import type { AppConfig } from '../../src/config/config';
import { createWorkerContext } from '../../src/worker.module';
import { testConfig, TestApp } from '../support/app';
import { isolatedDatabaseUrl } from '../support/database';
import { createCase, organisationId } from '../support/factories';
import { OwnRedis, waitUntil } from '../support/own-services';

/**
 * Redis killed (SIGKILL) and started again empty, as after a crash of a Redis without
 * persistence (issue 14, "Faults"): no notification is lost, since PostgreSQL's outbox relays
 * again what Redis lost and what was emitted while it was away; every pending deadline is
 * rebuilt from the deadline table and fires once; nobody is notified twice.
 */
describe('faults: Redis killed and started again empty', () => {
  let redis: OwnRedis;
  let config: AppConfig;
  let env: Record<string, string>;
  let t: TestApp;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    redis = await OwnRedis.create(false);
    await redis.start();
    const base = await testConfig();
    env = {
      DATABASE_URL: await isolatedDatabaseUrl('redislost'),
      REDIS_URL: redis.url,
      REDIS_PREFIX: `${base.redisPrefix}:redislost`,
      OUTBOX_POLL_INTERVAL_MS: '100',
      QUEUE_LOCK_DURATION_MS: '2000',
      // Jobs Redis lost are looked for after a second, not after the production quarter of an hour.
      OUTBOX_REQUEUE_AFTER_SECONDS: '1',
      DEADLINE_RESYNC_INTERVAL_MS: '500',
    };
    config = await testConfig(env);
    t = await TestApp.start(env);
    // The real worker with the API's own recipient rules.
    worker = await createWorkerContext(config, config.databaseUrl!);
  });
  afterAll(async () => {
    await worker?.close();
    await t?.close();
    await redis?.dispose();
  });

  const count = async (sql: string, params: unknown[]): Promise<number> =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM (${sql}) x`, params)) as Array<{ n: number }>)[0]!.n;

  it('relays every event again and rebuilds every pending deadline; each notification arrives once', async () => {
    const officer = await t.login('officer@be-police.test');
    const caseworker = await t.login('caseworker@be-shelter-antwerp.test');
    const shelter = await organisationId(t.dataSource, 'be-shelter-antwerp');
    const cases: string[] = [];
    const referrals: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      const kase = await createCase(t, officer);
      const referral = await t.post<{ id: string }>(
        `/api/cases/${kase.id}/referrals`,
        {
          toOrganisationId: shelter,
          purpose: 'shelter',
          urgency: 'routine',
          consent: { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() },
        },
        officer,
      );
      expect(referral.status).toBe(201);
      cases.push(kase.id);
      referrals.push(referral.body.id);
    }
    await waitUntil('the referrals announced and their deadlines queued', async () => {
      const [announced, queued] = await Promise.all([
        count(`SELECT 1 FROM notification WHERE case_id = ANY($1) AND type = 'referral.received'`, [cases]),
        count(`SELECT 1 FROM deadline WHERE case_id = ANY($1) AND enqueued_at IS NULL`, [cases]),
      ]);
      return announced === 6 && queued === 0;
    });

    await redis.stop('SIGKILL');
    const killedAt = Date.now();
    // While Redis is away the API keeps working; its events wait in the outbox.
    expect((await t.post(`/api/referrals/${referrals[0]}/decline`, { reason: 'No bed suitable for this person' }, caseworker)).status).toBe(200);
    expect((await t.post(`/api/referrals/${referrals[1]}/decline`, { reason: 'No bed suitable for this person' }, caseworker)).status).toBe(200);
    expect((await t.post(`/api/referrals/${referrals[2]}/withdraw`, {}, officer)).status).toBe(200);
    // The other three referrals come due now rather than in days (their deadlines and answer-by
    // time moved): the jobs Redis had for them are gone, so only jobs rebuilt from the table can fire them.
    // A reminder delivered after its referral expired reaches nobody (the shelter no longer has it
    // to answer), so the expiry comes well after the reminder, even on a loaded machine.
    await t.dataSource.query(
      `UPDATE deadline SET due_at = now() + CASE WHEN kind = 'referral.reminder' THEN interval '1 second' ELSE interval '12 seconds' END
        WHERE referral_id = ANY($1) AND cancelled_at IS NULL AND fired_at IS NULL`,
      [referrals.slice(3)],
    );
    await t.dataSource.query(`UPDATE referral SET respond_by = now() + interval '12 seconds' WHERE id = ANY($1)`, [referrals.slice(3)]);
    expect(await count(`SELECT 1 FROM deadline WHERE referral_id = ANY($1) AND cancelled_at IS NULL AND fired_at IS NULL`, [referrals.slice(3)])).toBe(6);
    await redis.start();
    const backAt = Date.now();
    // Declined: the referring organisation's two officers. Withdrawn: the shelter's caseworker.
    // Reminder: the shelter's caseworker, for each of three referrals. Expired: the two officers, for each.
    const expected = { 'referral.received': 6, 'referral.declined': 2 * 2, 'referral.withdrawn': 1, 'referral.reminder': 3, 'referral.expired': 3 * 2 };
    const byType = async () => {
      const rows: Array<{ type: string; n: number }> = await t.dataSource.query(
        `SELECT type, count(*)::int AS n FROM notification WHERE case_id = ANY($1) GROUP BY type`,
        [cases],
      );
      return Object.fromEntries(rows.map((row) => [row.type, row.n]));
    };
    await waitUntil(
      'every notification after Redis came back',
      async () => {
        const got = await byType();
        return Object.entries(expected).every(([type, n]) => (got[type] ?? 0) >= n);
      },
      45_000,
      100,
    ).catch(async (error: Error) => {
      const deadlines = await t.dataSource.query(
        `SELECT kind, due_at < now() AS due, enqueued_at IS NOT NULL AS enqueued, fired_at IS NOT NULL AS fired, cancelled_at IS NOT NULL AS cancelled FROM deadline WHERE case_id = ANY($1)`,
        [cases],
      );
      const outbox = await t.dataSource.query(
        `SELECT type, relayed_at IS NOT NULL AS relayed, processed_at IS NOT NULL AS processed FROM outbox_event WHERE case_id = ANY($1)`,
        [cases],
      );
      throw new Error(`${error.message}: ${JSON.stringify({ got: await byType(), deadlines, outbox })}`);
    });
    const deliveredAt = Date.now();
    // Nothing more is on its way: every event processed, every deadline fired or cancelled.
    await waitUntil(
      'the outbox drained',
      async () => (await count(`SELECT 1 FROM outbox_event WHERE case_id = ANY($1) AND processed_at IS NULL`, [cases])) === 0,
    );
    expect(await byType()).toEqual(expected);
    expect(await count(`SELECT 1 FROM notification WHERE case_id = ANY($1) GROUP BY user_id, event_id HAVING count(*) > 1`, [cases])).toBe(0);
    expect(await count(`SELECT 1 FROM deadline WHERE case_id = ANY($1) AND fired_at IS NULL AND cancelled_at IS NULL`, [cases])).toBe(0);
    expect(await count(`SELECT 1 FROM deadline WHERE referral_id = ANY($1) AND fired_at IS NOT NULL`, [referrals.slice(3)])).toBe(6);
    const statuses: Array<{ status: string; n: number }> = await t.dataSource.query(
      `SELECT status, count(*)::int AS n FROM referral WHERE id = ANY($1) GROUP BY status ORDER BY status`,
      [referrals],
    );
    expect(statuses).toEqual([
      { status: 'declined', n: 2 },
      { status: 'expired', n: 3 },
      { status: 'withdrawn', n: 1 },
    ]);
    process.stdout.write(
      `redis lost: down ${backAt - killedAt} ms; every notification ${deliveredAt - backAt} ms after it was back (deadlines due 1–12 s after the kill); 0 lost, 0 twice\n`,
    );
  }, 90_000);
});
