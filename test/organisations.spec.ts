import type { CreatedOrganisationDto, OrganisationDto } from '../src/organisations/dto/organisation.dto';
import { Country, OrganisationType } from '../src/access/organisation-type';
import { Role } from '../src/access/role';
import { createOrganisation, FACTORY_PASSWORD, uniqueName } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp } from './support/app';
import { errorPaths, expectProblem } from './support/problem';

interface List {
  items: OrganisationDto[];
}

describe('organisations', () => {
  let t: TestApp;
  let platform: string;
  let officer: string;

  beforeAll(async () => {
    t = await TestApp.start();
    platform = await t.login('admin@platform.test');
    officer = await t.login('officer@be-police.test');
  });
  afterAll(() => t.close());

  function newOrganisationBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const slug = uniqueName('org');
    return {
      slug,
      name: `Organisation ${slug}`,
      type: 'police',
      country: 'BE',
      admin: { email: `admin@${slug}.test`, name: 'First Admin', password: FACTORY_PASSWORD },
      ...overrides,
    };
  }

  describe('GET /api/organisations', () => {
    it('lists organisations to any signed-in user, bed fields on reception centres only', async () => {
      const response = await t.get<List>('/api/organisations', officer);
      expect(response.status).toBe(200);
      const antwerp = response.body.items.find((o) => o.slug === 'be-shelter-antwerp');
      expect(antwerp).toEqual({
        id: expect.any(String),
        slug: 'be-shelter-antwerp',
        name: 'Reception Centre Antwerp',
        type: 'reception_centre',
        country: 'BE',
        bedsTotal: 8,
        bedsAvailable: expect.any(Number),
        acceptsMinors: false,
        active: true,
      });
      const police = response.body.items.find((o) => o.slug === 'nl-police')!;
      expect(Object.keys(police).sort()).toEqual(['active', 'country', 'id', 'name', 'slug', 'type']);
      expect(response.body.items.find((o) => o.slug === 'platform')?.country).toBeNull();
    });

    it('filters by type and country', async () => {
      const response = await t.get<List>('/api/organisations?type=reception_centre&country=BE', officer);
      expect(response.status).toBe(200);
      expect(response.body.items.length).toBeGreaterThanOrEqual(2);
      expect(response.body.items.every((o) => o.type === 'reception_centre' && o.country === 'BE')).toBe(true);
      expect(response.body.items.map((o) => o.slug)).toEqual(expect.arrayContaining(['be-shelter-antwerp', 'be-shelter-brussels']));
    });

    it('refuses an unknown type or country with 400 naming the parameter', async () => {
      expect(errorPaths(expectProblem(await t.get('/api/organisations?type=army', officer), 400))).toEqual(['type']);
      expect(errorPaths(expectProblem(await t.get('/api/organisations?country=FR', officer), 400))).toEqual(['country']);
    });

    it('needs a signed-in user', async () => {
      expectProblem(await t.get('/api/organisations'), 401);
    });
  });

  describe('POST /api/organisations', () => {
    it('creates the organisation and its first org_admin, who can sign in', async () => {
      const body = newOrganisationBody({ type: 'reception_centre', country: 'NL', bedsTotal: 12, acceptsMinors: true });
      const response = await t.post<CreatedOrganisationDto>('/api/organisations', body, platform);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({
        slug: body.slug,
        type: 'reception_centre',
        country: 'NL',
        bedsTotal: 12,
        bedsAvailable: 12,
        acceptsMinors: true,
        active: true,
        admin: { email: (body.admin as { email: string }).email, role: 'org_admin', active: true },
      });
      expect(response.text).not.toMatch(/password|argon2/i);
      const token = await t.login((body.admin as { email: string }).email, FACTORY_PASSWORD);
      const me = await t.get<{ role: string; organisation: { id: string } }>('/api/me', token);
      expect(me.body).toMatchObject({ role: 'org_admin', organisation: { id: response.body.id } });
    });

    it('creates a platform organisation without a country', async () => {
      const response = await t.post<CreatedOrganisationDto>('/api/organisations', newOrganisationBody({ type: 'platform', country: undefined }), platform);
      expect(response.status).toBe(201);
      expect(response.body.country).toBeNull();
    });

    it.each([
      ['officer', 'officer@be-police.test'],
      ['org_admin', 'admin@be-police.test'],
      ['supervisor', 'supervisor@be-oversight.test'],
    ])('is refused to a %s with 403', async (_role, email) => {
      const response = await t.post('/api/organisations', newOrganisationBody(), await t.login(email));
      expectProblem(response, 403);
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['a missing country', { country: undefined }, ['country']],
      ['a country for the platform', { type: 'platform', country: 'BE' }, ['country']],
      ['beds for a police force', { bedsTotal: 3 }, ['bedsTotal']],
      ['minors for a police force', { acceptsMinors: true }, ['acceptsMinors']],
      ['a reception centre without beds', { type: 'reception_centre' }, ['bedsTotal']],
      ['negative beds', { type: 'reception_centre', bedsTotal: -1 }, ['bedsTotal']],
      ['a slug with capitals', { slug: 'Be-Police-X' }, ['slug']],
      ['a slug with a double hyphen', { slug: 'be--x' }, ['slug']],
      ['an unknown type', { type: 'army' }, ['type']],
      ['a short admin password', { admin: { email: `a@${uniqueName('x')}.test`, name: 'A', password: 'short-pass' } }, ['admin.password']],
      ['a bad admin e-mail', { admin: { email: 'not-an-email', name: 'A', password: FACTORY_PASSWORD } }, ['admin.email']],
      ['no admin', { admin: undefined }, ['admin']],
      ['an unknown field', { bedsAvailable: 3 }, ['bedsAvailable']],
    ])('refuses %s with 400 naming the field', async (_label, overrides, paths) => {
      const body = newOrganisationBody(overrides);
      const response = await t.post('/api/organisations', body, platform);
      expect(errorPaths(expectProblem(response, 400))).toEqual(paths);
      const created = await t.dataSource.query(`SELECT 1 FROM organisation WHERE slug = $1`, [body.slug]);
      expect(created).toEqual([]);
    });

    it('refuses a duplicate slug with 409', async () => {
      const body = newOrganisationBody({ slug: 'be-police' });
      const response = await t.post('/api/organisations', body, platform);
      expect(expectProblem(response, 409).type).toBe('/problems/slug-taken');
      const admins = await t.dataSource.query(`SELECT 1 FROM "user" WHERE email = $1`, [(body.admin as { email: string }).email]);
      expect(admins).toEqual([]);
    });

    it('refuses a duplicate admin e-mail with 409 and creates nothing', async () => {
      const body = newOrganisationBody({ admin: { email: 'OFFICER@be-police.test', name: 'Copy', password: FACTORY_PASSWORD } });
      const response = await t.post('/api/organisations', body, platform);
      expect(expectProblem(response, 409).type).toBe('/problems/email-taken');
      expect(await t.dataSource.query(`SELECT 1 FROM organisation WHERE slug = $1`, [body.slug])).toEqual([]);
    });
  });

  describe('PATCH /api/organisations/:id', () => {
    async function centre(bedsTotal: number, occupied: number): Promise<string> {
      const { organisation } = await createOrganisation(t, { type: OrganisationType.ReceptionCentre, bedsTotal });
      // Placements belong to the referrals module; here only the count matters.
      await t.dataSource.query(`UPDATE organisation SET beds_available = beds_total - $2 WHERE id = $1`, [organisation.id, occupied]);
      return organisation.id;
    }

    it('renames and changes minors', async () => {
      const id = await centre(4, 0);
      const response = await t.patch<OrganisationDto>(`/api/organisations/${id}`, { name: 'Renamed Centre', acceptsMinors: true }, platform);
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ id, name: 'Renamed Centre', acceptsMinors: true, bedsTotal: 4, bedsAvailable: 4 });
    });

    it('moves free beds by the change of the total', async () => {
      const id = await centre(6, 4);
      const grown = await t.patch<OrganisationDto>(`/api/organisations/${id}`, { bedsTotal: 10 }, platform);
      expect(grown.body).toMatchObject({ bedsTotal: 10, bedsAvailable: 6 });
      const shrunk = await t.patch<OrganisationDto>(`/api/organisations/${id}`, { bedsTotal: 4 }, platform);
      expect(shrunk.body).toMatchObject({ bedsTotal: 4, bedsAvailable: 0 });
    });

    it('refuses a total below the occupied beds with 409 and changes nothing', async () => {
      const id = await centre(6, 4);
      const response = await t.patch(`/api/organisations/${id}`, { bedsTotal: 3, name: 'Should not stick' }, platform);
      expect(expectProblem(response, 409).type).toBe('/problems/beds-occupied');
      const [row] = await t.dataSource.query(`SELECT name, beds_total, beds_available FROM organisation WHERE id = $1`, [id]);
      expect(row).toMatchObject({ beds_total: 6, beds_available: 2 });
      expect(row.name).not.toBe('Should not stick');
    });

    it('refuses beds on an organisation that is not a reception centre', async () => {
      const { organisation } = await createOrganisation(t, { type: OrganisationType.Police });
      const response = await t.patch(`/api/organisations/${organisation.id}`, { bedsTotal: 3 }, platform);
      expect(errorPaths(expectProblem(response, 400))).toEqual(['bedsTotal']);
    });

    it('refuses null for a field that cannot be empty', async () => {
      const id = await centre(2, 0);
      expect(errorPaths(expectProblem(await t.patch(`/api/organisations/${id}`, { name: null }, platform), 400))).toEqual(['name']);
    });

    it('answers an unknown organisation with 404', async () => {
      expectProblem(await t.patch('/api/organisations/00000000-0000-4000-8000-000000000000', { name: 'x' }, platform), 404);
      expectProblem(await t.patch('/api/organisations/not-an-id', { name: 'x' }, platform), 404);
    });

    it('is refused to anyone but a platform admin', async () => {
      const { organisation, adminToken } = await createOrganisation(t, { type: OrganisationType.Police, country: Country.LU });
      expectProblem(await t.patch(`/api/organisations/${organisation.id}`, { name: 'Mine now' }, adminToken), 403);
      expectProblem(await t.patch(`/api/organisations/${organisation.id}`, { active: false }, officer), 403);
    });

    it('deactivating signs its users out, refuses them and hides it from operational users', async () => {
      const { organisation, adminToken } = await createOrganisation(t, { type: OrganisationType.Police });
      const { email } = await createUser(t, adminToken, Role.Officer);
      const member = await t.login(email, FACTORY_PASSWORD);
      expect((await t.get('/api/me', member)).status).toBe(200);
      const response = await t.patch<OrganisationDto>(`/api/organisations/${organisation.id}`, { active: false }, platform);
      expect(response.body.active).toBe(false);
      expectProblem(await t.get('/api/me', member), 401);
      expectProblem(await t.post('/api/auth/login', { email, password: FACTORY_PASSWORD }), 401);
      const sessions = await t.dataSource.query(
        `SELECT DISTINCT s.revoked_reason FROM auth_session s JOIN "user" u ON u.id = s.user_id WHERE u.organisation_id = $1`,
        [organisation.id],
      );
      expect(sessions).toEqual([{ revoked_reason: 'deactivated' }]);
      const seenByOfficer = await t.get<List>('/api/organisations?type=police', officer);
      expect(seenByOfficer.body.items.map((o) => o.id)).not.toContain(organisation.id);
      const seenByPlatform = await t.get<List>('/api/organisations?type=police', platform);
      expect(seenByPlatform.body.items.find((o) => o.id === organisation.id)?.active).toBe(false);
      // Reactivated, its users can sign in again.
      await t.patch(`/api/organisations/${organisation.id}`, { active: true }, platform);
      expect((await t.post('/api/auth/login', { email, password: FACTORY_PASSWORD })).status).toBe(200);
    });

    it('refuses to deactivate the platform organisation', async () => {
      const [row] = await t.dataSource.query(`SELECT id FROM organisation WHERE slug = 'platform'`);
      expectProblem(await t.patch(`/api/organisations/${row.id}`, { active: false }, platform), 422);
    });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = await t.get<{ paths: Record<string, Record<string, unknown>>; components: { schemas: Record<string, { properties?: object }> } }>('/docs-json');
    expect(Object.keys(doc.body.paths['/api/organisations'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.body.paths['/api/organisations/{id}'] ?? {})).toEqual(['patch']);
    for (const schema of ['CreateOrganisationDto', 'UpdateOrganisationDto', 'OrganisationDto', 'CreatedOrganisationDto', 'FirstAdminDto']) {
      expect(Object.keys(doc.body.components.schemas[schema]?.properties ?? {}).length).toBeGreaterThan(0);
    }
    expect(Object.keys(doc.body.components.schemas.CreateOrganisationDto!.properties!)).toEqual(
      expect.arrayContaining(['slug', 'name', 'type', 'country', 'bedsTotal', 'acceptsMinors', 'admin']),
    );
  });
});
