import { randomBytes } from 'node:crypto';
import { CaseClosureDeadlines } from '../src/cases/case-closure-deadlines';
import { DeadlineKind } from '../src/deadlines/deadline-kind';
import { TestApp, type TestResponse } from './support/app';
import { addParticipation, createCase, organisationId } from './support/factories';
import { expectProblem } from './support/problem';

type Closure = { status: string; reason: string; rejectionReason: string | null; decidedAt: string | null };
type CaseBody = { status: string; closure?: Closure; reopening?: { reason: string; organisationId: string }; permissions: { actions: string[] } };

/** Closing with the prosecution's approval, and reopening (API.md, Case work; issue 15). */
describe('closing a case the prosecution takes part in, and reopening it', () => {
  let t: TestApp;
  let officer: string;
  let prosecutor: string;
  let caseworker: string;
  let inspector: string;
  let org: Record<'police' | 'prosecution' | 'shelter', string>;
  beforeAll(async () => {
    t = await TestApp.start();
    [officer, prosecutor, caseworker, inspector] = await Promise.all([
      t.login('officer@be-police.test'),
      t.login('prosecutor@be-prosecution.test'),
      t.login('caseworker@be-shelter-antwerp.test'),
      t.login('inspector@be-labour.test'),
    ]);
    org = {
      police: await organisationId(t.dataSource, 'be-police'),
      prosecution: await organisationId(t.dataSource, 'be-prosecution'),
      shelter: await organisationId(t.dataSource, 'be-shelter-antwerp'),
    };
  });
  afterAll(() => t.close());

  async function prosecutedCase(): Promise<string> {
    const created = await createCase(t, officer);
    await addParticipation(t.dataSource, created.id, 'be-shelter-antwerp', 'shelter', { legalBasis: 'consent' });
    await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');
    return created.id;
  }

  async function auditOf(response: TestResponse): Promise<Array<{ action: string; outcome: string }>> {
    return t.dataSource.query(`SELECT action, outcome FROM audit_event WHERE request_id = $1 ORDER BY seq`, [response.headers['x-request-id']]);
  }

  async function eventsOf(caseId: string): Promise<Array<{ type: string; organisation_ids: string[] }>> {
    return t.dataSource.query(`SELECT type, organisation_ids FROM outbox_event WHERE case_id = $1 ORDER BY created_at, id`, [caseId]);
  }

  async function closureDeadline(caseId: string): Promise<Array<{ pending: boolean; organisation_ids: string[] }>> {
    return t.dataSource.query(`SELECT fired_at IS NULL AND cancelled_at IS NULL AS pending, organisation_ids FROM deadline WHERE kind = $1 AND case_id = $2`, [
      DeadlineKind.ClosureApproval,
      caseId,
    ]);
  }

  it('closes at once (200, case.close) when no prosecution takes part', async () => {
    const created = await createCase(t, officer);
    const closed = await t.post<{ status: string }>(`/api/cases/${created.id}/close`, { reason: 'lost_contact' }, officer);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect(await auditOf(closed)).toEqual([{ action: 'case.close', outcome: 'allowed' }]);
    expect((await t.get<CaseBody>(`/api/cases/${created.id}`, officer)).body.closure).toBeUndefined();
    // Nobody else takes part, so there is nobody to tell: no event that would notify no one.
    expect(await eventsOf(created.id)).toEqual([]);
  });

  it('asks the prosecution (202 closing), keeps the case open, tells the prosecution and sets a reminder', async () => {
    const caseId = await prosecutedCase();
    const asked = await t.post<{ status: string; closeReason: string }>(`/api/cases/${caseId}/close`, { reason: 'returned_home' }, officer);
    expect(asked.status).toBe(202);
    expect(asked.body).toMatchObject({ id: caseId, status: 'closing', closeReason: 'returned_home', requestedAt: expect.any(String) });
    expect(await auditOf(asked)).toEqual([{ action: 'case.close_requested', outcome: 'allowed' }]);

    const read = await t.get<CaseBody>(`/api/cases/${caseId}`, officer);
    expect(read.body.status).toBe('open');
    expect(read.body.closure).toMatchObject({ status: 'pending', reason: 'returned_home', decidedAt: null, rejectionReason: null });
    expect((await t.get<CaseBody>(`/api/cases/${caseId}`, prosecutor)).body.permissions.actions).toContain('decideClosure');
    // The list says so too, for this case only.
    const reference = (await t.get<{ reference: string }>(`/api/cases/${caseId}`, officer)).body.reference;
    const listed = await t.get<{ items: Array<{ id: string; status: string; closing: boolean }> }>(`/api/cases?reference=${reference}`, officer);
    expect(listed.body.items).toEqual([expect.objectContaining({ id: caseId, status: 'open', closing: true })]);
    const others = await t.get<{ items: Array<{ id: string; closing: boolean }> }>('/api/cases?limit=100', officer);
    expect(others.body.items.filter((item) => item.closing).map((item) => item.id)).toContain(caseId);
    expect(others.body.items.every((item) => typeof item.closing === 'boolean')).toBe(true);
    expect(await eventsOf(caseId)).toEqual([{ type: 'case.closure_requested', organisation_ids: [org.prosecution] }]);
    expect(await closureDeadline(caseId)).toEqual([{ pending: true, organisation_ids: [org.prosecution] }]);

    // Asking twice is a conflict; the case still takes notes while it waits.
    expectProblem(await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer), 409);
    expect((await t.post(`/api/cases/${caseId}/notes`, { body: 'waiting', visibility: 'participants', kind: 'note' }, caseworker)).status).toBe(201);
  });

  it('lets only the participating prosecution decide: lead and shelter 403, outsiders 404, all audited as denied', async () => {
    const caseId = await prosecutedCase();
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer)).status).toBe(202);
    const byLead = await t.post(`/api/cases/${caseId}/close/approve`, {}, officer);
    expectProblem(byLead, 403);
    expect(await auditOf(byLead)).toEqual([{ action: 'case.close_approved', outcome: 'denied' }]);
    expectProblem(await t.post(`/api/cases/${caseId}/close/reject`, { reason: 'no' }, caseworker), 403);
    const outsider = await t.post(`/api/cases/${caseId}/close/approve`, {}, inspector);
    expectProblem(outsider, 404);
    expect(await auditOf(outsider)).toEqual([{ action: 'case.close_approved', outcome: 'denied' }]);
    expectProblem(await t.post(`/api/cases/${caseId}/close/approve`, {}, await t.login('supervisor@be-police.test')), 404);
    // Nor may anyone but the lead ask for the closing.
    expectProblem(await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, prosecutor), 403);
    expect((await t.get<CaseBody>(`/api/cases/${caseId}`, officer)).body.closure?.status).toBe('pending');
  });

  it('rejection keeps the case open with the reason, sealed, shown to the lead; the lead is told', async () => {
    const caseId = await prosecutedCase();
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'not_a_victim' }, officer)).status).toBe(202);
    const reason = `Trial set for March ${randomBytes(4).toString('hex')}`;
    expectProblem(await t.post(`/api/cases/${caseId}/close/reject`, { reason: '' }, prosecutor), 400);
    expectProblem(await t.post(`/api/cases/${caseId}/close/reject`, {}, prosecutor), 400);
    const rejected = await t.post<Closure>(`/api/cases/${caseId}/close/reject`, { reason }, prosecutor);
    expect(rejected.status).toBe(200);
    expect(rejected.body).toMatchObject({ status: 'rejected', reason: 'not_a_victim', rejectionReason: reason, decidedAt: expect.any(String) });
    expect(await auditOf(rejected)).toEqual([{ action: 'case.close_rejected', outcome: 'allowed' }]);

    const byLead = await t.get<CaseBody>(`/api/cases/${caseId}`, officer);
    expect(byLead.body.status).toBe('open');
    expect(byLead.body.closure).toMatchObject({ status: 'rejected', rejectionReason: reason });
    expect((await eventsOf(caseId)).at(-1)).toEqual({ type: 'case.closure_rejected', organisation_ids: [org.police] });
    expect(await closureDeadline(caseId)).toEqual([{ pending: false, organisation_ids: [org.prosecution] }]);

    // The reason is neither in the audit trail nor readable in the database.
    const dump: Array<{ text: string }> = await t.dataSource.query(
      `SELECT (SELECT string_agg(row_to_json(c)::text, '') FROM case_closure c WHERE case_id = $1) || (SELECT string_agg(row_to_json(a)::text, '') FROM audit_event a WHERE case_id = $1) AS text`,
      [caseId],
    );
    expect(dump[0]!.text).not.toContain(reason);

    // Nothing is pending any more; the lead may ask again.
    expect(expectProblem(await t.post(`/api/cases/${caseId}/close/approve`, {}, prosecutor), 409).type).toMatch(/no-closure-pending/);
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer)).status).toBe(202);
    expect((await t.get<CaseBody>(`/api/cases/${caseId}`, officer)).body.closure).toMatchObject({ status: 'pending', rejectionReason: null });
  });

  it('approval closes the case: the lead told of the approval and the others of the closing', async () => {
    const caseId = await prosecutedCase();
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'permit_granted' }, officer)).status).toBe(202);
    const approved = await t.post<{ status: string; closeReason: string }>(`/api/cases/${caseId}/close/approve`, {}, prosecutor);
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ status: 'closed', closeReason: 'permit_granted', closedAt: expect.any(String) });
    expect(await auditOf(approved)).toEqual([{ action: 'case.close_approved', outcome: 'allowed' }]);
    const read = await t.get<CaseBody>(`/api/cases/${caseId}`, officer);
    expect(read.body.status).toBe('closed');
    expect(read.body.closure).toMatchObject({ status: 'approved', rejectionReason: null });
    expect((await eventsOf(caseId)).slice(-2)).toEqual([
      { type: 'case.closure_approved', organisation_ids: [org.police] },
      { type: 'case.closed', organisation_ids: [org.shelter] },
    ]);
    expect(await closureDeadline(caseId)).toEqual([{ pending: false, organisation_ids: [org.prosecution] }]);
    // A closed case has nothing left to decide, nor to close.
    expect(expectProblem(await t.post(`/api/cases/${caseId}/close/approve`, {}, prosecutor), 409).type).toMatch(/case-closed/);
    expectProblem(await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer), 409);
  });

  it('reopening: the lead only (prosecution 403, outsiders 404), a closed case only (409), with a reason; participants are told', async () => {
    const caseId = await prosecutedCase();
    expect(expectProblem(await t.post(`/api/cases/${caseId}/reopen`, { reason: 'New statement' }, officer), 409).type).toMatch(/case-open/);
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'lost_contact' }, officer)).status).toBe(202);
    expect((await t.post(`/api/cases/${caseId}/close/approve`, {}, prosecutor)).status).toBe(200);

    expectProblem(await t.post(`/api/cases/${caseId}/reopen`, { reason: 'New statement' }, prosecutor), 403);
    expectProblem(await t.post(`/api/cases/${caseId}/reopen`, { reason: 'New statement' }, inspector), 404);
    expectProblem(await t.post(`/api/cases/${caseId}/reopen`, { reason: '' }, officer), 400);
    expect((await t.get<CaseBody>(`/api/cases/${caseId}`, officer)).body.permissions.actions).toContain('reopen');

    const reason = `Victim found again ${randomBytes(4).toString('hex')}`;
    const reopened = await t.post<{ status: string; reopening: { reason: string } }>(`/api/cases/${caseId}/reopen`, { reason }, officer);
    expect(reopened.status).toBe(200);
    expect(reopened.body).toMatchObject({ id: caseId, status: 'open', reopening: { reason, organisationId: org.police } });
    expect(await auditOf(reopened)).toEqual([{ action: 'case.reopen', outcome: 'allowed' }]);
    const read = await t.get<CaseBody>(`/api/cases/${caseId}`, prosecutor);
    expect(read.body.status).toBe('open');
    expect(read.body.reopening?.reason).toBe(reason);
    const [row]: Array<{ closed_at: Date | null; close_reason: string | null }> = await t.dataSource.query(
      `SELECT closed_at, close_reason FROM "case" WHERE id = $1`,
      [caseId],
    );
    expect(row).toEqual({ closed_at: null, close_reason: null });
    const [last] = (await eventsOf(caseId)).slice(-1);
    expect(last!.type).toBe('case.reopened');
    expect([...last!.organisation_ids].sort()).toEqual([org.prosecution, org.shelter].sort());
    const stored: Array<{ text: string }> = await t.dataSource.query(`SELECT row_to_json(r)::text AS text FROM case_reopening r WHERE case_id = $1`, [caseId]);
    expect(stored[0]!.text).not.toContain(reason);

    // Open again: the case takes changes, and closing asks the prosecution again.
    expect((await t.post(`/api/cases/${caseId}/notes`, { body: 'back', visibility: 'participants', kind: 'note' }, officer)).status).toBe(201);
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer)).status).toBe(202);
  });

  it('reminds the prosecution when its deadline comes and the closing still waits, and not after a decision', async () => {
    const caseId = await prosecutedCase();
    expect((await t.post(`/api/cases/${caseId}/close`, { reason: 'other' }, officer)).status).toBe(202);
    const handler = t.app.get(CaseClosureDeadlines, { strict: false });
    const fire = () =>
      t.dataSource.transaction((manager) =>
        handler.fire(manager, {
          kind: DeadlineKind.ClosureApproval,
          caseId,
          referralId: null,
          breakGlassId: null,
          taskId: null,
          organisationIds: [org.prosecution],
        }),
      );
    await fire();
    expect((await eventsOf(caseId)).at(-1)).toEqual({ type: 'case.closure_reminder', organisation_ids: [org.prosecution] });
    expect((await t.post(`/api/cases/${caseId}/close/reject`, { reason: 'Not yet' }, prosecutor)).status).toBe(200);
    const count = (await eventsOf(caseId)).length;
    await fire();
    expect(await eventsOf(caseId)).toHaveLength(count);
  });
});

