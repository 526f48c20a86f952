import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlineKind } from '../deadlines/deadline-kind';
import { type DeadlineKindHandler, type FiredDeadline, HandlesDeadlines } from '../deadlines/deadline-kind-handler';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';

const REFLECTION_EVENTS: Partial<Record<DeadlineKind, DomainEventType>> = {
  [DeadlineKind.ReflectionReminder14Days]: DomainEventType.ReflectionPeriodEnding,
  [DeadlineKind.ReflectionReminder3Days]: DomainEventType.ReflectionPeriodEnding,
  [DeadlineKind.ReflectionEnd]: DomainEventType.ReflectionPeriodEnded,
};

/** The reflection period's reminders (14 and 3 days before) and its end, told to the participants while the case is open. */
@Injectable()
@HandlesDeadlines(DeadlineKind.ReflectionReminder14Days, DeadlineKind.ReflectionReminder3Days, DeadlineKind.ReflectionEnd)
export class ReflectionDeadlines implements DeadlineKindHandler {
  constructor(private readonly outbox: OutboxService) {}

  async fire(manager: EntityManager, deadline: FiredDeadline): Promise<void> {
    const cases: Array<{ lead_organisation_id: string }> = await manager.query(`SELECT lead_organisation_id FROM "case" WHERE id = $1 AND status = 'open'`, [
      deadline.caseId,
    ]);
    if (!cases[0]) return;
    const organisationIds = deadline.organisationIds.length > 0 ? deadline.organisationIds : [cases[0].lead_organisation_id];
    await this.outbox.emit(manager, { type: REFLECTION_EVENTS[deadline.kind]!, caseId: deadline.caseId, organisationIds });
  }
}
