import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { keyset, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import type { DomainEventType } from '../outbox/domain-event';
import type { NotificationListDto, NotificationQueryDto } from './dto/notification.dto';
import { modify, SqlParams } from '../common/sql';
import { announceInboxChange } from './inbox-signals';
import type { OrganisationRefDto } from '../common/readable';

interface NotificationRow {
  id: string;
  type: DomainEventType;
  case_id: string;
  case_reference: string;
  referral_id: string | null;
  title: string;
  created_at: Date;
  read_at: Date | null;
  cursor_at: string;
  actor_id: string | null;
  actor_name: string | null;
  actor_org: OrganisationRefDto | null;
}

/** A user's own in-app notifications: nobody reads another user's inbox. */
@Injectable()
export class InboxService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async list(userId: string, query: NotificationQueryDto): Promise<NotificationListDto> {
    const { limit, after } = keyset(query, ['time', 'id']);
    const params = new SqlParams();
    const where = [`user_id = ${params.add(userId)}`];
    if (query.unread === 'true') where.push('read_at IS NULL');
    if (after) where.push(`(created_at, id) < (${params.add(after[0])}::timestamptz, ${params.add(after[1])}::uuid)`);
    // The actor comes from the event the row was made from (readable context: a staff name and organisation).
    const rows: NotificationRow[] = await this.dataSource.query(
      `SELECT n.id, n.type, n.case_id, n.case_reference, n.referral_id, n.title, n.created_at, n.read_at, n.cursor_at,
              a.id AS actor_id, a.name AS actor_name,
              CASE WHEN a.id IS NULL THEN NULL ELSE json_build_object('id', o.id, 'slug', o.slug, 'name', o.name, 'type', o.type, 'country', o.country) END AS actor_org
         FROM (SELECT id, event_id, type, case_id, case_reference, referral_id, title, created_at, read_at, created_at::text AS cursor_at
                 FROM notification WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${params.add(limit + 1)}) n
         LEFT JOIN outbox_event e ON e.event_id = n.event_id
         LEFT JOIN "user" a ON a.id = e.actor_user_id
         LEFT JOIN organisation o ON o.id = a.organisation_id
        ORDER BY n.created_at DESC, n.id DESC`,
      params.values,
    );
    return toPage(
      rows,
      limit,
      (row) => ({
        id: row.id,
        type: row.type,
        caseId: row.case_id,
        caseReference: row.case_reference,
        ...(row.referral_id ? { referralId: row.referral_id } : {}),
        ...(row.actor_id && row.actor_org ? { actor: { id: row.actor_id, name: row.actor_name ?? '', organisation: row.actor_org } } : {}),
        title: row.title,
        createdAt: row.created_at.toISOString(),
        readAt: row.read_at ? row.read_at.toISOString() : null,
      }),
      (row) => [row.cursor_at, row.id],
    );
  }

  /** The badge's number: unread notifications, counted on the partial unread index. */
  async unreadCount(userId: string): Promise<number> {
    const rows: Array<{ n: number }> = await this.dataSource.query(`SELECT count(*)::int AS n FROM notification WHERE user_id = $1 AND read_at IS NULL`, [
      userId,
    ]);
    return rows[0]?.n ?? 0;
  }

  /**
   * Idempotent: reading twice keeps the first time. Someone else's notification does not exist (404).
   * The user's other tabs hear of it through their streams.
   */
  async markRead(userId: string, notificationId: string): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const { rows } = await modify<{ was_unread: boolean }>(
        manager,
        `UPDATE notification n SET read_at = COALESCE(n.read_at, now()) FROM notification old
          WHERE n.id = $1 AND n.user_id = $2 AND old.id = n.id RETURNING old.read_at IS NULL AS was_unread`,
        [notificationId, userId],
      );
      if (rows.length === 0) throw Problem.notFound('No such notification');
      if (rows[0]!.was_unread) await announceInboxChange(manager, [userId]);
    });
  }
}
