import { createSecretKey, randomUUID } from 'node:crypto';
import { JwtService } from '@nestjs/jwt';
import { uniqueName } from './factories/organisations';
import { TestApp } from './support/app';
import { expectProblem } from './support/problem';

/** Issue 14, finding 8: the operational settings and defaults a deployment relies on. */
describe('operations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  const auditIpOf = async (app: TestApp, requestId: string): Promise<string | null> => {
    const rows: Array<{ ip: string | null }> = await app.dataSource.query(`SELECT ip FROM audit_event WHERE request_id = $1`, [requestId]);
    expect(rows).toHaveLength(1);
    return rows[0]!.ip;
  };

  const failedLogin = (app: TestApp, headers: Record<string, string>) =>
    app.request('POST', '/api/auth/login', { body: { email: `${uniqueName('nobody')}@example.test`, password: 'wrong-password' }, headers });

  describe('tokens', () => {
    it('refuses a correctly signed access token that has no exp', async () => {
      const access = await t.login('officer@be-police.test');
      const claims = JSON.parse(Buffer.from(access.split('.')[1]!, 'base64url').toString('utf8')) as { sub: string; sid: string };
      const jwt = new JwtService({ secret: createSecretKey(t.config.jwtSecret) });
      const sign = (expiresIn?: number) =>
        jwt.signAsync(
          { sid: claims.sid },
          { algorithm: 'HS256', issuer: 'passage', audience: 'passage-api', subject: claims.sub, ...(expiresIn ? { expiresIn } : {}) },
        );
      // The same claims with an exp are accepted, so the refusal is about the missing exp alone.
      expect((await t.get('/api/me', await sign(60))).status).toBe(200);
      expectProblem(await t.get('/api/me', await sign()), 401);
    });
  });

  describe('TRUST_PROXY', () => {
    it('is off by default: X-Forwarded-For is not believed, the socket address is audited', async () => {
      const requestId = `ops-${randomUUID()}`;
      expectProblem(await failedLogin(t, { 'x-forwarded-for': '203.0.113.7', 'x-request-id': requestId }), 401);
      expect(await auditIpOf(t, requestId)).toBe('127.0.0.1');
    });

    it('when set, audits the client address behind the proxy and gives each client its own rate-limit bucket', async () => {
      const proxied = await TestApp.start({ TRUST_PROXY: '127.0.0.1', RATE_LIMIT_PER_MINUTE: '2', REDIS_PREFIX: uniqueName('trust-proxy') });
      try {
        const requestId = `ops-${randomUUID()}`;
        expectProblem(await failedLogin(proxied, { 'x-forwarded-for': '203.0.113.7', 'x-request-id': requestId }), 401);
        expect(await auditIpOf(proxied, requestId)).toBe('203.0.113.7');
        const from = (ip: string) => proxied.request('GET', '/api/me', { headers: { 'x-forwarded-for': ip } });
        // The sign-in above was this client's first request of the minute.
        expectProblem(await from('203.0.113.7'), 401);
        expectProblem(await from('203.0.113.7'), 429);
        expectProblem(await from('198.51.100.1'), 401);
        expectProblem(await from('198.51.100.1'), 401);
        expectProblem(await from('198.51.100.1'), 429);
      } finally {
        await proxied.close();
      }
    });
  });

  describe('/api/health', () => {
    it('is rate-limited like every route', async () => {
      const limited = await TestApp.start({ RATE_LIMIT_PER_MINUTE: '3', REDIS_PREFIX: uniqueName('health-limit') });
      try {
        for (let i = 0; i < 3; i += 1) expect((await limited.get('/api/health')).status).toBe(200);
        expectProblem(await limited.get('/api/health'), 429);
      } finally {
        await limited.close();
      }
    });

    it('probes the database at most once a second however often it is called', async () => {
      const query = jest.spyOn(t.dataSource, 'query');
      try {
        // Bursts of 10 concurrent calls until one finds the cached probe expired (a condition, not a fixed wait): that burst runs one round of probes.
        let answers: Array<{ status: number }> = [];
        let started = Date.now();
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; await new Promise((resolve) => setTimeout(resolve, 100))) {
          query.mockClear();
          started = Date.now();
          answers = await Promise.all(Array.from({ length: 10 }, () => t.get<{ status: string }>('/api/health')));
          if (query.mock.calls.length > 0) break;
        }
        // One round of probes (SELECT 1 and the outbox lag query) for the whole burst.
        expect(query.mock.calls.length).toBeGreaterThan(0);
        expect(query.mock.calls.length).toBeLessThanOrEqual(2);
        for (let i = 0; i < 10; i += 1) answers.push(await t.get<{ status: string }>('/api/health'));
        expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(200));
        // However slow the machine, never more than one round per started second.
        expect(query.mock.calls.length / 2).toBeLessThanOrEqual(1 + Math.floor((Date.now() - started) / 1000));
      } finally {
        query.mockRestore();
      }
    });
  });
});
