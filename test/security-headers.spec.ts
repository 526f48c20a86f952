import helmet from '@fastify/helmet';
import Fastify from 'fastify';
import { HELMET_OPTIONS } from '../src/http';
import { TestApp } from './support/app';

/**
 * The API sets helmet's headers once computed (src/http.ts) instead of running @fastify/helmet on
 * every request: every kind of answer must still carry exactly what the plugin itself would set.
 */
describe('security headers', () => {
  let t: TestApp;
  let expected: Record<string, string>;

  beforeAll(async () => {
    t = await TestApp.start();
    const plugin = Fastify();
    await plugin.register(helmet, HELMET_OPTIONS);
    plugin.get('/', () => 'ok');
    const answer = await plugin.inject({ method: 'GET', url: '/' });
    await plugin.close();
    expected = Object.fromEntries(
      Object.entries(answer.headers)
        .filter(([name]) => !['content-type', 'content-length', 'date', 'connection', 'keep-alive'].includes(name))
        .map(([name, value]) => [name, String(value)]),
    );
    // Guards the comparison itself: helmet's own headers are there to compare with.
    expect(expected['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(expected['x-frame-options']).toBe('DENY');
    expect(Object.keys(expected).length).toBeGreaterThanOrEqual(10);
  });
  afterAll(() => t.close());

  it.each([
    ['a public route', '/api/health'],
    ['a refusal (no token)', '/api/cases'],
    ['an unknown route', '/api/no-such-route'],
  ])('%s answers with every helmet header', async (_kind, path) => {
    const response = await t.get(path);
    for (const [name, value] of Object.entries(expected)) expect([name, response.headers[name]]).toEqual([name, value]);
  });
});
