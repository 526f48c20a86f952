import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Role } from '../../src/access/role';
import type { UserDto } from '../../src/users/dto/user.dto';
import { InvitationEmailScheduler } from '../../src/users/invitation-email-scheduler';
import { createOrganisation, uniqueName } from '../factories/organisations';
import { NotificationsStack } from '../notifications.support';
import type { TestApp } from '../support/app';
import { OwnRedis, waitUntil } from '../support/own-services';

interface InvitationRow {
  nonce: boolean;
  queued: boolean;
  emailed: boolean;
}

/**
 * "A dependency down loses nothing" for set-password invitations: the API saves the invitation
 * and answers 201 without Redis; the worker queues the e-mail from the table once Redis is back,
 * and restores a job Redis lost. Each invitation is e-mailed exactly once.
 */
describe('faults: invitation e-mails while Redis is down or loses their jobs', () => {
  let redis: OwnRedis;
  let stack: NotificationsStack;
  let api: TestApp;
  let db: DataSource;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    redis = await OwnRedis.create();
    await redis.start();
    // Jobs Redis lost are looked for after a second, not after the production quarter of an hour.
    stack = await NotificationsStack.create('invitation-redis', { REDIS_URL: redis.url, OUTBOX_REQUEUE_AFTER_SECONDS: '1' });
    api = await stack.startApi();
    db = api.dataSource;
    worker = await stack.startWorker();
  });
  afterAll(async () => {
    await stack?.close();
    await api?.close();
    await redis?.dispose();
  });

  /** The invitation e-mails to this address the worker wrote (one .eml file each). */
  const emailsTo = (email: string): string[] =>
    stack
      .emailFiles()
      .map((name) => readFileSync(join(stack.mailDir, name), 'utf8'))
      .filter((text) => text.includes(`To: ${email}`) && /^X-Passage-Invitation-Id: /im.test(text));

  const invitationOf = async (userId: string): Promise<InvitationRow> => {
    const rows: InvitationRow[] = await db.query(
      `SELECT token_nonce IS NOT NULL AS nonce, email_queued_at IS NOT NULL AS queued, emailed_at IS NOT NULL AS emailed FROM user_invitation WHERE user_id = $1`,
      [userId],
    );
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

  it('answers 201 while Redis is down and e-mails the link once after it is back', async () => {
    const { adminToken } = await createOrganisation(api);
    await redis.stop();
    const email = `${uniqueName('while-down')}@example.test`;
    const startedAt = Date.now();
    const invited = await api.post<UserDto>('/api/users/invitations', { email, name: 'Invited While Down', role: Role.Officer }, adminToken);
    // The API does not wait on Redis: the invitation is committed and owed its e-mail.
    expect(invited.status).toBe(201);
    expect(Date.now() - startedAt).toBeLessThan(4_000);
    expect(invited.body.invitedUntil).toEqual(expect.any(String));
    // The worker keeps trying (the insert's NOTIFY woke it; a failed add gives its claim back); nothing is sent meanwhile.
    await waitUntil('a failed add giving its claim back', async () => !(await invitationOf(invited.body.id)).queued, 15_000);
    expect(await invitationOf(invited.body.id)).toMatchObject({ nonce: true, emailed: false });
    expect(emailsTo(email)).toHaveLength(0);

    await redis.start();
    await waitUntil('the invitation e-mail after Redis came back', async () => emailsTo(email).length > 0, 30_000, 100);
    await waitUntil('the e-mail recorded', async () => (await invitationOf(invited.body.id)).emailed);
    expect(await invitationOf(invited.body.id)).toEqual({ nonce: false, queued: true, emailed: true });
    // Sweeping again (as on start-up and every minute) finds nothing owed and sends nothing more.
    const scheduler = worker.get(InvitationEmailScheduler);
    expect(await scheduler.enqueueNew()).toBe(0);
    expect(await scheduler.reviveStale()).toBe(0);
    await settle(1_000);
    expect(emailsTo(email)).toHaveLength(1);
  }, 90_000);

  it('adds again the job of an invitation whose job Redis lost, and e-mails it once', async () => {
    const { adminToken } = await createOrganisation(api);
    // No worker: the invitation is saved but nobody queues it yet.
    await stack.stopWorker(worker);
    const email = `${uniqueName('lost-job')}@example.test`;
    const invited = await api.post<UserDto>('/api/users/invitations', { email, name: 'Lost Job Person', role: Role.Supervisor }, adminToken);
    expect(invited.status).toBe(201);
    // As if a worker had queued it a while ago and Redis had then lost the job with its data.
    await db.query(`UPDATE user_invitation SET email_queued_at = now() - interval '1 hour' WHERE user_id = $1`, [invited.body.id]);
    expect(await invitationOf(invited.body.id)).toEqual({ nonce: true, queued: true, emailed: false });

    worker = await stack.startWorker();
    await waitUntil('the e-mail of the lost job', async () => emailsTo(email).length > 0, 30_000, 100);
    await waitUntil('the e-mail recorded', async () => (await invitationOf(invited.body.id)).emailed);
    const scheduler = worker.get(InvitationEmailScheduler);
    expect(await scheduler.reviveStale()).toBe(0);
    await settle(1_000);
    expect(emailsTo(email)).toHaveLength(1);
  }, 90_000);
});
