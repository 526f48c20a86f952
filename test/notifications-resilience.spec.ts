import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { transformFileSync } from '@swc/core';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { DomainEventType } from '../src/outbox/domain-event';
import { OutboxRelay } from '../src/outbox/outbox-relay';
import { pingRedis } from '../src/redis/redis';
import { createWorkerContext } from '../src/worker.module';
import { count, dataSourceOf, Demo, NotificationsStack, waitFor } from './notifications.support';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A redis-server of this test's own, which it may stop and start again on the same port. */
class OwnRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'passage-redis-'));

  constructor(readonly port: number) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--save', '', '--appendonly', 'yes'], {
      stdio: 'ignore',
    });
    await waitFor('redis-server', async () => pingRedis(this.url, 200), 10_000);
  }

  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The worker's sources compiled the way jest compiles them, so a real `node …/worker.js` can be started and killed. */
function buildWorker(outDir: string): string {
  const root = join(__dirname, '..');
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => (entry.isDirectory() ? walk(join(dir, entry.name)) : [join(dir, entry.name)]));
  for (const file of walk(join(root, 'src')).filter((name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'))) {
    const { code } = transformFileSync(file, {
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022' },
      module: { type: 'commonjs' },
      sourceMaps: false,
    });
    const target = join(outDir, relative(root, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, code);
  }
  return join(outDir, 'src', 'worker.js');
}

describe('notifications: nothing is lost', () => {
  describe('when Redis is down while events are emitted', () => {
    const accepted = new Map<string, number>();
    let receiver: Server;
    let redis: OwnRedis;
    let stack: NotificationsStack;
    let worker: INestApplicationContext;
    let db: DataSource;
    let demo: Demo;

    beforeAll(async () => {
      receiver = createHttpServer((request, response) => {
        const eventId = String(request.headers['x-passage-event-id']);
        accepted.set(eventId, (accepted.get(eventId) ?? 0) + 1);
        request.resume();
        response.writeHead(204).end();
      });
      await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
      redis = new OwnRedis(await freePort());
      await redis.start();
      stack = await NotificationsStack.create('redisdown', { REDIS_URL: redis.url });
      worker = await stack.startWorker();
      db = dataSourceOf(worker);
      demo = new Demo(db);
    });
    afterAll(async () => {
      await stack.close();
      await redis.dispose();
      await new Promise((resolve) => receiver.close(resolve));
    });

    it('keeps the events in the outbox and, once Redis is back, delivers every notification exactly once within 30 s', async () => {
      const organisationId = await demo.organisation('be-police');
      const api = await stack.startApi();
      try {
        const created = await api.post(
          `/api/organisations/${organisationId}/webhooks`,
          { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/`, events: [DomainEventType.CaseClosed] },
          await api.login('admin@be-police.test'),
        );
        expect(created.status).toBe(201);
      } finally {
        await api.close();
      }

      const kase = await demo.createCase('BE');
      const emit = () => demo.emit({ type: DomainEventType.CaseClosed, caseId: kase.id, organisationIds: [kase.leadOrganisationId] });
      await emit();
      await waitFor('the first event end to end', async () => accepted.size === 1);

      await redis.stop();
      const emitted = 10;
      // The relay is watched, not changed: the check below runs once it has tried twice and failed since the events were written.
      const relayed = jest.spyOn(worker.get(OutboxRelay), 'relayBatch');
      for (let i = 0; i < emitted; i += 1) await emit();
      const calls = relayed.mock.calls.length;
      await waitFor(
        'two failed relay rounds with Redis down',
        async () =>
          (await Promise.allSettled(relayed.mock.results.slice(calls).map((result) => result.value as Promise<number>))).filter((r) => r.status === 'rejected')
            .length >= 2,
        20_000,
        50,
      );
      relayed.mockRestore();
      expect(await count(db, `SELECT 1 FROM outbox_event WHERE case_id = $1 AND relayed_at IS NULL`, [kase.id])).toBe(emitted);

      const back = Date.now();
      await redis.start();
      const total = emitted + 1;
      await waitFor(
        'every notification, e-mail and webhook',
        async () => {
          const [notifications, emails] = await Promise.all([
            count(db, `SELECT 1 FROM notification WHERE case_id = $1`, [kase.id]),
            count(db, `SELECT 1 FROM notification_email e JOIN notification n ON n.id = e.notification_id WHERE n.case_id = $1`, [kase.id]),
          ]);
          return notifications === total * 2 && emails === total * 2 && accepted.size === total;
        },
        30_000,
      );
      expect(Date.now() - back).toBeLessThan(30_000);
      expect([...accepted.values()].every((times) => times === 1)).toBe(true);
      expect(await count(db, `SELECT DISTINCT user_id, event_id FROM notification WHERE case_id = $1`, [kase.id])).toBe(total * 2);
      const files = stack.emailFiles();
      const ids: Array<{ id: string }> = await db.query(`SELECT id FROM notification WHERE case_id = $1`, [kase.id]);
      expect(ids.map(({ id }) => files.filter((name) => name.endsWith(`-${id}.eml`)).length)).toEqual(ids.map(() => 1));
    });
  });

  describe('when a worker process is killed mid-batch', () => {
    let stack: NotificationsStack;
    let child: ChildProcess | undefined;
    let buildDir: string;
    let db: DataSource | undefined;
    let stderr = '';

    beforeAll(async () => {
      stack = await NotificationsStack.create('killed');
      buildDir = join(__dirname, '..', 'var', 'test-build', `${process.env.PASSAGE_TEST_RUN}-${process.env.JEST_WORKER_ID ?? '1'}`);
    });
    afterAll(async () => {
      child?.kill('SIGKILL');
      await stack.close();
      await db?.destroy();
      rmSync(buildDir, { recursive: true, force: true });
    });

    it('leaves nothing behind: another worker finishes the batch, one inbox row and one recorded e-mail per recipient', async () => {
      const workerJs = buildWorker(buildDir);
      const keys = JSON.parse(process.env.PASSAGE_TEST_KEYS!) as Record<string, string>;
      child = spawn(process.execPath, [workerJs], {
        env: { ...process.env, ...keys, ...stack.env, NODE_ENV: 'test', REDIS_URL: stack.config.redisUrl!, LOG_LEVEL: 'silent' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

      const source = await createDataSource(stack.databaseUrl).initialize();
      db = source;
      const demo = new Demo(source);
      const kase = await demo.createCase('BE');
      const events = 400;
      await db.transaction(async (manager) => {
        for (let i = 0; i < events; i += 1) {
          await manager.query(`INSERT INTO outbox_event (type, case_id, organisation_ids) VALUES ($1, $2, $3)`, [
            DomainEventType.CaseClosed,
            kase.id,
            [kase.leadOrganisationId],
          ]);
        }
      });
      const expected = events * 2;
      const { Client } = await import('pg');
      const probe = new Client({ connectionString: stack.databaseUrl });
      await probe.connect();
      try {
        await waitFor(
          'the child worker to be halfway',
          async () => {
            const rows = await probe.query<{ n: number }>(`SELECT count(*)::int AS n FROM notification WHERE case_id = $1`, [kase.id]);
            return rows.rows[0]!.n >= 50;
          },
          30_000,
          10,
        ).catch((error: Error) => {
          throw new Error(`${error.message}; worker stderr: ${stderr.slice(0, 2000)}`);
        });
        child.kill('SIGKILL');
        const cutOff = await probe.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM notification_email e JOIN notification n ON n.id = e.notification_id WHERE n.case_id = $1`,
          [kase.id],
        );
        expect(cutOff.rows[0]!.n).toBeLessThan(expected);
      } finally {
        await probe.end();
      }

      await stack.startWorker();
      await waitFor(
        'the survivor to finish the batch',
        async () =>
          (await count(source, `SELECT 1 FROM notification_email e JOIN notification n ON n.id = e.notification_id WHERE n.case_id = $1`, [kase.id])) ===
          expected,
        60_000,
        200,
      );
      expect(await count(source, `SELECT 1 FROM outbox_event WHERE case_id = $1 AND processed_at IS NULL`, [kase.id])).toBe(0);
      expect(await count(source, `SELECT 1 FROM notification WHERE case_id = $1`, [kase.id])).toBe(expected);
      // E-mail is at-least-once at a crash: a message sent just before the kill, but not yet recorded, is sent again.
      const ids: Array<{ id: string }> = await source.query(`SELECT id FROM notification WHERE case_id = $1`, [kase.id]);
      const files = stack.emailFiles();
      const perNotification = ids.map(({ id }) => files.filter((name) => name.endsWith(`-${id}.eml`)).length);
      expect(perNotification.every((n) => n >= 1)).toBe(true);
      expect(perNotification.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(expected + 10);
      // Its own waits allow 30 s for the child and 60 s for the survivor; the test's limit must not cut them short on a loaded machine.
    }, 150_000);
  });
});

describe('notifications: Redis down during 200 referral actions through the API', () => {
  let redis: OwnRedis;
  let stack: NotificationsStack;
  let worker: INestApplicationContext;

  beforeAll(async () => {
    redis = new OwnRedis(await freePort());
    await redis.start();
    stack = await NotificationsStack.create('outage', { REDIS_URL: redis.url });
    // The real recipient rules: the API's own visibility, not the test's.
    worker = await createWorkerContext(stack.config, stack.databaseUrl);
  });
  afterAll(async () => {
    await worker.close();
    await stack.close();
    await redis.dispose();
  });

  it('answers every action, then delivers every expected notification exactly once within 30 s of Redis coming back', async () => {
    const api = await stack.startApi();
    try {
      const officer = await api.login('officer@be-police.test');
      const prosecutor = await api.login('prosecutor@be-prosecution.test');
      const db = api.dataSource;
      const prosecution = ((await db.query(`SELECT id FROM organisation WHERE slug = 'be-prosecution'`)) as Array<{ id: string }>)[0]!.id;
      const cases: string[] = [];
      for (let i = 0; i < 100; i += 1) {
        const created = await api.post<{ id: string }>('/api/cases', { summary: { exploitationTypes: ['labour'], minor: false } }, officer);
        expect(created.status).toBe(201);
        cases.push(created.body.id);
      }

      await redis.stop();
      let actions = 0;
      for (const caseId of cases) {
        const referral = await api.post<{ id: string }>(
          `/api/cases/${caseId}/referrals`,
          { toOrganisationId: prosecution, purpose: 'prosecution', urgency: 'routine' },
          officer,
        );
        expect(referral.status).toBe(201);
        const accepted = await api.post(`/api/referrals/${referral.body.id}/accept`, {}, prosecutor);
        expect(accepted.status).toBe(200);
        actions += 2;
      }
      expect(actions).toBe(200);
      const pending = await count(db, `SELECT 1 FROM outbox_event WHERE case_id = ANY($1) AND relayed_at IS NULL`, [cases]);
      expect(pending).toBe(200);

      // Received: the prosecutor (the target's operational user). Accepted: officer and officer2 (the lead's), the actor being the prosecutor.
      const expected = 100 * 1 + 100 * 2;
      const back = Date.now();
      await redis.start();
      await waitFor(
        'every expected notification',
        async () => (await count(db, `SELECT 1 FROM notification WHERE case_id = ANY($1)`, [cases])) >= expected,
        30_000,
      );
      expect(Date.now() - back).toBeLessThan(30_000);
      // Settled once every event is processed: nothing more can arrive, and no user got an event twice.
      await waitFor(
        'every event processed',
        async () => (await count(db, `SELECT 1 FROM outbox_event WHERE case_id = ANY($1) AND processed_at IS NULL`, [cases])) === 0,
        30_000,
      );
      expect(await count(db, `SELECT 1 FROM notification WHERE case_id = ANY($1)`, [cases])).toBe(expected);
      const duplicates = await count(db, `SELECT 1 FROM notification WHERE case_id = ANY($1) GROUP BY user_id, event_id HAVING count(*) > 1`, [cases]);
      expect(duplicates).toBe(0);
      const byType: Array<{ type: string; n: number }> = await db.query(
        `SELECT type, count(*)::int AS n FROM notification WHERE case_id = ANY($1) GROUP BY type ORDER BY type`,
        [cases],
      );
      expect(byType).toEqual([
        { type: 'referral.accepted', n: 200 },
        { type: 'referral.received', n: 100 },
      ]);
    } finally {
      await api.close();
    }
  }, 180_000);
});
