import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem, type as osType } from 'node:os';
import type { Client } from 'pg';
import { Redis } from 'ioredis';

export interface MachineDescription {
  date: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string;
  postgresSettings: Record<string, string>;
  redis: string;
  /** One-minute load average when the run started: other work on a shared machine skews the figures. */
  loadAverageAtStart: number;
  commit: string;
  uncommittedChanges: boolean;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

export async function describeMachine(client: Client, redisUrl: string): Promise<MachineDescription> {
  const version = await client.query<{ version: string }>(`SELECT version()`);
  const settings = await client.query<{ name: string; setting: string; unit: string | null }>(
    `SELECT name, setting, unit FROM pg_settings WHERE name IN ('shared_buffers', 'work_mem', 'effective_cache_size', 'max_connections', 'synchronous_commit', 'random_page_cost', 'jit')`,
  );
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let info: string;
  try {
    await redis.connect();
    info = await redis.info('server');
  } finally {
    redis.disconnect();
  }
  const redisVersion = /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  // --no-optional-locks: never take the index lock, others commit in this working tree.
  const status = git(['--no-optional-locks', 'status', '--porcelain', '--untracked-files=no']);
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    os: `${osType()} ${release()}`,
    node: process.version,
    postgres: version.rows[0]!.version.split(' on ')[0]!,
    postgresSettings: Object.fromEntries(settings.rows.map((row) => [row.name, `${row.setting}${row.unit ? ` ${row.unit}` : ''}`])),
    redis: redisVersion,
    loadAverageAtStart: Math.round(loadavg()[0]! * 100) / 100,
    commit: git(['rev-parse', '--short', 'HEAD']) ?? 'unknown',
    uncommittedChanges: status === undefined ? false : status.length > 0,
  };
}
