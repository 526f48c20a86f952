import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplicationContext } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { DomainEventType } from '../src/outbox/domain-event';
import { verifyWebhookSignature } from '../src/notifications/webhook-signature';
import { replayDeadDeliveries } from '../src/notifications/webhook-replay';
import { QueueService } from '../src/queue/queue.service';
import { count, Demo, NotificationsStack, waitFor } from './notifications.support';
import type { TestApp } from './support/app';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  answered: number;
}

/** A local receiver: per path, the status to answer for each attempt of an event (the last one repeats). */
class Receiver {
  readonly received: Received[] = [];
  readonly plans = new Map<string, number[]>();
  private server?: Server;

  async start(): Promise<void> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const path = request.url ?? '/';
        const eventId = String(request.headers['x-passage-event-id']);
        const before = this.received.filter((r) => r.path === path && r.headers['x-passage-event-id'] === eventId).length;
        const plan = this.plans.get(path) ?? [200];
        const answered = plan[Math.min(before, plan.length - 1)]!;
        this.received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8'), answered });
        response.writeHead(answered).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  url(path: string): string {
    return `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${path}`;
  }

  accepted(path: string): Received[] {
    return this.received.filter((r) => r.path === path && r.answered >= 200 && r.answered < 300);
  }

  async stop(): Promise<void> {
    await new Promise((resolve) => this.server?.close(resolve));
  }
}

