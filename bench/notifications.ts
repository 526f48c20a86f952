import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { INestApplicationContext } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../src/database/data-source';
import { migrate } from '../src/database/migrate';
import { type DomainEvent, DomainEventType } from '../src/outbox/domain-event';
import { OutboxService } from '../src/outbox/outbox.service';
import { QueueName } from '../src/queue/job-name';
import { QueueService } from '../src/queue/queue.service';
import { seedDemoData } from '../src/seed/demo-data';
import { createWorkerContext } from '../src/worker.module';
import { createBenchDatabase, dropBenchDatabase } from './database';
import { describeMachine, type MachineDescription } from './machine';
import { benchAppConfig, type BenchSettings } from './settings';

/** Milliseconds, nearest-rank percentiles. */
export interface Percentiles {
  count: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface NotificationLatencyResult {
  targetRate: number;
  seconds: number;
  events: number;
  /** Events whose transaction failed (none expected). */
  emitFailures: number;
  /** Committed events per second, first to last commit. */
  achievedRate: number;
  /** How late each emission started against its schedule: the emitter, not the worker, falling behind. */
  launchLagMs: Percentiles;
  /** The emitting transaction itself, BEGIN to COMMIT answered. */
  emitTransactionMs: Percentiles;
  expectedNotifications: number;
  notifications: number;
  /** Event committed (the emitter's COMMIT answered) → the inbox row's transaction committed (its NOTIFY arrived). */
  latencyMs: Percentiles;
  /** Database clock only: outbox_event.created_at (transaction start) → processed_at (fan-out finished, e-mail jobs queued). */
  processedMs: Percentiles;
  /**
   * Where the time goes, from each fan-out job's BullMQ timestamps (same host clock as the database's):
   * outbox created_at → job added by the relay; added → taken by a consumer; taken → finished (inbox rows committed, e-mail jobs queued).
   */
  stagesMs: { relay: Percentiles; queueWait: Percentiles; handle: Percentiles };
  /**
   * Inbox rows whose created_at differs from their event's created_at by a millisecond or more (0: the fan-out dates
   * rows when the event happened, through a JavaScript Date, so the microseconds are cut).
   */
  createdAtMismatches: number;
  /** p50 and p99 of the latency by window of the emission (events committed in each `windowSeconds`): a growing backlog shows as a rising p50. */
  windows: Array<{ fromSecond: number; p50: number; p99: number }>;
  windowSeconds: number;
  /** This process's event loop (worker, emitter and observer share it). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  loadAverage: { start: number; end: number };
}

export interface NotificationBurstResult {
  workers: number;
  events: number;
  expectedNotifications: number;
  notifications: number;
  /** Burst committed → first inbox row. */
  firstRowMs: number;
  /** Burst committed → last inbox row. */
  inboxSeconds: number;
  notificationsPerSecond: number;
  eventsPerSecond: number;
  /** Burst committed → every e-mail of it written (notification_email rows), to a resolution of 100 ms. */
  emailsSeconds: number;
  /** Events per second with all their work done (fan-out and e-mails): what the worker can sustain. */
  completeEventsPerSecond: number;
  /** CPU time of this process (worker contexts, observer) over the wall time, until the inbox was complete: 100% = one core. */
  processCpuPercent: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  /** Notification jobs failed for good or waiting to retry at the end (0 expected). */
  failedJobs: number;
  retryingJobs: number;
  loadAverage: { start: number; end: number };
}

export interface NotificationsResult {
  machine: MachineDescription;
  settings: { seconds: number; rate: number; burst: number; workers: number; outboxPollIntervalMs: number };
  setup: { cases: number; eventType: string; organisation: string; recipients: string[]; warmupEvents: number };
  latency: NotificationLatencyResult;
  throughput: NotificationBurstResult[];
}

type Log = (line: string) => void;
/** Registers a clean-up for an interrupted run (the caller runs them on SIGINT/SIGTERM). */
export type Defer = (cleanup: () => Promise<void>) => void;

const CASES = 20;
const ORGANISATION = 'be-police';
const EVENT_TYPE = DomainEventType.CaseClosed;
const OUTBOX_POLL_INTERVAL_MS = 100;
/** Concurrent emitting transactions at most: the emitter's pool (the API's size, dataSourceOptions). */
const EMIT_IN_FLIGHT = 20;
const WARMUP_SECONDS = 3;
const CHANNEL = 'bench_inbox';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const round = (n: number, digits = 1): number => Math.round(n * 10 ** digits) / 10 ** digits;
const load1 = (): number => round(loadavg()[0]!, 2);

export function percentiles(values: readonly number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number): number => (sorted.length === 0 ? NaN : round(sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!));
  return { count: sorted.length, min: at(0), p50: at(0.5), p95: at(0.95), p99: at(0.99), max: round(sorted.at(-1) ?? NaN) };
}

