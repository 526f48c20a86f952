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

/** One event with its recipients resolved: what the batch writes for it. */
interface PreparedEvent {
  event: JobPayloads[JobName.FanOutEvent];
  rows: Array<{ userId: string; title: string }>;
  caseReference: string;
  body: WebhookBody;
}

interface Waiting {
  prepared: PreparedEvent;
  resolve: () => void;
  reject: (error: unknown) => void;
}

/** Events written by one transaction at most: keeps statements and the transaction short. */
const MAX_BATCH = 100;

/**
 * One outbox event becomes inbox rows (one per recipient), an e-mail job per row and a webhook
 * delivery per subscribed webhook of the organisations reached. Every step is idempotent
 * (unique rows, deterministic job ids), so a run after a crash at any point notifies once.
 *
 * Each job resolves its own recipients (reads, in parallel with the other jobs the worker runs),
 * then the writes of the jobs ready at that moment are grouped: one transaction with a multi-row
 * INSERT per table, one addBulk, one outbox UPDATE for the group (group commit). A lone job is
 * written at once; a group forms only while a previous group is being written, so batching adds
 * no wait. A job completes when its group is done; when a group fails, its events are written one
 * by one, so only a job whose own write fails retries.
 */
@Injectable()
@HandlesJob(JobName.FanOutEvent)
export class EventFanOutHandler implements JobHandler<JobName.FanOutEvent> {
  private waiting: Waiting[] = [];
  private writing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly recipients: RecipientResolver,
    private readonly queues: QueueService,
    private readonly outbox: OutboxService,
  ) {}

  async handle(event: JobPayloads[JobName.FanOutEvent]): Promise<void> {
    const prepared = await this.prepare(event);
    await new Promise<void>((resolve, reject) => {
      this.waiting.push({ prepared, resolve, reject });
      void this.drain();
    });
  }

  private async prepare(event: JobPayloads[JobName.FanOutEvent]): Promise<PreparedEvent> {
    // The reads are independent, so they are made at once: the job's time is mostly round trips, not work.
    const factsRead = this.recipients.caseFacts(event.caseId);
    const [facts, recipients, actor] = await Promise.all([
      factsRead,
      this.recipients.resolve(event, factsRead),
      // Who did it, for titles that say so: the acting user's organisation (a staff name, never victim data).
      event.actorUserId
        ? (this.dataSource.query(`SELECT o.name FROM "user" u JOIN organisation o ON o.id = u.organisation_id WHERE u.id = $1`, [event.actorUserId]) as Promise<
            Array<{ name: string }>
          >)
        : Promise.resolve([]),
    ]);
    // The case row commits with the event; not finding it is a transient read problem, so retry.
    if (!facts) throw new Error(`case of outbox event ${event.outboxId} not found`);
    return {
      event,
      caseReference: facts.reference,
      rows: recipients.map((r) => ({ userId: r.userId, title: notificationTitle(r.language, event.type, facts.reference, actor[0]?.name) })),
      body: {
        eventId: event.eventId,
        type: event.type,
        caseId: event.caseId,
        caseReference: facts.reference,
        ...(event.referralId ? { referralId: event.referralId } : {}),
        occurredAt: event.occurredAt,
      },
    };
  }

  /** Writes the waiting events group by group, one group at a time. */
  private async drain(): Promise<void> {
    if (this.writing) return;
    this.writing = true;
    try {
      while (this.waiting.length > 0) {
        const group = this.waiting.splice(0, MAX_BATCH);
        try {
          await this.write(group.map((entry) => entry.prepared));
          for (const entry of group) entry.resolve();
        } catch (error) {
          if (group.length === 1) group[0]!.reject(error);
          // One event that cannot be written must not fail the others with it: each is tried alone.
          else for (const entry of group) await this.write([entry.prepared]).then(entry.resolve, entry.reject);
        }
      }
    } finally {
      this.writing = false;
    }
  }

  private async write(group: readonly PreparedEvent[]): Promise<void> {
    const eventIds = group.map((prepared) => prepared.event.eventId);
    const rows = group.flatMap((prepared) => prepared.rows.map((row) => ({ ...row, prepared })));
    const { notificationIds, deliveryIds } = await this.dataSource.transaction(async (manager) => {
      if (rows.length > 0) {
        await manager.query(
          // Dated when the event happened, so the inbox keeps the order of events however jobs interleave or lag.
          `INSERT INTO notification (user_id, event_id, type, case_id, case_reference, referral_id, title, created_at)
           SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::uuid[], $5::text[], $6::uuid[], $7::text[], $8::timestamptz[])
           ON CONFLICT (user_id, event_id) DO NOTHING`,
          [
            rows.map((row) => row.userId),
            rows.map((row) => row.prepared.event.eventId),
            rows.map((row) => row.prepared.event.type),
            rows.map((row) => row.prepared.event.caseId),
            rows.map((row) => row.prepared.caseReference),
            rows.map((row) => row.prepared.event.referralId ?? null),
            rows.map((row) => row.title),
            rows.map((row) => row.prepared.event.occurredAt),
          ],
        );
      }
      // All rows of the events, including those a crashed earlier run wrote, so their e-mails are queued too.
      // Their open inbox streams update at commit (a second announcement is harmless), announced by the statement that reads them.
      const notified: Array<{ id: string }> = await manager.query(
        `SELECT n.id, ${announcement('n.user_id')} FROM notification n WHERE n.event_id = ANY($1::uuid[])`,
        [eventIds],
      );
      // A delivery per subscribed, active webhook of each organisation the event's inbox rows reached.
      await manager.query(
        `INSERT INTO webhook_delivery (webhook_id, event_id, type, case_id, body)
         SELECT w.id, e.event_id, e.type, e.case_id, e.body
           FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[]) AS e(event_id, type, case_id, body)
           JOIN webhook w ON w.active AND e.type = ANY(w.events)
            AND w.organisation_id IN (SELECT u.organisation_id FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.event_id = e.event_id)
         ON CONFLICT (webhook_id, event_id) DO NOTHING`,
        [
          eventIds,
          group.map((prepared) => prepared.event.type),
          group.map((prepared) => prepared.event.caseId),
          group.map((prepared) => JSON.stringify(prepared.body)),
        ],
      );
      const deliveries: Array<{ id: string }> = await manager.query(`SELECT id FROM webhook_delivery WHERE event_id = ANY($1::uuid[]) AND status = 'pending'`, [
        eventIds,
      ]);
      return { notificationIds: notified.map((row) => row.id), deliveryIds: deliveries.map((row) => row.id) };
    });

    const jobs: QueuedJob[] = [
      ...notificationIds.map((notificationId): QueuedJob => ({ name: JobName.SendEmail, payload: { notificationId } })),
      ...deliveryIds.map((deliveryId): QueuedJob => ({ name: JobName.DeliverWebhook, payload: { deliveryId } })),
    ];
    if (jobs.length > 0) await this.queues.addBulk(jobs);
    await this.outbox.markProcessed(this.dataSource.manager, eventIds);
  }
}
