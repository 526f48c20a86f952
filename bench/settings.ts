import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { type AppConfig, loadConfig } from '../src/config/config';

/** What one `npm run bench` measures, and how big. Every size can be shrunk by environment for a quick run. */
export interface BenchSettings {
  cases: number;
  auditEvents: number;
  /** Seconds of each measured autocannon run. */
  durationSeconds: number;
  /** Seconds of an unmeasured run before each measured one (JIT, connection pools, PostgreSQL's cache). */
  warmupSeconds: number;
  connections: number;
  /** Alternating rounds of the audit write cost and API-process comparisons. */
  auditRounds: number;
  /** Alternating rounds of Passage and the baseline (medians over them). */
  rounds: number;
  /** Case counts of the scale curve (BENCH_SCALE_STEPS, comma-separated). */
  scaleSteps: number[];
  seed: number;
  outDir: string;
  keepDatabase: boolean;
  /** PostgreSQL server (any database on it: the bench creates its own). */
  postgresUrl: string;
  redisUrl: string;
  /**
   * BENCH_ONLY=notifications: measure only the notifications section and merge it into results.json;
   * BENCH_ONLY=audit: only the audit sections (write cost, API processes, verification), written to AUDIT.md;
   * BENCH_ONLY=statistics: only the statistics section over the seeded cases, written to STATISTICS.md;
   * BENCH_ONLY=sections: the detailed sections (plans, audit, statistics, notifications) into results.json and SECTIONS.md.
   * Unset: Passage against the baseline (bench/physical-run.ts) into latest.json and REPORT.md.
   */
  only?: 'notifications' | 'audit' | 'statistics' | 'sections';
  notifications: NotificationSettings;
}

/** The notifications section (bench/notifications.ts). */
export interface NotificationSettings {
  /** Seconds of paced emission for the latency run. */
  seconds: number;
  /** Events per second the latency run emits, each in its own transaction. */
  rate: number;
  /** Events written in one transaction for each throughput run. */
  burst: number;
  /** Throughput runs with 1..workers worker contexts. */
  workers: number;
}

type Env = Record<string, string | undefined>;

function whole(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(value) || value < min || value > max) throw new Error(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  return value;
}

/** The bench drives its own server as hard as it can: it must never point at anything but this machine. */
function loopback(env: Env, name: string, fallback: string): string {
  const raw = env[name] || fallback;
  const host = new URL(raw).hostname;
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(host)) throw new Error(`${name} must point at 127.0.0.1, got host "${host}"`);
  return raw;
}

export function loadBenchSettings(env: Env = process.env): BenchSettings {
  return {
    cases: whole(env, 'BENCH_CASES', 100_000, 100, 2_000_000),
    auditEvents: whole(env, 'BENCH_AUDIT_EVENTS', 1_000_000, 0, 20_000_000),
    durationSeconds: whole(env, 'BENCH_DURATION', 10, 1, 300),
    warmupSeconds: whole(env, 'BENCH_WARMUP', 2, 0, 60),
    connections: whole(env, 'BENCH_CONNECTIONS', 10, 1, 200),
    auditRounds: whole(env, 'BENCH_AUDIT_ROUNDS', 5, 1, 50),
    rounds: whole(env, 'BENCH_ROUNDS', 3, 1, 20),
    scaleSteps: steps(env.BENCH_SCALE_STEPS),
    seed: whole(env, 'BENCH_SEED', 42, 0, 2 ** 31),
    outDir: resolve(env.BENCH_OUT || 'bench/results'),
    keepDatabase: env.BENCH_KEEP_DB === 'true' || env.BENCH_KEEP_DB === '1',
    postgresUrl: loopback(env, 'BENCH_POSTGRES_URL', 'postgres://postgres@127.0.0.1:5432/postgres'),
    redisUrl: loopback(env, 'BENCH_REDIS_URL', 'redis://127.0.0.1:6379'),
    only: only(env),
    notifications: {
      seconds: whole(env, 'BENCH_NOTIFY_SECONDS', 30, 1, 600),
      rate: whole(env, 'BENCH_NOTIFY_RATE', 100, 1, 2000),
      burst: whole(env, 'BENCH_NOTIFY_BURST', 5_000, 1, 200_000),
      workers: whole(env, 'BENCH_NOTIFY_WORKERS', 2, 1, 4),
    },
  };
}

function steps(raw: string | undefined): number[] {
  if (raw === undefined || raw === '') return [10_000, 100_000, 1_000_000];
  const values = raw.split(',').map((part) => Number(part.trim().replace(/_/g, '')));
  if (values.some((v) => !Number.isInteger(v) || v < 100 || v > 2_000_000))
    throw new Error(`BENCH_SCALE_STEPS must be case counts from 100 to 2,000,000, got "${raw}"`);
  return values.sort((a, b) => a - b);
}

function only(env: Env): BenchSettings['only'] {
  const raw = env.BENCH_ONLY;
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'notifications' || raw === 'audit' || raw === 'statistics' || raw === 'sections') return raw;
  throw new Error(`BENCH_ONLY must be "notifications", "audit", "statistics" or "sections" (or unset for the run against the baseline), got "${raw}"`);
}

/** Fresh secrets for one bench run, as environment: handed to child processes so they build the same configuration. */
export function benchSecrets(): Record<string, string> {
  return {
    DATA_ENCRYPTION_KEY: `bench1:${randomBytes(32).toString('base64')}`,
    MATCH_INDEX_KEY: `benchmatch1:${randomBytes(32).toString('base64')}`,
    AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
    JWT_SECRET: randomBytes(32).toString('base64'),
  };
}

/** The application's configuration for a bench database: fresh secrets (unless given), its own Redis prefix, no rate limit in the way. */
export function benchAppConfig(databaseUrl: string, redisUrl: string, redisPrefix: string, overrides: Env = {}): AppConfig {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl,
    REDIS_PREFIX: redisPrefix,
    RATE_LIMIT_PER_MINUTE: '1000000',
    // A full run takes several minutes; the tokens signed in at its start must outlive it.
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    ...benchSecrets(),
    SEED_DEMO: 'false',
    PASSAGE_VAR_DIR: resolve('var/bench'),
    ...overrides,
  });
}
