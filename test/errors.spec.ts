import { TestApp } from './support/app';
import { errorPaths, expectProblem } from './support/problem';
import { uniqueName } from './factories/organisations';

describe('error answers', () => {
  let t: TestApp;
  let warnings: jest.SpyInstance;

  beforeAll(async () => {
    warnings = jest.spyOn(process, 'emitWarning');
    t = await TestApp.start();
  });
  afterAll(async () => {
    warnings.mockRestore();
    await t.close();
  });

  it('starts without Fastify warning about an overridden error handler', () => {
    const lines = warnings.mock.calls.map((args: unknown[]) => args.map(String).join(' '));
    expect(lines.filter((line) => /errorHandler|FSTWRN/i.test(line))).toEqual([]);
  });

  it('answers malformed JSON with 400 and says so', async () => {
    const response = await t.request('POST', '/api/auth/login', { body: '{"email": "officer@be-police.test", "password": ', headers: {} });
    const body = expectProblem(response, 400);
    expect(body.detail).toBe('The request body is not valid JSON');
    expect(body.type).toBe('/problems/malformed-request');
  });

  it('answers a JSON body that is declared but empty with 400', async () => {
    const response = await t.request('POST', '/api/auth/login', { body: '', headers: { 'content-type': 'application/json' } });
    expect(expectProblem(response, 400).detail).toBe('The request body is empty but declared as JSON');
  });

  it.each([
    ['text/plain', 'email=officer@be-police.test'],
    ['application/x-www-form-urlencoded', 'email=officer%40be-police.test&password=passage-demo-2026'],
    ['application/xml', '<login/>'],
  ])('answers a %s body with 415', async (contentType, payload) => {
    const response = await t.request('POST', '/api/auth/login', { body: payload, headers: { 'content-type': contentType } });
    expect(expectProblem(response, 415).detail).toBe('Unsupported content type; send application/json');
  });

  it('answers a body over the limit with 413', async () => {
    const response = await t.request('POST', '/api/auth/login', { body: JSON.stringify({ email: 'a@b.test', password: 'x'.repeat(1_100_000) }) });
    expectProblem(response, 413);
  });

  it('answers an unknown route with 404 and does not echo the query', async () => {
    const response = await t.get('/api/no-such-thing?name=Jane%20Victim');
    const body = expectProblem(response, 404);
    expect(body.type).toBe('/problems/not-found');
    expect(response.text).not.toContain('Victim');
  });

  it('answers an unknown method on a known path with 404 problem+json', async () => {
    expectProblem(await t.request('DELETE', '/api/health'), 404);
  });

  it('rejects unknown body fields, naming each', async () => {
    const response = await t.post('/api/auth/login', { email: 'officer@be-police.test', password: 'passage-demo-2026', role: 'platform_admin', extra: 1 });
    const body = expectProblem(response, 400);
    expect(errorPaths(body).sort()).toEqual(['extra', 'role']);
  });

  it('rejects unknown fields in nested objects and query strings', async () => {
    const token = await t.login('admin@platform.test');
    const slug = uniqueName('nested');
    const nested = await t.post(
      '/api/organisations',
      {
        slug,
        name: 'Nested',
        type: 'police',
        country: 'BE',
        admin: { email: `admin@${slug}.test`, name: 'A', password: 'long-enough-password', role: 'platform_admin' },
      },
      token,
    );
    expect(errorPaths(expectProblem(nested, 400))).toEqual(['admin.role']);
    const query = await t.get('/api/organisations?type=police&colour=blue', token);
    expect(errorPaths(expectProblem(query, 400))).toEqual(['colour']);
  });

  it('answers a path with a broken percent escape with 400 problem+json', async () => {
    for (const url of ['/api/cases/%C0%80', '/api/referrals/%ED%A0%80/accept', '/api/cases/%E0%A4%A']) {
      const body = expectProblem(await t.request('GET', url), 400);
      expect(body.type).toBe('/problems/malformed-request');
    }
  });

  it('answers a missing body on a route that needs one with 400', async () => {
    const response = await t.request('POST', '/api/auth/login');
    expectProblem(response, 400);
  });

  it('answers a malformed id in a path with 404: it names nothing (issue 9)', async () => {
    const token = await t.login('admin@platform.test');
    const response = await t.patch("/api/organisations/1' OR '1'='1", { name: 'x' }, token);
    expectProblem(response, 404);
  });

  it.each([
    ['no token', undefined],
    ['a malformed token', 'not-a-token'],
    ['a token signed with another key', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4Iiwic2lkIjoieSJ9.c2lnbmF0dXJl'],
  ])('answers %s with 401', async (_label, token) => {
    expectProblem(await t.get('/api/me', token), 401);
  });

  it('answers a role that may not call a route with 403', async () => {
    expectProblem(await t.get('/api/users', await t.login('officer@be-police.test')), 403);
  });

  it('answers too many requests with 429 and Retry-After', async () => {
    const limited = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '3', REDIS_PREFIX: uniqueName('ratelimit') });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i += 1) statuses.push((await limited.get('/api/me')).status);
      expect(statuses).toEqual([401, 401, 401]);
      const response = await limited.get('/api/me');
      expectProblem(response, 429);
      expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60);
    } finally {
      await limited.close();
    }
  });

  it('serves the OpenAPI document and its UI', async () => {
    const json = await t.get<{ openapi: string; paths: Record<string, unknown> }>('/docs-json');
    expect(json.status).toBe(200);
    expect(json.body.openapi).toMatch(/^3\./);
    const login = json.body.paths['/api/auth/login'] as { post: { responses: Record<string, unknown> } };
    expect(Object.keys(login.post.responses).sort()).toEqual(['200', '400', '401', '429']);
    expect(Object.keys(json.body.paths)).toEqual(expect.arrayContaining(['/api/auth/refresh', '/api/auth/logout', '/api/me', '/api/health']));
    const ui = await t.get('/docs');
    expect(ui.status).toBe(200);
    expect(String(ui.headers['content-type'])).toContain('text/html');
  });
});
