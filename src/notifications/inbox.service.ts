import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { keyset, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import type { DomainEventType } from '../outbox/domain-event';
import type { NotificationListDto, NotificationQueryDto } from './dto/notification.dto';
import { modify, SqlParams } from '../common/sql';

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

  /** Idempotent: reading twice keeps the first time. Someone else's notification does not exist (404). */
  async markRead(userId: string, notificationId: string): Promise<void> {
    const { count } = await modify(this.dataSource, `UPDATE notification SET read_at = COALESCE(read_at, now()) WHERE id = $1 AND user_id = $2`, [
      notificationId,
      userId,
    ]);
    if (count === 0) throw Problem.notFound('No such notification');
  }
}