/**
 * Sees every inbox row when it becomes visible: a bench-only AFTER INSERT trigger on notification
 * (installed in the bench's own database) NOTIFYs its event and user, and PostgreSQL delivers a
 * NOTIFY when the inserting transaction commits.
 */
class InboxObserver {
  /** event id → when each of its inbox rows arrived (performance.now()). */
  readonly arrivals = new Map<string, number[]>();
  total = 0;
  private readonly client: Client;

  constructor(databaseUrl: string) {
    this.client = new Client({ connectionString: databaseUrl, application_name: 'passage-bench-observer' });
  }

  static async install(client: Client): Promise<void> {
    await client.query(`
      CREATE FUNCTION bench_inbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('${CHANNEL}', NEW.event_id::text || ',' || NEW.user_id::text);
        RETURN NULL;
      END $$`);
    await client.query(`CREATE TRIGGER bench_inbox_notify AFTER INSERT ON notification FOR EACH ROW EXECUTE FUNCTION bench_inbox_notify()`);
  }

  async start(): Promise<void> {
    this.client.on('notification', (message) => {
      const at = performance.now();
      const eventId = message.payload?.split(',')[0];
      if (!eventId) return;
      const times = this.arrivals.get(eventId);
      if (times) times.push(at);
      else this.arrivals.set(eventId, [at]);
      this.total += 1;
    });
    await this.client.connect();
    await this.client.query(`LISTEN ${CHANNEL}`);
  }

  async stop(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }

  rowsOf(eventIds: Iterable<string>): number[] {
    const times: number[] = [];
    for (const id of eventIds) times.push(...(this.arrivals.get(id) ?? []));
    return times;
  }

  /** Waits until `total` reaches `target`; answers whether it did within the timeout. */
  async waitForTotal(target: number, timeoutMs: number): Promise<boolean> {
    const deadline = performance.now() + timeoutMs;
    while (this.total < target) {
      if (performance.now() > deadline) return false;
      await sleep(5);
    }
    return true;
  }
}

/** One event in its own transaction through OutboxService.emit, as the API writes it; answers its event id. */
async function emitOne(dataSource: DataSource, outbox: OutboxService, event: DomainEvent): Promise<string> {
  return dataSource.transaction(async (manager) => {
    await outbox.emit(manager, event);
    const rows: Array<{ event_id: string }> = await manager.query(`SELECT event_id FROM outbox_event WHERE id = lastval()`);
    return rows[0]!.event_id;
  });
}

interface Emission {
  committedAt: Map<string, number>;
  launchLagMs: number[];
  transactionMs: number[];
  failures: number;
  firstCommit: number;
  lastCommit: number;
}

