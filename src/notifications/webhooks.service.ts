import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AuditAction } from '../audit/audit-action';
import { adminTarget } from '../audit/admin-target';
import { AuditService } from '../audit/audit.service';
import { administersOrganisation } from '../access/organisation-scope';
import type { Principal, RequestMeta } from '../access/principal';
import { Sealer } from '../common/crypto';
import { keyset, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import type { DomainEventType } from '../outbox/domain-event';
import { JobName } from '../queue/job-name';
import { QueueService } from '../queue/queue.service';
import type { CreatedWebhookDto, CreateWebhookDto, DeliveryDto, DeliveryListDto, DeliveryQueryDto, WebhookListDto } from './dto/webhook.dto';
import { modify, SqlParams } from '../common/sql';
import { newWebhookSecret } from './webhook-signature';
import { webhookTargetProblem } from './webhook-target';

/** Binds a sealed secret to its webhook, so a ciphertext cannot be moved to another row. */
export function webhookSecretAad(webhookId: string): string {
  return `webhook:${webhookId}:secret`;
}

const iso = (value: Date | null): string | null => (value ? value.toISOString() : null);

interface DeliveryRow {
  id: string;
  event_id: string;
  type: DomainEventType;
  case_id: string;
  status: DeliveryDto['status'];
  attempts: number;
  replays: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  last_attempt_at: Date | null;
  delivered_at: Date | null;
  dead_at: Date | null;
  /** created_at as PostgreSQL prints it: microsecond precision, so the cursor neither skips nor repeats rows. */
  cursor_at: string;
}

/** An organisation's webhooks, managed by its org_admin. */
@Injectable()
export class WebhooksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly audit: AuditService,
    private readonly sealer: Sealer,
    private readonly queues: QueueService,
  ) {}

  async create(principal: Principal, organisationId: string, body: CreateWebhookDto, meta: RequestMeta): Promise<CreatedWebhookDto> {
    this.requireOwnOrganisation(principal, organisationId);
    if (this.config.nodeEnv === 'production' && !body.url.startsWith('https://')) {
      throw Problem.badRequest('The request is invalid', [{ path: 'url', message: 'must use https' }]);
    }
    const targetProblem = await webhookTargetProblem(body.url, this.config.webhookAllowPrivateNetworks);
    if (targetProblem) throw Problem.badRequest('The request is invalid', [{ path: 'url', message: targetProblem }]);
    const id = randomUUID();
    const secret = newWebhookSecret();
    const sealed = this.sealer.seal(Buffer.from(secret, 'utf8'), webhookSecretAad(id));
    await this.dataSource.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO webhook (id, organisation_id, url, events, secret_key_id, secret_ciphertext, created_by) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [id, organisationId, body.url, body.events, sealed.keyId, sealed.ciphertext, principal.userId],
      );
      await this.audit.record(manager, {
        action: AuditAction.WebhookCreate,
        outcome: 'allowed',
        actor: principal,
        justification: adminTarget('webhook', id),
        meta,
      });
    });
    return { id, secret };
  }

  async list(principal: Principal, organisationId: string): Promise<WebhookListDto> {
    this.requireOwnOrganisation(principal, organisationId);
    const rows: Array<{ id: string; url: string; events: DomainEventType[]; active: boolean; created_at: Date }> = await this.dataSource.query(
      `SELECT id, url, events, active, created_at FROM webhook WHERE organisation_id = $1 ORDER BY created_at DESC, id DESC`,
      [organisationId],
    );
    return { items: rows.map((row) => ({ id: row.id, url: row.url, events: row.events, active: row.active, createdAt: row.created_at.toISOString() })) };
  }

  /** Deliveries still queued are dead-lettered by the worker when it meets the inactive webhook. */
  async deactivate(principal: Principal, organisationId: string, id: string, meta: RequestMeta): Promise<void> {
    this.requireOwnOrganisation(principal, organisationId);
    await this.dataSource.transaction(async (manager) => {
      const { count } = await modify(manager, `UPDATE webhook SET active = false WHERE id = $1 AND organisation_id = $2 AND active`, [id, organisationId]);
      if (count === 0) {
        const known: unknown[] = await manager.query(`SELECT 1 FROM webhook WHERE id = $1 AND organisation_id = $2`, [id, organisationId]);
        if (known.length === 0) throw Problem.notFound('No such webhook');
        return;
      }
      await this.audit.record(manager, {
        action: AuditAction.WebhookDelete,
        outcome: 'allowed',
        actor: principal,
        justification: adminTarget('webhook', id),
        meta,
      });
    });
  }

  /**
   * A new secret for an active webhook, shown only in this answer; every delivery from now on,
   * retries of earlier ones included, is signed with it. Audited as webhook.rotate_secret.
   */
  async rotateSecret(principal: Principal, organisationId: string, id: string, meta: RequestMeta): Promise<CreatedWebhookDto> {
    this.requireOwnOrganisation(principal, organisationId);
    const secret = newWebhookSecret();
    const sealed = this.sealer.seal(Buffer.from(secret, 'utf8'), webhookSecretAad(id));
    await this.dataSource.transaction(async (manager) => {
      const { count } = await modify(
        manager,
        `UPDATE webhook SET secret_key_id = $3, secret_ciphertext = $4 WHERE id = $1 AND organisation_id = $2 AND active`,
        [id, organisationId, sealed.keyId, sealed.ciphertext],
      );
      if (count === 0) {
        const known: unknown[] = await manager.query(`SELECT 1 FROM webhook WHERE id = $1 AND organisation_id = $2`, [id, organisationId]);
        if (known.length === 0) throw Problem.notFound('No such webhook');
        throw Problem.conflict('webhook-inactive', 'This webhook is deactivated; register a new one');
      }
      await this.audit.record(manager, {
        action: AuditAction.WebhookRotateSecret,
        outcome: 'allowed',
        actor: principal,
        justification: adminTarget('webhook', id),
        meta,
      });
    });
    return { id, secret };
  }

  /**
   * Gives one dead-lettered delivery of an active webhook of the admin's organisation a new series
   * of attempts (as `npm run webhooks:replay` does), audited as webhook.replay. The row is reset and
   * the job added in one transaction: a failure leaves it dead-lettered, ready to replay again.
   */
  async replay(principal: Principal, organisationId: string, webhookId: string, deliveryId: string, meta: RequestMeta): Promise<DeliveryDto> {
    this.requireOwnOrganisation(principal, organisationId);
    await this.dataSource.transaction(async (manager) => {
      const rows: Array<{ status: DeliveryDto['status']; active: boolean }> = await manager.query(
        `SELECT d.status, w.active FROM webhook_delivery d JOIN webhook w ON w.id = d.webhook_id
          WHERE d.id = $1 AND w.id = $2 AND w.organisation_id = $3 FOR UPDATE OF d`,
        [deliveryId, webhookId, organisationId],
      );
      const row = rows[0];
      if (!row) throw Problem.notFound('No such delivery of this webhook');
      if (!row.active) throw Problem.conflict('webhook-inactive', 'This webhook is deactivated; nothing is sent to it');
      if (row.status !== 'dead') throw Problem.conflict('delivery-not-dead', 'Only a dead-lettered delivery can be replayed');
      const [updated] = (await manager.query(
        `UPDATE webhook_delivery SET status = 'pending', replays = replays + 1, dead_at = NULL WHERE id = $1 RETURNING replays`,
        [deliveryId],
      )) as [Array<{ replays: number }>, number];
      await this.audit.record(manager, {
        action: AuditAction.WebhookReplay,
        outcome: 'allowed',
        actor: principal,
        justification: adminTarget('webhook', webhookId),
        meta,
      });
      await this.queues.add(JobName.DeliverWebhook, { deliveryId, replay: updated[0]!.replays });
    });
    const page = await this.readDeliveries(webhookId, { limit: 1 }, deliveryId);
    return page.items[0]!;
  }

  async deliveries(principal: Principal, organisationId: string, id: string, query: DeliveryQueryDto): Promise<DeliveryListDto> {
    this.requireOwnOrganisation(principal, organisationId);
    const owned: unknown[] = await this.dataSource.query(`SELECT 1 FROM webhook WHERE id = $1 AND organisation_id = $2`, [id, organisationId]);
    if (owned.length === 0) throw Problem.notFound('No such webhook');
    return this.readDeliveries(id, query);
  }

  private async readDeliveries(id: string, query: DeliveryQueryDto, deliveryId?: string): Promise<DeliveryListDto> {
    const { limit, after } = keyset(query, ['time', 'id']);
    const params = new SqlParams();
    const where = [`webhook_id = ${params.add(id)}`];
    if (deliveryId) where.push(`id = ${params.add(deliveryId)}`);
    if (query.status) where.push(`status = ${params.add(query.status)}`);
    if (after) where.push(`(created_at, id) < (${params.add(after[0])}::timestamptz, ${params.add(after[1])}::uuid)`);
    const rows: DeliveryRow[] = await this.dataSource.query(
      `SELECT id, event_id, type, case_id, status, attempts, replays, last_status_code, last_error, created_at, last_attempt_at, delivered_at, dead_at,
              created_at::text AS cursor_at
         FROM webhook_delivery WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${params.add(limit + 1)}`,
      params.values,
    );
    return toPage(
      rows,
      limit,
      (row) => ({
        id: row.id,
        eventId: row.event_id,
        type: row.type,
        caseId: row.case_id,
        status: row.status,
        attempts: row.attempts,
        replays: row.replays,
        lastStatusCode: row.last_status_code,
        lastError: row.last_error,
        createdAt: row.created_at.toISOString(),
        lastAttemptAt: iso(row.last_attempt_at),
        deliveredAt: iso(row.delivered_at),
        deadAt: iso(row.dead_at),
      }),
      (row) => [row.cursor_at, row.id],
    );
  }

  /** The route is for org_admins (checked by the guard); here: of this very organisation. */
  private requireOwnOrganisation(principal: Principal, organisationId: string): void {
    if (!administersOrganisation(principal, organisationId)) throw Problem.forbidden('You manage the webhooks of your own organisation only');
  }
}
