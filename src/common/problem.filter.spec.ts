import { runInNewContext } from 'node:vm';
import { BadRequestException, HttpException, Logger, NotFoundException } from '@nestjs/common';
import { QueryFailedError } from 'typeorm';
import { loggableError, toProblem } from './problem.filter';
import { Problem } from './problem';

class SilentLogger extends Logger {
  readonly lines: unknown[] = [];
  override error(message: unknown): void {
    this.lines.push(message);
  }
  override warn(message: unknown): void {
    this.lines.push(message);
  }
}

function queryFailed(code: string, message: string): QueryFailedError {
  const driverError = Object.assign(new Error(message), { code, constraint: 'user_email_key', detail: 'Key (email)=(jane.doe@example.org) already exists.' });
  return new QueryFailedError('INSERT INTO "user" (email, name) VALUES ($1, $2)', ['jane.doe@example.org', 'Jane Doe'], driverError);
}

describe('toProblem', () => {
  it('answers an unexpected error with 500 and no internals, and logs no statement, value or parameter', () => {
    const logger = new SilentLogger();
    const error = queryFailed('23505', 'duplicate key value violates unique constraint "user_email_key"');
    const { body } = toProblem(error, logger, 'req-1');
    expect(body).toEqual({ type: 'about:blank', title: 'Internal Server Error', status: 500, detail: 'An unexpected error occurred (request req-1)' });
    const logged = JSON.stringify(logger.lines);
    expect(logged).toContain('23505');
    expect(logged).not.toMatch(/jane|Jane Doe|INSERT|duplicate key/);
  });

  it('answers a value the database could not read (22P02) with 400, not 500', () => {
    const logger = new SilentLogger();
    const { body } = toProblem(queryFailed('22P02', 'invalid input syntax for type uuid: "Jane Doe"'), logger, 'req-2');
    expect(body.status).toBe(400);
    expect(JSON.stringify(body)).not.toContain('Jane');
    expect(JSON.stringify(logger.lines)).not.toContain('Jane');
  });

  it('answers a lost database with 503 and Retry-After, whatever realm the socket error comes from, and a transaction whose connection was dropped too', () => {
    const foreign: unknown = runInNewContext(`Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })`);
    expect(foreign instanceof Error).toBe(false);
    const released = Object.assign(new Error('Database connection provided by a query runner was already released'), {
      name: 'QueryRunnerProviderAlreadyReleasedError',
    });
    const broken = [
      Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }),
      queryFailed('08006', 'connection failure'),
      queryFailed('57P02', 'terminating connection because of crash of another server process'),
      new Error('Client was closed and is not queryable'),
    ];
    for (const error of [foreign, released, ...broken, Problem.unavailable('The audit trail cannot be written')]) {
      const { body, headers } = toProblem(error, new SilentLogger(), 'req-9');
      expect({ status: body.status, retryAfter: headers['retry-after'] }).toEqual({ status: 503, retryAfter: '5' });
    }
  });

  it.each([
    ['22007', 'invalid input syntax for type timestamp with time zone: "Jane"'],
    ['22008', 'date/time field value out of range: "2026-13-45"'],
    ['22001', 'value too long for type character varying(20)'],
    ['22021', 'invalid byte sequence for encoding "UTF8": 0x00'],
    ['22003', 'numeric field overflow'],
  ])('answers every data exception (SQLSTATE class 22, here %s) with 400, not 500', (code, message) => {
    const { body } = toProblem(queryFailed(code, message), new SilentLogger(), 'req-22');
    expect(body).toMatchObject({ status: 400, type: '/problems/validation' });
  });

  it('still answers other database errors (e.g. 23502) with 500', () => {
    expect(toProblem(queryFailed('23502', 'null value in column'), new SilentLogger(), 'req-23').body.status).toBe(500);
  });

  it('uses its own words for Fastify errors that Nest wraps', () => {
    const fastifyError = Object.assign(new Error("Body is not valid JSON but content-type is set to 'application/json'"), {
      code: 'FST_ERR_CTP_INVALID_JSON_BODY',
      statusCode: 400,
      name: 'FastifyError',
    });
    const wrapped = new HttpException(fastifyError.message, 400, { cause: fastifyError });
    expect(toProblem(wrapped, new SilentLogger(), 'r').body).toEqual({
      type: '/problems/malformed-request',
      title: 'Bad Request',
      status: 400,
      detail: 'The request body is not valid JSON',
    });
  });

  it('passes a Problem through with its headers', () => {
    const answer = toProblem(Problem.tooManyRequests('slow down', 12.2), new SilentLogger(), 'r');
    expect(answer.body.status).toBe(429);
    expect(answer.headers).toEqual({ 'retry-after': '13' });
  });

  it('does not echo the path and query of an unmatched route', () => {
    const { body } = toProblem(new NotFoundException('Cannot GET /api/x?name=Jane'), new SilentLogger(), 'r');
    expect(body).toMatchObject({ status: 404, type: '/problems/not-found' });
    expect(body.detail).not.toContain('Jane');
  });

  it('keeps the message of Nest client exceptions', () => {
    expect(toProblem(new BadRequestException('Validation failed (uuid is expected)'), new SilentLogger(), 'r').body.detail).toBe(
      'Validation failed (uuid is expected)',
    );
  });

  it('hides the message of a 5xx HttpException', () => {
    const { body } = toProblem(new HttpException('connect to 10.0.0.5:5432 failed', 502), new SilentLogger(), 'r');
    expect(body.detail).not.toContain('10.0.0.5');
  });
});

describe('loggableError', () => {
  it('keeps name and message of ordinary errors', () => {
    expect(loggableError(new TypeError('x is undefined'))).toMatchObject({ name: 'TypeError', message: 'x is undefined' });
  });
});
