import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { HandlesJob, type JobHandler } from '../queue/job-handler';
import { JobName, type JobPayloads } from '../queue/job-name';
import { InvitationRepository } from '../users/invitation.repository';
import { Mailer } from './mailer';
import { invitationEmail } from './messages';

/**
 * Sends the set-password e-mail of an invitation, once: the row is locked while the message goes
 * out and its nonce cleared after, so a second run finds nothing to send. The token lives only in
 * this function's memory and the message; it is never logged.
 */
@Injectable()
@HandlesJob(JobName.SendInvitation)
export class InvitationEmailHandler implements JobHandler<JobName.SendInvitation> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly invitations: InvitationRepository,
    private readonly mailer: Mailer,
  ) {}

  async handle({ invitationId }: JobPayloads[JobName.SendInvitation]): Promise<void> {
    await this.dataSource.transaction(async (manager) => {
      const pending = await this.invitations.pendingEmail(manager, invitationId);
      if (!pending) return;
      const content = invitationEmail(pending.language, this.config.publicUrl, pending.token, pending.expiresAt);
      await this.mailer.send({ to: pending.email, subject: content.subject, text: content.text, trace: { kind: 'Invitation', id: invitationId } });
      await this.invitations.markEmailed(manager, invitationId);
    });
  }
}
