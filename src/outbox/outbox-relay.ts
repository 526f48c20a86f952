import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { JOB_DEFINITIONS } from '../queue/job-definitions';
import { JobName } from '../queue/job-name';
import { QueueService } from '../queue/queue.service';
import type { DomainEventType, EventJobPayload } from './domain-event';
import { PgListener } from './pg-listener';
import { PollingLoop } from './polling-loop';

export const OUTBOX_CHANNEL = 'passage_outbox';
const BATCH = 100;
const STALE_BATCH = 100;

interface OutboxRow {
  id: string;
  event_id: string;
  type: DomainEventType;
  case_id: string;
  referral_id: string | null;
  break_glass_id: string | null;
  organisation_ids: string[];
  user_ids: string[];
  actor_user_id: string | null;
  created_at: Date;
}

export function toEventPayload(row: OutboxRow): EventJobPayload {
  return {
    outboxId: row.id,
    eventId: row.event_id,
    type: row.type,
    caseId: row.case_id,
    ...(row.referral_id ? { referralId: row.referral_id } : {}),
    ...(row.break_glass_id ? { breakGlassId: row.break_glass_id } : {}),
    organisationIds: row.organisation_ids,
    ...(row.user_ids.length > 0 ? { userIds: row.user_ids } : {}),
    ...(row.actor_user_id ? { actorUserId: row.actor_user_id } : {}),
    occurredAt: row.created_at.toISOString(),
  };
}

/**
 * Moves outbox rows to BullMQ. Each batch is claimed with FOR UPDATE SKIP LOCKED, so several
 * workers share the work without taking the same rows; a row is marked relayed only in the
 * transaction that saw the enqueue succeed. If Redis is down the transaction rolls back and the
 * rows wait. A crash between enqueue and commit relays them again under the same job id, which
 * BullMQ ignores (and the fan-out is idempotent besides).
 */
@Injectable()
export class OutboxRelay extends PollingLoop {
  protected readonly logger = new Logger(OutboxRelay.name);
  private lastRevive = 0;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queues: QueueService,
    listener: PgListener,
  ) {
    super(listener, OUTBOX_CHANNEL, config.outboxPollIntervalMs, 'outbox relay failed; events stay in the outbox and are retried');
  }

  protected async round(): Promise<boolean> {
    if (Date.now() - this.lastRevive >= Math.min(60_000, this.config.outboxRequeueAfterSeconds * 1000)) {
      await this.reviveStale();
      this.lastRevive = Date.now();
    }
    return (await this.relayBatch()) === BATCH;
  }

  /** Relays one batch; answers how many rows it moved. */
  async relayBatch(): Promise<number> {
    return this.dataSource.transaction(async (manager) => {
      const rows: OutboxRow[] = await manager.query(
        `SELECT id::text AS id, event_id, type, case_id, referral_id, break_glass_id, organisation_ids, user_ids, actor_user_id, created_at
           FROM outbox_event WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [BATCH],
      );
      if (rows.length === 0) return 0;
      await this.queues.addBulk(rows.map((row) => ({ name: JobName.FanOutEvent, payload: toEventPayload(row) })));
      await manager.query(`UPDATE outbox_event SET relayed_at = now() WHERE id = ANY($1::bigint[])`, [rows.map((row) => row.id)]);
      return rows.length;
    });
  }

  /**
   * Events relayed long ago and still not processed: their job failed for good (retry it) or is
   * gone from Redis (relay it again). Answers how many were revived.
   */
  async reviveStale(): Promise<number> {
    const rows: OutboxRow[] = await this.dataSource.query(
      `SELECT id::text AS id, event_id, type, case_id, referral_id, break_glass_id, organisation_ids, user_ids, actor_user_id, created_at FROM outbox_event
        WHERE relayed_at IS NOT NULL AND processed_at IS NULL AND relayed_at < now() - make_interval(secs => $1)
        ORDER BY relayed_at LIMIT $2`,
      [this.config.outboxRequeueAfterSeconds, STALE_BATCH],
    );
    let revived = 0;
    const definition = JOB_DEFINITIONS[JobName.FanOutEvent];
    for (const row of rows) {
      const outcome = await this.queues.revive(definition.queue, definition.jobId(toEventPayload(row)));
      if (outcome === 'missing') {
        await this.dataSource.query(`UPDATE outbox_event SET relayed_at = NULL WHERE id = $1 AND processed_at IS NULL`, [row.id]);
      }
      if (outcome !== 'present') revived += 1;
    }
    if (revived > 0) this.logger.warn({ revived }, 'revived outbox events whose jobs failed or were lost');
    return revived;
  }
}
