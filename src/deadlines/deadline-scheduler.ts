import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { JobName } from '../queue/job-name';
import { QueueService } from '../queue/queue.service';
import { PgListener } from '../outbox/pg-listener';
import { PollingLoop } from '../outbox/polling-loop';

export const DEADLINE_CHANNEL = 'passage_deadline';
const BATCH = 500;

interface PendingRow {
  id: string;
  delay_ms: string;
}

/**
 * Gives every pending deadline a delayed job `deadline-<id>`. New rows are picked up at once
 * (NOTIFY, else the next poll) and marked enqueued; on start-up and periodically every pending
 * row's job is added again, which BullMQ ignores where it exists and which restores jobs Redis
 * lost. Delays are computed by PostgreSQL, so the database's clock is the one that counts.
 */
@Injectable()
export class DeadlineScheduler extends PollingLoop {
  protected readonly logger = new Logger(DeadlineScheduler.name);
  private lastResync = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueService,
    listener: PgListener,
  ) {
    super(listener, DEADLINE_CHANNEL, config.outboxPollIntervalMs, 'deadline scheduler failed; retrying');
  }

  protected async round(): Promise<boolean> {
    if (Date.now() - this.lastResync >= this.config.deadlineResyncIntervalMs) {
      await this.resync();
      this.lastResync = Date.now();
    }
    return (await this.enqueueNew()) === BATCH;
  }

  /**
   * Enqueues deadlines not yet given a job; answers how many. Rows are claimed (marked enqueued)
   * in a short transaction and the jobs added after it: no row lock is held while waiting on
   * Redis, so a Redis outage never slows the API's own updates of these rows (a referral answered
   * cancels its deadlines). If adding fails, the claim is undone; job ids derive from the row id,
   * so a job added twice is still one job, and the periodic resync covers a crash in between.
   */
  async enqueueNew(): Promise<number> {
    const [rows]: [PendingRow[], number] = await this.dataSource.query(
      `UPDATE deadline SET enqueued_at = now()
        WHERE id IN (SELECT id FROM deadline WHERE enqueued_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL
                      ORDER BY due_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id, GREATEST(0, ceil(extract(epoch FROM due_at - now()) * 1000))::bigint::text AS delay_ms`,
      [BATCH],
    );
    if (rows.length === 0) return 0;
    try {
      await this.add(rows);
    } catch (error) {
      await this.dataSource.query(`UPDATE deadline SET enqueued_at = NULL WHERE id = ANY($1::uuid[]) AND fired_at IS NULL`, [rows.map((row) => row.id)]);
      throw error;
    }
    return rows.length;
  }

  /** Adds the job of every pending deadline again (no-op for those Redis still holds); answers how many rows it saw. */
  async resync(): Promise<number> {
    let after = '00000000-0000-0000-0000-000000000000';
    let seen = 0;
    for (;;) {
      const rows: PendingRow[] = await this.dataSource.query(
        `SELECT id, GREATEST(0, ceil(extract(epoch FROM due_at - now()) * 1000))::bigint::text AS delay_ms
           FROM deadline WHERE fired_at IS NULL AND cancelled_at IS NULL AND id > $1 ORDER BY id LIMIT $2`,
        [after, BATCH],
      );
      if (rows.length === 0) return seen;
      await this.add(rows);
      seen += rows.length;
      after = rows[rows.length - 1]!.id;
    }
  }

  private add(rows: PendingRow[]): Promise<void> {
    return this.queues.addBulk(rows.map((row) => ({ name: JobName.FireDeadline, payload: { deadlineId: row.id }, delayMs: Number(row.delay_ms) })));
  }
}
