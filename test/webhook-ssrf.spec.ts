import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Job } from 'bullmq';
import { DomainEventType } from '../src/outbox/domain-event';
import { Sealer } from '../src/common/crypto';
import { WebhookDeliveryHandler } from '../src/notifications/webhook-delivery.handler';
import { TestApp } from './support/app';
import { createCase } from './support/factories';
import { expectProblem } from './support/problem';

/** Issue 14, finding 2: webhooks cannot be pointed at the platform's own network, by name or by any address notation. */
describe('webhook SSRF', () => {
  let t: TestApp;
  let admin: string;
  let organisationId: string;
  let receiver: Server;
  let hits = 0;
  beforeAll(async () => {
    t = await TestApp.start();
    admin = await t.login('admin@be-police.test');
    organisationId = (await t.get<{ organisation: { id: string } }>('/api/me', admin)).body.organisation.id;
    receiver = createServer((_request, response) => {
      hits += 1;
      response.writeHead(200).end();
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await new Promise((resolve) => receiver.close(resolve));
    await t.close();
  });

  const register = (url: string) => t.post(`/api/organisations/${organisationId}/webhooks`, { url, events: [DomainEventType.CaseClosed] }, admin);

  it.each([
    'http://127.0.0.1:3000/api/health',
    'http://169.254.169.254/latest/meta-data/',
    'http://localhost:3000/api/cases',
    'http://0x7f000001/',
    'http://2130706433/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://10.0.0.1/',
    'http://[fd00::1]/',
    'http://0.0.0.0/',
  ])('refuses to register %s', async (url) => {
    // Most are refused by the address check; a bare decimal host already fails the URL syntax rule.
    const problem = expectProblem(await register(url), 400);
    expect(problem.errors?.map((error) => error.path)).toEqual(['url']);
  });

  it('refuses to deliver to a target that points into a private network by the time of delivery, and sends nothing', async () => {
    // As if the name resolved to a public address at registration and to this one now (DNS rebinding).
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
    // Registered with a public address (so it has a sealed secret), then re-pointed in the database.
    const created = await register('https://93.184.215.14/hook');
    expect(created.status).toBe(201);
    const webhookId = (created.body as { id: string }).id;
    await t.dataSource.query(`UPDATE webhook SET url = $2 WHERE id = $1`, [webhookId, url]);
    const officer = await t.login('officer@be-police.test');
    const caseId = (await createCase(t, officer)).id;
    const [delivery]: Array<{ id: string }> = await t.dataSource.query(
      `INSERT INTO webhook_delivery (webhook_id, event_id, type, case_id, body) VALUES ($1, $2, 'case.closed', $3, '{}') RETURNING id`,
      [webhookId, randomUUID(), caseId],
    );
    const handler = new WebhookDeliveryHandler(t.dataSource, t.config, t.app.get(Sealer));
    await expect(handler.handle({ deliveryId: delivery!.id }, { job: {} as Job, finalAttempt: true })).rejects.toThrow(/refused/);
    expect(hits).toBe(0);
    const log = await t.get<{ items: Array<{ status: string; lastStatusCode: number | null; lastError: string }> }>(
      `/api/organisations/${organisationId}/webhooks/${webhookId}/deliveries`,
      admin,
    );
    expect(log.body.items).toEqual([expect.objectContaining({ status: 'dead', lastStatusCode: null, lastError: expect.stringMatching(/^refused: /) })]);
  });
});
