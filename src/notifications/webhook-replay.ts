import type { DataSource } from 'typeorm';
import { SqlParams } from '../common/sql';
import { JobName } from '../queue/job-name';
import type { QueueService } from '../queue/queue.service';

export interface ReplayFilter {
  organisationId?: string;
  webhookId?: string;
  deliveryId?: string;
  /** Only deliveries dead-lettered at or after this time. */
  since?: Date;
}

/**
 * Gives dead-lettered deliveries of active webhooks a new series of attempts. Each replay is a
 * new job (`webhook-<delivery>-replay-<n>`); the row is reset and the job added in one
 * transaction, so a failure leaves the delivery dead-lettered and ready for the next replay.
 * Returns how many deliveries were replayed.
 */
export async function replayDeadDeliveries(dataSource: DataSource, queues: QueueService, filter: ReplayFilter = {}): Promise<number> {
  const params = new SqlParams();
  const where = [`d.status = 'dead'`, 'w.active'];
  if (filter.organisationId) where.push(`w.organisation_id = ${params.add(filter.organisationId)}`);
  if (filter.webhookId) where.push(`w.id = ${params.add(filter.webhookId)}`);
  if (filter.deliveryId) where.push(`d.id = ${params.add(filter.deliveryId)}`);
  if (filter.since) where.push(`d.dead_at >= ${params.add(filter.since)}`);
  const candidates: Array<{ id: string }> = await dataSource.query(
    `SELECT d.id FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE ${where.join(' AND ')} ORDER BY d.dead_at, d.id`,
    params.values,
  );
  let replayed = 0;
  for (const { id } of candidates) {
    const done = await dataSource.transaction(async (manager) => {
      const [rows] = (await manager.query(
        `UPDATE webhook_delivery SET status = 'pending', replays = replays + 1, dead_at = NULL WHERE id = $1 AND status = 'dead' RETURNING replays`,
        [id],
      )) as [Array<{ replays: number }>, number];
      const row = rows[0];
      if (!row) return false;
      await queues.add(JobName.DeliverWebhook, { deliveryId: id, replay: row.replays });
      return true;
    });
    if (done) replayed += 1;
  }
  return replayed;
}
