import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { OutboxService } from '../outbox/outbox.service';
import { HandlesJob, type JobHandler } from '../queue/job-handler';
import { JobName, type JobPayloads } from '../queue/job-name';
import { QueueService, type QueuedJob } from '../queue/queue.service';
import { announcement } from './inbox-signals';
import { notificationTitle } from './messages';
import { RecipientResolver } from './recipients';
import type { WebhookBody } from './webhook-signature';

/**
 * One outbox event becomes inbox rows (one per recipient), an e-mail job per row and a webhook
 * delivery per subscribed webhook of the organisations reached. Every step is idempotent
 * (unique rows, deterministic job ids), so a run after a crash at any point notifies once.
 */
@Injectable()
@HandlesJob(JobName.FanOutEvent)
export class EventFanOutHandler implements JobHandler<JobName.FanOutEvent> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recipients: RecipientResolver,
    private readonly queues: QueueService,
    private readonly outbox: OutboxService,
  ) {}

  async handle(event: JobPayloads[JobName.FanOutEvent]): Promise<void> {
    // The reads are independent, so they are made at once: the job's time is mostly round trips, not work.
    const factsRead = this.recipients.caseFacts(event.caseId);
    const [facts, recipients, actor] = await Promise.all([
      factsRead,
      this.recipients.resolve(event, factsRead),
      // Who did it, for titles that say so: the acting user's organisation (a staff name, never victim data).
      event.actorUserId
        ? (this.dataSource.query(`SELECT o.name FROM "user" u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`, [
            event.actorUserId,
          ]) as Promise<Array<{ name: string }>>)
        : Promise.resolve([]),
    ]);
    // The case row commits with the event; not finding it is a transient read problem, so retry.
    if (!facts) throw new Error(`case of outbox event ${event.outboxId} not found`);
    const body: WebhookBody = {
      eventId: event.eventId,
      type: event.type,
      caseId: event.caseId,
      caseReference: facts.reference,
      ...(event.referralId ? { referralId: event.referralId } : {}),
      occurredAt: event.occurredAt,
    };

    const { notificationIds, deliveryIds } = await this.dataSource.transaction(async (manager) => {
      await manager.query(
        // Dated when the event happened, so the inbox keeps the order of events however jobs interleave or lag.
        `INSERT INTO notification (user_id, event_id, type, case_id, case_reference, referral_id, title, created_at)
         SELECT r.user_id, $1, $2, $3, $4, $5, r.title, $8 FROM unnest($6::uuid[], $7::text[]) AS r(user_id, title)
         ON CONFLICT (user_id, event_id) DO NOTHING`,
        [
          event.eventId,
          event.type,
          event.caseId,
          facts.reference,
          event.referralId ?? null,
          recipients.map((r) => r.userId),
          recipients.map((r) => notificationTitle(r.language, event.type, facts.reference, actor[0]?.name)),
          event.occurredAt,
        ],
      );
      // All rows of the event, including those a crashed earlier run wrote, so their e-mails are queued too.
      // Their open inbox streams update at commit (the rows of a crashed earlier run included; a second announcement is
      // harmless), announced by the same statement that reads the rows: one round trip less inside the transaction.
      const notified: Array<{ id: string; user_id: string; organisation_id: string }> = await manager.query(
        `SELECT n.id, n.user_id, u.organisation_id, ${announcement('n.user_id')} FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.event_id = $1`,
        [event.eventId],
      );
      const organisations = [...new Set(notified.map((row) => row.organisation_id))];
      await manager.query(
        `INSERT INTO webhook_delivery (webhook_id, event_id, type, case_id, body)
         SELECT w.id, $1, $2, $3, $4 FROM webhook w
          WHERE w.organisation_id = ANY($5::uuid[]) AND w.active AND $2 = ANY(w.events)
         ON CONFLICT (webhook_id, event_id) DO NOTHING`,
        [event.eventId, event.type, event.caseId, JSON.stringify(body), organisations],
      );
      const deliveries: Array<{ id: string }> = await manager.query(`SELECT id FROM webhook_delivery WHERE event_id = $1 AND status = 'pending'`, [
        event.eventId,
      ]);
      return { notificationIds: notified.map((row) => row.id), deliveryIds: deliveries.map((row) => row.id) };
    });

    const jobs: QueuedJob[] = [
      ...notificationIds.map((notificationId): QueuedJob => ({ name: JobName.SendEmail, payload: { notificationId } })),
      ...deliveryIds.map((deliveryId): QueuedJob => ({ name: JobName.DeliverWebhook, payload: { deliveryId } })),
    ];
    if (jobs.length > 0) await this.queues.addBulk(jobs);
    await this.outbox.markProcessed(this.dataSource.manager, event.eventId);
  }
}
