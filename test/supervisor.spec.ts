import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { uniqueName } from './factories/organisations';
import { compileApp } from './support/compiled';
import { isolatedDatabaseUrl, required } from './support/database';

/** A port nobody listens on right now. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Issue 14, finding 9: under `npm start` a dead worker is restarted with backoff and never takes the API down. */
describe('npm start supervision', () => {
  let build: ReturnType<typeof compileApp>;
  let varDir: string;
  let launcher: ChildProcess | undefined;
  let output = '';

  beforeAll(() => {
    build = compileApp();
    varDir = mkdtempSync(join(tmpdir(), 'passage-start-'));
  });
  afterAll(() => {
    if (launcher?.pid && alive(launcher.pid)) launcher.kill('SIGKILL');
    build.remove();
    rmSync(varDir, { recursive: true, force: true });
  });

  const pidsOf = (name: string): number[] => [...output.matchAll(new RegExp(`passage: ${name} started \\(pid (\\d+)\\)`, 'g'))].map((m) => Number(m[1]));

  it('restarts a SIGKILLed worker with backoff while the API keeps answering, and stops everything on SIGTERM', async () => {
    const port = await freePort();
    const keys = JSON.parse(required('PASSAGE_TEST_KEYS')) as Record<string, string>;
    launcher = spawn(process.execPath, [join(build.dir, 'src', 'start.js')], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        NODE_ENV: 'test',
        PORT: String(port),
        PASSAGE_VAR_DIR: varDir,
        DATABASE_URL: await isolatedDatabaseUrl('supervisor'),
        REDIS_URL: required('PASSAGE_TEST_REDIS_URL'),
        REDIS_PREFIX: uniqueName('supervisor'),
        RATE_LIMIT_PER_MINUTE: '100000',
        RESTART_BACKOFF_MS: '300',
        ...keys,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    launcher.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const health = async (): Promise<number | undefined> => {
      try {
        return (await fetch(`http://127.0.0.1:${port}/api/health`)).status;
      } catch {
        return undefined;
      }
    };

    await until('the ready line', () => (/passage: ready in/.test(output) ? true : undefined), 90_000);
    const [api] = pidsOf('api');
    const [worker] = pidsOf('worker');
    expect(await health()).toBe(200);

    process.kill(worker!, 'SIGKILL');
    await until('the restart notice', () => (/passage: worker \(pid \d+\) exited \(SIGKILL\).*restarting it in 0\.3 s/.test(output) ? true : undefined));
    expect(await health()).toBe(200);
    const [, restarted] = await until('a new worker', () => (pidsOf('worker').length >= 2 ? pidsOf('worker') : undefined));
    expect(restarted).not.toBe(worker);
    expect(alive(restarted!)).toBe(true);
    expect(pidsOf('api')).toEqual([api]);
    expect(alive(launcher.pid!)).toBe(true);

    // A quick second crash waits twice as long.
    process.kill(restarted!, 'SIGKILL');
    await until('the second restart notice', () => (/restarting it in 0\.6 s \(restart 2\)/.test(output) ? true : undefined));
    await until('a third worker', () => (pidsOf('worker').length >= 3 ? true : undefined));
    expect(await health()).toBe(200);

    const exited = new Promise<number | null>((resolve) => launcher!.once('exit', (code) => resolve(code)));
    launcher.kill('SIGTERM');
    expect(await exited).toBe(0);
    for (const pid of [api!, ...pidsOf('worker')]) expect(alive(pid)).toBe(false);
  }, 180_000);
});