/** Emits `rate` events per second for `seconds`, each launched at its scheduled time (late ones at once), not waiting for the previous. */
async function emitPaced(dataSource: DataSource, next: (index: number) => DomainEvent, rate: number, seconds: number): Promise<Emission> {
  const outbox = new OutboxService();
  const total = Math.round(rate * seconds);
  const interval = 1000 / rate;
  const emission: Emission = { committedAt: new Map(), launchLagMs: [], transactionMs: [], failures: 0, firstCommit: Infinity, lastCommit: -Infinity };
  const running = new Set<Promise<void>>();
  const start = performance.now();
  let launched = 0;
  while (launched < total) {
    const now = performance.now();
    const due = Math.min(total, Math.floor((now - start) / interval) + 1);
    while (launched < due && running.size < EMIT_IN_FLIGHT) {
      emission.launchLagMs.push(now - (start + launched * interval));
      const began = performance.now();
      const task: Promise<void> = emitOne(dataSource, outbox, next(launched))
        .then(
          (eventId) => {
            const at = performance.now();
            emission.committedAt.set(eventId, at);
            emission.transactionMs.push(at - began);
            emission.firstCommit = Math.min(emission.firstCommit, at);
            emission.lastCommit = Math.max(emission.lastCommit, at);
          },
          () => {
            emission.failures += 1;
          },
        )
        .finally(() => running.delete(task));
      running.add(task);
      launched += 1;
    }
    await sleep(Math.max(0, Math.min(interval, start + launched * interval - performance.now())));
  }
  await Promise.all(running);
  return emission;
}

/** Waits until every outbox event is processed and every inbox row has its e-mail; answers whether it did in time. */
async function drain(client: Client, timeoutMs: number, intervalMs = 100): Promise<boolean> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { rows } = await client.query<{ events: number; emails: number }>(
      `SELECT (SELECT count(*) FROM outbox_event WHERE processed_at IS NULL)::int AS events,
              ((SELECT count(*) FROM notification) - (SELECT count(*) FROM notification_email))::int AS emails`,
    );
    if (rows[0]!.events === 0 && rows[0]!.emails === 0) return true;
    if (performance.now() > deadline) return false;
    await sleep(intervalMs);
  }
}

/** The fan-out jobs' own timestamps for the given events (job id `outbox-<outbox id>`, JOB_DEFINITIONS). */
async function fanOutStages(client: Client, queues: QueueService, eventIds: string[]): Promise<NotificationLatencyResult['stagesMs']> {
  const { rows } = await client.query<{ id: string; created: number }>(
    `SELECT id::text AS id, extract(epoch FROM created_at)::float8 * 1000 AS created FROM outbox_event WHERE event_id = ANY($1::uuid[])`,
    [eventIds],
  );
  const queue = queues.queue(QueueName.Notifications);
  const relay: number[] = [];
  const queueWait: number[] = [];
  const handle: number[] = [];
  for (let i = 0; i < rows.length; i += 200) {
    const jobs = await Promise.all(rows.slice(i, i + 200).map((row) => queue.getJob(`outbox-${row.id}`)));
    jobs.forEach((job, index) => {
      if (!job?.processedOn || !job.finishedOn) return;
      relay.push(job.timestamp - rows[i + index]!.created);
      queueWait.push(job.processedOn - job.timestamp);
      handle.push(job.finishedOn - job.processedOn);
    });
  }
  return { relay: percentiles(relay), queueWait: percentiles(queueWait), handle: percentiles(handle) };
}

function loopDelay(histogram: ReturnType<typeof monitorEventLoopDelay>): { p50: number; p99: number; max: number } {
  const ms = (ns: number): number => round(ns / 1e6);
  return { p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) };
}

