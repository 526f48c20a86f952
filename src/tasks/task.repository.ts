import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { SqlParams } from '../common/sql';
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
    const params = new SqlParams();
    return this.page(manager, [`t.case_id = ${params.add(caseId)}`, `t.organisation_id = ${params.add(organisationId)}`], params, page);
  }

  /** A user's tasks on the cases `casePredicate` (a predicate over `"case" c`, its values in `params`) allows. */
  forAssignee(manager: EntityManager, assigneeId: string, casePredicate: string, params: SqlParams, page: TaskPage): Promise<TaskRow[]> {
    return this.page(manager, [casePredicate, `t.assignee_id = ${params.add(assigneeId)}`], params, page);
  }

  private page(manager: EntityManager, where: string[], params: SqlParams, page: TaskPage): Promise<TaskRow[]> {
    const conditions = [...where];
    if (page.status) conditions.push(`t.status = ${params.add(page.status)}`);
    if (page.after) conditions.push(`(t.due_at, t.id) > (${params.add(page.after.dueAt)}::timestamptz, ${params.add(page.after.id)}::uuid)`);
    return manager.query(`${SELECT_TASK} WHERE ${conditions.join(' AND ')} ORDER BY t.due_at, t.id LIMIT ${params.add(page.limit)}`, params.values);
  }
}
