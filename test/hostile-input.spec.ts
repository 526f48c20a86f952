import { Role } from '../src/access/role';
import { createOrganisation } from './factories/organisations';
import { createUser } from './factories/users';
import { TestApp } from './support/app';
import { caseBody, createCase, organisationId } from './support/factories';
import { expectProblem } from './support/problem';

/**
 * Issue 14, finding 5: every input the security review answered with a 500 gets a 400
 * problem+json. Raw bodies are written by hand where JSON.stringify could not express them
 * (lone surrogates as escapes, nesting deeper than a JavaScript value should be built).
 */
describe('hostile input', () => {
  let t: TestApp;
  let officer: string;
  beforeAll(async () => {
    t = await TestApp.start({ WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' });
    officer = await t.login('officer@be-police.test');
  });
  afterAll(() => t.close());

  const raw = (method: string, url: string, body: string, token?: string) =>
    t.request(method, url, { body, token, headers: { 'content-type': 'application/json' } });

  const cursorOf = (parts: unknown[]) => Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');

  describe('lone surrogates and NUL in strings', () => {
    it.each([
      ['a lone high surrogate', '"\\ud800@example.test"'],
      ['a lone low surrogate', '"x\\udc00@example.test"'],
      ['a NUL', '"officer\\u0000@be-police.test"'],
    ])('refuses %s in the login e-mail', async (_label, email) => {
      const body = expectProblem(await raw('POST', '/api/auth/login', `{"email":${email},"password":"passage-demo-2026"}`), 400);
      expect(body.errors).toEqual([{ path: 'email', message: expect.stringMatching(/NUL|surrogate/) }]);
    });

    it('refuses a NUL in summary needs when opening a case, naming the field', async () => {
      const body = JSON.stringify(caseBody({ summary: { needs: ['shelter', 'interpreter\u0000'] } }));
      const problem = expectProblem(await raw('POST', '/api/cases', body, officer), 400);
      expect(problem.errors).toEqual([{ path: 'summary.needs.1', message: expect.any(String) }]);
    });

    it('refuses a NUL in a user name', async () => {
      const { adminToken } = await createOrganisation(t);
      const { user } = await createUser(t, adminToken, Role.Officer);
      expectProblem(await raw('PATCH', `/api/users/${user.id}`, '{"name":"Jan\\u0000Peeters"}', adminToken), 400);
    });

    it('refuses a NUL in a decline reason and in a query parameter', async () => {
      const created = await createCase(t, officer);
      const referral = await t.post<{ id: string }>(
        `/api/cases/${created.id}/referrals`,
        { toOrganisationId: await organisationId(t.dataSource, 'be-prosecution'), purpose: 'prosecution', urgency: 'routine' },
        officer,
      );
      expect(referral.status).toBe(201);
      const prosecutor = await t.login('prosecutor@be-prosecution.test');
      expectProblem(await raw('POST', `/api/referrals/${referral.body.id}/decline`, '{"reason":"no\\u0000capacity"}', prosecutor), 400);
      expectProblem(await t.get('/api/referrals?direction=incoming&status=pending%00', prosecutor), 400);
    });
  });

  describe('nesting and size', () => {
    const deep = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

    it.each(['/api/auth/login', '/api/auth/refresh'])('answers JSON nested 5,000 deep on %s with 400 before anything else runs', async (url) => {
      const problem = expectProblem(await raw('POST', url, `{"email":${deep(5000)},"refreshToken":${deep(5000)}}`), 400);
      expect(problem.detail).toMatch(/nested too deeply/);
    });

    it('answers a deeply nested object in a section update with 400', async () => {
      const created = await createCase(t, officer);
      const nested = `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`;
      expectProblem(await raw('PATCH', `/api/cases/${created.id}/sections/investigation`, `{"version":1,"data":{"locations":${nested}}}`, officer), 400);
    });

    it('refuses an overlong string wherever it is, even in a free-form object', async () => {
      const created = await createCase(t, officer);
      const long = 'x'.repeat(20_001);
      const problem = expectProblem(
        await t.patch(`/api/cases/${created.id}/sections/investigation`, { version: 1, data: { statementSummary: long } }, officer),
        400,
      );
      expect(problem.errors).toEqual([{ path: 'data.statementSummary', message: expect.stringMatching(/longer than/) }]);
    });
  });

  describe('POST /api/cases with a body of the wrong shape', () => {
    it.each(['{}', 'null', '{"summary":[]}', '{"summary":[[[[[]]]]]}', '{"summary":null}', '[]', '"summary"', '42'])('answers %s with 400', async (body) => {
      expectProblem(await raw('POST', '/api/cases', body, officer), 400);
    });

    it('still answers 400 to the same bodies sent in a row, interleaved with good ones', async () => {
      for (const body of ['{}', 'null', '{"summary":[]}', '{"summary":[[[[[]]]]]}']) {
        expectProblem(await raw('POST', '/api/cases', body, officer), 400);
        expect((await t.post('/api/cases', caseBody(), officer)).status).toBe(201);
      }
    });
  });

  describe('malformed cursors', () => {
    const badCursors = [
      ['a time that is not one', cursorOf(['not-a-time', '00000000-0000-4000-8000-000000000000'])],
      ['an impossible date', cursorOf(['2026-13-45 25:61:00+00', '00000000-0000-4000-8000-000000000000'])],
      ['an id that is not a uuid', cursorOf(['2026-01-01 00:00:00+00', 'nope'])],
      ['numbers', cursorOf([1, 2])],
    ];

    it.each(badCursors)('referrals: %s', async (_label, cursor) => {
      expectProblem(await t.get(`/api/referrals?direction=outgoing&cursor=${cursor}`, officer), 400);
    });

    it.each(badCursors)('inbox: %s', async (_label, cursor) => {
      expectProblem(await t.get(`/api/notifications?cursor=${cursor}`, officer), 400);
    });

    it.each(badCursors)('webhook deliveries: %s', async (_label, cursor) => {
      const { organisation, adminToken } = await createOrganisation(t);
      const webhook = await t.post<{ id: string }>(
        `/api/organisations/${organisation.id}/webhooks`,
        { url: 'http://127.0.0.1:9/hook', events: ['referral.received'] },
        adminToken,
      );
      expect(webhook.status).toBe(201);
      expectProblem(await t.get(`/api/organisations/${organisation.id}/webhooks/${webhook.body.id}/deliveries?cursor=${cursor}`, adminToken), 400);
    });
  });

  // Found by the full fuzz run (5,000 requests per operation).
  describe('found by the full fuzz run', () => {
    it('answers a body that only claims to be multipart with 400, not 500', async () => {
      const created = await createCase(t, officer);
      for (const body of [`{"a":"${'x'.repeat(1_048_570)}"}`, '{"a":1}', '------x\r\nContent-Disposition: form-data; name="section"\r\n\r\ncare']) {
        const answer = await t.request('POST', `/api/cases/${created.id}/documents`, {
          body,
          token: officer,
          headers: { 'content-type': 'multipart/form-data; boundary=----x' },
        });
        expect([400, 413]).toContain(answer.status);
        expectProblem(answer, answer.status);
      }
    });

    it('does not echo an unknown section name back', async () => {
      const created = await createCase(t, officer);
      const problem = expectProblem(
        await t.request('PATCH', `/api/cases/${created.id}/sections/${encodeURIComponent("$$; COPY (SELECT 1) TO PROGRAM 'id'; $$")}`, {
          body: '{"version":0,"data":{}}',
          token: officer,
          headers: { 'content-type': 'application/json' },
        }),
        404,
      );
      expect(problem.detail).not.toContain('COPY');
    });
  });
});
