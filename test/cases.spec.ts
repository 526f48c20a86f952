import { TestApp } from './support/app';
import { addParticipation, caseBody, createCase, userId } from './support/factories';

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
    const update = await t.patch<{ version: number; handlingCode: string }>(
      `/api/cases/${created.id}/sections/investigation`,
      { version: 1, data: { handlingCode: 'H2' } },
      officer,
    );
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

  it('lets exactly one of many concurrent updates with the same version win', async () => {
    const created = await createCase(t, officer);
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.patch(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { policeReportNumber: `PV-${i}` } }, officer),
      ),
    );
    const statuses = attempts.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    const versions: Array<{ version: number }> = await t.dataSource.query(`SELECT version FROM case_section WHERE case_id = $1 AND section = 'investigation'`, [
      created.id,
    ]);
    expect(versions[0]!.version).toBe(2);
  });

  it('numbers concurrently opened cases without gaps or duplicates', async () => {
    const created = await Promise.all(Array.from({ length: 15 }, () => createCase(t, officer)));
    const numbers = created.map((c) => Number(c.reference.split('-')[2])).sort((a, b) => a - b);
    expect(new Set(numbers).size).toBe(15);
    expect(numbers[14]! - numbers[0]!).toBe(14);
  });

  it('merges a PATCH: given fields replace, null clears, required fields cannot be cleared, platform-set fields are refused', async () => {
    const created = await createCase(t, officer);
    const cleared = await t.patch<Record<string, unknown>>(
      `/api/cases/${created.id}/sections/identity`,
      { version: 1, data: { dateOfBirth: null, aliases: ['Nina'] } },
      officer,
    );
    expect(cleared.status).toBe(200);
    expect(cleared.body.dateOfBirth).toBeUndefined();
    expect(cleared.body.aliases).toEqual(['Nina']);
    expect(cleared.body.nationality).toBe('RO');
    const required = await t.patch<{ errors: Array<{ path: string }> }>(
      `/api/cases/${created.id}/sections/summary`,
      { version: 1, data: { minor: null } },
      officer,
    );
    expect(required.status).toBe(400);
    expect(required.body.errors.map((e) => e.path)).toContain('data.minor');
    const unknown = await t.patch(`/api/cases/${created.id}/sections/summary`, { version: 1, data: { reference: 'BE-1999-000001' } }, officer);
    expect(unknown.status).toBe(400);
  });

  it('refuses mass assignment: ids, leads, statuses and versions beyond the documented fields', async () => {
    const body = { ...caseBody(), id: '6f1c1f55-3f0e-4d8e-9a55-6f3a6d1b2c11', leadOrganisationId: '6f1c1f55-3f0e-4d8e-9a55-6f3a6d1b2c11', status: 'closed' };
    const response = await t.post<{ errors: Array<{ path: string }> }>('/api/cases', body, officer);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e) => e.path).sort()).toEqual(['id', 'leadOrganisationId', 'status']);
    const sectionVersion = await t.post<{ errors: Array<{ path: string }> }>(
      '/api/cases',
      { ...caseBody(), summary: { ...caseBody().summary, version: 7 } },
      officer,
    );
    expect(sectionVersion.status).toBe(400);
  });

  it('lists newest first with cursor pagination and filters', async () => {
    const labour = await t.login('inspector@lu-labour.test');
    const made = [];
    for (let i = 0; i < 5; i += 1)
      made.push(await createCase(t, labour, caseBody({ summary: { exploitationTypes: i % 2 ? ['sexual'] : ['labour'], minor: i % 2 === 1 } })));
    const first = await t.get<{ items: Array<{ id: string; summary: { version: number } }>; nextCursor: string }>('/api/cases?limit=2', labour);
    expect(first.status).toBe(200);
    expect(first.body.items.map((i) => i.id)).toEqual([made[4]!.id, made[3]!.id]);
    expect(first.body.items[0]!.summary.version).toBe(1);
    const second = await t.get<{ items: Array<{ id: string }> }>(`/api/cases?limit=2&cursor=${first.body.nextCursor}`, labour);
    expect(second.body.items.map((i) => i.id)).toEqual([made[2]!.id, made[1]!.id]);
    const minors = await t.get<{ items: Array<{ id: string }> }>('/api/cases?minor=true&exploitationType=sexual', labour);
    expect(minors.body.items.map((i) => i.id).sort()).toEqual([made[1]!.id, made[3]!.id].sort());
    expect((await t.get('/api/cases?limit=101', labour)).status).toBe(400);
    expect((await t.get('/api/cases?cursor=nonsense', labour)).status).toBe(400);
    expect((await t.get('/api/cases?status=pending', labour)).status).toBe(400);
  });

  it('lists nothing, filters and all, to roles that read no case content', async () => {
    for (const email of ['admin@platform.test', 'admin@be-police.test', 'supervisor@be-oversight.test']) {
      const token = await t.login(email);
      for (const query of ['', '?status=open', '?country=NL', '?minor=false&exploitationType=labour&limit=5']) {
        const response = await t.get(`/api/cases${query}`, token);
        expect({ email, query, status: response.status, body: response.body }).toEqual({ email, query, status: 200, body: { items: [], nextCursor: null } });
      }
    }
  });

  it('answers 404 for ids that are not UUIDs and sections that do not exist', async () => {
    expect((await t.get('/api/cases/not-a-uuid', officer)).status).toBe(404);
    const created = await createCase(t, officer);
    expect((await t.patch(`/api/cases/${created.id}/sections/finance`, { version: 1, data: {} }, officer)).status).toBe(404);
  });

  it('explains access and grants break-glass once, flagged and time-limited', async () => {
    const created = await createCase(t, officer);
    const explain = await t.get<{ grants: Array<{ source: string; purpose: string; legalBasis: string }>; actions: string[] }>(
      `/api/cases/${created.id}/access`,
      officer,
    );
    expect(explain.status).toBe(200);
    expect(explain.body.grants).toEqual([
      expect.objectContaining({
        source: 'participation',
        purpose: 'lead',
        legalBasis: 'lead',
        // Readable context: the organisation by name next to its id.
        organisation: expect.objectContaining({ slug: 'be-police', name: expect.any(String), type: 'police', country: 'BE' }),
      }),
    ]);
    expect(explain.body.grants[0]).not.toHaveProperty('user');
    const inspector = await t.login('inspector@be-labour.test');
    expect((await t.post(`/api/cases/${created.id}/break-glass`, { justification: 'too short' }, inspector)).status).toBe(400);
    const glass = await t.post<{ expiresAt: string }>(
      `/api/cases/${created.id}/break-glass`,
      { justification: 'Victim at the border post, identity needed' },
      inspector,
    );
    expect(glass.status).toBe(201);
    const hours = (new Date(glass.body.expiresAt).getTime() - Date.now()) / 3_600_000;
    expect(hours).toBeGreaterThan(3.9);
    expect(hours).toBeLessThanOrEqual(4);
    const seen = await t.get<Record<string, unknown>>(`/api/cases/${created.id}`, inspector);
    expect(
      Object.keys(seen.body)
        .filter((k) => ['summary', 'identity', 'care', 'investigation', 'immigration'].includes(k))
        .sort(),
    ).toEqual(['identity', 'summary']);
    const why = await t.get<{ grants: Array<{ source: string; legalBasis: string; expiresAt: string }> }>(`/api/cases/${created.id}/access`, inspector);
    expect(why.body.grants).toEqual([
      expect.objectContaining({
        source: 'break_glass',
        legalBasis: 'break_glass',
        expiresAt: glass.body.expiresAt,
        organisation: expect.objectContaining({ slug: 'be-labour' }),
        user: { id: await userId(t.dataSource, 'inspector@be-labour.test'), name: expect.any(String) },
      }),
    ]);
    await t.dataSource.query(`UPDATE break_glass_grant SET expires_at = now() - interval '1 second' WHERE case_id = $1`, [created.id]);
    expect((await t.get(`/api/cases/${created.id}`, inspector)).status).toBe(404);
    const events: Array<{ type: string }> = await t.dataSource.query(`SELECT type FROM outbox_event WHERE case_id = $1`, [created.id]);
    expect(events.map((e) => e.type)).toEqual(['break_glass.used']);
  });

  it('closes a case for good: read-only afterwards, and only the lead organisation may close', async () => {
    const created = await createCase(t, officer);
    const officer2 = await t.login('officer2@be-police.test');
    const prosecutorOrg = await addParticipation(t.dataSource, created.id, 'be-prosecution', 'prosecution');
    expect(prosecutorOrg).toBeTruthy();
    const prosecutor = await t.login('prosecutor@be-prosecution.test');
    expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'other' }, prosecutor)).status).toBe(403);
    expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'bored' }, officer2)).status).toBe(400);
    // The prosecution takes part, so it approves the closing first (case-closure.spec.ts).
    expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'returned_home' }, officer2)).status).toBe(202);
    const closed = await t.post<{ status: string }>(`/api/cases/${created.id}/close/approve`, {}, prosecutor);
    expect(closed.status).toBe(200);
    expect(closed.body.status).toBe('closed');
    expect((await t.patch(`/api/cases/${created.id}/sections/identity`, { version: 1, data: { aliases: [] } }, officer)).status).toBe(409);
    expect((await t.post(`/api/cases/${created.id}/close`, { reason: 'other' }, officer)).status).toBe(409);
    const read = await t.get<{ status: string; permissions: { sections: Record<string, string> } }>(`/api/cases/${created.id}`, officer);
    expect(read.body.status).toBe('closed');
    expect(Object.values(read.body.permissions.sections).every((access) => access === 'read')).toBe(true);
  });

  it('lists a case once when several rules reach it, and pages through such cases without gaps', async () => {
    const nl = await t.login('officer@nl-police.test');
    const made: string[] = [];
    for (let i = 0; i < 4; i += 1) {
      const created = await createCase(t, officer);
      // Reached twice by NL police: as investigating police and through an officer's break-glass grant.
      await addParticipation(t.dataSource, created.id, 'nl-police', 'investigation', { legalBasis: 'treaty' });
      await t.dataSource.query(
        `INSERT INTO break_glass_grant (case_id, user_id, organisation_id, justification, expires_at)
         SELECT $1, u.id, u.organisation_id, 'Reached twice on purpose for this spec', now() + interval '1 hour' FROM "user" u WHERE u.email = 'officer@nl-police.test'`,
        [created.id],
      );
      made.push(created.id);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: Array<{ id: string }>; nextCursor: string | null } } = await t.get(
        `/api/cases?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
        nl,
      );
      seen.push(...page.body.items.map((item) => item.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.slice(0, 4)).toEqual([...made].reverse());
  });
});
