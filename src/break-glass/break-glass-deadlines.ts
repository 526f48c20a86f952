import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlineKind } from '../deadlines/deadline-kind';
import { type DeadlineKindHandler, type FiredDeadline, HandlesDeadlines } from '../deadlines/deadline-kind-handler';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { BreakGlassRepository } from './break-glass.repository';

/** 24 h after a break-glass: if nobody has reviewed it yet, the supervisors are reminded. */
@Injectable()
@HandlesDeadlines(DeadlineKind.BreakGlassReview)
export class BreakGlassDeadlines implements DeadlineKindHandler {
  constructor(
    private readonly grants: BreakGlassRepository,
    private readonly outbox: OutboxService,
  ) {}

  async fire(manager: EntityManager, deadline: FiredDeadline): Promise<void> {
    if (!deadline.breakGlassId || !(await this.grants.isUnreviewed(manager, deadline.breakGlassId))) return;
    await this.outbox.emit(manager, {
      type: DomainEventType.BreakGlassReviewDue,
      caseId: deadline.caseId,
      breakGlassId: deadline.breakGlassId,
      organisationIds: deadline.organisationIds,
    });
  }
}
