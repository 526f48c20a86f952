import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Client } from 'pg';
import { migrate } from '../../src/database/migrate';
import { pingRedis } from '../../src/redis/redis';
import { seedDemoData } from '../../src/seed/demo-data';
import { TEST_PASSWORD } from './environment';

/**
 * PostgreSQL and Redis instances of one spec's own, for fault specs that stop, kill or pause
 * them. The shared services on 5432 and 6379 serve every other spec and engineer and are never
 * touched.
 */

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 15_000, intervalMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** A redis-server of the spec's own, on a port of its own, which it may stop, kill, pause and start again. */
export class OwnRedis {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'passage-redis-'));

  /** `persistent: false` loses every key when the process dies, like a Redis without AOF or RDB. */
  constructor(
    readonly port: number,
    private readonly persistent = true,
  ) {}

  static async create(persistent = true): Promise<OwnRedis> {
    return new OwnRedis(await freePort(), persistent);
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    const persistence = this.persistent ? ['--appendonly', 'yes'] : ['--appendonly', 'no'];
    this.child = spawn('redis-server', ['--bind', '127.0.0.1', '--port', String(this.port), '--dir', this.dir, '--save', '', ...persistence], {
      stdio: 'ignore',
    });
    await waitUntil('redis-server', () => pingRedis(this.url, 200), 10_000, 20);
  }

  /** SIGTERM (a clean shutdown) or SIGKILL (a crash). */
  async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM'): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise((resolve) => {
      child.once('exit', resolve);
      child.kill(signal);
    });
  }

  /** Freezes the process: connections stay open, commands get no answer. */
  pause(): void {
    this.child?.kill('SIGSTOP');
  }

  resume(): void {
    this.child?.kill('SIGCONT');
  }

  async dispose(): Promise<void> {
    this.resume();
    await this.stop('SIGKILL');
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * An embedded PostgreSQL cluster of the spec's own, on a port of its own, migrated and seeded
 * like the test template, which it may stop and start again. It runs under a helper process
 * (own-postgres.mjs) that the spec drives over stdin.
 */
export class OwnPostgres {
  private readonly dir = mkdtempSync(join(tmpdir(), 'passage-pg-'));
  private readonly lines: string[] = [];
  private helper?: ChildProcess;

  private constructor(readonly port: number) {}

  static async create(): Promise<OwnPostgres> {
    const own = new OwnPostgres(await freePort());
    own.helper = spawn(process.execPath, [join(__dirname, 'own-postgres.mjs'), join(own.dir, 'data'), String(own.port)], {
      stdio: ['pipe', 'pipe', 'ignore'],
    });
    createInterface({ input: own.helper.stdout! }).on('line', (line) => own.lines.push(line));
    await own.answer('ready', 120_000);
    const admin = new Client({ connectionString: own.urlOf('postgres') });
    await admin.connect();
    await admin.query('CREATE DATABASE passage');
    await admin.end();
    await migrate(own.url);
    await seedDemoData(own.url, TEST_PASSWORD);
    return own;
  }

  get url(): string {
    return this.urlOf('passage');
  }

  private urlOf(database: string): string {
    return `postgres://postgres:passage-private@127.0.0.1:${this.port}/${database}`;
  }

  private async answer(line: string, timeoutMs: number): Promise<void> {
    await waitUntil(`the private PostgreSQL to say "${line}"`, async () => this.lines.includes(line), timeoutMs, 20);
    this.lines.splice(this.lines.indexOf(line), 1);
  }

  /** A fast shutdown (SIGINT to the postmaster): open sessions are terminated, their transactions rolled back. */
  async stop(): Promise<void> {
    this.helper!.stdin!.write('stop\n');
    await this.answer('stopped', 30_000);
  }

  async start(): Promise<void> {
    this.helper!.stdin!.write('start\n');
    await this.answer('ready', 30_000);
  }

  async dispose(): Promise<void> {
    const helper = this.helper;
    if (helper && helper.exitCode === null) {
      await new Promise((resolve) => {
        helper.once('exit', resolve);
        helper.stdin!.end();
      });
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
