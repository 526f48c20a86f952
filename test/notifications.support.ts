import { randomInt } from 'node:crypto';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import { Redis } from 'ioredis';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../src/config/config';
import type { DomainEvent } from '../src/outbox/domain-event';
import { OutboxService } from '../src/outbox/outbox.service';
import { createWorkerContext } from '../src/worker.module';
import { testConfig, TestApp } from './support/app';
import { isolatedDatabaseUrl } from './support/database';

/** Settings that make the worker's loops and retries fast enough for a test. */
export const FAST_WORKER_ENV: Record<string, string> = {
  OUTBOX_POLL_INTERVAL_MS: '100',
  QUEUE_LOCK_DURATION_MS: '2000',
  WEBHOOK_BACKOFF_SCALE: '0.0002',
  // The specs' webhook receivers listen on 127.0.0.1.
  WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
};

/**
 * A database of the spec's own (cloned from the migrated, seeded template), a Redis key prefix of
 * its own under this jest worker's, and a var dir of its own for the e-mail files.
 */
export class NotificationsStack {
  private readonly workers: INestApplicationContext[] = [];

  private constructor(
    readonly config: AppConfig,
    readonly env: Record<string, string>,
  ) {}

  static async create(label: string, overrides: Record<string, string> = {}): Promise<NotificationsStack> {
    const base = await testConfig();
    const varDir = mkdtempSync(join(tmpdir(), `passage-${label}-`));
    const env = {
      ...FAST_WORKER_ENV,
      DATABASE_URL: await isolatedDatabaseUrl(label),
      REDIS_PREFIX: `${base.redisPrefix}:${label}`,
      PASSAGE_VAR_DIR: varDir,
      PUBLIC_URL: 'https://passage.test',
      ...overrides,
    };
    return new NotificationsStack(await testConfig(env), env);
  }

  get databaseUrl(): string {
    return this.config.databaseUrl!;
  }

  get mailDir(): string {
    return join(this.config.varDir, 'mail');
  }

  startApi(): Promise<TestApp> {
    return TestApp.start(this.env);
  }

  async startWorker(config: AppConfig = this.config): Promise<INestApplicationContext> {
    // The real worker, recipients chosen by the API's own rules.
    const worker = await createWorkerContext(config, config.databaseUrl!);
    this.workers.push(worker);
    return worker;
  }

  async stopWorker(worker: INestApplicationContext): Promise<void> {
    this.workers.splice(this.workers.indexOf(worker), 1);
    await worker.close();
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.splice(0).map((worker) => worker.close()));
    rmSync(this.config.varDir, { recursive: true, force: true });
    await removeRedisKeys(this.config);
  }

  emailFiles(): string[] {
    try {
      return readdirSync(this.mailDir).filter((name) => name.endsWith('.eml'));
    } catch {
      return [];
    }
  }
}

/** Deletes every key under the config's prefix, so test runs leave no queues behind in a shared Redis. */
export async function removeRedisKeys(config: AppConfig): Promise<void> {
  const redis = new Redis(config.redisUrl!, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${config.redisPrefix}:*`, 'COUNT', 500);
      if (keys.length > 0) await redis.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } catch {
    // A Redis the test stopped on purpose has nothing left to clean.
  } finally {
    redis.disconnect();
  }
}

export function dataSourceOf(context: INestApplicationContext): DataSource {
  return context.get<DataSource>(getDataSourceToken());
}

/** The demo data's ids, looked up by slug and e-mail. */
export class Demo {
  constructor(private readonly db: DataSource) {}

  async organisation(slug: string): Promise<string> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM organisation WHERE slug = $1`, [slug]);
    if (!rows[0]) throw new Error(`no organisation ${slug}`);
    return rows[0].id;
  }

  async user(email: string): Promise<string> {
    const rows: Array<{ id: string }> = await this.db.query(`SELECT id FROM "user" WHERE email = $1`, [email]);
    if (!rows[0]) throw new Error(`no user ${email}`);
    return rows[0].id;
  }

  /** A case led by the police of `country`, with its lead participation, inserted directly. */
  async createCase(country: 'BE' | 'NL' | 'LU' = 'BE'): Promise<{ id: string; reference: string; leadOrganisationId: string }> {
    const lead = await this.organisation(`${country.toLowerCase()}-police`);
    const officer = await this.user(`officer@${country.toLowerCase()}-police.test`);
    const reference = `${country}-2026-${String(randomInt(100_000, 999_999))}`;
    const rows: Array<{ id: string }> = await this.db.query(
      `INSERT INTO "case" (reference, country, lead_organisation_id, minor, exploitation_types, created_by)
       VALUES ($1, $2, $3, false, '{labour}', $4) RETURNING id`,
      [reference, country, lead, officer],
    );
    await this.db.query(`INSERT INTO participation (case_id, organisation_id, purpose, legal_basis) VALUES ($1, $2, 'lead', 'lead')`, [rows[0]!.id, lead]);
    return { id: rows[0]!.id, reference, leadOrganisationId: lead };
  }

  async createReferral(caseId: string, fromSlug: string, toSlug: string, respondBy: Date): Promise<string> {
    const from = await this.organisation(fromSlug);
    const to = await this.organisation(toSlug);
    const creator: Array<{ id: string }> = await this.db.query(`SELECT id FROM "user" WHERE organisation_id = $1 ORDER BY email LIMIT 1`, [from]);
    const rows: Array<{ id: string }> = await this.db.query(
      `INSERT INTO referral (case_id, from_organisation_id, to_organisation_id, purpose, urgency, respond_by, created_by)
       VALUES ($1, $2, $3, 'shelter', 'urgent', $4, $5) RETURNING id`,
      [caseId, from, to, respondBy, creator[0]!.id],
    );
    return rows[0]!.id;
  }

  async emit(event: DomainEvent): Promise<void> {
    await this.db.transaction((manager) => new OutboxService().emit(manager, event));
  }
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false>, timeoutMs = 15_000, intervalMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== null && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

export async function count(db: DataSource, sql: string, params: unknown[] = []): Promise<number> {
  const rows: Array<{ n: number }> = await db.query(`SELECT count(*)::int AS n FROM (${sql}) AS counted`, params);
  return rows[0]!.n;
}
