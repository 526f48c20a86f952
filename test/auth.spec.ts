import { OrganisationType } from '../src/access/organisation-type';
import { Role } from '../src/access/role';
import { createOrganisation, FACTORY_PASSWORD, uniqueName } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp } from './support/app';
import { errorPaths, expectProblem } from './support/problem';

interface TokenPair {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

describe('auth', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ({ adminToken } = await createOrganisation(t, { type: OrganisationType.Police }));
  });
  afterAll(() => t.close());

  /** A fresh officer, so lockouts and revocations never touch the shared demo users. */
  async function freshOfficer(): Promise<string> {
    return (await createUser(t, adminToken, Role.Officer)).email;
  }

  const login = (email: string, password = FACTORY_PASSWORD) => t.post<TokenPair>('/api/auth/login', { email, password });
  const refresh = (refreshToken: string) => t.post<TokenPair>('/api/auth/refresh', { refreshToken });

  it('signs in with the right password and returns a token pair', async () => {
    const email = await freshOfficer();
    const response = await login(email);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: t.config.accessTokenTtlSeconds });
    const me = await t.get<{ email: string; role: string }>('/api/me', response.body.accessToken);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ email, role: 'officer' });
  });

  it('answers an unknown e-mail and a wrong password identically', async () => {
    const email = await freshOfficer();
    const unknown = await login(`${uniqueName('nobody')}@example.test`);
    const wrong = await login(email, 'wrong-password-123');
    expectProblem(unknown, 401);
    expectProblem(wrong, 401);
    expect(wrong.body).toEqual(unknown.body);
    expect(wrong.headers['content-type']).toEqual(unknown.headers['content-type']);
  });

  it('answers a deactivated account like a wrong password', async () => {
    const { user, email } = await createUser(t, adminToken, Role.Officer);
    expect((await t.patch(`/api/users/${user.id}`, { active: false }, adminToken)).status).toBe(200);
    const inactive = await login(email);
    const unknown = await login(`${uniqueName('nobody')}@example.test`);
    expectProblem(inactive, 401);
    expect(inactive.body).toEqual(unknown.body);
  });

  it('refuses a login without a password as a validation error', async () => {
    const response = await t.post('/api/auth/login', { email: 'officer@be-police.test' });
    expect(errorPaths(expectProblem(response, 400))).toContain('password');
  });

  it('locks an account out after five failures in 15 minutes, with Retry-After', async () => {
    const email = await freshOfficer();
    for (let i = 0; i < 5; i += 1) expectProblem(await login(email, `wrong-password-${i}`), 401);
    // Even the right password is refused while locked out.
    const locked = await login(email);
    expectProblem(locked, 429);
    const retryAfter = Number(locked.headers['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
  });

  it('does not lock out after four failures, and a success does not wipe them (five failures in the window lock out)', async () => {
    const email = await freshOfficer();
    for (let i = 0; i < 4; i += 1) expectProblem(await login(email, `wrong-password-${i}`), 401);
    expect((await login(email)).status).toBe(200);
    expect((await login(email)).status).toBe(200);
    expectProblem(await login(email, 'wrong-password-4'), 401);
    expectProblem(await login(email), 429);
  });

  const statusCounts = (statuses: number[]): Record<number, number> =>
    statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});

  it('counts 200 concurrent wrong passwords atomically: five are checked, every other one is refused with 429 and Retry-After', async () => {
    const email = await freshOfficer();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => login(email, `wrong-password-${i}`)));
    expect(statusCounts(answers.map((answer) => answer.status))).toEqual({ 401: 5, 429: 195 });
    for (const answer of answers.filter((a) => a.status === 429)) expect(Number(answer.headers['retry-after'])).toBeGreaterThan(800);
    expectProblem(await login(email), 429);
  });

  it('refuses the right password inside a burst of wrong ones once five are counted, and its success wipes nothing', async () => {
    const email = await freshOfficer();
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => (i % 20 === 10 ? login(email) : login(email, `wrong-password-${i}`))));
    const counts = statusCounts(answers.map((answer) => answer.status));
    // A right password either took one of the five slots (and gave it back) or was refused like the rest.
    expect(counts[401]).toBe(5);
    expect((counts[200] ?? 0) + counts[429]!).toBe(195);
    expect(counts[200] ?? 0).toBeLessThanOrEqual(10);
    expectProblem(await login(email), 429);
  });

  it('locks out unknown e-mails the same way, so a lockout reveals nothing', async () => {
    const email = `${uniqueName('nobody')}@example.test`;
    for (let i = 0; i < 5; i += 1) expectProblem(await login(email), 401);
    expect(expectProblem(await login(email), 429).type).toBe('/problems/too-many-requests');
  });

  it('rotates refresh tokens: the new pair works, the old refresh token is dead', async () => {
    const first = (await login(await freshOfficer())).body;
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    expect((await t.get('/api/me', second.body.accessToken)).status).toBe(200);
    const third = await refresh(second.body.refreshToken);
    expect(third.status).toBe(200);
    expectProblem(await refresh(second.body.refreshToken), 401);
  });

  it('revokes the whole family when a dead refresh token is reused', async () => {
    const first = (await login(await freshOfficer())).body;
    const second = (await refresh(first.refreshToken)).body;
    expectProblem(await refresh(first.refreshToken), 401);
    // The thief reused the old token: the legitimate new one dies with the family, and so does its access token.
    expectProblem(await refresh(second.refreshToken), 401);
    expectProblem(await t.get('/api/me', second.accessToken), 401);
    const sessions = await t.dataSource.query(
      `SELECT s.revoked_reason FROM auth_session s JOIN refresh_token r ON r.session_id = s.id WHERE r.token_hash = sha256(convert_to($1, 'UTF8'))`,
      [second.refreshToken],
    );
    expect(sessions).toEqual([{ revoked_reason: 'reuse' }]);
  });

  it('refuses an unknown refresh token', async () => {
    expectProblem(await refresh('x'.repeat(43)), 401);
  });

  it('logs out: 204, the refresh token is dead and the access token refused', async () => {
    const pair = (await login(await freshOfficer())).body;
    const out = await t.request('POST', '/api/auth/logout', { token: pair.accessToken });
    expect(out.status).toBe(204);
    expectProblem(await refresh(pair.refreshToken), 401);
    expectProblem(await t.get('/api/me', pair.accessToken), 401);
  });

  it('keeps other sessions of the same user alive on logout', async () => {
    const email = await freshOfficer();
    const phone = (await login(email)).body;
    const laptop = (await login(email)).body;
    expect((await t.request('POST', '/api/auth/logout', { token: phone.accessToken })).status).toBe(204);
    expect((await t.get('/api/me', laptop.accessToken)).status).toBe(200);
    expect((await refresh(laptop.refreshToken)).status).toBe(200);
  });

  it('needs a token to log out', async () => {
    expectProblem(await t.request('POST', '/api/auth/logout'), 401);
  });
});
