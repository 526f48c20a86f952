import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HandlesJob, type JobHandler } from '../queue/job-handler';
import { JobName, type JobPayloads } from '../queue/job-name';
import type { Language } from '../users/user.entity';
import type { DomainEventType } from '../outbox/domain-event';
import { Mailer } from './mailer';
import { notificationEmail } from './messages';

/** One e-mail per inbox notification. notification_email records it, so a job run twice sends once. */
@Injectable()
@HandlesJob(JobName.SendEmail)
export class EmailHandler implements JobHandler<JobName.SendEmail> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly mailer: Mailer,
  ) {}

  async handle({ notificationId }: JobPayloads[JobName.SendEmail]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      // Serialises two runs of the same notification, so the check below cannot pass twice.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, [`notification_email:${notificationId}`]);
      const sent: unknown[] = await manager.query(`SELECT 1 FROM notification_email WHERE notification_id = $1`, [notificationId]);
      if (sent.length > 0) return;
      const rows: Array<{
        type: DomainEventType;
        case_id: string;
        case_reference: string;
        referral_id: string | null;
        email: string;
        language: Language;
        active: boolean;
      }> = await manager.query(
        `SELECT n.type, n.case_id, n.case_reference, n.referral_id, u.email, u.language, u.active
             FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.id = $1`,
        [notificationId],
      );
      const row = rows[0];
      // A user deactivated since the notification was written gets no mail.
      if (!row || !row.active) return;
      const content = notificationEmail(row.language, row.type, row.case_reference, this.config.publicUrl, {
        caseId: row.case_id,
        referralId: row.referral_id,
      });
      const messageId = await this.mailer.send({
        to: row.email,
        subject: content.subject,
        text: content.text,
        trace: { kind: 'Notification', id: notificationId },
      });
      await manager.query(`INSERT INTO notification_email (notification_id, message_id) VALUES ($1, $2)`, [notificationId, messageId]);
    });
  }
}
