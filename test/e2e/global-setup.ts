import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseUrlFor, newRunId, TEST_PASSWORD, withAdminClient } from '../support/environment';
import { resolveServices } from '../support/services';

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

export interface E2eServer {
  baseUrl: string;
  /** The server's var dir: without SMTP_URL its e-mails are .eml files under <varDir>/mail. */
  varDir: string;
  stop(): Promise<void>;
}

/**
 * The built platform exactly as `npm start` runs it (dist/src/start.js: API and worker, migrations,
 * demo data), on a fresh database of its own and a random port, with the app from web/dist.
 */
export async function startServer(): Promise<E2eServer> {
  const services = await resolveServices((line) => process.stdout.write(`[e2e] ${line}\n`));
  const database = `passage_e2e_${newRunId()}`;
  await withAdminClient(services.databaseUrl, (client) => client.query(`CREATE DATABASE "${database}"`));
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const varDir = mkdtempSync(join(tmpdir(), 'passage-e2e-'));
  let output = '';
  const child: ChildProcess = spawn(process.execPath, ['dist/src/start.js'], {
    env: {
      ...process.env,
      NODE_ENV: 'development',
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      DATABASE_URL: databaseUrlFor(services.databaseUrl, database),
      REDIS_URL: services.redisUrl,
      REDIS_PREFIX: `e2e:${database}`,
      SEED_DEMO: 'true',
      SEED_PASSWORD: TEST_PASSWORD,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: '100000',
      PASSAGE_VAR_DIR: varDir,
      // The admin journey registers a webhook on a receiver it runs on 127.0.0.1.
      WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((done) => child.once('exit', done));
      child.kill('SIGTERM');
      await exited;
    }
    await withAdminClient(services.databaseUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`));
    await services.stop();
  };
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the server exited during start-up:\n${output}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) return { baseUrl, varDir, stop };
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 250));
  }
  await stop();
  throw new Error(`the server did not become healthy in 90 s:\n${output}`);
}

/**
 * Once per browser-test run, outside the test sandbox (embedded PostgreSQL is an ES module that
 * jest's module system cannot load, while Node loads it natively here).
 */
export default async function globalSetup(): Promise<void> {
  const server = await startServer();
  process.env.PASSAGE_E2E_URL = server.baseUrl;
  process.env.PASSAGE_E2E_MAIL_DIR = join(server.varDir, 'mail');
  (globalThis as { __passageE2e?: E2eServer }).__passageE2e = server;
}
