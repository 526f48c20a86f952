import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { PROBLEM_CONTENT_TYPE, toProblem } from './common/problem.filter';
import { Problem } from './common/problem';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/config';
import { createRedis, DEFAULT_REDIS_URL } from './redis/redis';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/** Builds the HTTP application: the same for `npm start` and for the tests. */
export async function createHttpApp(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: 1_048_576,
    requestIdHeader: false,
    // Keep a caller's request id if it is sane, so a hand-over can be traced across agencies' systems.
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, databaseUrl), adapter, { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  await fastify.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  const limiterRedis = createRedis(config.redisUrl ?? DEFAULT_REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 300 });
  limiterRedis.on('error', () => undefined);
  fastify.addHook('onClose', async () => limiterRedis.disconnect());
  await fastify.register(rateLimit, {
    max: config.rateLimitPerMinute,
    timeWindow: 60_000,
    redis: limiterRedis,
    nameSpace: `${config.redisPrefix}:ratelimit:`,
    // The limit protects the service; it must not take it down when Redis is unavailable.
    skipOnError: true,
    allowList: (request) => request.url.startsWith('/api/health'),
    errorResponseBuilder: (_request, context) => {
      const problem = Problem.tooManyRequests('Too many requests; slow down', context.ttl / 1000);
      return Object.assign(new Error(problem.detail), { statusCode: 429, problem });
    },
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    if (request.url.startsWith('/api')) reply.header('cache-control', 'no-store');
    return payload;
  });
  const logger = new NestLogger('http');
  fastify.setErrorHandler((error: FastifyError & { problem?: Problem }, request: FastifyRequest, reply: FastifyReply) => {
    const { body, headers } = toProblem(error.problem ?? error, logger, String(request.id));
    void reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  });

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Passage API')
      .setDescription('Case coordination for victims of human trafficking in the Benelux. Errors are application/problem+json (RFC 9457).')
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
  await app.init();
  await fastify.ready();
  return app;
}
