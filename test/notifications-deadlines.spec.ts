import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DeadlineKind } from '../src/deadlines/deadline-kind';
import { DeadlineScheduler } from '../src/deadlines/deadline-scheduler';
import { DeadlinesService } from '../src/deadlines/deadlines.service';
import { DomainEventType } from '../src/outbox/domain-event';
import { QueueName } from '../src/queue/job-name';
import { QueueService } from '../src/queue/queue.service';
import { count, dataSourceOf, Demo, NotificationsStack, waitFor } from './notifications.support';

interface DeadlineRow {
  id: string;
  due_at: Date;
  enqueued_at: Date | null;
  fired_at: Date | null;
  cancelled_at: Date | null;
}

describe('notifications: deadlines', () => {
  let stack: NotificationsStack;
  let worker: INestApplicationContext;
  let db: DataSource;
  let demo: Demo;
  let deadlines: DeadlinesService;

  beforeAll(async () => {
    stack = await NotificationsStack.create('deadlines');
    worker = await stack.startWorker();
    db = dataSourceOf(worker);
    demo = new Demo(db);
    deadlines = worker.get(DeadlinesService);
  });
  afterAll(() => stack.close());

  const inSeconds = (seconds: number): Date => new Date(Date.now() + seconds * 1000);
  const deadlineRows = (caseId: string) =>
    db.query(`SELECT id, due_at, enqueued_at, fired_at, cancelled_at FROM deadline WHERE case_id = $1 ORDER BY due_at`, [caseId]) as Promise<DeadlineRow[]>;
  const eventsOf = (caseId: string) =>
    db.query(`SELECT type, organisation_ids FROM outbox_event WHERE case_id = $1 ORDER BY id`, [caseId]) as Promise<
      Array<{ type: string; organisation_ids: string[] }>
    >;
  const recipientsOf = (caseId: string, type: DomainEventType) =>
    db
      .query(`SELECT u.email FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.case_id = $1 AND n.type = $2 ORDER BY u.email`, [caseId, type])
      .then((rows: Array<{ email: string }>) => rows.map((row) => row.email));

  it('reminds the target at half time, then expires the unanswered referral and tells the referrer', async () => {
    const kase = await demo.createCase('BE');
    const respondBy = inSeconds(2);
    const referralId = await demo.createReferral(kase.id, 'be-police', 'be-shelter-brussels', respondBy);
    await db.transaction((manager) => deadlines.scheduleReferral(manager, { caseId: kase.id, referralId, createdAt: new Date(), respondBy }));

    await waitFor('the expiry notification', async () => (await recipientsOf(kase.id, DomainEventType.ReferralExpired)).length > 0);
    expect(await recipientsOf(kase.id, DomainEventType.ReferralReminder)).toEqual(['caseworker@be-shelter-brussels.test']);
    expect(await recipientsOf(kase.id, DomainEventType.ReferralExpired)).toEqual(['officer2@be-police.test', 'officer@be-police.test']);
    const referral: Array<{ status: string }> = await db.query(`SELECT status FROM referral WHERE id = $1`, [referralId]);
    expect(referral[0]!.status).toBe('expired');
    const rows = await deadlineRows(kase.id);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row.fired_at!.getTime()).toBeGreaterThanOrEqual(row.due_at.getTime());
  });

  it('does not fire a cancelled deadline', async () => {
    const kase = await demo.createCase('BE');
    const respondBy = inSeconds(1);
    const referralId = await demo.createReferral(kase.id, 'be-police', 'be-shelter-antwerp', respondBy);
    await db.transaction((manager) => deadlines.scheduleReferral(manager, { caseId: kase.id, referralId, createdAt: new Date(), respondBy }));
    await waitFor('the delayed jobs', async () => (await deadlineRows(kase.id)).every((row) => row.enqueued_at !== null));
    const cancelled = await db.transaction((manager) => deadlines.cancelReferral(manager, referralId));
    expect(cancelled).toBe(2);

    // The jobs still run when due (they are not removed); each must find nothing to fire.
    const queue = worker.get(QueueService).queue(QueueName.Deadlines);
    const ids = (await deadlineRows(kase.id)).map((row) => `deadline-${row.id}`);
    await waitFor(
      'the cancelled deadlines’ jobs to have run',
      async () => {
        const states = await Promise.all(ids.map(async (id) => (await queue.getJob(id))?.getState() ?? 'removed'));
        return states.every((state) => state === 'completed' || state === 'removed');
      },
      15_000,
    );
    expect((await deadlineRows(kase.id)).map((row) => [row.fired_at, row.cancelled_at !== null])).toEqual([
      [null, true],
      [null, true],
    ]);
    expect(await eventsOf(kase.id)).toEqual([]);
    const referral: Array<{ status: string }> = await db.query(`SELECT status FROM referral WHERE id = $1`, [referralId]);
    expect(referral[0]!.status).toBe('pending');
  });

  it('fires once with several workers and repeated resyncs, and a replaced deadline fires at its new time only', async () => {
    const second = await stack.startWorker();
    const kase = await demo.createCase('NL');
    const migration = await demo.organisation('nl-migration');
    // The migration authority takes part (on the victim's consent), so the real rules let it be told.
    const officer = await demo.user('officer@nl-police.test');
    const consent: Array<{ id: string }> = await db.query(
      `INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by) VALUES ($1, $2, 'victim', now(), $3) RETURNING id`,
      [kase.id, migration, officer],
    );
    await db.query(`INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, consent_id) VALUES ($1, $2, 'residence', 'consent', $3)`, [
      kase.id,
      migration,
      consent[0]!.id,
    ]);
    const schedule = (dueAt: Date) =>
      db.transaction((manager) => deadlines.schedule(manager, { kind: DeadlineKind.ReflectionEnd, caseId: kase.id, dueAt, organisationIds: [migration] }));
    const firstId = await schedule(inSeconds(3600));
    await waitFor('the first delayed job', async () => (await deadlineRows(kase.id))[0]?.enqueued_at !== null);
    const replacedId = await schedule(inSeconds(1.5));
    expect(replacedId).not.toBe(firstId);
    for (const context of [worker, second, worker, second]) await context.get(DeadlineScheduler).resync();

    await waitFor('the deadline to fire', async () => (await deadlineRows(kase.id))[0]?.fired_at !== null);
    // The job of the replaced deadline runs (promoted here rather than in an hour) and finds nothing to fire.
    const stale = await worker.get(QueueService).queue(QueueName.Deadlines).getJob(`deadline-${firstId}`);
    await stale!.promote();
    await waitFor('the stale job', async () => (await stale!.getState()) === 'completed');
    await waitFor('the notification', async () => (await recipientsOf(kase.id, DomainEventType.ReflectionPeriodEnded)).length > 0);
    expect(await eventsOf(kase.id)).toEqual([{ type: DomainEventType.ReflectionPeriodEnded, organisation_ids: [migration] }]);
    expect(await recipientsOf(kase.id, DomainEventType.ReflectionPeriodEnded)).toEqual(['migration-officer@nl-migration.test']);
    await stack.stopWorker(second);
  });

  it('re-creates a delayed job Redis lost, and holds a job that runs early until the deadline is due', async () => {
    const kase = await demo.createCase('LU');
    const officer = await demo.user('officer@lu-police.test');
    const grants: Array<{ id: string }> = await db.query(
      `INSERT INTO break_glass_grant (case_id, user_id, organisation_id, justification, expires_at)
       SELECT $1, id, organisation_id, 'Victim found at night, shelter needs identity', now() + interval '4 hours' FROM "user" WHERE id = $2 RETURNING id`,
      [kase.id, officer],
    );
    // Due far enough ahead that the job cannot start running (and so resist removal) on a slow machine.
    await db.transaction((manager) =>
      deadlines.schedule(manager, {
        kind: DeadlineKind.BreakGlassReview,
        caseId: kase.id,
        breakGlassId: grants[0]!.id,
        dueAt: inSeconds(600),
        organisationIds: [kase.leadOrganisationId],
      }),
    );
    const [row] = await waitFor('the delayed job', async () => {
      const rows = await deadlineRows(kase.id);
      return rows[0]?.enqueued_at && rows;
    });
    const queue = worker.get(QueueService).queue(QueueName.Deadlines);
    const lost = await queue.getJob(`deadline-${row!.id}`);
    expect(await lost!.getState()).toBe('delayed');
    // Redis loses the job. The worker's own resync loop may put it back at any moment, so what
    // is checked is not its absence but that the job found afterwards is a new one.
    expect(await queue.remove(`deadline-${row!.id}`)).toBe(1);

    expect(await worker.get(DeadlineScheduler).resync()).toBeGreaterThanOrEqual(1);
    const restored = await queue.getJob(`deadline-${row!.id}`);
    expect(restored!.timestamp).toBeGreaterThan(lost!.timestamp);
    expect(await restored!.getState()).toBe('delayed');

    // The deadline comes close, and the job is made to run before it is due: it must wait.
    const [[{ due_at: dueAt }]]: [Array<{ due_at: Date }>, number] = await db.query(
      `UPDATE deadline SET due_at = now() + interval '1.5 seconds' WHERE id = $1 RETURNING due_at`,
      [row!.id],
    );
    await restored!.promote();

    await waitFor('the review reminder', async () => (await recipientsOf(kase.id, DomainEventType.BreakGlassReviewDue)).length > 0, 10_000);
    const [fired] = await deadlineRows(kase.id);
    expect(fired!.fired_at!.getTime()).toBeGreaterThanOrEqual(dueAt.getTime() - 5);
    expect(await recipientsOf(kase.id, DomainEventType.BreakGlassReviewDue)).toEqual(['supervisor@lu-oversight.test', 'supervisor@lu-police.test']);
    expect(await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1`, [kase.id])).toBe(1);
  });
});
