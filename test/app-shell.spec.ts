import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp } from './support/app';
import { expectProblem } from './support/problem';

const INDEX_HTML =
  '<!doctype html><html lang="en"><head><script type="module" src="/assets/index-3f9a1c.js"></script></head><body><div id="root"></div></body></html>';

/** A stand-in for web/dist as Vite builds it. */
function builtWebApp(): string {
  const root = mkdtempSync(join(tmpdir(), 'passage-web-'));
  mkdirSync(join(root, 'assets'));
  writeFileSync(join(root, 'index.html'), INDEX_HTML);
  writeFileSync(join(root, 'assets', 'index-3f9a1c.js'), 'console.log("app");');
  writeFileSync(join(root, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  return root;
}

function expectAppCsp(header: unknown): void {
  const policy = String(header);
  expect(policy).toContain("default-src 'self'");
  expect(policy).toContain("frame-ancestors 'none'");
  expect(policy).toContain("object-src 'none'");
  const scripts = /script-src ([^;]*)/.exec(policy)?.[1];
  expect(scripts).toBe("'self'");
}

describe('the web app shell', () => {
  let t: TestApp;
  let root: string;

  beforeAll(async () => {
    root = builtWebApp();
    t = await TestApp.start({}, { webRoot: root });
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it.each(['/', '/cases', '/cases/new', '/cases/0b8f3e55-7a0e-4b8e-9a36-2c6a1f0d9e11', '/referrals/0b8f3e55-7a0e-4b8e-9a36-2c6a1f0d9e11', '/inbox'])(
    'answers the deep link %s with index.html, never stored',
    async (path) => {
      const response = await t.get(path);
      expect(response.status).toBe(200);
      expect(String(response.headers['content-type'])).toMatch(/^text\/html/);
      expect(response.text).toBe(INDEX_HTML);
      expect(response.headers['cache-control']).toBe('no-store');
      expectAppCsp(response.headers['content-security-policy']);
      expect(response.headers['x-frame-options']).toBe('DENY');
    },
  );

  it('serves hashed bundles for a year and other files with revalidation', async () => {
    const bundle = await t.get('/assets/index-3f9a1c.js');
    expect(bundle.status).toBe(200);
    expect(bundle.text).toBe('console.log("app");');
    expect(bundle.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await t.get('/favicon.svg');
    expect(icon.status).toBe(200);
    expect(icon.headers['cache-control']).toBe('no-cache');
    expect((await t.get('/index.html')).headers['cache-control']).toBe('no-store');
  });

  it('answers a missing file with 404, not with the HTML shell', async () => {
    expectProblem(await t.get('/assets/index-000000.js'), 404);
    expectProblem(await t.get('/robots.txt'), 404);
  });

  it('keeps unknown API routes problem+json 404s, never stored', async () => {
    for (const path of ['/api', '/api/', '/api/no-such-thing', '/api/cases/0b8f3e55-7a0e-4b8e-9a36-2c6a1f0d9e11/nothing']) {
      const response = await t.get(path);
      expectProblem(response, 404);
      expect(response.headers['cache-control']).toBe('no-store');
    }
    expectProblem(await t.request('POST', '/cases'), 404);
  });

  it('still serves the API documentation', async () => {
    expect((await t.get('/docs-json')).status).toBe(200);
    const ui = await t.get('/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).not.toBe(INDEX_HTML);
  });

  it('sends no-store and a CSP on every API answer', async () => {
    const health = await t.get('/api/health');
    expect(health.headers['cache-control']).toBe('no-store');
    expectAppCsp(health.headers['content-security-policy']);
    const denied = await t.get('/api/cases');
    expectProblem(denied, 401);
    expect(denied.headers['cache-control']).toBe('no-store');
    expectAppCsp(denied.headers['content-security-policy']);
  });
});

describe('without a built web app', () => {
  let t: TestApp;
  let root: string;

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'passage-no-web-'));
    t = await TestApp.start({}, { webRoot: root });
  });
  afterAll(async () => {
    await t.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('answers / with a problem+json 404 and keeps serving the API', async () => {
    expectProblem(await t.get('/'), 404);
    expectProblem(await t.get('/cases/x'), 404);
    expect((await t.get('/api/health')).status).toBe(200);
  });
});
