import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { keyset, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import type { DomainEventType } from '../outbox/domain-event';
import type { NotificationListDto, NotificationQueryDto } from './dto/notification.dto';
import { modify, SqlParams } from '../common/sql';
import { announceInboxChange } from './inbox-signals';

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
    const rows: NotificationRow[] = await this.dataSource.query(
      `SELECT id, type, case_id, case_reference, referral_id, title, created_at, read_at, created_at::text AS cursor_at
         FROM notification WHERE ${where.join(' AND ')} ORDER BY created_at DESC, id DESC LIMIT ${params.add(limit + 1)}`,
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
