import { randomUUID } from 'node:crypto';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { AppModule } from '../src/app.module';
import { AuditService } from '../src/audit/audit.service';
import { Problem } from '../src/common/problem';
import { createValidationPipe } from '../src/common/validation';
import type { AppConfig } from '../src/config/config';
import { createRedis, DEFAULT_REDIS_URL } from '../src/redis/redis';

const REQUEST_ID = /^[A-Za-z0-9._:-]{8,100}$/;

/** Records nothing: what the API would cost without its audit trail. Never used outside the bench. */
const NO_AUDIT: Pick<AuditService, 'record' | 'recordNow'> = {
  record: () => Promise.resolve(),
  recordNow: () => Promise.resolve(),
};

/**
 * The HTTP application exactly as src/http.ts createHttpApp builds it, except that AuditService is
 * replaced by a no-op through a Nest testing module. createHttpApp offers no hook for overriding a
 * provider, so its set-up is repeated here (minus the Swagger document, which only adds /docs
 * routes); keep the two in step, or give createHttpApp a module hook and use it here instead.
 * run.ts compares both apps' responses to the same request to catch a drift.
 */
export async function createHttpAppWithoutAudit(config: AppConfig, databaseUrl: string): Promise<NestFastifyApplication> {
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config, databaseUrl)] })
    .overrideProvider(AuditService)
    .useValue(NO_AUDIT)
    .compile();
  const adapter = new FastifyAdapter({
    bodyLimit: 1_048_576,
    requestIdHeader: false,
    genReqId: (req: { headers: Record<string, string | string[] | undefined> }) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter, { bufferLogs: true, bodyParser: false });
  app.useLogger(app.get(Logger));
  app.setGlobalPrefix('api');
  app.useGlobalPipes(createValidationPipe());
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  fastify.removeContentTypeParser('text/plain');
  await fastify.register(helmet, { contentSecurityPolicy: false, crossOriginEmbedderPolicy: false });
  const limiterRedis = createRedis(config.redisUrl ?? DEFAULT_REDIS_URL, { maxRetriesPerRequest: 0, enableOfflineQueue: false, commandTimeout: 300 });
  limiterRedis.on('error', () => undefined);
  fastify.addHook('onClose', async () => limiterRedis.disconnect());
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
    skipOnError: true,
    allowList: (request) => request.url.startsWith('/api/health'),
    errorResponseBuilder: (_request, context) => Problem.tooManyRequests('Too many requests; slow down', context.ttl / 1000),
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    reply.header('x-request-id', String(request.id));
    if (request.url.startsWith('/api')) reply.header('cache-control', 'no-store');
    return payload;
  });
  await app.init();
  await fastify.ready();
  return app;
}
