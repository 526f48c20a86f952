import { TestApp } from './support/app';

describe('foundation', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await TestApp.start();
  });
  afterAll(() => t.close());

  it('answers health with db and redis up', async () => {
    const response = await t.get('/api/health');
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ status: 'ok', db: 'up', redis: 'up' });
  });

  it('signs a demo user in and answers /api/me', async () => {
    const token = await t.login('officer@be-police.test');
    const me = await t.get<{ role: string; organisation: { slug: string } }>('/api/me', token);
    expect(me.status).toBe(200);
    expect(me.body.role).toBe('officer');
    expect(me.body.organisation.slug).toBe('be-police');
  });
});
