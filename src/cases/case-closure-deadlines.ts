import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlineKind } from '../deadlines/deadline-kind';
import { type DeadlineKindHandler, type FiredDeadline, HandlesDeadlines } from '../deadlines/deadline-kind-handler';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';
import { CaseClosureRepository } from './case-closure.repository';

/** A closing still waits for the prosecution when its deadline comes: the prosecution is reminded. */
@Injectable()
@HandlesDeadlines(DeadlineKind.ClosureApproval)
export class CaseClosureDeadlines implements DeadlineKindHandler {
  constructor(
    private readonly closures: CaseClosureRepository,
    private readonly outbox: OutboxService,
  ) {}

  async fire(manager: EntityManager, deadline: FiredDeadline): Promise<void> {
    if (!(await this.closures.pending(manager, deadline.caseId))) return;
    await this.outbox.emit(manager, { type: DomainEventType.CaseClosureReminder, caseId: deadline.caseId, organisationIds: deadline.organisationIds });
  }
}
