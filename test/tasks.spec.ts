import { randomBytes } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import type { TestApp } from './support/app';
import { createCase, userId } from './support/factories';
import { NotificationsStack, waitFor } from './notifications.support';

interface Task {
  id: string;
  caseId: string;
  caseReference: string;
  title: string;
  assignee: { id: string; name: string };
  dueAt: string;
  status: 'open' | 'done';
  doneAt: string | null;
}

describe('tasks', () => {
  let stack: NotificationsStack;
  let t: TestApp;
  let worker: INestApplicationContext;
  let officer: string;
  let officer2: string;
  let officer2Id: string;
  beforeAll(async () => {
    stack = await NotificationsStack.create('tasks');
    t = await stack.startApi();
    worker = await stack.startWorker();
    [officer, officer2] = await Promise.all([t.login('officer@be-police.test'), t.login('officer2@be-police.test')]);
    officer2Id = await userId(t.dataSource, 'officer2@be-police.test');
  });
  afterAll(async () => {
    await t.close();
    await stack.stopWorker(worker);
    await stack.close();
  });

  const inSeconds = (seconds: number) => new Date(Date.now() + seconds * 1000).toISOString();
  const notified = (caseId: string) =>
    t.dataSource
      .query(`SELECT u.email FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.case_id = $1 AND n.type = 'task.due' ORDER BY u.email`, [caseId])
      .then((rows: Array<{ email: string }>) => rows.map((row) => row.email));

  it('reminds only the assignee when the task falls due, and lists it under “my tasks” until done', async () => {
    const created = await createCase(t, officer);
    const title = `Call the victim back ${randomBytes(4).toString('hex')}`;
    const task = await t.post<Task>(`/api/cases/${created.id}/tasks`, { title, assigneeId: officer2Id, dueAt: inSeconds(1) }, officer);
    expect(task.status).toBe(201);
    expect(task.body).toMatchObject({ caseId: created.id, caseReference: created.reference, title, status: 'open', assignee: { id: officer2Id } });
    const stored: Array<{ dump: string }> = await t.dataSource.query(`SELECT row_to_json(t)::text AS dump FROM case_task t WHERE id = $1`, [task.body.id]);
    expect(stored[0]!.dump).not.toContain(title.split(' ').pop());

    const mine = await t.get<{ items: Task[] }>('/api/tasks?assignee=me&status=open', officer2);
    expect(mine.body.items.map((item) => item.id)).toContain(task.body.id);
    expect((await t.get<{ items: Task[] }>('/api/tasks?assignee=me', officer)).body.items.map((item) => item.id)).not.toContain(task.body.id);

    await waitFor('the task.due notification', async () => (await notified(created.id)).length > 0);
    expect(await notified(created.id)).toEqual(['officer2@be-police.test']);
    const titles: Array<{ title: string }> = await t.dataSource.query(`SELECT title FROM notification WHERE case_id = $1 AND type = 'task.due'`, [created.id]);
    expect(titles[0]!.title).not.toContain(title);

    const done = await t.patch<Task>(`/api/tasks/${task.body.id}`, { status: 'done' }, officer2);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ status: 'done', doneAt: expect.any(String) });
    expect((await t.get<{ items: Task[] }>('/api/tasks?assignee=me&status=open', officer2)).body.items.map((item) => item.id)).not.toContain(task.body.id);
    expect((await t.get<{ items: Task[] }>(`/api/cases/${created.id}/tasks?status=done`, officer)).body.items.map((item) => item.id)).toEqual([task.body.id]);
  });

  it('cancels the reminder of a task done before it is due', async () => {
    const created = await createCase(t, officer);
    const task = await t.post<Task>(
      `/api/cases/${created.id}/tasks`,
      { title: 'Book an interpreter', assigneeId: officer2Id, dueAt: inSeconds(3600) },
      officer,
    );
    expect((await t.patch(`/api/tasks/${task.body.id}`, { status: 'done' }, officer)).status).toBe(200);
    const deadlines: Array<{ cancelled: boolean }> = await t.dataSource.query(`SELECT cancelled_at IS NOT NULL AS cancelled FROM deadline WHERE task_id = $1`, [
      task.body.id,
    ]);
    expect(deadlines).toEqual([{ cancelled: true }]);
    expect((await t.patch(`/api/tasks/${task.body.id}`, { status: 'open' }, officer)).status).toBe(200);
    const again: Array<{ pending: boolean }> = await t.dataSource.query(
      `SELECT cancelled_at IS NULL AND fired_at IS NULL AS pending FROM deadline WHERE task_id = $1`,
      [task.body.id],
    );
    expect(again).toEqual([{ pending: true }]);
  });

  it('refuses assignees outside the caller’s organisation or without case work (422), outsiders (404) and a closed case (409)', async () => {
    const created = await createCase(t, officer);
    const post = (assignee: string, token = officer) =>
      t.post(`/api/cases/${created.id}/tasks`, { title: 'x', assigneeId: assignee, dueAt: inSeconds(3600) }, token);
    expect((await post(await userId(t.dataSource, 'inspector@be-labour.test'))).status).toBe(422);
    expect((await post(await userId(t.dataSource, 'supervisor@be-police.test'))).status).toBe(422);
    expect((await post('00000000-0000-4000-8000-000000000000')).status).toBe(422);
    const inspector = await t.login('inspector@be-labour.test');
    expect((await post(officer2Id, inspector)).status).toBe(404);
    expect((await t.get(`/api/cases/${created.id}/tasks`, inspector)).status).toBe(404);

    const task = await t.post<Task>(`/api/cases/${created.id}/tasks`, { title: 'x', assigneeId: officer2Id, dueAt: inSeconds(3600) }, officer);
    expect((await t.patch(`/api/tasks/${task.body.id}`, { status: 'done' }, inspector)).status).toBe(404);
    expect((await t.patch(`/api/tasks/${task.body.id}`, { status: 'finished' }, officer)).status).toBe(400);
    expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'other' }, officer)).status).toBe(200);
    expect((await post(officer2Id)).status).toBe(409);
    expect((await t.patch(`/api/tasks/${task.body.id}`, { status: 'done' }, officer)).status).toBe(409);
    expect((await t.get(`/api/tasks/${task.body.id}`, officer)).status).toBe(404);
  });

  it('lists only your own tasks, and validates the query (400)', async () => {
    expect((await t.get('/api/tasks', officer)).status).toBe(400);
    expect((await t.get(`/api/tasks?assignee=${officer2Id}`, officer)).status).toBe(400);
    expect((await t.get('/api/tasks?assignee=me&status=later', officer)).status).toBe(400);
    expect((await t.get('/api/tasks?assignee=me&cursor=bm9wZQ', officer)).status).toBe(400);
    const response = await t.get('/api/tasks?assignee=me', officer);
    const events: Array<{ action: string; outcome: string }> = await t.dataSource.query(`SELECT action, outcome FROM audit_event WHERE request_id = $1`, [
      response.headers['x-request-id'],
    ]);
    expect(events).toEqual([{ action: 'task.list', outcome: 'allowed' }]);
  });

  it('names who a task may be given to: the organisation’s caseworkers who see the case (outsiders 404, others 403), audited', async () => {
    const created = await createCase(t, officer);
    const assignees = await t.get<Array<{ id: string; name: string }>>(`/api/cases/${created.id}/assignees`, officer);
    expect(assignees.status).toBe(200);
    const ids = assignees.body.map((user) => user.id);
    expect(ids).toContain(officer2Id);
    expect(ids).toContain(await userId(t.dataSource, 'officer@be-police.test'));
    expect(ids).not.toContain(await userId(t.dataSource, 'supervisor@be-police.test'));
    const events: Array<{ action: string; outcome: string }> = await t.dataSource.query(`SELECT action, outcome FROM audit_event WHERE request_id = $1`, [
      assignees.headers['x-request-id'],
    ]);
    expect(events).toEqual([{ action: 'case.task.assignees', outcome: 'allowed' }]);
    expect((await t.get(`/api/cases/${created.id}/assignees`, await t.login('inspector@be-labour.test'))).status).toBe(404);
    const glass = await t.post(
      `/api/cases/${created.id}/break-glass`,
      { justification: 'Victim at the border post, identity needed now' },
      await t.login('inspector@be-labour.test'),
    );
    expect(glass.status).toBe(201);
    expect((await t.get(`/api/cases/${created.id}/assignees`, await t.login('inspector@be-labour.test'))).status).toBe(403);
  });
});
