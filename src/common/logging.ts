import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LoggerService } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '../config/config';

/** Fields never logged: passwords, session tokens and set-password invitation tokens. */
const SECRET_FIELDS = ['password', 'refreshToken', 'accessToken', 'token'];

/**
 * Structured JSON logs that never carry personal data: requests are logged as method, route
 * path, status and ids; bodies, query strings and headers other than the request id are not.
 */
export function loggerParams(config: AppConfig): Params {
  return {
    pinoHttp: {
      level: config.logLevel,
      customProps: () => ({ service: 'passage-api' }),
      serializers: {
        req: (req: IncomingMessage & { id?: unknown }) => ({ id: req.id, method: req.method, path: (req.url ?? '').split('?')[0] }),
        res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
      },
      // Secrets as a log call's own fields (Nest's logger spreads its object to the top) and one level down.
      redact: { paths: ['req.headers', 'res.headers', ...SECRET_FIELDS, ...SECRET_FIELDS.map((field) => `*.${field}`)], remove: true },
      customLogLevel: (_req, res, error) => (error || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    },
  };
}

/** Nest's contexts that log one line per module and per route at start-up (about 75 lines). */
const START_UP_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);

/**
 * The application logger with Nest's start-up chatter moved to debug, so the launcher's
 * "ready" line is not buried under a line per route; LOG_LEVEL=debug shows it again.
 */
export function quietStartUp(logger: LoggerService): LoggerService {
  return {
    log: (message: unknown, ...params: unknown[]) => {
      const context = params[params.length - 1];
      if (typeof context === 'string' && START_UP_CONTEXTS.has(context)) logger.debug?.(message, ...params);
      else logger.log(message, ...params);
    },
    error: (message: unknown, ...params: unknown[]) => logger.error(message, ...params),
    warn: (message: unknown, ...params: unknown[]) => logger.warn(message, ...params),
    debug: (message: unknown, ...params: unknown[]) => logger.debug?.(message, ...params),
    verbose: (message: unknown, ...params: unknown[]) => logger.verbose?.(message, ...params),
    fatal: (message: unknown, ...params: unknown[]) => logger.fatal?.(message, ...params),
  };
}
