import { PRINCIPAL_CACHE_MS } from '../src/auth/principal.loader';
import type { UserDto, UserListDto } from '../src/users/dto/user.dto';
import { OrganisationType } from '../src/access/organisation-type';
import { Role } from '../src/access/role';
import { createOrganisation, FACTORY_PASSWORD, uniqueName } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp } from './support/app';
import { errorPaths, expectProblem } from './support/problem';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
}

describe('users', () => {
  let t: TestApp;
  let police: { id: string; adminToken: string };
  let shelter: { id: string; adminToken: string };

  beforeAll(async () => {
    t = await TestApp.start();
    const p = await createOrganisation(t, { type: OrganisationType.Police });
    police = { id: p.organisation.id, adminToken: p.adminToken };
    const s = await createOrganisation(t, { type: OrganisationType.ReceptionCentre });
    shelter = { id: s.organisation.id, adminToken: s.adminToken };
  });
  afterAll(() => t.close());

  const newUser = (role: string, overrides: Record<string, unknown> = {}) => ({
    email: `${uniqueName('user')}@example.test`,
    name: 'New User',
    role,
    password: FACTORY_PASSWORD,
    ...overrides,
  });

  describe('GET /api/users', () => {
    it('lists the users of the admin’s own organisation only, without password hashes', async () => {
      const { user } = await createUser(t, police.adminToken, Role.Officer);
      const { user: stranger } = await createUser(t, shelter.adminToken, Role.Caseworker);
      const response = await t.get<UserListDto>('/api/users', police.adminToken);
      expect(response.status).toBe(200);
      const ids = response.body.items.map((u) => u.id);
      expect(ids).toContain(user.id);
      expect(ids).not.toContain(stranger.id);
      expect(response.body.items.every((u) => u.organisationId === police.id)).toBe(true);
      expect(response.text).not.toMatch(/password|argon2/i);
      expect(Object.keys(response.body.items[0]!).sort()).toEqual([
        'active',
        'createdAt',
        'email',
        'id',
        'invitedUntil',
        'name',
        'organisationId',
        'role',
        'updatedAt',
      ]);
    });

    it('pages with a cursor and filters by role', async () => {
      const { organisation, adminToken } = await createOrganisation(t, { type: OrganisationType.Police });
      for (let i = 0; i < 3; i += 1) await createUser(t, adminToken, Role.Officer);
      const first = await t.get<UserListDto>('/api/users?limit=2', adminToken);
      expect(first.body.items).toHaveLength(2);
      const second = await t.get<UserListDto>(`/api/users?limit=2&cursor=${first.body.nextCursor}`, adminToken);
      expect(second.body.items).toHaveLength(2);
      expect(second.body.nextCursor).toBeNull();
      const emails = [...first.body.items, ...second.body.items].map((u) => u.email);
      expect(new Set(emails).size).toBe(4);
      expect(emails).toEqual([...emails].sort());
      const officers = await t.get<UserListDto>('/api/users?role=officer', adminToken);
      expect(officers.body.items.map((u) => u.role)).toEqual(['officer', 'officer', 'officer']);
      expect(officers.body.items.every((u) => u.organisationId === organisation.id)).toBe(true);
      expectProblem(await t.get('/api/users?cursor=bm9wZQ', adminToken), 400);
    });

    it.each(['officer@be-police.test', 'supervisor@be-police.test', 'admin@platform.test'])('is refused to %s with 403', async (email) => {
      expectProblem(await t.get('/api/users', await t.login(email)), 403);
    });
  });

  describe('POST /api/users', () => {
    it('creates a user who can sign in', async () => {
      const body = newUser('officer', { email: `${uniqueName('Mixed')}@Example.TEST`, name: '  Anna Janssens ' });
      const response = await t.post<UserDto>('/api/users', body, police.adminToken);
      expect(response.status).toBe(201);
      expect(response.body).toMatchObject({ email: body.email.toLowerCase(), name: 'Anna Janssens', role: 'officer', active: true, organisationId: police.id });
      expect(response.text).not.toMatch(/password|argon2/i);
      expect((await t.post('/api/auth/login', { email: body.email, password: FACTORY_PASSWORD })).status).toBe(200);
    });

    it.each([
      ['caseworker', 'police'],
      ['prosecutor', 'police'],
      ['officer', 'reception_centre'],
    ])('refuses the role %s in a %s organisation with 422', async (role, type) => {
      const token = type === 'police' ? police.adminToken : shelter.adminToken;
      const response = await t.post('/api/users', newUser(role), token);
      expect(expectProblem(response, 422).type).toBe('/problems/role-not-allowed');
    });

    it('accepts supervisor and org_admin in any organisation', async () => {
      expect((await t.post('/api/users', newUser('supervisor'), shelter.adminToken)).status).toBe(201);
      expect((await t.post('/api/users', newUser('org_admin'), shelter.adminToken)).status).toBe(201);
      expect((await t.post('/api/users', newUser('caseworker'), shelter.adminToken)).status).toBe(201);
    });

    it('refuses to create a platform_admin, even in the platform organisation', async () => {
      const { adminToken } = await createOrganisation(t, { type: OrganisationType.Platform });
      expectProblem(await t.post('/api/users', newUser('platform_admin'), adminToken), 403);
      expectProblem(await t.post('/api/users', newUser('platform_admin'), police.adminToken), 403);
    });

    it('refuses a duplicate e-mail, whatever its case, with 409', async () => {
      const response = await t.post('/api/users', newUser('officer', { email: 'Officer@BE-Police.test' }), police.adminToken);
      expect(expectProblem(response, 409).type).toBe('/problems/email-taken');
    });

    it.each<[string, Record<string, unknown>, string[]]>([
      ['a short password', { password: 'elevenchars' }, ['password']],
      ['an unknown role', { role: 'admin' }, ['role']],
      ['an empty name', { name: '   ' }, ['name']],
      ['an unknown field', { organisationId: '00000000-0000-4000-8000-000000000000' }, ['organisationId']],
      ['no e-mail', { email: undefined }, ['email']],
    ])('refuses %s with 400 naming the field', async (_label, overrides, paths) => {
      expect(errorPaths(expectProblem(await t.post('/api/users', newUser('officer', overrides), police.adminToken), 400))).toEqual(paths);
    });

    it('is refused to an officer with 403', async () => {
      expectProblem(await t.post('/api/users', newUser('officer'), await t.login('officer@be-police.test')), 403);
    });
  });

  describe('PATCH /api/users/:id', () => {
    it('renames and changes the role within what the organisation type allows', async () => {
      const { user } = await createUser(t, police.adminToken, Role.Officer);
      const renamed = await t.patch<UserDto>(`/api/users/${user.id}`, { name: 'Renamed', role: 'supervisor' }, police.adminToken);
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ id: user.id, name: 'Renamed', role: 'supervisor', active: true });
      expect(expectProblem(await t.patch(`/api/users/${user.id}`, { role: 'caseworker' }, police.adminToken), 422).type).toBe('/problems/role-not-allowed');
      expectProblem(await t.patch(`/api/users/${user.id}`, { role: 'platform_admin' }, police.adminToken), 403);
    });

    it('answers a user of another organisation with 404, not 403, and leaves them alone', async () => {
      const { user } = await createUser(t, shelter.adminToken, Role.Caseworker);
      const response = await t.patch(`/api/users/${user.id}`, { active: false }, police.adminToken);
      expect(expectProblem(response, 404).type).toBe('/problems/not-found');
      const [row] = await t.dataSource.query(`SELECT active FROM "user" WHERE id = $1`, [user.id]);
      expect(row.active).toBe(true);
    });

    it('refuses null for a field that cannot be empty', async () => {
      const { user } = await createUser(t, police.adminToken, Role.Officer);
      expect(errorPaths(expectProblem(await t.patch(`/api/users/${user.id}`, { active: null }, police.adminToken), 400))).toEqual(['active']);
    });

    it('refuses an admin changing its own role or deactivating itself, and audits the attempt', async () => {
      const { organisation, adminToken } = await createOrganisation(t, { type: OrganisationType.Police });
      const [admin] = await t.dataSource.query(`SELECT id FROM "user" WHERE organisation_id = $1`, [organisation.id]);
      expect(expectProblem(await t.patch(`/api/users/${admin.id}`, { role: 'officer' }, adminToken), 403).detail).toMatch(/your own role/);
      expectProblem(await t.patch(`/api/users/${admin.id}`, { role: 'supervisor' }, adminToken), 403);
      expectProblem(await t.patch(`/api/users/${admin.id.toUpperCase()}`, { active: false }, adminToken), 403);
      expect((await t.patch(`/api/users/${admin.id}`, { name: 'Renamed Admin' }, adminToken)).status).toBe(200);
      const [row] = await t.dataSource.query(`SELECT role, active FROM "user" WHERE id = $1`, [admin.id]);
      expect(row).toEqual({ role: 'org_admin', active: true });
      const denied: Array<{ sections: string[] }> = await t.dataSource.query(
        `SELECT sections FROM audit_event WHERE action = 'user.update' AND outcome = 'denied' AND actor_user_id = $1 ORDER BY seq`,
        [admin.id],
      );
      expect(denied.map((event) => event.sections)).toEqual([['role'], ['role'], ['active']]);
    });

    it('never leaves an organisation without an active org_admin, even when another process changed the acting admin', async () => {
      const { organisation, adminToken } = await createOrganisation(t, { type: OrganisationType.Migration });
      const [first] = await t.dataSource.query(`SELECT id FROM "user" WHERE organisation_id = $1`, [organisation.id]);
      const second = await createUser(t, adminToken, Role.OrgAdmin);
      const secondToken = await t.login(second.email, second.password);
      expect((await t.get('/api/users', secondToken)).status).toBe(200);
      // Demoted by another API process: this one still holds the admin's principal for a few seconds.
      await t.dataSource.query(`UPDATE "user" SET role = 'supervisor' WHERE id = $1`, [second.user.id]);
      expect(expectProblem(await t.patch(`/api/users/${first.id}`, { active: false }, secondToken), 422).type).toBe('/problems/last-org-admin');
    });

    it('applies a new role at once in this process, without waiting for the principal cache', async () => {
      const { user, email, password } = await createUser(t, police.adminToken, Role.OrgAdmin);
      const token = await t.login(email, password);
      expect((await t.get('/api/users', token)).status).toBe(200);
      expect((await t.patch(`/api/users/${user.id}`, { role: 'supervisor' }, police.adminToken)).status).toBe(200);
      expectProblem(await t.get('/api/users', token), 403);
    });

    it('deactivation revokes sessions and refuses the user’s tokens, in this process at once and in others within 10 s', async () => {
      const { user, email } = await createUser(t, police.adminToken, Role.Officer);
      const pair = (await t.post<TokenPair>('/api/auth/login', { email, password: FACTORY_PASSWORD })).body;
      // Another API process, whose principal cache already holds this session.
      const other = await TestApp.start();
      try {
        expect((await other.get('/api/me', pair.accessToken)).status).toBe(200);
        const deactivated = await t.patch<UserDto>(`/api/users/${user.id}`, { active: false }, police.adminToken);
        const at = Date.now();
        expect(deactivated.body.active).toBe(false);
        expectProblem(await t.get('/api/me', pair.accessToken), 401);
        expectProblem(await t.post('/api/auth/refresh', { refreshToken: pair.refreshToken }), 401);
        const sessions = await t.dataSource.query(`SELECT revoked_reason FROM auth_session WHERE user_id = $1`, [user.id]);
        expect(sessions).toEqual([{ revoked_reason: 'deactivated' }]);
        let status = (await other.get('/api/me', pair.accessToken)).status;
        while (status === 200 && Date.now() - at < 10_000) {
          await new Promise((resolve) => setTimeout(resolve, 250));
          status = (await other.get('/api/me', pair.accessToken)).status;
        }
        expect(status).toBe(401);
        expect(Date.now() - at).toBeLessThan(PRINCIPAL_CACHE_MS + 1_000);
      } finally {
        await other.close();
      }
      // Reactivated, the user signs in again; the old session stays dead.
      expect((await t.patch<UserDto>(`/api/users/${user.id}`, { active: true }, police.adminToken)).body.active).toBe(true);
      expect((await t.post('/api/auth/login', { email, password: FACTORY_PASSWORD })).status).toBe(200);
      expectProblem(await t.get('/api/me', pair.accessToken), 401);
    });

    it('answers a malformed id and an unknown one with 404 (a malformed id names nothing, issue 9)', async () => {
      expectProblem(await t.patch('/api/users/42', { name: 'x' }, police.adminToken), 404);
      expectProblem(await t.patch('/api/users/00000000-0000-4000-8000-000000000000', { name: 'x' }, police.adminToken), 404);
    });
  });

  describe('PATCH /api/me', () => {
    it('saves the caller’s own language and name, which GET /api/me then answers, for any role', async () => {
      const { user, email } = await createUser(t, police.adminToken, Role.Officer);
      const token = await t.login(email, FACTORY_PASSWORD);
      expect((await t.get<{ language: string }>('/api/me', token)).body.language).toBe('en');
      for (const language of ['nl', 'fr', 'de', 'en']) {
        const saved = await t.patch<{ id: string; language: string }>('/api/me', { language }, token);
        expect(saved.status).toBe(200);
        expect(saved.body).toMatchObject({ id: user.id, language });
        expect((await t.get<{ language: string }>('/api/me', token)).body.language).toBe(language);
      }
      const renamed = await t.patch<{ name: string; language: string; organisation: { id: string } }>('/api/me', { name: '  Els Maes ' }, token);
      expect(renamed.body).toMatchObject({ name: 'Els Maes', language: 'en', organisation: { id: police.id } });
      const audited: Array<{ action: string; sections: string[] }> = await t.dataSource.query(
        `SELECT action, sections FROM audit_event WHERE actor_user_id = $1 AND action = 'user.update'`,
        [user.id],
      );
      expect(audited).toEqual([{ action: 'user.update', sections: ['name'] }]);
      // Not an admin function: an org admin sets its own language the same way.
      expect((await t.patch<{ language: string }>('/api/me', { language: 'de' }, police.adminToken)).body.language).toBe('de');
    });

    it('refuses another language, a null, an empty name, an unknown field and a missing token, changing nothing', async () => {
      const { user, email } = await createUser(t, police.adminToken, Role.Officer);
      const token = await t.login(email, FACTORY_PASSWORD);
      await t.patch('/api/me', { language: 'nl' }, token);
      for (const body of [{ language: 'es' }, { language: null }, { name: '' }, { language: 'de', role: 'org_admin' }, { language: 'DE' }]) {
        expectProblem(await t.patch('/api/me', body, token), 400);
      }
      expectProblem(await t.patch('/api/me', { language: 'fr' }), 401);
      const rows: Array<{ language: string; role: string; name: string }> = await t.dataSource.query(`SELECT language, role, name FROM "user" WHERE id = $1`, [
        user.id,
      ]);
      expect(rows).toEqual([{ language: 'nl', role: 'officer', name: user.name }]);
    });
  });

  it('documents its routes in the OpenAPI document', async () => {
    const doc = await t.get<{ paths: Record<string, Record<string, unknown>> }>('/docs-json');
    expect(Object.keys(doc.body.paths['/api/users'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.body.paths['/api/users/{id}'] ?? {})).toEqual(['patch']);
    expect(Object.keys(doc.body.paths['/api/me'] ?? {}).sort()).toEqual(['get', 'patch']);
  });
});
