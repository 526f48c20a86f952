import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { JOB_DEFINITIONS } from '../queue/job-definitions';
import { JobName } from '../queue/job-name';
import { QueueService } from '../queue/queue.service';
import { PgListener } from '../outbox/pg-listener';
import { PollingLoop } from '../outbox/polling-loop';

export const INVITATION_CHANNEL = 'passage_invitation';
const BATCH = 100;

/** An invitation whose e-mail is still owed: its nonce is there (cleared once sent), and the link can still be used. */
const EMAIL_PENDING = `token_nonce IS NOT NULL AND used_at IS NULL AND revoked_at IS NULL AND expires_at > now()`;

/**
 * Gives every invitation whose e-mail is owed its job `invitation-<id>`, so the API never waits on
 * Redis and an invitation saved while Redis was down is e-mailed once it is back (the deadline
 * scheduler's pattern). New rows are claimed at once (NOTIFY from the insert trigger, else the
 * next poll); if adding fails the claim is undone and the loop retries. On start-up and then at
 * most every minute, an invitation queued longer ago than OUTBOX_REQUEUE_AFTER_SECONDS and still
 * not e-mailed has its job retried (failed for good) or added again (lost with Redis' data).
 *
 * Never twice: the job id derives from the invitation, so BullMQ ignores a second add while the
 * job exists; and the handler sends only while the nonce is there, under a row lock, clearing it
 * in the same transaction, so a job that runs again after the e-mail finds nothing to send.
 */
@Injectable()
export class InvitationEmailScheduler extends PollingLoop {
  protected readonly logger = new Logger(InvitationEmailScheduler.name);
  private lastRevive = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueService,
    listener: PgListener,
  ) {
    super(listener, INVITATION_CHANNEL, config.outboxPollIntervalMs, 'invitation e-mail scheduler failed; the invitations wait and are retried');
  }

  protected async round(): Promise<boolean> {
    if (Date.now() - this.lastRevive >= Math.min(60_000, this.config.outboxRequeueAfterSeconds * 1000)) {
      await this.reviveStale();
      this.lastRevive = Date.now();
    }
    return (await this.enqueueNew()) === BATCH;
  }

  /**
   * Queues the e-mail of invitations not yet given a job; answers how many. Rows are claimed in a
   * short statement and the jobs added after it, so no row lock is held while waiting on Redis.
   */
  async enqueueNew(): Promise<number> {
    const [rows]: [Array<{ id: string }>, number] = await this.dataSource.query(
      `UPDATE user_invitation SET email_queued_at = now()
        WHERE id IN (SELECT id FROM user_invitation WHERE email_queued_at IS NULL AND ${EMAIL_PENDING}
                      ORDER BY created_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id`,
      [BATCH],
    );
    if (rows.length === 0) return 0;
    const ids = rows.map((row) => row.id);
    try {
      await this.queues.addBulk(ids.map((invitationId) => ({ name: JobName.SendInvitation, payload: { invitationId } })));
    } catch (error) {
      await this.dataSource.query(`UPDATE user_invitation SET email_queued_at = NULL WHERE id = ANY($1::uuid[])`, [ids]);
      throw error;
    }
    return rows.length;
  }

  /** Invitations queued long ago and still not e-mailed: retries their failed job or adds the lost one again. Answers how many. */
  async reviveStale(): Promise<number> {
    const definition = JOB_DEFINITIONS[JobName.SendInvitation];
    let after = '00000000-0000-0000-0000-000000000000';
    let revived = 0;
    for (;;) {
      const rows: Array<{ id: string }> = await this.dataSource.query(
        `SELECT id FROM user_invitation
          WHERE email_queued_at < now() - make_interval(secs => $1) AND ${EMAIL_PENDING} AND id > $2 ORDER BY id LIMIT $3`,
        [this.config.outboxRequeueAfterSeconds, after, BATCH],
      );
      for (const { id } of rows) {
        const outcome = await this.queues.revive(definition.queue, definition.jobId({ invitationId: id }));
        if (outcome === 'missing') await this.queues.add(JobName.SendInvitation, { invitationId: id });
        if (outcome !== 'present') revived += 1;
      }
      if (rows.length < BATCH) break;
      after = rows[rows.length - 1]!.id;
    }
    if (revived > 0) this.logger.warn({ revived }, 'revived invitation e-mails whose jobs failed or were lost');
    return revived;
  }
}
