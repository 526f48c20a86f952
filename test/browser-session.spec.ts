import { OrganisationType } from '../src/access/organisation-type';
import { Role } from '../src/access/role';
import { createOrganisation, FACTORY_PASSWORD } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp, type TestResponse } from './support/app';
import { expectProblem } from './support/problem';

interface SetCookie {
  value: string;
  attributes: string[];
}

/** The Set-Cookie headers of an answer by cookie name, attributes lower-cased. */
function setCookies(response: TestResponse): Map<string, SetCookie> {
  const raw = response.headers['set-cookie'];
  const lines = raw === undefined ? [] : Array.isArray(raw) ? raw : [String(raw)];
  return new Map(
    lines.map((line) => {
      const [pair, ...attributes] = line.split(';').map((part) => part.trim());
      const index = pair!.indexOf('=');
      return [pair!.slice(0, index), { value: pair!.slice(index + 1), attributes: attributes.map((a) => a.toLowerCase()) }];
    }),
  );
}

/** What a browser would hold after an answer: the two cookies' values. */
interface Jar {
  refresh: string;
  csrf: string;
}

function jarFrom(response: TestResponse): Jar {
  const cookies = setCookies(response);
  return { refresh: cookies.get('passage_refresh')!.value, csrf: cookies.get('passage_csrf')!.value };
}

