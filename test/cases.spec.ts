import { TestApp } from './support/app';
import { addParticipation, caseBody, createCase } from './support/factories';

describe('cases', () => {
  let t: TestApp;
  let officer: string;
  beforeAll(async () => {
    t = await TestApp.start();
    officer = await t.login('officer@be-police.test');
  });
  afterAll(() => t.close());

  it('opens a case with a gapless country reference and all five sections at version 1', async () => {
    const response = await t.post<Record<string, { version: number }> & { reference: string; permissions: unknown }>('/api/cases', caseBody(), officer);
    expect(response.status).toBe(201);
    expect(response.body.reference).toMatch(/^BE-\d{4}-\d{6}$/);
    expect(response.body.summary!.version).toBe(1);
    expect(response.body.identity!.version).toBe(1);
    expect(response.body.investigation!.version).toBe(1);
    expect(response.body.immigration!.version).toBe(1);
    expect(response.body.care).toBeUndefined();
    expect(response.body.permissions).toEqual({
      sections: { summary: 'write', identity: 'write', investigation: 'write', immigration: 'read' },
      actions: ['refer', 'close', 'withdrawConsent'],
    });
  });

  it('rejects invalid sections with each error listed, and unknown fields', async () => {
    const response = await t.post<{ errors: Array<{ path: string }> }>(
      '/api/cases',
      { summary: { exploitationTypes: ['fishing'], minor: 'no', extra: 1 }, identity: { dateOfBirth: '2026-02-30' } },
      officer,
    );
    expect(response.status).toBe(400);
    const paths = response.body.errors.map((e) => e.path).sort();
    expect(paths).toEqual(expect.arrayContaining(['summary.exploitationTypes', 'summary.minor', 'summary.extra', 'identity.dateOfBirth']));
  });

  it('updates a section with optimistic locking', async () => {
    const created = await createCase(t, officer);
    const update = await t.patch<{ version: number; handlingCode: string }>(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { handlingCode: 'H2' } }, officer);
    expect(update.status).toBe(200);
    expect(update.body.version).toBe(2);
    expect(update.body.handlingCode).toBe('H2');
    const stale = await t.patch(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { handlingCode: 'H3' } }, officer);
    expect(stale.status).toBe(409);
  });

  it('hides a case from a user whose organisation does not take part (404), and omits sections a participant may not read', async () => {
    const created = await createCase(t, officer);
    const nl = await t.login('officer@nl-police.test');
    expect((await t.get(`/api/cases/${created.id}`, nl)).status).toBe(404);
    await addParticipation(t.dataSource, created.id, 'be-shelter-antwerp', 'shelter', { legalBasis: 'consent' });
    const caseworker = await t.login('caseworker@be-shelter-antwerp.test');
    const seen = await t.get<Record<string, unknown>>(`/api/cases/${created.id}`, caseworker);
    expect(seen.status).toBe(200);
    expect(Object.keys(seen.body)).toEqual(expect.arrayContaining(['summary', 'identity', 'care', 'immigration']));
    expect(seen.body.investigation).toBeUndefined();
    expect((await t.patch(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { handlingCode: 'H0' } }, caseworker)).status).toBe(403);
  });
});