describe('withdrawing consent (API.md, Case work)', () => {
  let t: TestApp;
  let officer: string;
  let prosecutor: string;
  let caseworker: string;
  let shelter: string;
  beforeAll(async () => {
    t = await TestApp.start();
    [officer, prosecutor, caseworker] = await Promise.all([
      t.login('officer@be-police.test'),
      t.login('prosecutor@be-prosecution.test'),
      t.login('caseworker@be-shelter-antwerp.test'),
    ]);
    shelter = await organisationId(t.dataSource, 'be-shelter-antwerp');
  });
  afterAll(() => t.close());

  async function consentCase(): Promise<string> {
    const created = await createCase(t, officer);
    await addParticipation(t.dataSource, created.id, 'be-shelter-antwerp', 'shelter', { legalBasis: 'consent' });
    await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');
    return created.id;
  }

  it('refuses another participant (the prosecution withdrawing the shelter’s consent) with 403, audited as denied', async () => {
    const caseId = await consentCase();
    const refused = await t.post(
      `/api/cases/${caseId}/consent/withdraw`,
      { organisationId: shelter, reportedBy: 'victim', note: 'Said so at the hearing' },
      prosecutor,
    );
    expectProblem(refused, 403);
    const audit: Array<{ action: string; outcome: string }> = await t.dataSource.query(`SELECT action, outcome FROM audit_event WHERE request_id = $1`, [
      refused.headers['x-request-id'],
    ]);
    expect(audit).toEqual([{ action: 'consent.withdraw', outcome: 'denied' }]);
    expect((await t.get(`/api/cases/${caseId}`, caseworker)).status).toBe(200);
    expectProblem(
      await t.post(
        `/api/cases/${caseId}/consent/withdraw`,
        { organisationId: shelter, reportedBy: 'victim', note: 'x' },
        await t.login('inspector@be-labour.test'),
      ),
      404,
    );
  });

  it('lets the organisation the consent was given to withdraw it, recording who reported it and a sealed note', async () => {
    const caseId = await consentCase();
    const note = `Victim phoned the shelter ${randomBytes(4).toString('hex')}`;
    const withdrawn = await t.post<{ reportedBy: string; revokedParticipations: number }>(
      `/api/cases/${caseId}/consent/withdraw`,
      { organisationId: shelter, reportedBy: 'guardian', note },
      caseworker,
    );
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ reportedBy: 'guardian', revokedParticipations: 1 });
    const rows: Array<{ withdrawal_reported_by: string; text: string }> = await t.dataSource.query(
      `SELECT withdrawal_reported_by, row_to_json(c)::text AS text FROM consent c WHERE case_id = $1`,
      [caseId],
    );
    expect(rows.map((row) => row.withdrawal_reported_by)).toEqual(['guardian']);
    expect(rows[0]!.text).not.toContain(note);
    const audit: Array<{ text: string }> = await t.dataSource.query(`SELECT row_to_json(a)::text AS text FROM audit_event a WHERE request_id = $1`, [
      withdrawn.headers['x-request-id'],
    ]);
    expect(audit).toHaveLength(1);
    expect(audit[0]!.text).toContain('consent.withdraw');
    expect(audit[0]!.text).not.toContain(note);
  });

  it('lets the lead organisation withdraw it; validates reportedBy and note (400, nothing changed)', async () => {
    const caseId = await consentCase();
    const post = (body: unknown) => t.post(`/api/cases/${caseId}/consent/withdraw`, body, officer);
    expectProblem(await post({ organisationId: shelter, note: 'x' }), 400);
    expectProblem(await post({ organisationId: shelter, reportedBy: 'prosecutor', note: 'x' }), 400);
    expectProblem(await post({ organisationId: shelter, reportedBy: 'victim' }), 400);
    expectProblem(await post({ organisationId: shelter, reportedBy: 'victim', note: '' }), 400);
    expect((await t.get(`/api/cases/${caseId}`, caseworker)).status).toBe(200);
    const withdrawn = await post({ organisationId: shelter, reportedBy: 'victim', note: 'Told the officer in person' });
    expect(withdrawn.status).toBe(200);
    expect((await t.get(`/api/cases/${caseId}`, caseworker)).status).toBe(404);
    expect(expectProblem(await post({ organisationId: shelter, reportedBy: 'victim', note: 'again' }), 409).type).toMatch(/no-consent/);
  });
});
