import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { AccessService } from '../access/access.service';
import { CaseAction } from '../access/case-ability.factory';
import { SqlParams } from '../common/sql';
import type { Principal, RequestMeta } from '../access/principal';
import { OPERATIONAL_ROLE } from '../access/role';
import { UserCaseVisibility } from '../access/user-case-visibility';
import { AuditAction } from '../audit/audit-action';
import { AuditService } from '../audit/audit.service';
import { CASE_NOT_FOUND, CaseCommand } from '../cases/case-command';
import { CasesService } from '../cases/cases.service';
import { Sealer } from '../common/crypto';
import { keyset, type Page, toPage } from '../common/pagination';
import { Problem } from '../common/problem';
import { DeadlineKind } from '../deadlines/deadline-kind';
import { DeadlinesService } from '../deadlines/deadlines.service';
import type { CaseTasksQuery, CreateTaskDto, MyTasksQuery, TaskDto, TaskStatus, TaskUserDto } from './dto/task.dto';
import { TaskRepository, type TaskRow } from './task.repository';

/** Binds a task title's ciphertext to its task. */
export function taskTitleAssociatedData(taskId: string): string {
  return `task:${taskId}:title`;
}

const TASK_NOT_FOUND = (): Problem => Problem.notFound('Task not found');

/**
 * Tasks an organisation sets on a case for one of its own caseworkers, with a due reminder (a
 * durable `task.due` deadline, cancelled when the task is done). Tasks are internal to the
 * organisation: other participants neither see nor change them.
 */
