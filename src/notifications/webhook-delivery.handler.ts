import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { Sealer } from '../common/crypto';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HandlesJob, type JobContext, type JobHandler } from '../queue/job-handler';
import { JobName, type JobPayloads } from '../queue/job-name';
import { modify } from '../common/sql';
import { EVENT_ID_HEADER, SIGNATURE_HEADER, signWebhookBody } from './webhook-signature';
import { postToWebhook } from './webhook-target';
import { webhookSecretAad } from './webhooks.service';

const DELIVERY_TIMEOUT_MS = 10_000;
const ERROR_TEXT_MAX = 200;

interface DeliveryRow {
  id: string;
  event_id: string;
  body: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  webhook_id: string;
  url: string;
  active: boolean;
  secret_key_id: string;
  secret_ciphertext: Buffer;
}

/**
 * One POST of a signed body, only to a public address (checked after DNS resolution, unless
 * WEBHOOK_ALLOW_PRIVATE_NETWORKS), never following a redirect. A non-2xx answer or no answer throws, so BullMQ retries with the
 * webhook backoff; the last failure dead-letters the delivery (`npm run webhooks:replay` revives it).
 * Every attempt is logged in webhook_delivery_attempt.
 */
@Injectable()
@HandlesJob(JobName.DeliverWebhook)
export class WebhookDeliveryHandler implements JobHandler<JobName.DeliverWebhook> {
  private readonly allowPrivateNetworks: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly sealer: Sealer,
  ) {
    this.allowPrivateNetworks = config.webhookAllowPrivateNetworks;
  }

  async handle({ deliveryId }: JobPayloads[JobName.DeliverWebhook], { finalAttempt }: JobContext): Promise<void> {
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT d.id, d.event_id, d.body, d.status, d.attempts, w.id AS webhook_id, w.url, w.active, w.secret_key_id, w.secret_ciphertext
         FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id WHERE d.id = $1`,
      [deliveryId],
    );
    const delivery = rows[0];
    if (!delivery || delivery.status === 'delivered') return;
    if (!delivery.active) {
      await this.record(delivery, { statusCode: null, error: 'webhook deactivated', durationMs: 0 }, 'dead');
      return;
    }
    const secret = this.sealer
      .open({ keyId: delivery.secret_key_id, ciphertext: delivery.secret_ciphertext }, webhookSecretAad(delivery.webhook_id))
      .toString('utf8');
    const started = Date.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await postToWebhook({
        url: delivery.url,
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Passage-Webhooks/1',
          [SIGNATURE_HEADER]: signWebhookBody(secret, delivery.body),
          [EVENT_ID_HEADER]: delivery.event_id,
        },
        body: delivery.body,
        timeoutMs: DELIVERY_TIMEOUT_MS,
        allowPrivateNetworks: this.allowPrivateNetworks,
      });
    } catch (caught) {
      error = (caught instanceof Error ? caught.message : String(caught)).slice(0, ERROR_TEXT_MAX);
    }
    const ok = statusCode !== null && statusCode >= 200 && statusCode < 300;
    if (!ok && statusCode !== null) error = `answered ${statusCode}`;
    await this.record(delivery, { statusCode, error, durationMs: Date.now() - started }, ok ? 'delivered' : finalAttempt ? 'dead' : 'pending');
    if (!ok) throw new Error(`webhook delivery failed: ${error ?? 'no answer'}`);
  }

  private async record(
    delivery: DeliveryRow,
    attempt: { statusCode: number | null; error: string | null; durationMs: number },
    status: DeliveryRow['status'],
  ): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const updated = await modify<{ attempts: number }>(
        manager,
        `UPDATE webhook_delivery
            SET attempts = attempts + 1, last_status_code = $2, last_error = $3, last_attempt_at = now(), status = $4,
                delivered_at = CASE WHEN $4 = 'delivered' THEN now() ELSE delivered_at END,
                dead_at = CASE WHEN $4 = 'dead' THEN now() ELSE NULL END
          WHERE id = $1 RETURNING attempts`,
        [delivery.id, attempt.statusCode, attempt.error, status],
      );
      await manager.query(`INSERT INTO webhook_delivery_attempt (delivery_id, attempt, status_code, error, duration_ms) VALUES ($1, $2, $3, $4, $5)`, [
        delivery.id,
        updated.rows[0]!.attempts,
        attempt.statusCode,
        attempt.error,
        attempt.durationMs,
      ]);
    });
  }
}
