import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Redis, type RedisOptions } from 'ioredis';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

/**
 * Connection for BullMQ and the rate limiter. `maxRetriesPerRequest: null` is what BullMQ
 * workers require; commands wait for a reconnect instead of failing, so callers that must
 * answer fast (health, producers in a request) use their own timeouts.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    ...options,
  });
}

/** Answers PONG within `timeoutMs`, or false. Never throws. */
export async function pingRedis(url: string, timeoutMs = 1000): Promise<boolean> {
  const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null, connectTimeout: timeoutMs });
  probe.on('error', () => undefined);
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}

export interface LocalRedis {
  url: string;
  stop(): void;
}

/**
 * The development default: a Redis on 127.0.0.1:6379 if one answers, else a `redis-server`
 * from PATH on another port with its data under ./var/redis. Returns undefined when neither exists.
 */
export async function ensureLocalRedis(varDir: string, log: (line: string) => void): Promise<LocalRedis | undefined> {
  if (await pingRedis(DEFAULT_REDIS_URL)) return { url: DEFAULT_REDIS_URL, stop: () => undefined };
  if (spawnSync('redis-server', ['--version']).status !== 0) return undefined;
  const dir = join(varDir, 'redis');
  mkdirSync(dir, { recursive: true });
  const port = 56379;
  const url = `redis://127.0.0.1:${port}`;
  if (await pingRedis(url)) return { url, stop: () => undefined };
  log(`starting redis-server on 127.0.0.1:${port} (data in ${dir})`);
  const child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(port), '--dir', dir, '--appendonly', 'yes', '--save', ''], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 50; i += 1) {
    if (await pingRedis(url, 200)) return { url, stop: () => child.kill('SIGTERM') };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  child.kill('SIGKILL');
  return undefined;
}
