import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DomainEventType } from '../src/outbox/domain-event';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { OutboxService } from '../src/outbox/outbox.service';
import { JobName, QueueName } from '../src/queue/job-name';
import { QueueService } from '../src/queue/queue.service';
import { count, Demo, NotificationsStack, waitFor } from './notifications.support';
import type { TestApp } from './support/app';
import { caseBody } from './support/factories';

/** Enough of RFC 2045 quoted-printable to read a text body: soft line breaks and =XX bytes. */
function decodeQuotedPrintable(message: string): string {
  const bytes = message.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

interface InboxItem {
  id: string;
  type: string;
  caseId: string;
  caseReference: string;
  referralId?: string;
  title: string;
  createdAt: string;
  readAt: string | null;
}

describe('notifications: outbox to inbox and e-mail', () => {
  let stack: NotificationsStack;
  let api: TestApp;
  let worker: INestApplicationContext;
  let db: DataSource;
  let demo: Demo;

  beforeAll(async () => {
    stack = await NotificationsStack.create('notify');
    api = await stack.startApi();
    db = api.dataSource;
    demo = new Demo(db);
    worker = await stack.startWorker();
  });
  afterAll(async () => {
    await stack.close();
    await api.close();
  });

  const notificationsOf = (eventType: DomainEventType, caseId: string) =>
    db.query(
      `SELECT n.id, n.user_id, n.title, u.email FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.type = $1 AND n.case_id = $2 ORDER BY u.email`,
      [eventType, caseId],
    ) as Promise<Array<{ id: string; user_id: string; title: string; email: string }>>;

  it('delivers referral.received to the operational users of the target, who see the brief without a participation', async () => {
    const kase = await demo.createCase('BE');
    const referralId = await demo.createReferral(kase.id, 'be-police', 'be-shelter-antwerp', new Date(Date.now() + 3600_000));
    await demo.emit({
      type: DomainEventType.ReferralReceived,
      caseId: kase.id,
      referralId,
      organisationIds: [await demo.organisation('be-shelter-antwerp')],
      actorUserId: await demo.user('officer@be-police.test'),
    });
    const rows = await waitFor('the inbox row', async () => {
      const found = await notificationsOf(DomainEventType.ReferralReceived, kase.id);
      return found.length > 0 && found;
    });
    expect(rows.map((row) => row.email)).toEqual(['caseworker@be-shelter-antwerp.test']);
    // The title says who did what (readable context), and the inbox item names the actor.
    const police: Array<{ name: string }> = await db.query(`SELECT name FROM organisation WHERE slug = 'be-police'`);
    expect(rows[0]!.title).toBe(`${police[0]!.name} referred case ${kase.reference} to you`);
    const inbox = await api.get<{ items: Array<InboxItem & { actor?: { id: string; name: string; organisation: { slug: string; name: string } } }> }>(
      '/api/notifications?limit=100',
      await api.login('caseworker@be-shelter-antwerp.test'),
    );
    const item = inbox.body.items.find((candidate) => candidate.caseId === kase.id)!;
    expect(item.actor).toEqual({
      id: await demo.user('officer@be-police.test'),
      name: expect.any(String),
      organisation: { id: kase.leadOrganisationId, slug: 'be-police', name: police[0]!.name, type: 'police', country: 'BE' },
    });
  });

  it('notifies only users who may see the case at delivery time, never the actor, never non-operational roles', async () => {
    const kase = await demo.createCase('BE');
    const officer = await demo.user('officer@be-police.test');
    const prosecutor = await demo.user('prosecutor@be-prosecution.test');
    await demo.emit({
      type: DomainEventType.CaseClosed,
      caseId: kase.id,
      organisationIds: [kase.leadOrganisationId, await demo.organisation('be-prosecution')],
      actorUserId: officer,
    });
    const rows = await waitFor('the inbox row', async () => {
      const found = await notificationsOf(DomainEventType.CaseClosed, kase.id);
      return found.length > 0 && found;
    });
    // officer acted; admin and supervisor are not operational; the prosecution does not take part.
    expect(rows.map((row) => row.email)).toEqual(['officer2@be-police.test']);
    expect(rows.some((row) => row.user_id === prosecutor)).toBe(false);
  });

  it('decides with the API rules: a revoked participation is not told, a live break-glass grant and a closed case still are', async () => {
    const kase = await demo.createCase('BE');
    const [prosecution, labour, migration] = await Promise.all(['be-prosecution', 'be-labour', 'be-migration'].map((slug) => demo.organisation(slug)));
    const officer = await demo.user('officer@be-police.test');
    await db.query(
      `INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, revoked_at, revoked_reason) VALUES ($1, $2, 'prosecution', 'law_enforcement', now(), 'other')`,
      [kase.id, prosecution],
    );
    await db.query(`INSERT INTO participation (case_id, organisation_id, purpose, legal_basis) VALUES ($1, $2, 'labour_inspection', 'law_enforcement')`, [
      kase.id,
      labour,
    ]);
    const migrationOfficer = await demo.user('migration-officer@be-migration.test');
    await db.query(
      `INSERT INTO break_glass_grant (case_id, user_id, organisation_id, justification, expires_at) VALUES ($1, $2, $3, 'Identity needed for the reflection period now', now() + interval '4 hours')`,
      [kase.id, migrationOfficer, migration],
    );
    await db.query(`UPDATE "case" SET status = 'closed', close_reason = 'other', closed_at = now() WHERE id = $1`, [kase.id]);
    await demo.emit({
      type: DomainEventType.CaseClosed,
      caseId: kase.id,
      organisationIds: [kase.leadOrganisationId, prosecution, labour, migration],
      actorUserId: officer,
    });
    await waitFor(
      'the event processed',
      async () => (await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1 AND processed_at IS NULL`, [kase.id])) === 0,
    );
    // Closed cases stay readable: the lead's other officer, the labour inspectorate and the
    // break-glass user are told; the prosecution, whose participation was revoked, is not.
    expect((await notificationsOf(DomainEventType.CaseClosed, kase.id)).map((row) => row.email)).toEqual([
      'inspector@be-labour.test',
      'migration-officer@be-migration.test',
      'officer2@be-police.test',
    ]);
  });

  it('tells the organisations that lose access (withdrawn referral, withdrawn consent) though they no longer see the case, and nobody unrelated', async () => {
    const kase = await demo.createCase('BE');
    const officer = await demo.user('officer@be-police.test');
    const labour = await demo.organisation('be-labour');
    const referralId = await demo.createReferral(kase.id, 'be-police', 'be-shelter-antwerp', new Date(Date.now() + 3600_000));
    await db.query(`UPDATE referral SET status = 'withdrawn', answered_at = now() WHERE id = $1`, [referralId]);
    const consent: Array<{ id: string }> = await db.query(
      `INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by, withdrawn_at, withdrawn_by)
       VALUES ($1, $2, 'victim', now(), $3, now(), $3) RETURNING id`,
      [kase.id, labour, officer],
    );
    await db.query(
      `INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, consent_id, revoked_at, revoked_reason)
       VALUES ($1, $2, 'labour_inspection', 'consent', $3, now(), 'consent_withdrawn')`,
      [kase.id, labour, consent[0]!.id],
    );
    await demo.emit({
      type: DomainEventType.ReferralWithdrawn,
      caseId: kase.id,
      referralId,
      organisationIds: [await demo.organisation('be-shelter-antwerp')],
      actorUserId: officer,
    });
    await demo.emit({
      type: DomainEventType.ConsentWithdrawn,
      caseId: kase.id,
      organisationIds: [labour, await demo.organisation('be-shelter-brussels')],
      actorUserId: officer,
    });
    await waitFor(
      'both events processed',
      async () => (await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1 AND processed_at IS NULL`, [kase.id])) === 0,
    );
    expect((await notificationsOf(DomainEventType.ReferralWithdrawn, kase.id)).map((row) => row.email)).toEqual(['caseworker@be-shelter-antwerp.test']);
    expect((await notificationsOf(DomainEventType.ConsentWithdrawn, kase.id)).map((row) => row.email)).toEqual(['inspector@be-labour.test']);
  });

  it('notifies what the API emits when a referral is declined or withdrawn and a case is closed', async () => {
    const officer = await api.login('officer@be-police.test');
    const caseworker = await api.login('caseworker@be-shelter-antwerp.test');
    const prosecutor = await api.login('prosecutor@be-prosecution.test');
    const created = await api.post<{ id: string }>('/api/cases', caseBody(), officer);
    expect(created.status).toBe(201);
    const caseId = created.body.id;
    const consent = { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() };
    const refer = async (slug: string, purpose: string) => {
      const response = await api.post<{ id: string }>(
        `/api/cases/${caseId}/referrals`,
        { toOrganisationId: await demo.organisation(slug), purpose, urgency: 'routine', ...(purpose === 'shelter' ? { consent } : {}) },
        officer,
      );
      expect(response.status).toBe(201);
      return response.body.id;
    };
    expect(
      (await api.post(`/api/referrals/${await refer('be-shelter-antwerp', 'shelter')}/decline`, { reason: 'No bed for this profile' }, caseworker)).status,
    ).toBe(200);
    expect((await api.post(`/api/referrals/${await refer('be-shelter-antwerp', 'shelter')}/withdraw`, {}, officer)).status).toBe(200);
    expect((await api.post(`/api/referrals/${await refer('be-prosecution', 'prosecution')}/accept`, {}, prosecutor)).status).toBe(200);
    // The prosecution takes part: closing asks it, and its approval closes the case.
    expect((await api.post(`/api/cases/${caseId}/close`, { reason: 'returned_home' }, officer)).status).toBe(202);
    expect((await api.post(`/api/cases/${caseId}/close/approve`, {}, prosecutor)).status).toBe(200);
    await waitFor(
      'every event processed',
      async () =>
        (await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1`, [caseId])) >= 8 &&
        (await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1 AND processed_at IS NULL`, [caseId])) === 0,
    );
    const emails = async (type: DomainEventType) => (await notificationsOf(type, caseId)).map((row) => row.email);
    // Declined by the shelter: the referring officers. Withdrawn by the officer: the shelter. Closing
    // asked by the lead: the prosecution; approved by it: the lead's officers, and nobody else takes part.
    expect(await emails(DomainEventType.ReferralDeclined)).toEqual(['officer2@be-police.test', 'officer@be-police.test']);
    expect(await emails(DomainEventType.ReferralWithdrawn)).toEqual(['caseworker@be-shelter-antwerp.test']);
    expect(await emails(DomainEventType.CaseClosureRequested)).toEqual(['prosecutor@be-prosecution.test']);
    expect(await emails(DomainEventType.CaseClosureApproved)).toEqual(['officer2@be-police.test', 'officer@be-police.test']);
    expect(await emails(DomainEventType.CaseClosed)).toEqual([]);
  });

  it('tells emergency access to the supervisors of the lead organisation and the oversight of the country only', async () => {
    const kase = await demo.createCase('NL');
    await demo.emit({
      type: DomainEventType.BreakGlassUsed,
      caseId: kase.id,
      organisationIds: [kase.leadOrganisationId],
      actorUserId: await demo.user('officer@nl-police.test'),
    });
    const rows = await waitFor('the inbox rows', async () => {
      const found = await notificationsOf(DomainEventType.BreakGlassUsed, kase.id);
      return found.length >= 2 && found;
    });
    expect(rows.map((row) => row.email)).toEqual(['supervisor@nl-oversight.test', 'supervisor@nl-police.test']);
  });

  it('writes one text e-mail per notification, in the user language, with the link and no identity data', async () => {
    await db.query(`UPDATE "user" SET language = 'nl' WHERE email = 'officer2@nl-police.test'`);
    const kase = await demo.createCase('NL');
    await demo.emit({ type: DomainEventType.ConsentWithdrawn, caseId: kase.id, organisationIds: [kase.leadOrganisationId] });
    const rows = await waitFor('two notifications', async () => {
      const found = await notificationsOf(DomainEventType.ConsentWithdrawn, kase.id);
      return found.length === 2 && found;
    });
    // The file is written before the send is recorded: wait for both.
    const files = await waitFor('two e-mails, written and recorded', async () => {
      const found = stack.emailFiles().filter((name) => rows.some((row) => name.endsWith(`-${row.id}.eml`)));
      const recorded = await count(db, `SELECT 1 FROM notification_email WHERE notification_id = ANY($1::uuid[])`, [rows.map((row) => row.id)]);
      return found.length === 2 && recorded === 2 && found;
    });
    const byUser = Object.fromEntries(
      rows.map((row) => [
        row.email,
        decodeQuotedPrintable(
          readFileSync(
            join(
              stack.mailDir,
              files.find((name) => name.endsWith(`-${row.id}.eml`))!,
            ),
            'utf8',
          ),
        ),
      ]),
    );
    const dutch = byUser['officer2@nl-police.test']!;
    expect(dutch).toContain(`Toestemming ingetrokken voor dossier ${kase.reference}`);
    expect(dutch).toContain(`https://passage.test/cases/${kase.id}`);
    expect(dutch).toContain('consent.withdrawn');
    expect(dutch).toMatch(/Content-Type: text\/plain/i);
    expect(byUser['officer@nl-police.test']).toContain(`Consent withdrawn for case ${kase.reference}`);
    const names: Array<{ name: string }> = await db.query(`SELECT name FROM "user" WHERE email = ANY($1)`, [rows.map((row) => row.email)]);
    for (const { name } of names) for (const text of Object.values(byUser)) expect(text).not.toContain(name);
    // The file is written inside the e-mail job's transaction, before its notification_email row commits.
    await waitFor(
      'two e-mail records',
      async () => (await count(db, `SELECT 1 FROM notification_email WHERE notification_id = ANY($1::uuid[])`, [rows.map((row) => row.id)])) === 2,
    );
  });

  it('writes a referral event’s e-mail in German and French, as the users chose with PATCH /api/me, linking to the referral’s page', async () => {
    await api.patch('/api/me', { language: 'de' }, await api.login('officer@lu-police.test'));
    await api.patch('/api/me', { language: 'fr' }, await api.login('officer2@lu-police.test'));
    try {
      const kase = await demo.createCase('LU');
      const referralId = await demo.createReferral(kase.id, 'lu-police', 'lu-shelter', new Date(Date.now() + 3600_000));
      await demo.emit({ type: DomainEventType.ReferralAccepted, caseId: kase.id, referralId, organisationIds: [kase.leadOrganisationId] });
      const rows = await waitFor('two notifications', async () => {
        const found = await notificationsOf(DomainEventType.ReferralAccepted, kase.id);
        return found.length === 2 && found;
      });
      const texts = await waitFor('two e-mails, written and recorded', async () => {
        const found = stack.emailFiles().filter((name) => rows.some((row) => name.endsWith(`-${row.id}.eml`)));
        const recorded = await count(db, `SELECT 1 FROM notification_email WHERE notification_id = ANY($1::uuid[])`, [rows.map((row) => row.id)]);
        return (
          found.length === 2 && recorded === 2 && found.map((name) => ({ name, text: decodeQuotedPrintable(readFileSync(join(stack.mailDir, name), 'utf8')) }))
        );
      });
      const of = (email: string) => texts.find(({ name }) => name.endsWith(`-${rows.find((row) => row.email === email)!.id}.eml`))!.text;
      expect(of('officer@lu-police.test')).toContain(`Weiterleitung angenommen für Fall ${kase.reference}`);
      expect(of('officer@lu-police.test')).toContain(`Weiterleitung öffnen: https://passage.test/referrals/${referralId}`);
      expect(of('officer2@lu-police.test')).toContain(`Orientation acceptée pour le dossier ${kase.reference}`);
      expect(of('officer2@lu-police.test')).toContain(`https://passage.test/referrals/${referralId}`);
      for (const { text } of texts) expect(text).not.toContain(`/cases/${kase.id}`);
    } finally {
      await db.query(`UPDATE "user" SET language = 'en' WHERE email IN ('officer@lu-police.test', 'officer2@lu-police.test')`);
    }
  });

  it('makes one inbox row and one e-mail per recipient when the fan-out job and the e-mail job run twice', async () => {
    const kase = await demo.createCase('LU');
    // officer2 acts, so officer is the one recipient.
    await demo.emit({
      type: DomainEventType.ReflectionPeriodEnded,
      caseId: kase.id,
      organisationIds: [kase.leadOrganisationId],
      actorUserId: await demo.user('officer2@lu-police.test'),
    });
    const [first] = await waitFor('the notification and its e-mail', async () => {
      const found = await notificationsOf(DomainEventType.ReflectionPeriodEnded, kase.id);
      const mailed = found.length === 1 && (await count(db, `SELECT 1 FROM notification_email WHERE notification_id = $1`, [found[0]!.id]));
      return mailed === 1 && found;
    });
    const outbox: Array<{ id: string; event_id: string; created_at: Date }> = await db.query(
      `SELECT id::text AS id, event_id, created_at FROM outbox_event WHERE case_id = $1`,
      [kase.id],
    );
    const payload = {
      outboxId: outbox[0]!.id,
      eventId: outbox[0]!.event_id,
      type: DomainEventType.ReflectionPeriodEnded,
      caseId: kase.id,
      organisationIds: [kase.leadOrganisationId],
      actorUserId: await demo.user('officer2@lu-police.test'),
      occurredAt: outbox[0]!.created_at.toISOString(),
    };
    // The same work under new job ids, as if BullMQ had lost track and run it again.
    const queue = worker.get(QueueService);
    const notifications = queue.queue(QueueName.Notifications);
    const emails = queue.queue(QueueName.Email);
    const again = [
      await notifications.add(JobName.FanOutEvent, payload, { jobId: `again-fanout-${first!.id}` }),
      await emails.add(JobName.SendEmail, { notificationId: first!.id }, { jobId: `again-email-${first!.id}` }),
      await emails.add(JobName.SendEmail, { notificationId: first!.id }, { jobId: `again2-email-${first!.id}` }),
    ];
    await waitFor('the repeated jobs', async () => (await Promise.all(again.map((job) => job.getState()))).every((state) => state === 'completed'));
    expect(await notificationsOf(DomainEventType.ReflectionPeriodEnded, kase.id)).toHaveLength(1);
    expect(await count(db, `SELECT 1 FROM notification_email WHERE notification_id = $1`, [first!.id])).toBe(1);
    expect(stack.emailFiles().filter((name) => name.endsWith(`-${first!.id}.eml`))).toHaveLength(1);
  });

  it('never queues an outbox event twice, whether the relay crashed after enqueueing or several relays race', async () => {
    const queue = worker.get(QueueService);
    const second = await stack.startWorker();
    const kase = await demo.createCase('BE');
    const event = { type: DomainEventType.ReferralAccepted, caseId: kase.id, organisationIds: [kase.leadOrganisationId] };
    // As if a relay had enqueued the row and died before marking it: the job exists, the row is unrelayed.
    await db.transaction(async (manager) => {
      await new OutboxService().emit(manager, event);
      const rows: Array<{ id: string; event_id: string; created_at: Date }> = await manager.query(
        `SELECT id::text AS id, event_id, created_at FROM outbox_event WHERE case_id = $1`,
        [kase.id],
      );
      await queue.add(JobName.FanOutEvent, { ...event, outboxId: rows[0]!.id, eventId: rows[0]!.event_id, occurredAt: rows[0]!.created_at.toISOString() });
    });
    for (let i = 0; i < 20; i += 1) await demo.emit(event);
    await Promise.all([worker.get(OutboxRelay).relayBatch(), second.get(OutboxRelay).relayBatch(), worker.get(OutboxRelay).relayBatch()]);
    await waitFor(
      'every event processed',
      async () => (await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1 AND processed_at IS NULL`, [kase.id])) === 0,
    );
    const ids: Array<{ id: string }> = await db.query(`SELECT id::text AS id FROM outbox_event WHERE case_id = $1`, [kase.id]);
    expect(ids).toHaveLength(21);
    const jobs = await Promise.all(ids.map(({ id }) => queue.queue(QueueName.Notifications).getJob(`outbox-${id}`)));
    expect(jobs.map((job) => job?.attemptsStarted)).toEqual(ids.map(() => 1));
    // One inbox row per event and recipient (officer, officer2).
    expect(await count(db, `SELECT 1 FROM notification WHERE case_id = $1`, [kase.id])).toBe(42);
    await stack.stopWorker(second);
  });

  describe('inbox API', () => {
    it('lists own notifications newest first with unread filter and cursor, marks read, hides others', async () => {
      const kase = await demo.createCase('LU');
      const referralId = await demo.createReferral(kase.id, 'lu-police', 'lu-shelter', new Date(Date.now() + 3600_000));
      const shelter = [await demo.organisation('lu-shelter')];
      // The shelter hears of a referral while it is pending, and of its withdrawal once withdrawn.
      for (const type of [DomainEventType.ReferralReceived, DomainEventType.ReferralReminder]) {
        await demo.emit({ type, caseId: kase.id, referralId, organisationIds: shelter });
        await waitFor(type, async () => (await count(db, `SELECT 1 FROM notification WHERE case_id = $1 AND type = $2`, [kase.id, type])) === 1);
      }
      await db.query(`UPDATE referral SET status = 'withdrawn', answered_at = now() WHERE id = $1`, [referralId]);
      await demo.emit({ type: DomainEventType.ReferralWithdrawn, caseId: kase.id, referralId, organisationIds: shelter });
      await waitFor('three notifications', async () => (await count(db, `SELECT 1 FROM notification WHERE case_id = $1`, [kase.id])) === 3);
      const token = await api.login('caseworker@lu-shelter.test');

      const first = await api.get<{ items: InboxItem[]; nextCursor: string | null }>('/api/notifications?limit=2', token);
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(2);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await api.get<{ items: InboxItem[]; nextCursor: string | null }>(`/api/notifications?limit=2&cursor=${first.body.nextCursor}`, token);
      const all = [...first.body.items, ...second.body.items].filter((item) => item.caseId === kase.id);
      expect(all.map((item) => item.type)).toEqual([DomainEventType.ReferralWithdrawn, DomainEventType.ReferralReminder, DomainEventType.ReferralReceived]);
      expect(all[0]).toEqual({
        id: expect.any(String),
        type: DomainEventType.ReferralWithdrawn,
        caseId: kase.id,
        caseReference: kase.reference,
        referralId,
        title: `Referral withdrawn for case ${kase.reference}`,
        createdAt: expect.any(String),
        readAt: null,
      });

      const read = await api.post(`/api/notifications/${all[0]!.id}/read`, undefined, token);
      expect(read.status).toBe(204);
      const unread = await api.get<{ items: InboxItem[] }>('/api/notifications?unread=true&limit=100', token);
      expect(unread.body.items.map((item) => item.id)).not.toContain(all[0]!.id);
      expect(unread.body.items.map((item) => item.id)).toEqual(expect.arrayContaining([all[1]!.id, all[2]!.id]));

      const stranger = await api.login('officer@lu-police.test');
      expect((await api.post(`/api/notifications/${all[1]!.id}/read`, undefined, stranger)).status).toBe(404);
      expect((await api.post(`/api/notifications/not-a-uuid/read`, undefined, stranger)).status).toBe(404);
      const theirs = await api.get<{ items: InboxItem[] }>('/api/notifications?limit=100', stranger);
      expect(theirs.body.items.some((item) => item.caseId === kase.id)).toBe(false);
      expect((await api.get('/api/notifications?limit=500', token)).status).toBe(400);
      expect((await api.get('/api/notifications')).status).toBe(401);
    });
  });

  it('reports queue health in /api/health and queue status to platform admins only', async () => {
    const health = await api.get<{ status: string; db: string; redis: string; queues: { status: string; outboxPending: number } }>('/api/health');
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', db: 'up', redis: 'up', queues: { status: 'up', outboxPending: expect.any(Number) } });
    const admin = await api.login('admin@platform.test');
    const status = await api.get<{ queues: Array<{ name: string; counts: Record<string, number> }>; outbox: { pending: number } }>('/api/admin/queues', admin);
    expect(status.status).toBe(200);
    expect(status.body.queues.map((q) => q.name)).toEqual(['notifications', 'email', 'webhooks', 'deadlines']);
    expect(status.body.queues[0]!.counts.completed).toBeGreaterThan(0);
    expect((await api.get('/api/admin/queues', await api.login('supervisor@be-police.test'))).status).toBe(403);
  });
});
