import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source';
import { DeadlineKind } from '../../src/deadlines/deadline-kind';
import { DeadlinesService } from '../../src/deadlines/deadlines.service';
import { removeRedisKeys } from '../notifications.support';
import { uniqueName } from '../factories/organisations';
import { compileApp } from '../support/compiled';
import { isolatedDatabaseUrl, required } from '../support/database';
import { TEST_PASSWORD } from '../support/environment';
import { freePort, waitUntil } from '../support/own-services';

/**
 * Issue 14, item 4: two API and two worker processes (the compiled application, as an operator
 * runs it) on one PostgreSQL database and one Redis prefix, under a scripted journey load:
 * cases opened, referred, accepted, declined, withdrawn by closing, short referral deadlines
 * expiring while both workers run, and a race of concurrent acceptances for a centre's last bed.
 * Then: no notification twice, none lost, the audit log verifies, one acceptance wins the bed,
 * each deadline fires once.
 */

const CASES = 12;
const BED_RACE = 8;

interface Answer<T> {
  status: number;
  body: T;
}

describe('several API and worker processes', () => {
  let build: ReturnType<typeof compileApp>;
  let varDir: string;
  let db: DataSource;
  let env: Record<string, string>;
  const children: Array<{ name: string; child: ChildProcess; output: string[] }> = [];
  const apis: string[] = [];

  beforeAll(async () => {
    build = compileApp();
    varDir = mkdtempSync(join(tmpdir(), 'passage-multi-'));
    const databaseUrl = await isolatedDatabaseUrl('multi');
    env = {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NODE_ENV: 'test',
      PASSAGE_VAR_DIR: varDir,
      DATABASE_URL: databaseUrl,
      REDIS_URL: required('PASSAGE_TEST_REDIS_URL'),
      REDIS_PREFIX: uniqueName('multi'),
      RATE_LIMIT_PER_MINUTE: '100000',
      PUBLIC_URL: 'https://passage.test',
      // Fast loops, and a resync every 300 ms: both workers keep re-adding every pending deadline's job.
      OUTBOX_POLL_INTERVAL_MS: '100',
      QUEUE_LOCK_DURATION_MS: '5000',
      DEADLINE_RESYNC_INTERVAL_MS: '300',
      LOG_LEVEL: 'warn',
      ...(JSON.parse(required('PASSAGE_TEST_KEYS')) as Record<string, string>),
    };
    db = await createDataSource(databaseUrl).initialize();
    const ports = [await freePort(), await freePort()];
    for (const [i, port] of ports.entries()) start(`api-${i + 1}`, 'main.js', { PORT: String(port) });
    for (const i of [1, 2]) start(`worker-${i}`, 'worker.js', {});
    for (const port of ports) {
      await waitUntil(
        `the API on ${port}`,
        async () => (await fetch(`http://127.0.0.1:${port}/api/health`).catch(() => undefined))?.status === 200,
        80_000,
        100,
      ).catch((error: Error) => {
        throw new Error(`${error.message}\n${children.map(({ name, output }) => `${name}: ${output.join('').slice(-1500)}`).join('\n')}`);
      });
      apis.push(`http://127.0.0.1:${port}`);
    }
  }, 120_000);

  afterAll(async () => {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined);
            child.once('exit', resolve);
            child.kill('SIGTERM');
          }),
      ),
    );
    await db?.destroy();
    await removeRedisKeys({ redisUrl: env.REDIS_URL!, redisPrefix: env.REDIS_PREFIX! } as never);
    build.remove();
    rmSync(varDir, { recursive: true, force: true });
  });

  function start(name: string, script: string, extra: Record<string, string>): void {
    const child = spawn(process.execPath, [join(build.dir, 'src', script)], { env: { ...env, ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
    const output: string[] = [];
    child.stdout!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    child.stderr!.on('data', (chunk: Buffer) => output.push(chunk.toString('utf8')));
    children.push({ name, child, output });
  }

  /** Request i goes to API i mod 2, so every journey crosses both processes. */
  let turn = 0;
  async function call<T>(method: string, path: string, token: string, body?: unknown): Promise<Answer<T>> {
    const base = apis[turn++ % apis.length]!;
    const response = await fetch(`${base}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as T };
  }

  async function login(email: string, password = TEST_PASSWORD): Promise<string> {
    const response = await fetch(`${apis[turn++ % apis.length]}/api/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (response.status !== 200) throw new Error(`login ${email}: ${response.status}`);
    return ((await response.json()) as { accessToken: string }).accessToken;
  }

  const consent = () => ({ given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() });
  const one = async <T>(sql: string, params: unknown[] = []): Promise<T> => ((await db.query(sql, params)) as T[])[0]!;
  /** Waits until each referral's event of this type has reached an inbox. */
  const inInbox = (referralIds: string[], type: string) =>
    waitUntil(
      `${type} in the inbox`,
      async () =>
        (
          await one<{ n: number }>(`SELECT count(DISTINCT referral_id)::int AS n FROM notification WHERE referral_id = ANY($1::uuid[]) AND type = $2`, [
            referralIds,
            type,
          ])
        ).n === referralIds.length,
      30_000,
      100,
    );
  const orgId = async (slug: string) => (await one<{ id: string }>(`SELECT id FROM organisation WHERE slug = $1`, [slug])).id;

  it('delivers every notification exactly once, verifies the audit log, gives the last bed to one acceptance and fires each deadline once', async () => {
    const [officer, prosecutor, inspector, platform, supervisor] = await Promise.all(
      ['officer@be-police.test', 'prosecutor@be-prosecution.test', 'inspector@be-labour.test', 'admin@platform.test', 'supervisor@be-oversight.test'].map(
        (email) => login(email),
      ),
    );
    const [prosecution, labour] = [await orgId('be-prosecution'), await orgId('be-labour')];
    const expiring: string[] = [];

    // The journeys, all cases at once; each case's steps in order.
    const journeys = Array.from({ length: CASES }, async (_, i) => {
      const created = await call<{ id: string }>('POST', '/api/cases', officer, { summary: { exploitationTypes: ['labour'], minor: false } });
      expect(created.status).toBe(201);
      const caseId = created.body.id;
      const toProsecution = await call<{ id: string }>('POST', `/api/cases/${caseId}/referrals`, officer, {
        toOrganisationId: prosecution,
        purpose: 'prosecution',
        urgency: 'routine',
      });
      const toLabour = await call<{ id: string }>('POST', `/api/cases/${caseId}/referrals`, officer, {
        toOrganisationId: labour,
        purpose: 'labour_inspection',
        urgency: 'urgent',
        consent: consent(),
      });
      expect([toProsecution.status, toLabour.status]).toEqual([201, 201]);
      // The targets answer once the referral is in their inbox, as people do (a referral answered
      // before its notice went out is, rightly, announced to no one: recipients are decided on delivery).
      await inInbox([toProsecution.body.id, toLabour.body.id], 'referral.received');
      const answers: string[] = [];
      if (i % 3 !== 1) answers.push(`accept ${(await call('POST', `/api/referrals/${toProsecution.body.id}/accept`, prosecutor)).status}`);
      else expiring.push(toProsecution.body.id);
      // Closing (once the prosecution taking part approves it) withdraws the labour referral still pending.
      if (i % 3 === 2) {
        answers.push(`close ${(await call('POST', `/api/cases/${caseId}/close`, officer, { reason: 'other' })).status}`);
        answers.push(`approve ${(await call('POST', `/api/cases/${caseId}/close/approve`, prosecutor)).status}`);
      } else
        answers.push(
          `decline ${(await call('POST', `/api/referrals/${toLabour.body.id}/decline`, inspector, { reason: 'No inspector free this month' })).status}`,
        );
      expect(answers).toEqual(i % 3 === 0 ? ['accept 200', 'decline 200'] : i % 3 === 1 ? ['decline 200'] : ['accept 200', 'close 202', 'approve 200']);
    });
    await Promise.all(journeys);

    // The clock runs forward for the unanswered prosecution referrals while both workers race for
    // the jobs (and re-add them every 300 ms): first the reminder comes due, then the expiry.
    const forward = (kind: DeadlineKind, rows: Array<{ id: string; case_id: string; due: Date }>) =>
      db.transaction(async (manager) => {
        for (const row of rows) await new DeadlinesService().schedule(manager, { kind, caseId: row.case_id, referralId: row.id, dueAt: row.due });
      });
    await forward(
      DeadlineKind.ReferralReminder,
      await db.query(`SELECT id, case_id, now() + interval '1 second' AS due FROM referral WHERE id = ANY($1::uuid[])`, [expiring]),
    );
    await inInbox(expiring, 'referral.reminder');
    const [due]: [Array<{ id: string; case_id: string; due: Date }>, number] = await db.query(
      `UPDATE referral SET respond_by = now() + interval '1 second' WHERE id = ANY($1::uuid[]) RETURNING id, case_id, respond_by AS due`,
      [expiring],
    );
    await forward(DeadlineKind.ReferralExpiry, due);

    // The bed race: one bed, BED_RACE cases referred to it, every acceptance sent at once through both APIs.
    const adminEmail = `${uniqueName('admin')}@race.test`;
    const shelter = await call<{ id: string }>('POST', '/api/organisations', platform, {
      slug: uniqueName('race-shelter'),
      name: 'Race Shelter',
      type: 'reception_centre',
      country: 'BE',
      bedsTotal: 1,
      acceptsMinors: false,
      admin: { email: adminEmail, name: 'Race Admin', password: 'race-admin-password-2026' },
    });
    expect(shelter.status).toBe(201);
    const shelterId = shelter.body.id;
    const admin = await login(adminEmail, 'race-admin-password-2026');
    const caseworkerEmail = `${uniqueName('caseworker')}@race.test`;
    expect(
      (await call('POST', '/api/users', admin, { email: caseworkerEmail, name: 'Race Caseworker', role: 'caseworker', password: 'race-caseworker-2026' }))
        .status,
    ).toBe(201);
    const caseworker = await login(caseworkerEmail, 'race-caseworker-2026');
    const raceReferrals: string[] = [];
    for (let i = 0; i < BED_RACE; i += 1) {
      const created = await call<{ id: string }>('POST', '/api/cases', officer, { summary: { exploitationTypes: ['sexual'], minor: false } });
      const referral = await call<{ id: string }>('POST', `/api/cases/${created.body.id}/referrals`, officer, {
        toOrganisationId: shelterId,
        purpose: 'shelter',
        urgency: 'urgent',
        consent: consent(),
      });
      expect(referral.status).toBe(201);
      raceReferrals.push(referral.body.id);
    }
    await inInbox(raceReferrals, 'referral.received');
    const race = await Promise.all(raceReferrals.map((id) => call<{ type?: string }>('POST', `/api/referrals/${id}/accept`, caseworker)));
    const statuses = race.map((answer) => answer.status).sort();
    const beds = await one<{ beds_available: number }>(`SELECT beds_available FROM organisation WHERE id = $1`, [shelterId]);
    const holding = await one<{ n: number }>(`SELECT count(*)::int AS n FROM participation WHERE organisation_id = $1 AND holds_bed AND revoked_at IS NULL`, [
      shelterId,
    ]);

    // Everything the workers owe: each expiring referral expired, every event relayed, every inbox row e-mailed.
    await waitUntil(
      'the expiries, the relay and the e-mails',
      async () => {
        const state = await one<{ expired: number; unprocessed: number; unmailed: number }>(
          `SELECT (SELECT count(*)::int FROM referral WHERE id = ANY($1::uuid[]) AND status = 'expired') AS expired,
                  (SELECT count(*)::int FROM outbox_event WHERE processed_at IS NULL) AS unprocessed,
                  (SELECT count(*)::int FROM notification n WHERE NOT EXISTS (SELECT 1 FROM notification_email e WHERE e.notification_id = n.id)) AS unmailed`,
          [expiring],
        );
        return state.expired === expiring.length && state.unprocessed === 0 && state.unmailed === 0;
      },
      45_000,
      200,
    );

    const counts = await one<{
      events: number;
      notifications: number;
      duplicate_inbox: number;
      duplicate_deadline_events: number;
      duplicate_emails: number;
      unprocessed: number;
      silent_events: number;
      unmailed: number;
      fired_deadlines: number;
      deadline_events: number;
    }>(
      `SELECT (SELECT count(*)::int FROM outbox_event) AS events,
              (SELECT count(*)::int FROM notification) AS notifications,
              (SELECT count(*)::int FROM (SELECT 1 FROM notification GROUP BY event_id, user_id HAVING count(*) > 1) d) AS duplicate_inbox,
              (SELECT count(*)::int FROM (SELECT 1 FROM outbox_event WHERE type IN ('referral.reminder', 'referral.expired')
                                           GROUP BY type, referral_id HAVING count(*) > 1) d) AS duplicate_deadline_events,
              (SELECT count(*)::int FROM (SELECT 1 FROM notification_email GROUP BY notification_id HAVING count(*) > 1) d) AS duplicate_emails,
              (SELECT count(*)::int FROM outbox_event WHERE processed_at IS NULL) AS unprocessed,
              (SELECT count(*)::int FROM outbox_event o WHERE NOT EXISTS (SELECT 1 FROM notification n WHERE n.event_id = o.event_id)) AS silent_events,
              (SELECT count(*)::int FROM notification n WHERE NOT EXISTS (SELECT 1 FROM notification_email e WHERE e.notification_id = n.id)) AS unmailed,
              (SELECT count(*)::int FROM deadline WHERE referral_id = ANY($1::uuid[]) AND fired_at IS NOT NULL) AS fired_deadlines,
              (SELECT count(*)::int FROM outbox_event WHERE referral_id = ANY($1::uuid[]) AND type IN ('referral.reminder', 'referral.expired')) AS deadline_events`,
      [expiring],
    );
    const silent: Array<{ type: string; n: number }> = await db.query(
      `SELECT type, count(*)::int AS n FROM outbox_event o WHERE NOT EXISTS (SELECT 1 FROM notification n WHERE n.event_id = o.event_id) GROUP BY type`,
    );
    const emlFiles = readdirSync(join(varDir, 'mail')).filter((name) => name.endsWith('.eml')).length;
    const duplicates = counts.duplicate_inbox + counts.duplicate_deadline_events + counts.duplicate_emails + Math.max(0, emlFiles - counts.notifications);
    const lost = counts.unprocessed + counts.silent_events + counts.unmailed + Math.max(0, counts.notifications - emlFiles);
    process.stdout.write(
      `multi-process: 2 APIs + 2 workers, ${CASES} journeys, ${counts.events} events, ${counts.notifications} notifications, ${emlFiles} e-mails; ` +
        `duplicates ${duplicates}, lost ${lost}; ${expiring.length * 2} deadlines fired ${counts.deadline_events} times; ` +
        `bed race ${statuses.join(',')}\n`,
    );

    expect({ duplicates, lost }).toEqual({ duplicates: 0, lost: 0 });
    expect(silent).toEqual([]);
    expect(counts).toMatchObject({ duplicate_inbox: 0, duplicate_deadline_events: 0, duplicate_emails: 0, unprocessed: 0, silent_events: 0, unmailed: 0 });
    expect(counts.events).toBeGreaterThan(CASES * 3);
    // Each referral deadline (reminder and expiry of each expiring referral) fired once, and said so once.
    expect(counts.fired_deadlines).toBe(expiring.length * 2);
    expect(counts.deadline_events).toBe(expiring.length * 2);

    expect(statuses).toEqual([200, ...Array<number>(BED_RACE - 1).fill(409)]);
    expect(race.filter((answer) => answer.status === 409).every((answer) => answer.body.type === '/problems/no-free-bed')).toBe(true);
    expect(beds.beds_available).toBe(0);
    expect(holding.n).toBe(1);

    const verified = await call<{ valid: boolean; checked: number; breaks: unknown[] }>('GET', '/api/audit/verify', supervisor);
    expect(verified.status).toBe(200);
    expect(verified.body).toMatchObject({ valid: true, breaks: [] });
    expect(verified.body.checked).toBeGreaterThan(CASES * 5);

    // Both workers and both APIs lived through it all.
    expect(children.filter(({ child }) => child.exitCode !== null).map(({ name, output }) => `${name}: ${output.join('').slice(-2000)}`)).toEqual([]);
  }, 120_000);
});
