import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem, type ProblemBody, problemTitle } from './problem';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Recognises the database being unreachable, so the caller gets 503 ("nothing was half-done") rather than 500. */
export function isDependencyDown(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: string }).code;
  const message = error.message;
  return (
    code === 'ECONNREFUSED' ||
    code === 'ECONNRESET' ||
    code === 'ETIMEDOUT' ||
    code === '57P01' || // admin_shutdown
    code === '57P03' || // cannot_connect_now
    code === '53300' || // too_many_connections
    /Connection terminated|timeout exceeded when trying to connect|connect ECONNREFUSED|Client has encountered a connection error/i.test(message)
  );
}

/** Turns anything thrown into an RFC 9457 body; unexpected errors are logged by id and answered without internals. */
export function toProblem(error: unknown, logger: Logger, requestId: string): { body: ProblemBody; headers: Record<string, string> } {
  if (error instanceof Problem) return { body: error.toBody(), headers: error.headers };
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail =
      typeof response === 'object' && response !== null && typeof (response as { message?: unknown }).message === 'string'
        ? (response as { message: string }).message
        : problemTitle(status);
    return { body: { type: 'about:blank', title: problemTitle(status), status, detail }, headers: {} };
  }
  const fastifyStatus = (error as { statusCode?: number } | undefined)?.statusCode;
  if (typeof fastifyStatus === 'number' && fastifyStatus >= 400 && fastifyStatus < 500) {
    // Fastify's own client errors (body parsing, content type, size): safe, generic messages.
    const code = (error as { code?: string }).code ?? '';
    const detail =
      code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError
        ? 'The request body is not valid JSON'
        : code === 'FST_ERR_CTP_BODY_TOO_LARGE'
          ? 'The request body is too large'
          : code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
            ? 'Unsupported content type; send application/json'
            : code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
              ? 'The request body is empty but declared as JSON'
              : problemTitle(fastifyStatus);
    return {
      body: { type: fastifyStatus === 400 ? '/problems/malformed-request' : 'about:blank', title: problemTitle(fastifyStatus), status: fastifyStatus, detail },
      headers: {},
    };
  }
  if (isDependencyDown(error)) {
    logger.warn({ requestId, err: { message: (error as Error).message } }, 'dependency unavailable');
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
  logger.error({ requestId, err: error }, 'unexpected error');
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
    void reply.status(body.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(body);
  }
}
