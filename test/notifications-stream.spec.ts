import type { INestApplicationContext } from '@nestjs/common';
import { DomainEventType } from '../src/outbox/domain-event';
import { MAX_STREAMS_PER_USER } from '../src/notifications/inbox-stream';
import { Demo, NotificationsStack, waitFor } from './notifications.support';
import type { TestApp } from './support/app';
import { expectProblem } from './support/problem';

interface StreamEvent {
  event: string;
  data: string;
}

/** A client of GET /api/notifications/stream over real HTTP, as the web app reads it (fetch with the bearer header). */
class EventStreamClient {
  readonly events: StreamEvent[] = [];
  readonly raw: string[] = [];
  ended = false;
  private readonly abort = new AbortController();

  private constructor(readonly response: Response) {}

  static async open(baseUrl: string, token: string): Promise<EventStreamClient> {
    const controller = new AbortController();
    const response = await fetch(`${baseUrl}/api/notifications/stream`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
    const client = new EventStreamClient(response);
    client.abort.signal.addEventListener('abort', () => controller.abort());
    void client.read();
    return client;
  }

  private async read(): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of this.response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let boundary: number;
        while ((boundary = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, boundary);
          buffer = buffer.slice(boundary + 2);
          this.raw.push(block);
          const fields = Object.fromEntries(block.split('\n').map((line) => [line.slice(0, line.indexOf(':')), line.slice(line.indexOf(':') + 1).trim()]));
          if (fields.event) this.events.push({ event: fields.event, data: fields.data ?? '' });
        }
      }
    } catch {
      // aborted by the test
    }
    this.ended = true;
  }

  unreadCounts(): number[] {
    return this.events.filter((e) => e.event === 'unread').map((e) => (JSON.parse(e.data) as { unread: number }).unread);
  }

  lastUnread(): number | undefined {
    return this.unreadCounts().at(-1);
  }

  close(): void {
    this.abort.abort();
  }
}

describe('notifications: the live unread stream', () => {
  let stack: NotificationsStack;
  let api: TestApp;
  let worker: INestApplicationContext;
  let demo: Demo;
  let baseUrl: string;
  const clients: EventStreamClient[] = [];
  const open = async (token: string) => {
    const client = await EventStreamClient.open(baseUrl, token);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    stack = await NotificationsStack.create('stream');
    api = await stack.startApi();
    await api.app.listen(0, '127.0.0.1');
    baseUrl = (await api.app.getUrl()).replace('[::1]', '127.0.0.1');
    demo = new Demo(api.dataSource);
    worker = await stack.startWorker();
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await stack.close();
    await api.close();
    expect(worker).toBeDefined();
  });

  it('refuses a caller without a valid bearer token', async () => {
    expectProblem(await api.get('/api/notifications/stream'), 401);
    expectProblem(await api.get('/api/notifications/stream', 'not-a-token'), 401);
  });

  it('sends the unread count at once, again when the worker notifies the user, and again when another tab reads one; counts only', async () => {
    const token = await api.login('caseworker@be-shelter-antwerp.test');
    const stream = await open(token);
    expect(stream.response.status).toBe(200);
    expect(stream.response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(stream.response.headers.get('cache-control')).toBe('no-store');
    const before = await waitFor('the first count', async () => stream.lastUnread());

    const kase = await demo.createCase('BE');
    const referralId = await demo.createReferral(kase.id, 'be-police', 'be-shelter-antwerp', new Date(Date.now() + 3600_000));
    await demo.emit({
      type: DomainEventType.ReferralReceived,
      caseId: kase.id,
      referralId,
      organisationIds: [await demo.organisation('be-shelter-antwerp')],
      actorUserId: await demo.user('officer@be-police.test'),
    });
    await waitFor('the count after the new notification', async () => stream.lastUnread() === before + 1);

    const inbox = await api.get<{ items: Array<{ id: string; caseId: string }> }>('/api/notifications?unread=true&limit=100', token);
    const item = inbox.body.items.find((candidate) => candidate.caseId === kase.id)!;
    expect((await api.post(`/api/notifications/${item.id}/read`, undefined, await api.login('caseworker@be-shelter-antwerp.test'))).status).toBe(204);
    await waitFor('the count after reading', async () => stream.lastUnread() === before);

    // Nothing but counts: no reference, no id of the case, no title.
    for (const block of stream.raw) expect(block).toMatch(/^(retry: \d+|: keep-alive|event: unread\ndata: \{"unread":\d+\})$/);
    expect(stream.raw.join('\n')).not.toContain(kase.reference);
  });

  it('tells only the user concerned', async () => {
    const bystander = await open(await api.login('caseworker@be-shelter-brussels.test'));
    await waitFor('the bystander’s first count', async () => bystander.lastUnread() !== undefined);
    const watched = await open(await api.login('caseworker@be-shelter-antwerp.test'));
    const before = await waitFor('the first count', async () => watched.lastUnread());
    const kase = await demo.createCase('BE');
    await demo.emit({
      type: DomainEventType.ReferralReceived,
      caseId: kase.id,
      referralId: await demo.createReferral(kase.id, 'be-police', 'be-shelter-antwerp', new Date(Date.now() + 3600_000)),
      organisationIds: [await demo.organisation('be-shelter-antwerp')],
    });
    await waitFor('the count', async () => watched.lastUnread() === before + 1);
    expect(bystander.unreadCounts()).toHaveLength(1);
  });

  it('ends the stream within seconds of sign-out', async () => {
    const token = await api.login('officer2@be-police.test');
    const stream = await open(token);
    await waitFor('the first count', async () => stream.lastUnread() !== undefined);
    const at = Date.now();
    expect((await api.request('POST', '/api/auth/logout', { token })).status).toBe(204);
    await waitFor('the end of the stream', async () => stream.ended, 10_000);
    expect(Date.now() - at).toBeLessThan(10_000);
    expect(stream.events.at(-1)).toEqual({ event: 'end', data: '{"reason":"signed-out"}' });
  });

  it(`keeps at most ${MAX_STREAMS_PER_USER} streams per user, ending the oldest`, async () => {
    const token = await api.login('officer@nl-police.test');
    const streams: EventStreamClient[] = [];
    for (let i = 0; i <= MAX_STREAMS_PER_USER; i += 1) {
      const stream = await open(token);
      await waitFor('the first count', async () => stream.lastUnread() !== undefined);
      streams.push(stream);
    }
    await waitFor('the oldest to end', async () => streams[0]!.ended);
    expect(streams[0]!.events.at(-1)).toEqual({ event: 'end', data: '{"reason":"replaced"}' });
    expect(streams.slice(1).every((stream) => !stream.ended)).toBe(true);
  });
});