describe('browser session (cookie flow)', () => {
  let t: TestApp;
  let adminToken: string;

  beforeAll(async () => {
    t = await TestApp.start();
    ({ adminToken } = await createOrganisation(t, { type: OrganisationType.Police }));
  });
  afterAll(() => t.close());

  async function signIn(): Promise<{ response: TestResponse<{ accessToken: string; expiresIn: number }>; jar: Jar }> {
    const { email } = await createUser(t, adminToken, Role.Officer);
    const response = await t.request<{ accessToken: string; expiresIn: number }>('POST', '/api/auth/session', {
      body: { email, password: FACTORY_PASSWORD },
      headers: { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' },
    });
    expect(response.status).toBe(200);
    return { response, jar: jarFrom(response) };
  }

  const refresh = (jar: Partial<Jar>, headers: Record<string, string> = {}) =>
    t.request<{ accessToken: string; expiresIn: number }>('POST', '/api/auth/session/refresh', {
      headers: {
        cookie: [jar.refresh && `passage_refresh=${jar.refresh}`, jar.csrf && `passage_csrf=${jar.csrf}`].filter(Boolean).join('; '),
        ...(jar.csrf ? { 'x-csrf-token': jar.csrf } : {}),
        ...headers,
      },
    });

  const signOut = (jar: Jar, headers: Record<string, string> = {}) =>
    t.request('DELETE', '/api/auth/session', {
      headers: { cookie: `passage_refresh=${jar.refresh}; passage_csrf=${jar.csrf}`, 'x-csrf-token': jar.csrf, ...headers },
    });

  it('signs in with the access token in the body and the refresh token only in an httpOnly, Strict, path-bound cookie', async () => {
    const { response, jar } = await signIn();
    expect(response.body).toEqual({ accessToken: expect.any(String), expiresIn: t.config.accessTokenTtlSeconds });
    expect(response.text).not.toContain(jar.refresh);
    const cookies = setCookies(response);
    const refreshCookie = cookies.get('passage_refresh')!;
    expect(refreshCookie.attributes).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'secure', 'path=/api/auth/session']));
    const csrfCookie = cookies.get('passage_csrf')!;
    expect(csrfCookie.attributes).toEqual(expect.arrayContaining(['samesite=strict', 'secure', 'path=/']));
    expect(csrfCookie.attributes).not.toContain('httponly');
    expect(csrfCookie.value.length).toBeGreaterThanOrEqual(40);
    expect(response.headers['cache-control']).toBe('no-store');
    expect((await t.get('/api/me', response.body.accessToken)).status).toBe(200);
  });

  it('leaves the cookies without Secure in development only', async () => {
    const dev = await TestApp.start({ NODE_ENV: 'development' });
    try {
      const response = await dev.request('POST', '/api/auth/session', { body: { email: 'officer@be-police.test', password: 'passage-demo-2026' } });
      expect(response.status).toBe(200);
      const cookies = setCookies(response);
      expect(cookies.get('passage_refresh')!.attributes).not.toContain('secure');
      expect(cookies.get('passage_csrf')!.attributes).not.toContain('secure');
    } finally {
      await dev.close();
    }
  });

  it('answers wrong credentials with 401 and sets no cookie', async () => {
    const response = await t.request('POST', '/api/auth/session', { body: { email: 'nobody@example.test', password: 'wrong-password-1' } });
    expectProblem(response, 401);
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('refuses a sign-in posted from another site', async () => {
    const { email } = await createUser(t, adminToken, Role.Officer);
    const response = await t.request('POST', '/api/auth/session', {
      body: { email, password: FACTORY_PASSWORD },
      headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
    });
    expect(expectProblem(response, 403).type).toBe('/problems/csrf');
    expect(response.headers['set-cookie']).toBeUndefined();
  });

  it('refreshes with the cookie and the CSRF header, rotating both cookies', async () => {
    const { jar } = await signIn();
    const response = await refresh(jar, { origin: 'http://localhost', 'sec-fetch-site': 'same-origin' });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ accessToken: expect.any(String), expiresIn: t.config.accessTokenTtlSeconds });
    expect(response.headers['cache-control']).toBe('no-store');
    const next = jarFrom(response);
    expect(next.refresh).not.toBe(jar.refresh);
    expect(next.csrf).not.toBe(jar.csrf);
    expect((await t.get('/api/me', response.body.accessToken)).status).toBe(200);
    expect((await refresh(next)).status).toBe(200);
  });

  it('refuses a refresh without the CSRF header, with a wrong one, or from another site (403 problem+json)', async () => {
    const { jar } = await signIn();
    const cookie = `passage_refresh=${jar.refresh}; passage_csrf=${jar.csrf}`;
    const missing = await t.request('POST', '/api/auth/session/refresh', { headers: { cookie } });
    expect(expectProblem(missing, 403).type).toBe('/problems/csrf');
    const wrong = await t.request('POST', '/api/auth/session/refresh', { headers: { cookie, 'x-csrf-token': `${jar.csrf.slice(0, -1)}x` } });
    expect(expectProblem(wrong, 403).type).toBe('/problems/csrf');
    // A header without its cookie proves nothing: an attacker can send any header but cannot read our cookie.
    const noCookie = await t.request('POST', '/api/auth/session/refresh', { headers: { cookie: `passage_refresh=${jar.refresh}`, 'x-csrf-token': jar.csrf } });
    expect(expectProblem(noCookie, 403).type).toBe('/problems/csrf');
    expect(expectProblem(await refresh(jar, { origin: 'https://evil.example' }), 403).type).toBe('/problems/csrf');
    expect(expectProblem(await refresh(jar, { 'sec-fetch-site': 'same-site' }), 403).type).toBe('/problems/csrf');
    // None of the refused attempts used the refresh token up.
    expect((await refresh(jar)).status).toBe(200);
  });

  it('answers a refresh without a refresh cookie with 401', async () => {
    const { jar } = await signIn();
    expectProblem(await refresh({ csrf: jar.csrf }), 401);
  });

  it('detects reuse of a rotated refresh cookie and ends the whole session', async () => {
    const { response: signedIn, jar } = await signIn();
    const rotated = await refresh(jar);
    expect(rotated.status).toBe(200);
    const next = jarFrom(rotated);
    // The old cookie again, as a thief holding a copy would send it.
    const reused = await refresh(jar);
    expectProblem(reused, 401);
    const cleared = setCookies(reused);
    expect(cleared.get('passage_refresh')!.value).toBe('');
    expect(cleared.get('passage_csrf')!.value).toBe('');
    // The legitimate holder's newer cookie and its access tokens are dead too.
    expectProblem(await refresh(next), 401);
    for (const token of [signedIn.body.accessToken, rotated.body.accessToken]) {
      const me = await t.get('/api/me', token);
      expect(me.status).toBe(401);
    }
  });

  it('signs out with the CSRF header: 204, cookies cleared, the session revoked', async () => {
    const { response, jar } = await signIn();
    expect(expectProblem(await signOut(jar, { 'x-csrf-token': 'forged-token-value' }), 403).type).toBe('/problems/csrf');
    const out = await signOut(jar);
    expect(out.status).toBe(204);
    const cleared = setCookies(out);
    expect(cleared.get('passage_refresh')!.value).toBe('');
    expect(cleared.get('passage_refresh')!.attributes).toEqual(expect.arrayContaining(['path=/api/auth/session']));
    expect(cleared.get('passage_csrf')!.value).toBe('');
    expectProblem(await refresh(jar), 401);
    expect((await t.get('/api/me', response.body.accessToken)).status).toBe(401);
  });

  it('records a browser sign-in in the audit trail like any login', async () => {
    const { email, user } = await createUser(t, adminToken, Role.Officer);
    const response = await t.request('POST', '/api/auth/session', { body: { email, password: FACTORY_PASSWORD } });
    expect(response.status).toBe(200);
    const rows: Array<{ count: number }> = await t.dataSource.query(
      `SELECT count(*)::int AS count FROM audit_event WHERE action = 'auth.login' AND actor_user_id = $1`,
      [user.id],
    );
    expect(rows[0]!.count).toBe(1);
  });

  it('keeps the lockout: five failures lock the browser sign-in too', async () => {
    const { email } = await createUser(t, adminToken, Role.Officer);
    for (let i = 0; i < 5; i += 1) {
      expectProblem(await t.request('POST', '/api/auth/session', { body: { email, password: `wrong-password-${i}` } }), 401);
    }
    expectProblem(await t.request('POST', '/api/auth/session', { body: { email, password: FACTORY_PASSWORD } }), 429);
  });

  it('keeps the JSON flow for other systems', async () => {
    const { email } = await createUser(t, adminToken, Role.Officer);
    const login = await t.post<{ refreshToken: string }>('/api/auth/login', { email, password: FACTORY_PASSWORD });
    expect(login.status).toBe(200);
    expect(login.headers['set-cookie']).toBeUndefined();
    expect((await t.post('/api/auth/refresh', { refreshToken: login.body.refreshToken })).status).toBe(200);
  });
});