@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly command: CaseCommand,
    private readonly cases: CasesService,
    private readonly access: AccessService,
    private readonly visibility: UserCaseVisibility,
    private readonly audit: AuditService,
    private readonly deadlines: DeadlinesService,
    private readonly tasks: TaskRepository,
    private readonly sealer: Sealer,
  ) {}

  create(principal: Principal, caseId: string, dto: CreateTaskDto, meta: RequestMeta): Promise<TaskDto> {
    return this.command.run({
      principal,
      caseId,
      meta,
      action: AuditAction.TaskCreate,
      authorize: this.command.requireAction(CaseAction.ManageTasks),
      basis: this.command.readable,
      work: async ({ manager }) => {
        const assignees: Array<{ organisation_id: string; role: string; active: boolean }> = await manager.query(
          `SELECT organisation_id, role, active FROM "user" WHERE id = $1`,
          [dto.assigneeId],
        );
        const assignee = assignees[0];
        const mayWork =
          assignee !== undefined &&
          assignee.active &&
          assignee.organisation_id === principal.organisationId &&
          assignee.role === OPERATIONAL_ROLE[principal.organisationType] &&
          (await this.visibility.visibleTo([dto.assigneeId], caseId)).has(dto.assigneeId);
        if (!mayWork) {
          return Problem.unprocessable('assignee-without-access', 'The assignee must be an active caseworker of your organisation who may see this case');
        }
        const id = randomUUID();
        const sealed = this.sealer.seal(Buffer.from(dto.title, 'utf8'), taskTitleAssociatedData(id));
        const row = await this.tasks.insert(manager, {
          id,
          caseId,
          organisationId: principal.organisationId,
          assigneeId: dto.assigneeId,
          createdBy: principal.userId,
          keyId: sealed.keyId,
          titleCiphertext: sealed.ciphertext,
          dueAt: dto.dueAt,
        });
        await this.deadlines.schedule(manager, {
          kind: DeadlineKind.TaskDue,
          caseId,
          taskId: id,
          dueAt: row.due_at,
          organisationIds: [principal.organisationId],
        });
        return { result: this.toDto(row) };
      },
    });
  }

  /** Open or done; only the organisation that set the task changes it, while the case is open. */
  async setStatus(principal: Principal, taskId: string, status: TaskStatus, meta: RequestMeta): Promise<TaskDto> {
    const found = await this.tasks.find(this.dataSource.manager, taskId);
    if (!found || found.organisation_id !== principal.organisationId) {
      await this.command.deny(principal, found?.case_id ?? null, meta, { action: AuditAction.TaskUpdate });
      throw TASK_NOT_FOUND();
    }
    return this.command.run({
      principal,
      caseId: found.case_id,
      meta,
      action: AuditAction.TaskUpdate,
      authorize: this.command.requireAction(CaseAction.ManageTasks),
      basis: this.command.readable,
      work: async ({ manager }) => {
        const task = (await this.tasks.find(manager, taskId, { lock: true }))!;
        if (task.status !== status) {
          await this.tasks.setStatus(manager, taskId, status, principal.userId);
          if (status === 'done') await this.deadlines.cancel(manager, { kind: DeadlineKind.TaskDue, taskId });
          else
            await this.deadlines.schedule(manager, {
              kind: DeadlineKind.TaskDue,
              caseId: task.case_id,
              taskId,
              dueAt: task.due_at,
              organisationIds: [task.organisation_id],
            });
        }
        return { result: this.toDto((await this.tasks.find(manager, taskId))!) };
      },
    });
  }

  listForCase(principal: Principal, caseId: string, query: CaseTasksQuery, meta: RequestMeta): Promise<Page<TaskDto>> {
    return this.cases.readCase(
      {
        principal,
        caseId,
        meta,
        action: AuditAction.TaskList,
        authorize: (ability, loaded) => {
          if (!this.access.isVisible(ability, loaded)) return CASE_NOT_FOUND();
          return this.access.can(ability, CaseAction.ReadTasks, loaded) ? undefined : Problem.forbidden('Tasks are kept by the participating organisations');
        },
        basis: null,
      },
      async ({ manager }) => {
        const { limit, after } = keyset(query, ['time', 'id']);
        const rows = await this.tasks.forCase(manager, caseId, principal.organisationId, {
          status: query.status,
          after: after ? { dueAt: after[0], id: after[1] } : undefined,
          limit: limit + 1,
        });
        return this.page(rows, limit);
      },
    );
  }

  /** The colleagues a task on this case may be given to: active caseworkers of the caller's organisation who may see it. */
  assignees(principal: Principal, caseId: string, meta: RequestMeta): Promise<TaskUserDto[]> {
    return this.cases.readCase(
      {
        principal,
        caseId,
        meta,
        action: AuditAction.TaskAssigneeList,
        authorize: (ability, loaded) => {
          if (!this.access.isVisible(ability, loaded)) return CASE_NOT_FOUND();
          return this.access.can(ability, CaseAction.ManageTasks, loaded) ? undefined : Problem.forbidden('Tasks are kept by the participating organisations');
        },
        basis: null,
      },
      async ({ manager }) => {
        const colleagues: Array<{ id: string; name: string }> = await manager.query(
          `SELECT id, name FROM "user" WHERE organisation_id = $1 AND role = $2 AND active ORDER BY name, id`,
          [principal.organisationId, OPERATIONAL_ROLE[principal.organisationType]],
        );
        const allowed = await this.visibility.visibleTo(
          colleagues.map((user) => user.id),
          caseId,
        );
        return colleagues.filter((user) => allowed.has(user.id));
      },
    );
  }

  /** GET /api/tasks?assignee=me: the caller's tasks on the cases the caller may still work on, soonest due first. */
  async listMine(principal: Principal, query: MyTasksQuery, meta: RequestMeta): Promise<Page<TaskDto>> {
    const { limit, after } = keyset(query, ['time', 'id']);
    const params = new SqlParams();
    // The same rules as a single case, compiled to SQL: a task on a case the caller lost access to is not listed.
    const predicate = this.access.predicate(this.access.abilityFor(principal), CaseAction.ReadTasks, 'c', params);
    const rows = await this.tasks.forAssignee(this.dataSource.manager, principal.userId, predicate, params, {
      status: query.status,
      after: after ? { dueAt: after[0], id: after[1] } : undefined,
      limit: limit + 1,
    });
    await this.audit.recordNow({ action: AuditAction.MyTaskList, outcome: 'allowed', actor: principal, meta });
    return this.page(rows, limit);
  }

  private page(rows: TaskRow[], limit: number): Page<TaskDto> {
    return toPage(
      rows,
      limit,
      (row) => this.toDto(row),
      (row) => [row.due_key, row.id],
    );
  }

  private toDto(row: TaskRow): TaskDto {
    return {
      id: row.id,
      caseId: row.case_id,
      caseReference: row.case_reference,
      organisationId: row.organisation_id,
      title: this.sealer.open({ keyId: row.key_id, ciphertext: row.title_ciphertext }, taskTitleAssociatedData(row.id)).toString('utf8'),
      assignee: { id: row.assignee_id, name: row.assignee_name },
      createdBy: { id: row.created_by, name: row.creator_name },
      dueAt: row.due_at.toISOString(),
      status: row.status,
      doneAt: row.done_at?.toISOString() ?? null,
      createdAt: row.created_at.toISOString(),
    };
  }
}
