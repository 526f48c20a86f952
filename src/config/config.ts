import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';

/** A start-up configuration problem: the process prints `message` on one line and exits 1. */
export class ConfigError extends Error {}

export interface EncryptionKey {
  id: string;
  key: Buffer;
}

export interface AppConfig {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  /** Absent: the launcher starts an embedded PostgreSQL under `varDir`. */
  databaseUrl?: string;
  /** Absent: 127.0.0.1:6379, else a redis-server the launcher starts. */
  redisUrl?: string;
  /** Prefix of every Redis key (queues, rate limits), so several deployments or test workers can share one Redis. */
  redisPrefix: string;
  /**
   * Fastify's trustProxy: which X-Forwarded-For hops to believe, so rate limits and audit rows
   * see the client's address behind a reverse proxy. false (default): the socket's address.
   */
  trustProxy: boolean | string;
  /** Lets webhooks target loopback and private networks; only for tests that run a local receiver. */
  webhookAllowPrivateNetworks: boolean;
  smtpUrl?: string;
  publicUrl: string;
  /** The first key encrypts new data; all of them decrypt. */
  encryptionKeys: EncryptionKey[];
  /** HMAC keys of the identity blind indexes: the first indexes, all of them are searched (rotation). */
  matchIndexKeys: EncryptionKey[];
  /** Identity-match queries one user may make per hour (POST /api/cases/identity-matches). */
  identityMatchesPerHour: number;
  /** The Ed25519 private key of the audit log (its 32-byte seed); longer milestone-1 HMAC secrets are hashed down to one. Also verifies old HMAC checkpoints. */
  auditSigningKey: Buffer;
  /** The log's name in its checkpoints and verifier key (C2SP origin). */
  auditLogOrigin: string;
  /** Where every signed checkpoint is appended, outside the database. */
  auditWitnessDir: string;
  /** Optional: receives every signed checkpoint by POST. */
  auditWitnessUrl?: string;
  /** Days audit events are kept; absent: forever. */
  auditRetentionDays?: number;
  /** Years a closed case is kept, per country (`RETENTION_YEARS_BE|NL|LU`), before its data key is destroyed. */
  retentionYears: Record<'BE' | 'NL' | 'LU', number>;
  jwtSecret: Buffer;
  seedDemo: boolean;
  seedPassword: string;
  rateLimitPerMinute: number;
  logLevel: string;
  varDir: string;
  /** Seconds an access token lives; also bounds how long a deactivated user keeps working without the active check. */
  accessTokenTtlSeconds: number;
  refreshTokenTtlSeconds: number;
  /** Sender of notification e-mails. */
  mailFrom: string;
  /** Multiplies the webhook retry delays (5 s … 6 h); tests shrink them, production keeps 1. */
  webhookBackoffScale: number;
  /** How long a worker may hold a job before another worker treats it as stalled and runs it again. */
  queueLockDurationMs: number;
  /** How often the relay looks for outbox rows when no NOTIFY arrives (a missed NOTIFY only costs latency). */
  outboxPollIntervalMs: number;
  /** A relayed event still unprocessed after this long is relayed again (its job may have been lost with Redis' data). */
  outboxRequeueAfterSeconds: number;
  /** `npm start`: first delay before a crashed API or worker process is restarted (doubling on quick repeats). */
  restartBackoffMs: number;
  /** How often the deadline scheduler re-creates every pending deadline's delayed job (Redis may have lost them). */
  deadlineResyncIntervalMs: number;
}

type Env = Record<string, string | undefined>;

const DEV_SECRETS_FILE = 'secrets.json';
/**
 * A file of its own rather than a fourth entry in secrets.json: installations that already have
 * secrets.json get this key without rewriting that file (which API and worker read concurrently).
 */
const DEV_MATCH_INDEX_KEY_FILE = 'match-index-key';

interface DevSecrets {
  DATA_ENCRYPTION_KEY: string;
  AUDIT_SIGNING_KEY: string;
  JWT_SECRET: string;
}

function generateDevSecrets(): DevSecrets {
  return {
    DATA_ENCRYPTION_KEY: `dev1:${randomBytes(32).toString('base64')}`,
    AUDIT_SIGNING_KEY: randomBytes(32).toString('base64'),
    JWT_SECRET: randomBytes(48).toString('base64'),
  };
}

