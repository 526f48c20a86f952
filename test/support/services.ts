import { resolve } from 'node:path';
import { startEmbeddedPostgres } from '../../src/database/embedded-postgres';
import { ensureLocalRedis } from '../../src/redis/redis';

/**
 * Where the test services are: DATABASE_URL / REDIS_URL when set, otherwise the same defaults
 * as `npm start` (embedded PostgreSQL under ./var, local or spawned Redis).
 */
export async function resolveServices(log: (line: string) => void): Promise<{ databaseUrl: string; redisUrl: string; stop: () => Promise<void> }> {
  const varDir = resolve(process.env.PASSAGE_VAR_DIR ?? 'var');
  let stopDb = async (): Promise<void> => undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const embedded = await startEmbeddedPostgres(varDir, log);
    databaseUrl = embedded.url;
    stopDb = () => embedded.stop();
  }
  let redisUrl = process.env.REDIS_URL;
  let stopRedis = (): void => undefined;
  if (!redisUrl) {
    const local = await ensureLocalRedis(varDir, log);
    if (!local) throw new Error('tests need Redis: none answers on 127.0.0.1:6379 and redis-server is not on PATH; set REDIS_URL');
    redisUrl = local.url;
    stopRedis = () => local.stop();
  }
  return {
    databaseUrl,
    redisUrl,
    stop: async () => {
      stopRedis();
      await stopDb();
    },
  };
}
