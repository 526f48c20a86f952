import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService } from '@nestjs/core';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelayedError } from 'bullmq';
import type { DataSource, EntityManager } from 'typeorm';
import { HandlesJob, type JobContext, type JobHandler } from '../queue/job-handler';
import { JobName, type JobPayloads } from '../queue/job-name';
import type { DeadlineKind } from './deadline-kind';
import { buildDeadlineRegistry, DEADLINE_KIND_HANDLER, type DeadlineKindHandler, type DiscoveredDeadlineHandler } from './deadline-kind-handler';
import { modify } from '../common/sql';

interface ClaimedDeadline {
  kind: DeadlineKind;
  case_id: string;
  referral_id: string | null;
  break_glass_id: string | null;
  task_id: string | null;
  organisation_ids: string[];
}

/**
 * Fires a deadline once: the claim (fired_at set only where still pending and due) and its
 * effects (the handler the owning feature registered for its kind) commit together, so a second job, a second worker or
 * a retry after a crash finds nothing left to claim. A job that comes early goes back to delayed.
 */
@Injectable()
@HandlesJob(JobName.FireDeadline)
export class DeadlineHandler implements JobHandler<JobName.FireDeadline>, OnModuleInit {
  private registry = new Map<DeadlineKind, DeadlineKindHandler>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly discovery: DiscoveryService,
  ) {}

  onModuleInit(): void {
    const found: DiscoveredDeadlineHandler[] = this.discovery.getProviders({ metadataKey: DEADLINE_KIND_HANDLER.KEY }).flatMap((wrapper) => {
      const kinds = this.discovery.getMetadataByDecorator(DEADLINE_KIND_HANDLER, wrapper);
      if (!kinds || !wrapper.instance) return [];
      return [{ kinds, handler: wrapper.instance as DeadlineKindHandler, className: wrapper.metatype?.name ?? String(wrapper.token) }];
    });
    this.registry = buildDeadlineRegistry(found);
  }

  async handle({ deadlineId }: JobPayloads[JobName.FireDeadline], { job, token }: JobContext): Promise<void> {
    const earlyByMs = await this.dataSource.transaction(async (manager) => {
      const claimed = await modify<ClaimedDeadline>(
        manager,
        `UPDATE deadline SET fired_at = now()
          WHERE id = $1 AND fired_at IS NULL AND cancelled_at IS NULL AND due_at <= now()
          RETURNING kind, case_id, referral_id, break_glass_id, task_id, organisation_ids`,
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
    const handler = this.registry.get(deadline.kind);
    if (!handler) throw new Error(`no handler for deadline kind "${deadline.kind}"`);
    await handler.fire(manager, {
      kind: deadline.kind,
      caseId: deadline.case_id,
      referralId: deadline.referral_id,
      breakGlassId: deadline.break_glass_id,
      taskId: deadline.task_id,
      organisationIds: deadline.organisation_ids,
    });
  }
}
