import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { DeadlineKind } from '../deadlines/deadline-kind';
import { type DeadlineKindHandler, type FiredDeadline, HandlesDeadlines } from '../deadlines/deadline-kind-handler';
import { DomainEventType } from '../outbox/domain-event';
import { OutboxService } from '../outbox/outbox.service';

/** A task falls due: its assignee is told (task.due), if the task is still open on an open case. */
@Injectable()
@HandlesDeadlines(DeadlineKind.TaskDue)
export class TaskDeadlines implements DeadlineKindHandler {
  constructor(private readonly outbox: OutboxService) {}

  async fire(manager: EntityManager, deadline: FiredDeadline): Promise<void> {
    const tasks: Array<{ assignee_id: string; organisation_id: string }> = await manager.query(
      `SELECT t.assignee_id, t.organisation_id FROM case_task t JOIN "case" c ON c.id = t.case_id WHERE t.id = $1 AND t.status = 'open' AND c.status = 'open'`,
      [deadline.taskId],
    );
    const task = tasks[0];
    if (!task) return;
    await this.outbox.emit(manager, {
      type: DomainEventType.TaskDue,
      caseId: deadline.caseId,
      organisationIds: [task.organisation_id],
      userIds: [task.assignee_id],
    });
  }
}