function readDevSecrets(file: string): DevSecrets {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    parsed = undefined;
  }
  const record = (typeof parsed === 'object' && parsed !== null ? parsed : {}) as Record<string, unknown>;
  const names: Array<keyof DevSecrets> = ['DATA_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY', 'JWT_SECRET'];
  if (!names.every((name) => typeof record[name] === 'string' && record[name] !== '')) {
    // Replacing it silently would make everything encrypted with the old key unreadable.
    throw new ConfigError(`${file} is not a valid development secrets file; restore it, or delete it to generate new secrets (and a new database)`);
  }
  return record as unknown as DevSecrets;
}

/** Development secrets live in ./var (git-ignored), generated once, readable by the owner only. */
function loadDevSecrets(varDir: string): DevSecrets {
  const file = join(varDir, DEV_SECRETS_FILE);
  if (existsSync(file)) {
    return readDevSecrets(file);
  }
  mkdirSync(varDir, { recursive: true });
  const secrets = generateDevSecrets();
  try {
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process (API and worker start together) wrote it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return readDevSecrets(file);
    }
    throw error;
  }
  chmodSync(file, 0o600);
  return secrets;
}

/** The development MATCH_INDEX_KEY from ./var, generated once; the first process to start writes it, the others read it. */
function loadDevMatchIndexKey(varDir: string): string {
  const file = join(varDir, DEV_MATCH_INDEX_KEY_FILE);
  const read = (): string => {
    const value = readFileSync(file, 'utf8').trim();
    if (value === '') throw new ConfigError(`${file} is empty; delete it to generate a new key (and re-index identities with npm run keys:rotate)`);
    return value;
  };
  if (existsSync(file)) return read();
  mkdirSync(varDir, { recursive: true });
  const generated = `devmatch1:${randomBytes(32).toString('base64')}`;
  try {
    writeFileSync(file, `${generated}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read();
    throw error;
  }
  chmodSync(file, 0o600);
  return generated;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function decimal(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw) || Number(raw) < min || Number(raw) > max) {
    throw new ConfigError(`${name} must be a number from ${min} to ${max}, got "${raw}"`);
  }
  return Number(raw);
}

function url(env: Env, name: string, protocols: string[]): string | undefined {
  const raw = env[name];
  if (raw === undefined || raw === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL`);
  }
  if (!protocols.includes(parsed.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}`);
  }
  return raw;
}

function secret(name: string, raw: string, minBytes: number): Buffer {
  const decoded = Buffer.from(raw, 'base64');
  if (decoded.length < minBytes) {
    throw new ConfigError(`${name} must be base64 of at least ${minBytes} random bytes (openssl rand -base64 ${minBytes})`);
  }
  return decoded;
}

/** AUDIT_LOG_ORIGIN, by default `<public host>/audit`: a C2SP key name, so no spaces and no "+". */
function logOrigin(env: Env, publicUrl: string): string {
  const origin = env.AUDIT_LOG_ORIGIN || `${new URL(publicUrl).host}/audit`;
  if (!/^[^\s+]{1,200}$/u.test(origin)) throw new ConfigError('AUDIT_LOG_ORIGIN must be a name without spaces or "+", e.g. passage.example.org/audit');
  return origin;
}

/**
 * `DATA_ENCRYPTION_KEY` (and `MATCH_INDEX_KEY`) is `keyId:base64key[,keyId:base64key...]`; the
 * first encrypts (indexes), all decrypt (are searched): rotation.
 */
export function parseEncryptionKeys(raw: string, name = 'DATA_ENCRYPTION_KEY'): EncryptionKey[] {
  const keys = raw.split(',').map((part) => {
    const [id, material] = part.trim().split(':');
    if (!id || !material || !/^[A-Za-z0-9_-]{1,32}$/.test(id)) {
      throw new ConfigError(`${name} must be keyId:base64key[,keyId:base64key...] (openssl rand -base64 32)`);
    }
    const key = Buffer.from(material, 'base64');
    if (key.length !== 32) {
      throw new ConfigError(`${name} key "${id}" must be exactly 32 bytes, base64-encoded`);
    }
    return { id, key };
  });
  if (new Set(keys.map((k) => k.id)).size !== keys.length) {
    throw new ConfigError(`${name} names the same key id twice`);
  }
  return keys;
}

/** `TRUST_PROXY`: true (every hop; only when nothing but the proxy can reach Passage), or a comma list of the proxies' addresses / CIDR ranges. */
function trustProxy(env: Env): boolean | string {
  const raw = env.TRUST_PROXY;
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true') return true;
  const entries = raw.split(',').map((entry) => entry.trim());
  const valid = entries.every((entry) => {
    const [address, bits, extra] = entry.split('/');
    const family = isIP(address ?? '');
    if (family === 0 || extra !== undefined) return false;
    return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
  });
  if (!valid) throw new ConfigError(`TRUST_PROXY must be true, false, or the proxies' addresses / CIDR ranges separated by commas, got "${raw}"`);
  return entries.join(',');
}

/**
 * Outside production every checkout gets its own prefix (derived from its data folder, as the
 * embedded PostgreSQL port is), so two checkouts on one machine never share queues. In
 * production the API and worker may run from different paths, so the prefix is fixed.
 */
function defaultRedisPrefix(nodeEnv: AppConfig['nodeEnv'], varDir: string): string {
  if (nodeEnv === 'production') return 'passage';
  return `passage-${createHash('sha256').update(varDir).digest('hex').slice(0, 10)}`;
}

function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}"`);
}