async function deleteRedisKeys(redisUrl: string, prefix: string): Promise<void> {
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

/**
 * The notifications section: a database, Redis prefix and var dir of its own; one worker context
 * (createWorkerContext, the real recipient rules) in this process; inbox latency at a paced event
 * rate, then the throughput of a burst with 1..settings.workers worker contexts.
 */
export async function measureNotifications(bench: BenchSettings, log: Log, defer: Defer): Promise<NotificationsResult> {
  const settings = bench.notifications;
  const database = await createBenchDatabase(bench.postgresUrl, 'notify');
  const redisPrefix = `bench:${randomBytes(4).toString('hex')}`;
  const varDir = mkdtempSync(join(tmpdir(), 'passage-bench-notify-'));
  log(`notifications: database ${database.name}, Redis prefix ${redisPrefix}, var dir ${varDir}`);

  const workers: INestApplicationContext[] = [];
  const client = new Client({ connectionString: database.url, application_name: 'passage-bench' });
  const observer = new InboxObserver(database.url);
  const emitter = createDataSource(database.url);
  let cleaned: Promise<void> | undefined;
  const cleanUp = (): Promise<void> =>
    (cleaned ??= (async () => {
      await Promise.all(workers.splice(0).map((worker) => worker.close().catch(() => undefined)));
      await observer.stop();
      if (emitter.isInitialized) await emitter.destroy().catch(() => undefined);
      await client.end().catch(() => undefined);
      if (bench.keepDatabase) log(`kept database ${database.name} (BENCH_KEEP_DB)`);
      else await dropBenchDatabase(bench.postgresUrl, database.name).catch((error: unknown) => log(`could not drop ${database.name}: ${String(error)}`));
      await deleteRedisKeys(bench.redisUrl, redisPrefix).catch((error: unknown) => log(`could not delete Redis keys ${redisPrefix}:*: ${String(error)}`));
      rmSync(varDir, { recursive: true, force: true });
    })());
  defer(cleanUp);

  try {
    const config = benchAppConfig(database.url, bench.redisUrl, redisPrefix, {
      PASSAGE_VAR_DIR: varDir,
      OUTBOX_POLL_INTERVAL_MS: String(OUTBOX_POLL_INTERVAL_MS),
    });
    await migrate(database.url);
    await seedDemoData(database.url, randomBytes(12).toString('base64url'));
    await client.connect();
    await InboxObserver.install(client);
    const machine = await describeMachine(client, bench.redisUrl);

    const organisation = (await client.query<{ id: string }>(`SELECT id FROM organisation WHERE slug = $1`, [ORGANISATION])).rows[0]!.id;
    const creator = (await client.query<{ id: string }>(`SELECT id FROM "user" WHERE email = $1`, [`officer@${ORGANISATION}.test`])).rows[0]!.id;
    // As test/notifications.support.ts Demo.createCase: a case led by the police, with its lead participation.
    const caseIds: string[] = [];
    for (let i = 0; i < CASES; i += 1) {
      const created = await client.query<{ id: string }>(
        `INSERT INTO "case" (reference, country, lead_organisation_id, minor, exploitation_types, created_by)
         VALUES ($1, 'BE', $2, false, '{labour}', $3) RETURNING id`,
        [`BE-2026-${String(900_000 + i)}`, organisation, creator],
      );
      caseIds.push(created.rows[0]!.id);
      await client.query(`INSERT INTO participation (case_id, organisation_id, purpose, legal_basis) VALUES ($1, $2, 'lead', 'lead')`, [
        created.rows[0]!.id,
        organisation,
      ]);
    }
    const eventFor = (index: number): DomainEvent => ({ type: EVENT_TYPE, caseId: caseIds[index % caseIds.length]!, organisationIds: [organisation] });

    await observer.start();
    await emitter.initialize();
    workers.push(await createWorkerContext(config, database.url));
    log('notifications: worker context started');

    // Who one event reaches, by the real rules; then an unmeasured warm-up at the target rate.
    const probe = await emitOne(emitter, new OutboxService(), eventFor(0));
    if (!(await observer.waitForTotal(1, 30_000))) throw new Error('notifications: no inbox row for the probe event within 30 s');
    if (!(await drain(client, 30_000))) throw new Error('notifications: the probe event did not drain within 30 s');
    const recipients = (
      await client.query<{ email: string }>(`SELECT u.email FROM notification n JOIN "user" u ON u.id = n.user_id WHERE n.event_id = $1 ORDER BY u.email`, [
        probe,
      ])
    ).rows.map((row) => row.email);
    const perEvent = recipients.length;
    log(`notifications: ${EVENT_TYPE} for ${ORGANISATION} reaches ${recipients.join(', ')}`);
    const warmupSeconds = Math.min(WARMUP_SECONDS, settings.seconds);
    const before = observer.total;
    const warm = await emitPaced(emitter, eventFor, settings.rate, warmupSeconds);
    await observer.waitForTotal(before + warm.committedAt.size * perEvent, 60_000);
    await drain(client, 120_000);

    // Latency at the target rate.
    log(`notifications: latency, ${settings.rate} events/s for ${settings.seconds} s`);
    const latencyStart = observer.total;
    const loadStart = load1();
    const latencyLoop = monitorEventLoopDelay({ resolution: 10 });
    latencyLoop.enable();
    const emission = await emitPaced(emitter, (index) => eventFor(index + 1), settings.rate, settings.seconds);
    const expected = emission.committedAt.size * perEvent;
    const complete = await observer.waitForTotal(latencyStart + expected, 60_000);
    latencyLoop.disable();
    const loadEnd = load1();
    if (!complete) log(`notifications: only ${observer.total - latencyStart} of ${expected} inbox rows arrived within 60 s of the last event`);
    const latencies: number[] = [];
    const windowSeconds = Math.max(1, Math.round(settings.seconds / 6));
    const byWindow = new Map<number, number[]>();
    for (const [eventId, committed] of emission.committedAt) {
      const window = Math.floor((committed - emission.firstCommit) / 1000 / windowSeconds);
      for (const at of observer.arrivals.get(eventId) ?? []) {
        latencies.push(at - committed);
        byWindow.set(window, [...(byWindow.get(window) ?? []), at - committed]);
      }
    }
    if (!(await drain(client, 120_000))) log('notifications: the latency run did not drain within 120 s');
    const eventIds = [...emission.committedAt.keys()];
    const processed = await client.query<{ ms: number }>(
      `SELECT extract(epoch FROM processed_at - created_at)::float8 * 1000 AS ms FROM outbox_event WHERE event_id = ANY($1::uuid[]) AND processed_at IS NOT NULL`,
      [eventIds],
    );
    const stagesMs = await fanOutStages(client, workers[0]!.get(QueueService), eventIds);
    const mismatches = await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM notification n JOIN outbox_event o ON o.event_id = n.event_id
        WHERE o.event_id = ANY($1::uuid[]) AND abs(extract(epoch FROM n.created_at - o.created_at)) >= 0.001`,
      [eventIds],
    );
    const latency: NotificationLatencyResult = {
      targetRate: settings.rate,
      seconds: settings.seconds,
      events: emission.committedAt.size,
      emitFailures: emission.failures,
      achievedRate: round((emission.committedAt.size - 1) / ((emission.lastCommit - emission.firstCommit) / 1000)),
      launchLagMs: percentiles(emission.launchLagMs),
      emitTransactionMs: percentiles(emission.transactionMs),
      expectedNotifications: expected,
      notifications: latencies.length,
      latencyMs: percentiles(latencies),
      processedMs: percentiles(processed.rows.map((row) => row.ms)),
      stagesMs,
      createdAtMismatches: mismatches.rows[0]!.n,
      windows: [...byWindow]
        .sort(([a], [b]) => a - b)
        .map(([window, values]) => {
          const { p50, p99 } = percentiles(values);
          return { fromSecond: window * windowSeconds, p50, p99 };
        }),
      windowSeconds,
      eventLoopDelayMs: loopDelay(latencyLoop),
      loadAverage: { start: loadStart, end: loadEnd },
    };
    log(
      `notifications: ${latency.events} events at ${latency.achievedRate}/s, ${latency.notifications}/${expected} inbox rows; ` +
        `latency p50 ${latency.latencyMs.p50} ms, p95 ${latency.latencyMs.p95} ms, p99 ${latency.latencyMs.p99} ms, max ${latency.latencyMs.max} ms`,
    );

    // Throughput: a burst in one transaction, drained by 1..n worker contexts.
    const throughput: NotificationBurstResult[] = [];
    for (let count = 1; count <= settings.workers; count += 1) {
      while (workers.length < count) workers.push(await createWorkerContext(config, database.url));
      log(`notifications: throughput, ${settings.burst} events in one transaction, ${count} worker context${count > 1 ? 's' : ''}`);
      const burstStart = observer.total;
      const loadBefore = load1();
      const loop = monitorEventLoopDelay({ resolution: 10 });
      await client.query('BEGIN');
      const inserted = await client.query<{ event_id: string }>(
        `INSERT INTO outbox_event (type, case_id, organisation_ids)
         SELECT $1, ($2::uuid[])[1 + i % cardinality($2::uuid[])], $3::uuid[] FROM generate_series(0, $4::int - 1) AS i
         RETURNING event_id`,
        [EVENT_TYPE, caseIds, [organisation], settings.burst],
      );
      await client.query('COMMIT');
      const committed = performance.now();
      const cpuBefore = process.cpuUsage();
      loop.enable();
      const target = settings.burst * perEvent;
      const timeoutMs = 60_000 + target * 20;
      const done = await observer.waitForTotal(burstStart + target, timeoutMs);
      const inboxDone = performance.now();
      const cpu = process.cpuUsage(cpuBefore);
      loop.disable();
      if (!done) log(`notifications: only ${observer.total - burstStart} of ${target} inbox rows within ${timeoutMs / 1000} s`);
      const drained = await drain(client, timeoutMs);
      const emailsDone = performance.now();
      const times = observer.rowsOf(inserted.rows.map((row) => row.event_id)).sort((a, b) => a - b);
      const last = times.at(-1) ?? inboxDone;
      // The queue is shared by every context (one Redis prefix): any of them counts it.
      const jobs = await workers[0]!.get(QueueService).counts(QueueName.Notifications);
      const inboxSeconds = (last - committed) / 1000;
      const result: NotificationBurstResult = {
        workers: count,
        events: settings.burst,
        expectedNotifications: target,
        notifications: times.length,
        firstRowMs: round((times[0] ?? NaN) - committed),
        inboxSeconds: round(inboxSeconds, 2),
        notificationsPerSecond: round(times.length / inboxSeconds, 0),
        eventsPerSecond: round(times.length / perEvent / inboxSeconds, 0),
        emailsSeconds: drained ? round((emailsDone - committed) / 1000, 1) : NaN,
        completeEventsPerSecond: drained ? round(settings.burst / ((emailsDone - committed) / 1000), 0) : NaN,
        processCpuPercent: round(((cpu.user + cpu.system) / 1000 / (inboxDone - committed)) * 100, 0),
        eventLoopDelayMs: loopDelay(loop),
        failedJobs: jobs.failed,
        retryingJobs: jobs.delayed,
        loadAverage: { start: loadBefore, end: load1() },
      };
      throughput.push(result);
      log(
        `notifications: ${count} worker context${count > 1 ? 's' : ''}: ${result.notifications}/${target} inbox rows in ${result.inboxSeconds} s ` +
          `(${result.notificationsPerSecond} notifications/s, ${result.eventsPerSecond} events/s), e-mails done after ${result.emailsSeconds} s`,
      );
    }

    return {
      machine,
      settings: { ...settings, outboxPollIntervalMs: OUTBOX_POLL_INTERVAL_MS },
      setup: { cases: CASES, eventType: EVENT_TYPE, organisation: ORGANISATION, recipients, warmupEvents: warm.committedAt.size + 1 },
      latency,
      throughput,
    };
  } finally {
    await cleanUp();
  }
}
