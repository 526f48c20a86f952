import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { ReferralExpiryService } from '../referrals/referral-expiry.service';
import { HandlesJob, type JobContext, type JobHandler } from '../queue/job-handler';
import { JobName, type JobPayloads } from '../queue/job-name';
import { DeadlineKind } from './deadline-kind';
import { DomainEventType } from './domain-event';
import { OutboxService } from './outbox.service';
import { modify } from './sql';

interface ClaimedDeadline {
  kind: DeadlineKind;
  case_id: string;
  referral_id: string | null;
  break_glass_id: string | null;
  organisation_ids: string[];
}

const REFLECTION_EVENTS: Partial<Record<DeadlineKind, DomainEventType>> = {
  [DeadlineKind.ReflectionReminder14Days]: DomainEventType.ReflectionPeriodEnding,
  [DeadlineKind.ReflectionReminder3Days]: DomainEventType.ReflectionPeriodEnding,
  [DeadlineKind.ReflectionEnd]: DomainEventType.ReflectionPeriodEnded,
};

/**
 * Fires a deadline once: the claim (fired_at set only where still pending and due) and its
 * effects (referral expired, outbox event) commit together, so a second job, a second worker or
 * a retry after a crash finds nothing left to claim. A job that comes early goes back to delayed.
 */
@Injectable()
@HandlesJob(JobName.FireDeadline)
export class DeadlineHandler implements JobHandler<JobName.FireDeadline> {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly outbox: OutboxService,
    private readonly referralExpiry: ReferralExpiryService,
  ) {}

  async handle({ deadlineId }: JobPayloads[JobName.FireDeadline], { job, token }: JobContext): Promise<void> {
    const earlyByMs = await this.dataSource.transaction(async (manager) => {
      const claimed = await modify<ClaimedDeadline>(
        manager,
        `UPDATE deadline SET fired_at = now()
          WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now()
          RETURNING kind, case_id, referral_id, break_glass_id, organisation_ids`,
        [deadlineId],
      );
      const deadline = claimed.rows[0];
      if (deadline) {
        await this.fire(manager, deadline);
        return undefined;
      }
      const pending: Array<{ early_ms: string }> = await manager.query(
        `SELECT ceil(extract(epoch FROM due_at - now()) * 1000)::bigint::text AS early_ms FROM deadline
          WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL`,
        [deadlineId],
      );
      return pending[0] ? Number(pending[0].early_ms) : undefined;
    });
    if (earlyByMs !== undefined && token) {
      await job.moveToDelayed(Date.now() + earlyByMs, token);
      throw new DelayedError();
    }
  }

  private async fire(manager: EntityManager, deadline: ClaimedDeadline): Promise<void> {
    const caseId = deadline.case_id;
    switch (deadline.kind) {
      case DeadlineKind.ReferralReminder: {
        const rows: Array<{ to_organisation_id: string }> = await manager.query(
          `SELECT to_organisation_id FROM referral WHERE id = $1 AND status = 'pending'`,
          [deadline.referral_id],
        );
        if (rows[0]) {
          await this.outbox.emit(manager, {
            type: DomainEventType.ReferralReminder,
            caseId,
            referralId: deadline.referral_id!,
            organisationIds: [rows[0].to_organisation_id],
          });
        }
        return;
      }
      case DeadlineKind.ReferralExpiry: {
        await this.referralExpiry.expire(manager, deadline.referral_id!);
        return;
      }
      case DeadlineKind.ReflectionReminder14Days:
      case DeadlineKind.ReflectionReminder3Days:
      case DeadlineKind.ReflectionEnd: {
        const cases: Array<{ lead_organisation_id: string }> = await manager.query(
          `SELECT lead_organisation_id FROM "case" WHERE id = $1 AND status = 'open'`,
          [caseId],
        );
        if (!cases[0]) return;
        const organisationIds = deadline.organisation_ids.length > 0 ? deadline.organisation_ids : [cases[0].lead_organisation_id];
        await this.outbox.emit(manager, { type: REFLECTION_EVENTS[deadline.kind]!, caseId, organisationIds });
        return;
      }
      case DeadlineKind.BreakGlassReview: {
        const grants: unknown[] = await manager.query(`SELECT 1 FROM break_glass_grant WHERE id = $1 AND reviewed_at IS NULL`, [deadline.break_glass_id]);
        if (grants.length === 0) return;
        await this.outbox.emit(manager, {
          type: DomainEventType.BreakGlassReviewDue,
          caseId,
          breakGlassId: deadline.break_glass_id!,
          organisationIds: deadline.organisation_ids,
        });
        return;
      }
    }
  }
}
