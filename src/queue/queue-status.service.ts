import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { QUEUE_NAMES, type QueueName } from './job-name';
import { type JobCounts, QueueService } from './queue.service';

/** Outbox rows older than this mean the relay is not keeping up (no worker, or Redis down). */
export const OUTBOX_LAG_SECONDS = 60;
const PROBE_TIMEOUT_MS = 1500;

export interface QueueHealth {
  status: 'up' | 'lagging' | 'down';
  outboxPending: number;
  oldestPendingSeconds: number;
}

export interface QueueStatus {
  queues: Array<{ name: QueueName; counts: JobCounts | null; error?: string }>;
  outbox: { pending: number; oldestPendingSeconds: number; relayedUnprocessed: number };
  deadlines: { pending: number; overdue: number };
  webhookDeliveries: { pending: number; dead: number };
}

function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<T>((_, reject) => setTimeout(() => reject(new Error('timeout')), ms).unref())]);
}

/** Queue health for /api/health (cheap, PostgreSQL only) and the platform admins' status page. */
@Injectable()
export class QueueStatusService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queues: QueueService,
  ) {}

  async health(): Promise<QueueHealth> {
    try {
      const rows: Array<{ pending: number; oldest: number }> = await within(
        this.dataSource.query(
          `SELECT count(*)::int AS pending, COALESCE(extract(epoch FROM now() - min(created_at)), 0)::int AS oldest
             FROM outbox_event WHERE relayed_at IS NULL`,
        ),
        PROBE_TIMEOUT_MS,
      );
      const { pending, oldest } = rows[0]!;
      return { status: oldest > OUTBOX_LAG_SECONDS ? 'lagging' : 'up', outboxPending: pending, oldestPendingSeconds: oldest };
    } catch {
      return { status: 'down', outboxPending: 0, oldestPendingSeconds: 0 };
    }
  }

  async status(): Promise<QueueStatus> {
    const queues = await Promise.all(
      QUEUE_NAMES.map(async (name) => {
        try {
          return { name, counts: await this.queues.counts(name) };
        } catch {
          return { name, counts: null, error: 'Redis did not answer' };
        }
      }),
    );
    const rows: Array<{
      outbox_pending: number;
      outbox_oldest: number;
      outbox_unprocessed: number;
      deadlines_pending: number;
      deadlines_overdue: number;
      deliveries_pending: number;
      deliveries_dead: number;
    }> = await this.dataSource.query(
      `SELECT (SELECT count(*) FROM outbox_event WHERE relayed_at IS NULL)::int AS outbox_pending,
              (SELECT COALESCE(extract(epoch FROM now() - min(created_at)), 0) FROM outbox_event WHERE relayed_at IS NULL)::int AS outbox_oldest,
              (SELECT count(*) FROM outbox_event WHERE relayed_at IS NOT NULL AND processed_at IS NULL)::int AS outbox_unprocessed,
              (SELECT count(*) FROM deadline WHERE fired_at IS NULL AND cancelled_at IS NULL)::int AS deadlines_pending,
              (SELECT count(*) FROM deadline WHERE fired_at IS NULL AND cancelled_at IS NULL AND due_at < now() - interval '1 minute')::int AS deadlines_overdue,
              (SELECT count(*) FROM webhook_delivery WHERE status = 'pending')::int AS deliveries_pending,
              (SELECT count(*) FROM webhook_delivery WHERE status = 'dead')::int AS deliveries_dead`,
    );
    const row = rows[0]!;
    return {
      queues,
      outbox: { pending: row.outbox_pending, oldestPendingSeconds: row.outbox_oldest, relayedUnprocessed: row.outbox_unprocessed },
      deadlines: { pending: row.deadlines_pending, overdue: row.deadlines_overdue },
      webhookDeliveries: { pending: row.deliveries_pending, dead: row.deliveries_dead },
    };
  }
}
