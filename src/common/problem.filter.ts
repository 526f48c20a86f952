import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem, type ProblemBody, problemTitle } from './problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

interface ProblemAnswer {
  body: ProblemBody;
  headers: Record<string, string>;
}

/** Recognises the database being unreachable, so the caller gets 503 ("nothing was half-done") rather than 500. */
export function isDependencyDown(error: unknown): boolean {
  // Not `instanceof Error`: errors of Node's own sockets (ECONNREFUSED) may come from another
  // realm (a vm context, as under jest), and the answer must not depend on where they were made.
  if (typeof error !== 'object' || error === null) return false;
  const { code, name, message: rawMessage } = error as { code?: unknown; name?: unknown; message?: unknown };
  const message = typeof rawMessage === 'string' ? rawMessage : '';
  // TypeORM releases a transaction's connection when PostgreSQL drops it; the next statement of
  // that transaction then fails with this error rather than the socket's (the transaction is lost, nothing committed).
  if (name === 'QueryRunnerProviderAlreadyReleasedError') return true;
  // A statement under way when PostgreSQL goes away fails in several ways depending on the moment:
  // a socket error (EPIPE when the request was written into a closed socket), SQLSTATE class 08
  // (connection exception), 57P01–57P03 (shutdown) or a client the pool already closed.
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === 'EPIPE' ||
    (typeof code === 'string' && /^(08[0-9A-Z]{3}|57P0[123])$/.test(code)) ||
    code === '53300' || // too_many_connections
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error|Client was closed and is not queryable/i.test(
      message,
    )
  );
}

/**
 * A safety net for input that reached the database unchecked: SQLSTATE class 22 (data
 * exception: "abc" where a uuid is expected, an impossible timestamp, a value out of range, a
 * string too long, a NUL byte) means the caller sent a bad value, so it is a 400, not a 500.
 */
function isBadValueFromDatabase(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const fields = error as Error & { code?: unknown; driverError?: { code?: unknown } };
  const code = fields.code ?? fields.driverError?.code;
  return typeof code === 'string' && /^22[0-9A-Z]{3}$/.test(code);
}

/** Fastify's own client errors (body parsing, content type, size) carry a FST_ code; their messages are replaced by ours. */
function fastifyClientError(error: unknown): { statusCode: number; code: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  const { statusCode, code } = error as { statusCode?: unknown; code?: unknown };
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  return { statusCode, code };
}

const FASTIFY_DETAILS: Record<string, string> = {
  FST_ERR_CTP_INVALID_JSON_BODY: 'The request body is not valid JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'The request body is empty but declared as JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'The request body is too large',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'Unsupported content type; send application/json',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'The Content-Length header does not match the body',
};

function fastifyProblem(statusCode: number, code: string): ProblemAnswer {
  const detail = FASTIFY_DETAILS[code] ?? problemTitle(statusCode);
  const slug = statusCode === 415 ? 'unsupported-media-type' : statusCode === 413 ? 'payload-too-large' : 'malformed-request';
  return { body: { type: `/problems/${slug}`, title: problemTitle(statusCode), status: statusCode, detail }, headers: {} };
}

/**
 * What may be logged about an unexpected error. Database errors carry the statement, its
 * parameters and offending values (possibly victim data) in their message and fields, so
 * only their SQLSTATE and constraint are kept; the stack is kept without its message line.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { type: typeof error };
  const fields = error as Error & { code?: unknown; constraint?: unknown; driverError?: { code?: unknown; constraint?: unknown } };
  const frames = (error.stack ?? '').split('\n').slice(1).join('\n');
  const sqlState = typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code) ? fields.code : fields.driverError?.code;
  if (error.name === 'QueryFailedError' || sqlState !== undefined) {
    return { name: error.name, code: sqlState, constraint: fields.constraint ?? fields.driverError?.constraint, stack: frames };
  }
  return { name: error.name, message: error.message, stack: frames };
}

/** Turns anything thrown into an RFC 9457 body; unexpected errors are logged by id and answered without internals. */
export function toProblem(error: unknown, logger: Logger, requestId: string): ProblemAnswer {
  if (error instanceof Problem) return { body: error.toBody(), headers: error.headers };
  // Nest hands Fastify's errors over wrapped in an HttpException whose cause is the original.
  const fastify = fastifyClientError(error) ?? (error instanceof HttpException ? fastifyClientError(error.cause) : undefined);
  if (fastify) return fastifyProblem(fastify.statusCode, fastify.code);
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status >= 500) {
      logger.error({ requestId, err: loggableError(error) }, 'server error');
      return { body: { type: 'about:blank', title: problemTitle(status), status, detail: `An unexpected error occurred (request ${requestId})` }, headers: {} };
    }
    const response = error.getResponse();
    const message =
      typeof response === 'object' && response !== null && typeof (response as { message?: unknown }).message === 'string'
        ? (response as { message: string }).message
        : typeof response === 'string'
          ? response
          : '';
    // Nest's unmatched-route answer is "Cannot GET /path?query": the query may hold personal data.
    if (status === 404 && message.startsWith('Cannot ')) {
      return { body: { type: '/problems/not-found', title: problemTitle(404), status, detail: 'No route matches this method and path' }, headers: {} };
    }
    return { body: { type: 'about:blank', title: problemTitle(status), status, detail: message || problemTitle(status) }, headers: {} };
  }
  if (isBadValueFromDatabase(error)) {
    logger.warn({ requestId, err: loggableError(error) }, 'the database refused a value of the request');
    return {
      body: { type: '/problems/validation', title: problemTitle(400), status: 400, detail: 'A value in the request has the wrong format' },
      headers: {},
    };
  }
  if (isDependencyDown(error)) {
    logger.warn({ requestId, err: loggableError(error) }, 'dependency unavailable');
    return {
      body: {
        type: '/problems/unavailable',
        title: problemTitle(503),
        status: 503,
        detail: 'A service Passage depends on is unavailable; nothing was changed. Try again shortly.',
      },
      headers: { 'retry-after': '5' },
    };
  }
  logger.error({ requestId, err: loggableError(error) }, 'unexpected error');
  return {
    body: { type: 'about:blank', title: problemTitle(500), status: 500, detail: `An unexpected error occurred (request ${requestId})` },
    headers: {},
  };
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const { body, headers } = toProblem(exception, this.logger, String(request.id));
    // A failure in the middle of a streamed answer (CSV export) can no longer change the status: cut the stream instead.
    if (reply.sent) {
      reply.raw.destroy();
      return;
    }
    void reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  }
}
