import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { BREAK_GLASS_REVIEW_AFTER_MS, DeadlineKind, REFERRAL_DEADLINES, REFLECTION_DEADLINES, REFLECTION_REMINDER_OFFSETS_MS } from './deadline-kind';
import { modify } from '../common/sql';

export interface ScheduleDeadline {
  kind: DeadlineKind;
  caseId: string;
  referralId?: string;
  breakGlassId?: string;
  taskId?: string;
  dueAt: Date;
  /** Who is told when it fires, for kinds whose subject does not say (reflection period, break-glass). */
  organisationIds?: string[];
}

export interface CancelDeadline {
  kind: DeadlineKind | readonly DeadlineKind[];
  caseId?: string;
  referralId?: string;
  breakGlassId?: string;
  taskId?: string;
}

/**
 * Timed follow-ups, written in the caller's transaction like outbox events: a deadline exists
 * exactly when the change that set it does. PostgreSQL is the source of truth; the worker's
 * scheduler gives each pending row a delayed BullMQ job, and the row is claimed when it fires, so
 * it fires once. Scheduling again for the same kind and subject replaces the earlier one.
 */
@Injectable()
export class DeadlinesService {
  /** Returns the deadline id. */
  async schedule(manager: EntityManager, deadline: ScheduleDeadline): Promise<string> {
    // A new id on replacement: the old row's delayed job then finds nothing to fire.
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO deadline (kind, case_id, referral_id, break_glass_id, task_id, organisation_ids, due_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (kind, subject) DO UPDATE
         SET id = gen_random_uuid(), case_id = EXCLUDED.case_id, organisation_ids = EXCLUDED.organisation_ids, due_at = EXCLUDED.due_at,
             created_at = now(), enqueued_at = NULL, fired_at = NULL, cancelled_at = NULL
       RETURNING id`,
      [
        deadline.kind,
        deadline.caseId,
        deadline.referralId ?? null,
        deadline.breakGlassId ?? null,
        deadline.taskId ?? null,
        deadline.organisationIds ?? [],
        deadline.dueAt,
      ],
    );
    return rows[0]!.id;
  }

  /** Cancels the pending deadlines of these kinds for the subject (task, else break-glass, else referral, else case). Returns how many. */
  async cancel(manager: EntityManager, deadline: CancelDeadline): Promise<number> {
    const subject = deadline.taskId ?? deadline.breakGlassId ?? deadline.referralId ?? deadline.caseId;
    if (!subject) throw new Error('cancel needs a caseId, referralId, breakGlassId or taskId');
    const kinds = typeof deadline.kind === 'string' ? [deadline.kind] : [...deadline.kind];
    const { count } = await modify(
      manager,
      `UPDATE deadline SET cancelled_at = now() WHERE kind = ANY($1::text[]) AND subject = $2 AND fired_at IS NULL AND cancelled_at IS NULL`,
      [kinds, subject],
    );
    return count;
  }

  /** A new pending referral: a reminder at half time and the expiry at respondBy. */
  async scheduleReferral(manager: EntityManager, referral: { caseId: string; referralId: string; createdAt: Date; respondBy: Date }): Promise<void> {
    const halfTime = new Date((referral.createdAt.getTime() + referral.respondBy.getTime()) / 2);
    await this.schedule(manager, { kind: DeadlineKind.ReferralReminder, caseId: referral.caseId, referralId: referral.referralId, dueAt: halfTime });
    await this.schedule(manager, { kind: DeadlineKind.ReferralExpiry, caseId: referral.caseId, referralId: referral.referralId, dueAt: referral.respondBy });
  }

  /** The referral was answered or withdrawn. */
  cancelReferral(manager: EntityManager, referralId: string): Promise<number> {
    return this.cancel(manager, { kind: REFERRAL_DEADLINES, referralId });
  }

  /**
   * Reminders 14 and 3 days before `endsAt` and one at `endsAt`, told to `organisationIds`
   * (by default the case's lead organisation). Reminders already in the past are skipped.
   */
  async scheduleReflectionPeriod(manager: EntityManager, period: { caseId: string; endsAt: Date; organisationIds?: string[]; now?: Date }): Promise<void> {
    await this.cancelReflectionPeriod(manager, period.caseId);
    const now = (period.now ?? new Date()).getTime();
    for (const [kind, before] of REFLECTION_REMINDER_OFFSETS_MS) {
      const dueAt = new Date(period.endsAt.getTime() - before);
      if (dueAt.getTime() > now) await this.schedule(manager, { kind, caseId: period.caseId, dueAt, organisationIds: period.organisationIds });
    }
    await this.schedule(manager, { kind: DeadlineKind.ReflectionEnd, caseId: period.caseId, dueAt: period.endsAt, organisationIds: period.organisationIds });
  }

  cancelReflectionPeriod(manager: EntityManager, caseId: string): Promise<number> {
    return this.cancel(manager, { kind: REFLECTION_DEADLINES, caseId });
  }

  /** Supervisors are reminded 24 h after the grant if nobody has reviewed it by then. */
  async scheduleBreakGlassReview(
    manager: EntityManager,
    grant: { caseId: string; breakGlassId: string; grantedAt: Date; organisationIds?: string[] },
  ): Promise<void> {
    await this.schedule(manager, {
      kind: DeadlineKind.BreakGlassReview,
      caseId: grant.caseId,
      breakGlassId: grant.breakGlassId,
      dueAt: new Date(grant.grantedAt.getTime() + BREAK_GLASS_REVIEW_AFTER_MS),
      organisationIds: grant.organisationIds,
    });
  }

  cancelBreakGlassReview(manager: EntityManager, breakGlassId: string): Promise<number> {
    return this.cancel(manager, { kind: DeadlineKind.BreakGlassReview, breakGlassId });
  }
}
