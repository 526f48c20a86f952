import 'reflect-metadata';
import { join } from 'node:path';
import { createSealer } from './common/crypto.module';
import { loadConfigOrExit } from './config/config';
import { type EmbeddedDatabase, startEmbeddedPostgres } from './database/embedded-postgres';
import { migrate } from './database/migrate';
import { ensureLocalRedis, type LocalRedis } from './redis/redis';
import { upgradeToCaseKeys } from './sealed-columns';
import { seedDemoData } from './seed/demo-data';
import { Supervisor } from './supervisor';

const log = (line: string): void => {
  process.stdout.write(`passage: ${line}\n`);
};

/**
 * `npm start`: the whole platform on one machine. Provides PostgreSQL (DATABASE_URL or an
 * embedded cluster under ./var) and Redis (REDIS_URL, a local one, or a redis-server it starts),
 * applies migrations, seeds the demo data where configured, then runs the API and the worker
 * as two supervised child processes (restarted with backoff when they die), exactly as they
 * run separately in production.
 */
async function start(): Promise<void> {
  const started = Date.now();
  const config = loadConfigOrExit();
  let embedded: EmbeddedDatabase | undefined;
  let localRedis: LocalRedis | undefined;
  let supervisor: Supervisor | undefined = undefined;
  let stopping = false;

  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      log('stopping');
      await supervisor?.stop();
      localRedis?.stop();
      await embedded?.stop().catch(() => undefined);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    embedded = await startEmbeddedPostgres(config.varDir, log);
    databaseUrl = embedded.url;
    log(`embedded PostgreSQL running (data in ${join(config.varDir, 'postgres')})`);
  }

  let redisUrl = config.redisUrl;
  if (!redisUrl) {
    localRedis = await ensureLocalRedis(config.varDir, log);
    if (!localRedis) {
      process.stderr.write('passage: no Redis: none answers on 127.0.0.1:6379 and redis-server is not on PATH; install Redis or set REDIS_URL\n');
      await stop(1);
    }
    redisUrl = localRedis!.url;
  }

  const applied = await migrate(databaseUrl);
  if (applied.length > 0) log(`applied ${applied.length} migration(s)`);
  const upgraded = await upgradeToCaseKeys(databaseUrl, createSealer(config));
  if (upgraded.resealed > 0) log(`re-sealed ${upgraded.resealed} case value(s) under their case key`);
  if (config.seedDemo) {
    const seeded = await seedDemoData(databaseUrl, config.seedPassword);
    log(`demo data: ${seeded.organisations} organisations, ${seeded.users} users ${seeded.created ? 'created' : 'already present'}`);
  }

  const env = { ...process.env, DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, PORT: String(config.port), SEED_DEMO: String(config.seedDemo) };
  // A crashed child is restarted while the other keeps running: a dead worker only delays notifications.
  supervisor = new Supervisor(
    [
      { name: 'api', script: join(__dirname, 'main.js') },
      { name: 'worker', script: join(__dirname, 'worker.js') },
    ],
    { env, log, backoffMs: config.restartBackoffMs, maxBackoffMs: 30_000, stableAfterMs: 60_000, stopTimeoutMs: 10_000 },
  );
  supervisor.start();

  await waitForHealth(config.port);
  log(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${config.publicUrl} (API docs: ${config.publicUrl}/docs)`);
  if (config.seedDemo) {
    log(`sign in with e.g. officer@be-police.test / ${config.seedPassword === 'passage-demo-2026' ? 'passage-demo-2026' : '$SEED_PASSWORD'}:`);
    log(
      `  curl -s -H 'content-type: application/json' -d '{"email":"officer@be-police.test","password":"passage-demo-2026"}' ${config.publicUrl}/api/auth/login`,
    );
  }
}

async function waitForHealth(port: number): Promise<void> {
  for (let i = 0; i < 600; i += 1) {
    try {
      const response = await fetch(`http://127.0.0.1:${port}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

void start().catch((error: unknown) => {
  process.stderr.write(`passage: start-up failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
