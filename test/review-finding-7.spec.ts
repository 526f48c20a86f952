import { randomUUID } from 'node:crypto';
import { OrganisationType } from '../src/access/organisation-type';
import { Role } from '../src/access/role';
import { createOrganisation, FACTORY_PASSWORD } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp } from './support/app';
import { createCase } from './support/factories';
import { errorPaths, expectProblem } from './support/problem';

/**
 * Finding 7 of the security review: blank text passing a length rule, an existence oracle in the
 * access log, and a case's `/access` and `actions` saying more than the case allows.
 */
describe('security review, finding 7', () => {
  let t: TestApp;
  let officer: string;
  let inspector: string;

  beforeAll(async () => {
    t = await TestApp.start();
    officer = await t.login('officer@be-police.test');
    inspector = await t.login('inspector@be-labour.test');
  });
  afterAll(() => t.close());

  const grantsOn = async (caseId: string): Promise<number> =>
    ((await t.dataSource.query(`SELECT count(*)::int AS n FROM break_glass_grant WHERE case_id = $1`, [caseId])) as Array<{ n: number }>)[0]!.n;

  it('refuses a justification that is 20 characters only by counting blanks, and stores what it accepts trimmed', async () => {
    const kase = await createCase(t, officer);
    for (const justification of [' '.repeat(20), '\u00a0'.repeat(25), '\t\n'.repeat(15), `a${'\u200b'.repeat(30)}b`, `   too short,         really      `]) {
      const refused = expectProblem(await t.post(`/api/cases/${kase.id}/break-glass`, { justification }, inspector), 400);
      expect(errorPaths(refused)).toEqual(['justification']);
    }
    expect(await grantsOn(kase.id)).toBe(0);

    const accepted = await t.post<{ id: string }>(
      `/api/cases/${kase.id}/break-glass`,
      { justification: '  Victim at the border post, identity needed \n' },
      inspector,
    );
    expect(accepted.status).toBe(201);
    const stored: Array<{ justification: string }> = await t.dataSource.query(`SELECT justification FROM break_glass_grant WHERE id = $1`, [accepted.body.id]);
    expect(stored[0]!.justification).toBe('Victim at the border post, identity needed');
  });

  it('refuses a blank decline reason and leaves the referral pending', async () => {
    const kase = await createCase(t, officer);
    const referral = await t.post<{ id: string }>(
      `/api/cases/${kase.id}/referrals`,
      {
        toOrganisationId: await orgId('be-labour'),
        purpose: 'labour_inspection',
        urgency: 'routine',
        consent: { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() },
      },
      officer,
    );
    expect(referral.status).toBe(201);
    for (const reason of ['   ', '\u200b\u200b', '\u3000']) {
      expectProblem(await t.post(`/api/referrals/${referral.body.id}/decline`, { reason }, inspector), 400);
    }
    const rows: Array<{ status: string }> = await t.dataSource.query(`SELECT status FROM referral WHERE id = $1`, [referral.body.id]);
    expect(rows[0]!.status).toBe('pending');
  });

  it('answers 404 on the access log of a case outside the supervisor’s scope, exactly as for a case that does not exist', async () => {
    const kase = await createCase(t, officer);
    const outsider = await t.login('supervisor@nl-police.test');
    const existing = expectProblem(await t.get(`/api/cases/${kase.id}/access-log`, outsider), 404);
    const missing = expectProblem(await t.get(`/api/cases/${randomUUID()}/access-log`, outsider), 404);
    expect(existing).toEqual(missing);
    expect((await t.get(`/api/cases/${kase.id}/access-log`, await t.login('supervisor@be-police.test'))).status).toBe(200);
  });

  it('says read, not write, in /access on a closed case, as GET does', async () => {
    const kase = await createCase(t, officer);
    const sectionsOf = async () => {
      const read = await t.get<{ permissions: { sections: Record<string, string>; actions: string[] } }>(`/api/cases/${kase.id}`, officer);
      const access = await t.get<{ grants: Array<{ sections: Record<string, string> }>; actions: string[] }>(`/api/cases/${kase.id}/access`, officer);
      expect(read.status).toBe(200);
      expect(access.status).toBe(200);
      return { read: read.body.permissions, access: access.body };
    };
    const open = await sectionsOf();
    expect(open.access.grants[0]!.sections.summary).toBe('write');
    expect(open.read.sections.summary).toBe('write');

    expect((await t.post(`/api/cases/${kase.id}/close`, { reason: 'other' }, officer)).status).toBe(200);
    const closed = await sectionsOf();
    expect(closed.read.sections.summary).toBe('read');
    for (const grant of closed.access.grants) expect(Object.values(grant.sections)).not.toContain('write');
    expect(closed.access.grants[0]!.sections).toEqual(closed.read.sections);
    expect(closed.access.actions).toEqual(closed.read.actions);
  });

  it('offers endPlacement only while the centre holds a bed for the victim', async () => {
    const shelter = await createOrganisation(t, { type: OrganisationType.ReceptionCentre, bedsTotal: 2 });
    const worker = await createUser(t, shelter.adminToken, Role.Caseworker);
    const caseworker = await t.login(worker.email, FACTORY_PASSWORD);
    const kase = await createCase(t, officer);
    const referral = await t.post<{ id: string }>(
      `/api/cases/${kase.id}/referrals`,
      {
        toOrganisationId: shelter.organisation.id,
        purpose: 'shelter',
        urgency: 'routine',
        consent: { given: true, by: 'victim', recordedAt: new Date(Date.now() - 60_000).toISOString() },
      },
      officer,
    );
    expect(referral.status).toBe(201);
    const actions = async (): Promise<{ read: string[]; access: string[] }> => ({
      read: (await t.get<{ permissions: { actions: string[] } }>(`/api/cases/${kase.id}`, caseworker)).body.permissions.actions,
      access: (await t.get<{ actions: string[] }>(`/api/cases/${kase.id}/access`, caseworker)).body.actions,
    });
    expect((await t.post(`/api/referrals/${referral.body.id}/accept`, {}, caseworker)).status).toBe(200);
    expect(await actions()).toEqual({ read: expect.arrayContaining(['endPlacement']), access: expect.arrayContaining(['endPlacement']) });

    expect((await t.post(`/api/cases/${kase.id}/placement/end`, {}, caseworker)).status).toBe(200);
    const after = await actions();
    expect(after.read).not.toContain('endPlacement');
    expect(after.access).not.toContain('endPlacement');
    // Ending it again is still a conflict with the case's state, not a matter of rights.
    expect(expectProblem(await t.post(`/api/cases/${kase.id}/placement/end`, {}, caseworker), 409).type).toBe('/problems/no-placement');
  });

  async function orgId(slug: string): Promise<string> {
    const rows: Array<{ id: string }> = await t.dataSource.query(`SELECT id FROM organisation WHERE slug = $1`, [slug]);
    return rows[0]!.id;
  }
});