/** The one place that reads the environment. Throws ConfigError with a one-line explanation. */
export function loadConfig(env: Env = process.env): AppConfig {
  const nodeEnvRaw = env.NODE_ENV ?? 'development';
  if (nodeEnvRaw !== 'development' && nodeEnvRaw !== 'production' && nodeEnvRaw !== 'test') {
    throw new ConfigError(`NODE_ENV must be development, production or test, got "${nodeEnvRaw}"`);
  }
  const nodeEnv = nodeEnvRaw;
  const varDir = resolve(env.PASSAGE_VAR_DIR ?? 'var');
  const port = integer(env, 'PORT', 3000, 1, 65535);
  const databaseUrl = url(env, 'DATABASE_URL', ['postgres:', 'postgresql:']);
  const redisUrl = url(env, 'REDIS_URL', ['redis:', 'rediss:']);
  const smtpUrl = url(env, 'SMTP_URL', ['smtp:', 'smtps:']);
  const publicUrl = url(env, 'PUBLIC_URL', ['http:', 'https:']) ?? `http://localhost:${port}`;

  const secretNames = ['DATA_ENCRYPTION_KEY', 'AUDIT_SIGNING_KEY', 'JWT_SECRET'] as const;
  let secrets: Record<(typeof secretNames)[number], string>;
  let matchIndexKey: string;
  if (nodeEnv === 'production') {
    const missing = [...secretNames, 'MATCH_INDEX_KEY'].filter((name) => !env[name]);
    if (missing.length > 0) {
      throw new ConfigError(`NODE_ENV=production needs explicit secrets: set ${missing.join(', ')}`);
    }
    if (!databaseUrl || !redisUrl) {
      throw new ConfigError('NODE_ENV=production needs DATABASE_URL and REDIS_URL (no embedded services in production)');
    }
    secrets = { DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY!, AUDIT_SIGNING_KEY: env.AUDIT_SIGNING_KEY!, JWT_SECRET: env.JWT_SECRET! };
    const dev = existsSync(join(varDir, DEV_SECRETS_FILE)) ? loadDevSecrets(varDir) : undefined;
    matchIndexKey = env.MATCH_INDEX_KEY!;
    const devMatch = existsSync(join(varDir, DEV_MATCH_INDEX_KEY_FILE)) ? loadDevMatchIndexKey(varDir) : undefined;
    if ((dev && secretNames.some((name) => dev[name] === secrets[name])) || devMatch === matchIndexKey) {
      throw new ConfigError('NODE_ENV=production refuses the generated development secrets from ./var; provide your own');
    }
  } else {
    matchIndexKey = env.MATCH_INDEX_KEY || loadDevMatchIndexKey(varDir);
    const needsDev = secretNames.some((name) => !env[name]);
    const dev = needsDev ? loadDevSecrets(varDir) : undefined;
    secrets = {
      DATA_ENCRYPTION_KEY: env.DATA_ENCRYPTION_KEY || dev!.DATA_ENCRYPTION_KEY,
      AUDIT_SIGNING_KEY: env.AUDIT_SIGNING_KEY || dev!.AUDIT_SIGNING_KEY,
      JWT_SECRET: env.JWT_SECRET || dev!.JWT_SECRET,
    };
  }

  const redisPrefix = env.REDIS_PREFIX || defaultRedisPrefix(nodeEnv, varDir);
  if (!/^[A-Za-z0-9:_-]{1,64}$/.test(redisPrefix)) {
    throw new ConfigError('REDIS_PREFIX may hold letters, digits, ":", "_" and "-" only');
  }

  const seedDemo = bool(env, 'SEED_DEMO', !databaseUrl);
  if (seedDemo && nodeEnv === 'production') {
    // The demo users share one published password: never in a real deployment.
    throw new ConfigError('SEED_DEMO=true is refused with NODE_ENV=production: the demo users have a published password');
  }

  return {
    nodeEnv,
    port,
    databaseUrl,
    redisUrl,
    redisPrefix,
    trustProxy: trustProxy(env),
    webhookAllowPrivateNetworks: bool(env, 'WEBHOOK_ALLOW_PRIVATE_NETWORKS', false),
    smtpUrl,
    publicUrl: publicUrl.replace(/\/$/, ''),
    encryptionKeys: parseEncryptionKeys(secrets.DATA_ENCRYPTION_KEY),
    matchIndexKeys: parseEncryptionKeys(matchIndexKey, 'MATCH_INDEX_KEY'),
    identityMatchesPerHour: integer(env, 'IDENTITY_MATCHES_PER_HOUR', 60, 1, 100_000),
    auditSigningKey: secret('AUDIT_SIGNING_KEY', secrets.AUDIT_SIGNING_KEY, 32),
    auditLogOrigin: logOrigin(env, publicUrl),
    auditWitnessDir: resolve(env.AUDIT_WITNESS_DIR || join(varDir, 'audit-witness')),
    auditWitnessUrl: url(env, 'AUDIT_WITNESS_URL', ['http:', 'https:']),
    auditRetentionDays: env.AUDIT_RETENTION_DAYS ? integer(env, 'AUDIT_RETENTION_DAYS', 0, 1, 36_500) : undefined,
    // Ten years after closing unless a country's law says otherwise; at most a century, never zero (a closed case is not shredded at once).
    retentionYears: {
      BE: integer(env, 'RETENTION_YEARS_BE', 10, 1, 100),
      NL: integer(env, 'RETENTION_YEARS_NL', 10, 1, 100),
      LU: integer(env, 'RETENTION_YEARS_LU', 10, 1, 100),
    },
    jwtSecret: secret('JWT_SECRET', secrets.JWT_SECRET, 32),
    seedDemo,
    seedPassword: env.SEED_PASSWORD || 'passage-demo-2026',
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', 600, 1, 1_000_000),
    logLevel: env.LOG_LEVEL || (nodeEnv === 'test' ? 'silent' : 'info'),
    varDir,
    accessTokenTtlSeconds: integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 600, 30, 3600),
    refreshTokenTtlSeconds: integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
    mailFrom: env.MAIL_FROM || 'Passage <no-reply@passage.invalid>',
    webhookBackoffScale: decimal(env, 'WEBHOOK_BACKOFF_SCALE', 1, 0.00001, 1),
    queueLockDurationMs: integer(env, 'QUEUE_LOCK_DURATION_MS', 30_000, 1000, 600_000),
    outboxPollIntervalMs: integer(env, 'OUTBOX_POLL_INTERVAL_MS', 2000, 50, 60_000),
    outboxRequeueAfterSeconds: integer(env, 'OUTBOX_REQUEUE_AFTER_SECONDS', 900, 1, 7 * 24 * 3600),
    restartBackoffMs: integer(env, 'RESTART_BACKOFF_MS', 1000, 10, 60_000),
    deadlineResyncIntervalMs: integer(env, 'DEADLINE_RESYNC_INTERVAL_MS', 300_000, 100, 24 * 3600_000),
  };
}

/** Entry points call this: a bad configuration is one clear line on stderr and exit code 1. */
export function loadConfigOrExit(env: Env = process.env): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`passage: configuration error: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
