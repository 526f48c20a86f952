import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DataSource } from 'typeorm';
import { getDataSourceToken } from '@nestjs/typeorm';
import { type AppConfig, loadConfig } from '../../src/config/config';
import { createHttpApp, type HttpAppOptions } from '../../src/http';
import { workerDatabaseUrl, required } from './database';
import { TEST_PASSWORD } from './environment';

export { TEST_PASSWORD };

export interface TestResponse<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: T;
  text: string;
}

export interface RequestOptions {
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** The test configuration: this worker's database, its own Redis key prefix, the run's secrets. */
export async function testConfig(overrides: Record<string, string> = {}): Promise<AppConfig> {
  const keys = JSON.parse(required('PASSAGE_TEST_KEYS')) as Record<string, string>;
  return loadConfig({
    NODE_ENV: 'test',
    DATABASE_URL: overrides.DATABASE_URL ?? (await workerDatabaseUrl()),
    REDIS_URL: required('PASSAGE_TEST_REDIS_URL'),
    REDIS_PREFIX: `test:${required('PASSAGE_TEST_RUN')}:${process.env.JEST_WORKER_ID ?? '1'}`,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    // Specs make thousands of requests from one address; the rate-limit spec sets its own limit.
    RATE_LIMIT_PER_MINUTE: '1000000',
    // A witness of its own per configuration: a witness compares checkpoints of one log only.
    AUDIT_WITNESS_DIR: mkdtempSync(join(tmpdir(), 'passage-witness-')),
    ...keys,
    ...overrides,
  });
}

/** The real HTTP application (same factory as `npm start`), driven in-process through Fastify's inject. */
export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly config: AppConfig,
  ) {}

  static async start(overrides: Record<string, string> = {}, options: HttpAppOptions = {}): Promise<TestApp> {
    const config = await testConfig(overrides);
    const app = await createHttpApp(config, config.databaseUrl!, options);
    return new TestApp(app, config);
  }

  get dataSource(): DataSource {
    return this.app.get<DataSource>(getDataSourceToken());
  }

  async request<T = unknown>(method: string, url: string, options: RequestOptions = {}): Promise<TestResponse<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let payload: string | undefined;
    if (options.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      payload = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    }
    const response = await this.app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown = undefined;
    const type = String(response.headers['content-type'] ?? '');
    if (type.includes('json') && response.body.length > 0) body = JSON.parse(response.body);
    return { status: response.statusCode, headers: response.headers, body: body as T, text: response.body };
  }

  get<T = unknown>(url: string, token?: string): Promise<TestResponse<T>> {
    return this.request<T>('GET', url, { token });
  }

  post<T = unknown>(url: string, body: unknown, token?: string): Promise<TestResponse<T>> {
    return this.request<T>('POST', url, { token, body });
  }

  patch<T = unknown>(url: string, body: unknown, token?: string): Promise<TestResponse<T>> {
    return this.request<T>('PATCH', url, { token, body });
  }

  /** Signs a user in and returns the access token; fails the test loudly otherwise. */
  async login(email: string, password = TEST_PASSWORD): Promise<string> {
    const response = await this.post<{ accessToken: string }>('/api/auth/login', { email, password });
    if (response.status !== 200) throw new Error(`login ${email} answered ${response.status}: ${response.text}`);
    return response.body.accessToken;
  }

  async close(): Promise<void> {
    await this.app.close();
  }
}
