import { randomUUID } from 'node:crypto';
import cookie from '@fastify/cookie';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import Fastify, { type FastifyError, type FastifyReply, type FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { MAX_DOCUMENT_BYTES } from './documents/documents.controller';
import { defaultWebRoot, registerAppShell } from './app-shell/app-shell';
import { quietStartUp } from './common/logging';
import { createOpenApiDocument } from './common/openapi';
import { Problem, problemTitle } from './common/problem';
import { PROBLEM_CONTENT_TYPE } from './common/problem.filter';
import { createValidationPipe, jsonNestedDeeperThan, MAX_JSON_DEPTH } from './common/validation';
import type { AppConfig } from './config/config';
import { createRedis, DEFAULT_REDIS_URL } from './redis/redis';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/**
 * The Fastify adapter every Passage HTTP application runs on. `trustProxy` (TRUST_PROXY) makes
 * request.ip the client's address from X-Forwarded-For, for the rate limit and the audit rows.
 */
export function createFastifyAdapter(trustProxy: AppConfig['trustProxy'] = false): FastifyAdapter {
  return new FastifyAdapter({
    bodyLimit: 1_048_576,
    trustProxy,
    requestIdHeader: false,
    // Keep a caller's request id if it is sane, so a hand-over can be traced across agencies' systems.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // A path with a broken percent escape (e.g. %C0%80) fails in Fastify's router, before Nest and
    // its exception filter: answer it as problem+json like every other malformed request.
    frameworkErrors: (_error: FastifyError, _request: FastifyRequest, reply: FastifyReply) => {
      void reply
        .code(400)
        .type(PROBLEM_CONTENT_TYPE)
        .send({ type: '/problems/malformed-request', title: problemTitle(400), status: 400, detail: 'The request URL is not valid' });
    },
  });
}

/** Nest's own body parsers would also accept form-encoded bodies; the API speaks JSON only (anything else is a 415). */
export const HTTP_APP_OPTIONS = { bufferLogs: true, bodyParser: false } as const;

/**
 * The policy the web app runs under, sent with every response. Scripts only from our own origin,
 * never inline. Styles may be inline: Mantine writes its CSS variables into a <style> element at
 * run time, and a per-response nonce would make the cached, static index.html dynamic; injected
 * CSS cannot run code, so the exception is limited to styles.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export const HELMET_OPTIONS = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  crossOriginEmbedderPolicy: false,
  frameguard: { action: 'deny' as const },
};

/** The headers @fastify/helmet sets with HELMET_OPTIONS, read once from a throwaway Fastify instance. */
export async function helmetHeaders(): Promise<Array<[string, string]>> {
  const probe = Fastify();
  try {
    await probe.register(helmet, HELMET_OPTIONS);
    probe.get('/', () => 'ok');
    const response = await probe.inject({ method: 'GET', url: '/' });
    // Everything but what any Fastify answer carries.
    const own = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);
    return Object.entries(response.headers)
      .filter(([name]) => !own.has(name))
      .map(([name, value]) => [name, String(value)]);
  } finally {
    await probe.close();
  }
}

export interface HttpAppOptions {
  /** The built web app to serve at /; default web/dist. Tests point it at a fixture. */
  webRoot?: string;
}

/** Builds the HTTP application: the same for `npm start` and for the tests. */
export async function createHttpApp(config: AppConfig, databaseUrl: string, options: HttpAppOptions = {}): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, databaseUrl),
    createFastifyAdapter(config.trustProxy),
    HTTP_APP_OPTIONS,
  );
  return configureHttpApp(app, config, options);
}

/**
 * Everything around the modules: prefix, validation, security headers, rate limit, request ids,
 * no-store, OpenAPI. Separate from createHttpApp so a benchmark can apply it to an application
 * built from a testing module.
 */
export async function configureHttpApp(app: NestFastifyApplication, config: AppConfig, options: HttpAppOptions = {}): Promise<NestFastifyApplication> {
  app.useLogger(quietStartUp(app.get(Logger)));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  // Fastify's own JSON parser (with its prototype-poisoning checks), behind a nesting limit:
  // thousands of nested arrays would otherwise overflow the stack of whatever walks the value next.
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (jsonNestedDeeperThan(String(body), MAX_JSON_DEPTH)) {
      done(Problem.badRequest(`The request body is nested too deeply (more than ${MAX_JSON_DEPTH} levels)`), undefined);
      return;
    }
    void parseJson(request, String(body), done);
  });
  // Document uploads only (DocumentsController reads the parts with its own limits); every other route stays JSON.
  await fastify.register(multipart, { limits: { fileSize: MAX_DOCUMENT_BYTES, files: 1, fields: 1, parts: 2 } });
  // Helmet's headers depend on this configuration only, yet @fastify/helmet builds every helmet
  // middleware again (CSP directives parsed included) on each request, which showed in the API's
  // CPU profile: the same headers are computed once and set on each response as helmet sets them.
  const securityHeaders = await helmetHeaders();
  fastify.addHook('onRequest', (_request, reply, done) => {
    for (const [name, value] of securityHeaders) reply.raw.setHeader(name, value);
    done();
  });
  await fastify.register(cookie);
  const limiterRedis = createRedis(config.redisUrl ?? DEFAULT_REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 300 });
  limiterRedis.on('error', () => undefined);
  fastify.addHook('onClose', async () => limiterRedis.disconnect());
  // Without an offline queue, requests before the connection is up would skip the limit; wait briefly, never fail start-up.
  await new Promise<void>((resolve) => {
    if (limiterRedis.status === 'ready') return resolve();
    const timer = setTimeout(resolve, 2000).unref();
    limiterRedis.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  await fastify.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    redis: limiterRedis,
    nameSpace: `${config.redisPrefix}:ratelimit:`,
    // The limit protects the service; it must not take it down when Redis is unavailable.
    skipOnError: true,
    // Thrown by the plugin and answered by ProblemFilter like any other problem.
    errorResponseBuilder: (_request, context) => Problem.tooManyRequests('Too many requests; slow down', context.ttl / 1000),
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    if (request.url.startsWith('/api')) reply.header('cache-control', 'no-store');
    return payload;
  });
  // Errors, unmatched routes included, are answered by Nest's exception layer, i.e. by ProblemFilter; no Fastify error handler of our own.

  SwaggerModule.setup('docs', app, createOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
  await registerAppShell(fastify, options.webRoot ?? defaultWebRoot());
  await app.init();
  await fastify.ready();
  return app;
}
