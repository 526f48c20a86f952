import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { TaskStatus } from './dto/task.dto';

export interface TaskRow {
  id: string;
  case_id: string;
  case_reference: string;
  organisation_id: string;
  assignee_id: string;
  assignee_name: string;
  created_by: string;
  creator_name: string;
  key_id: string;
  title_ciphertext: Buffer;
  due_at: Date;
  due_key: string;
  status: TaskStatus;
  done_at: Date | null;
  created_at: Date;
}

const SELECT_TASK = `
  SELECT t.id, t.case_id, c.reference AS case_reference, t.organisation_id, t.assignee_id, a.name AS assignee_name, t.created_by, b.name AS creator_name,
         t.key_id, t.title_ciphertext, t.due_at, t.due_at::text AS due_key, t.status, t.done_at, t.created_at
    FROM case_task t JOIN "case" c ON c.id = t.case_id JOIN "user" a ON a.id = t.assignee_id JOIN "user" b ON b.id = t.created_by`;

export interface TaskPage {
  status?: TaskStatus;
  /** Keyset: tasks due after this (due time, id). */
  after?: { dueAt: string; id: string };
  limit: number;
}

/** The only writer of case_task. Pages go by due time, soonest first. */
@Injectable()
export class TaskRepository {
  async insert(
    manager: EntityManager,
    task: { id: string; caseId: string; organisationId: string; assigneeId: string; createdBy: string; keyId: string; titleCiphertext: Buffer; dueAt: string },
  ): Promise<TaskRow> {
    await manager.query(
      `INSERT INTO case_task (id, case_id, organisation_id, assignee_id, created_by, key_id, title_ciphertext, due_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [task.id, task.caseId, task.organisationId, task.assigneeId, task.createdBy, task.keyId, task.titleCiphertext, task.dueAt],
    );
    return (await this.find(manager, task.id))!;
  }

  async find(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<TaskRow | undefined> {
    const rows: TaskRow[] = await manager.query(`${SELECT_TASK} WHERE t.id = $1 ${options.lock ? 'FOR UPDATE OF t' : ''}`, [id]);
    return rows[0];
  }

  async setStatus(manager: EntityManager, id: string, status: TaskStatus, userId: string): Promise<void> {
    await manager.query(
      `UPDATE case_task SET status = $2, done_at = CASE WHEN $2 = 'done' THEN now() END, done_by = CASE WHEN $2 = 'done' THEN $3::uuid END, updated_at = now() WHERE id = $1`,
      [id, status, userId],
    );
  }

  /** The organisation's tasks on one case. */
  forCase(manager: EntityManager, caseId: string, organisationId: string, page: TaskPage): Promise<TaskRow[]> {
    return this.page(manager, [`t.case_id = $1`, `t.organisation_id = $2`], [caseId, organisationId], page);
  }

  /** A user's tasks on the cases `caseFilter` (a predicate over `"case" c`) allows. */
  forAssignee(manager: EntityManager, assigneeId: string, caseFilter: { sql: string; values: unknown[] }, page: TaskPage): Promise<TaskRow[]> {
    return this.page(manager, [caseFilter.sql, `t.assignee_id = $${caseFilter.values.length + 1}`], [...caseFilter.values, assigneeId], page);
  }

  private page(manager: EntityManager, where: string[], values: unknown[], page: TaskPage): Promise<TaskRow[]> {
    const params = [...values];
    const conditions = [...where];
    if (page.status) {
      params.push(page.status);
      conditions.push(`t.status = $${params.length}`);
    }
    if (page.after) {
      params.push(page.after.dueAt, page.after.id);
      conditions.push(`(t.due_at, t.id) > ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(page.limit);
    return manager.query(`${SELECT_TASK} WHERE ${conditions.join(' AND ')} ORDER BY t.due_at, t.id LIMIT $${params.length}`, params);
  }
}