describe('notifications: webhooks', () => {
  let stack: NotificationsStack;
  let api: TestApp;
  let worker: INestApplicationContext;
  let db: DataSource;
  let demo: Demo;
  const receiver = new Receiver();

  beforeAll(async () => {
    await receiver.start();
    stack = await NotificationsStack.create('webhooks');
    api = await stack.startApi();
    db = api.dataSource;
    demo = new Demo(db);
    worker = await stack.startWorker();
  });
  afterAll(async () => {
    await stack.close();
    await api.close();
    await receiver.stop();
  });

  async function register(slug: string, path: string, events: DomainEventType[]): Promise<{ id: string; secret: string; organisationId: string }> {
    const organisationId = await demo.organisation(slug);
    const response = await api.post<{ id: string; secret: string }>(
      `/api/organisations/${organisationId}/webhooks`,
      { url: receiver.url(path), events },
      await api.login(`admin@${slug}.test`),
    );
    expect(response.status).toBe(201);
    return { ...response.body, organisationId };
  }

  it('registers a webhook for the org_admin of that organisation only, showing the secret once and storing it sealed', async () => {
    const organisationId = await demo.organisation('nl-police');
    const body = { url: receiver.url('/nl'), events: [DomainEventType.CaseClosed] };
    const created = await api.post<{ id: string; secret: string }>(
      `/api/organisations/${organisationId}/webhooks`,
      body,
      await api.login('admin@nl-police.test'),
    );
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.any(String), secret: expect.stringMatching(/^whsec_[A-Za-z0-9_-]{43}$/) });

    const stored: Array<{ secret_ciphertext: Buffer; secret_key_id: string }> = await db.query(
      `SELECT secret_ciphertext, secret_key_id FROM webhook WHERE id = $1`,
      [created.body.id],
    );
    expect(stored[0]!.secret_ciphertext.includes(Buffer.from(created.body.secret))).toBe(false);
    expect(stored[0]!.secret_key_id).toBe(stack.config.encryptionKeys[0]!.id);

    const listed = await api.get<{ items: Array<Record<string, unknown>> }>(
      `/api/organisations/${organisationId}/webhooks`,
      await api.login('admin@nl-police.test'),
    );
    expect(listed.body.items).toEqual([{ id: created.body.id, url: body.url, events: body.events, active: true, createdAt: expect.any(String) }]);

    expect((await api.post(`/api/organisations/${organisationId}/webhooks`, body, await api.login('admin@be-police.test'))).status).toBe(403);
    expect((await api.post(`/api/organisations/${organisationId}/webhooks`, body, await api.login('officer@nl-police.test'))).status).toBe(403);
    const invalid = await api.post<{ errors: Array<{ path: string }> }>(
      `/api/organisations/${organisationId}/webhooks`,
      { url: 'ftp://example', events: ['case.opened'] },
      await api.login('admin@nl-police.test'),
    );
    expect(invalid.status).toBe(400);
    expect(invalid.body.errors.map((e) => e.path).sort()).toEqual(['events', 'url']);
  });

  it('retries a failing receiver with backoff, signs every request, and has each event accepted once', async () => {
    const hook = await register('be-police', '/flaky', [DomainEventType.CaseClosed]);
    const other = await register('be-police', '/other-events', [DomainEventType.ReferralReceived]);
    const elsewhere = await register('nl-police', '/not-reached', [DomainEventType.CaseClosed]);
    receiver.plans.set('/flaky', [500, 503, 204]);
    const kase = await demo.createCase('BE');
    for (let i = 0; i < 3; i += 1) await demo.emit({ type: DomainEventType.CaseClosed, caseId: kase.id, organisationIds: [kase.leadOrganisationId] });

    const accepted = await waitFor('three events accepted', async () => receiver.accepted('/flaky').length >= 3 && receiver.accepted('/flaky'));
    const outbox: Array<{ event_id: string }> = await db.query(`SELECT event_id FROM outbox_event WHERE case_id = $1`, [kase.id]);
    const eventIds = outbox.map((row) => row.event_id).sort();
    expect(accepted.map((r) => r.headers['x-passage-event-id']).sort()).toEqual(eventIds);

    const flaky = receiver.received.filter((r) => r.path === '/flaky');
    expect(flaky).toHaveLength(9);
    for (const request of flaky) {
      expect(verifyWebhookSignature(hook.secret, request.body, request.headers['x-passage-signature'] as string)).toBe(true);
      expect(verifyWebhookSignature(other.secret, request.body, request.headers['x-passage-signature'] as string)).toBe(false);
      const body = JSON.parse(request.body) as Record<string, unknown>;
      expect(body).toEqual({
        eventId: request.headers['x-passage-event-id'],
        type: DomainEventType.CaseClosed,
        caseId: kase.id,
        caseReference: kase.reference,
        occurredAt: expect.any(String),
      });
    }
    expect(receiver.received.filter((r) => r.path === '/other-events' || r.path === '/not-reached')).toHaveLength(0);
    expect(elsewhere.id).toEqual(expect.any(String));

    const log = await api.get<{ items: Array<{ eventId: string; status: string; attempts: number; lastStatusCode: number }> }>(
      `/api/organisations/${hook.organisationId}/webhooks/${hook.id}/deliveries`,
      await api.login('admin@be-police.test'),
    );
    expect(log.status).toBe(200);
    expect(log.body.items.map((d) => d.eventId).sort()).toEqual(eventIds);
    for (const delivery of log.body.items) expect(delivery).toMatchObject({ status: 'delivered', attempts: 3, lastStatusCode: 204 });
    expect(await count(db, `SELECT 1 FROM webhook_delivery_attempt a JOIN webhook_delivery d ON d.id = a.delivery_id WHERE d.webhook_id = $1`, [hook.id])).toBe(
      9,
    );
    expect((await api.get(`/api/organisations/${hook.organisationId}/webhooks/${hook.id}/deliveries`, await api.login('admin@nl-police.test'))).status).toBe(
      403,
    );
    expect(
      (await api.get(`/api/organisations/${elsewhere.organisationId}/webhooks/${hook.id}/deliveries`, await api.login('admin@nl-police.test'))).status,
    ).toBe(404);
  });

  it('dead-letters a delivery after the last retry and delivers it when replayed', async () => {
    const hook = await register('lu-police', '/down', [DomainEventType.ReferralAccepted]);
    receiver.plans.set('/down', [500]);
    const kase = await demo.createCase('LU');
    await demo.emit({ type: DomainEventType.ReferralAccepted, caseId: kase.id, organisationIds: [kase.leadOrganisationId] });

    const dead = await waitFor(
      'the delivery to be dead-lettered',
      async () => {
        const rows: Array<{ id: string; status: string; attempts: number }> = await db.query(
          `SELECT id, status, attempts FROM webhook_delivery WHERE webhook_id = $1`,
          [hook.id],
        );
        return rows[0]?.status === 'dead' && rows[0];
      },
      30_000,
    );
    expect(dead.attempts).toBe(7);
    expect(receiver.received.filter((r) => r.path === '/down')).toHaveLength(7);

    receiver.plans.set('/down', [500, 200]);
    expect(await replayDeadDeliveries(db, worker.get(QueueService), { webhookId: hook.id })).toBe(1);
    await waitFor('the replayed delivery', async () => receiver.accepted('/down').length === 1);
    const after = await waitFor('the delivery log', async () => {
      const rows: Array<{ status: string; attempts: number; replays: number }> = await db.query(
        `SELECT status, attempts, replays FROM webhook_delivery WHERE id = $1`,
        [dead.id],
      );
      return rows[0]?.status === 'delivered' && rows[0];
    });
    expect(after).toEqual({ status: 'delivered', attempts: 8, replays: 1 });
    expect(await replayDeadDeliveries(db, worker.get(QueueService), { webhookId: hook.id })).toBe(0);
  });
});
