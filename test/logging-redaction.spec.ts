import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { Logger, PinoLogger } from 'nestjs-pino';
import pinoHttp, { type Options } from 'pino-http';
import { loggerParams } from '../src/common/logging';
import { testConfig } from './support/app';

/** A destination that keeps every log line, as the logger writes it. */
function captured(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  return {
    lines,
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  };
}

const TOKEN = 'set-password-token-that-must-never-be-logged-0123456789';
const PASSWORD = 'a-password-that-must-never-be-logged';

/**
 * SECURITY.md: a set-password token (and any password or session token) never reaches the logs,
 * whichever way it travels: the link's query string, a request body or header, or a field of an
 * application log call. The logger is built from the application's own parameters (loggerParams).
 */
describe('log redaction of tokens', () => {
  let params: ReturnType<typeof loggerParams>;

  beforeAll(async () => {
    params = loggerParams(await testConfig({ LOG_LEVEL: 'info' }));
  });

  it('logs a request for the set-password link or the redeeming call without the token, password or headers', async () => {
    const { lines, stream } = captured();
    const httpLogger = pinoHttp(params.pinoHttp as Options, stream);
    const server: Server = createServer((req, res) => {
      httpLogger(req, res);
      req.resume();
      req.on('end', () => res.writeHead(req.method === 'POST' ? 204 : 200).end());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const send = (method: string, path: string, body?: string): Promise<number> =>
      new Promise((resolve, reject) => {
        const outgoing = request(
          {
            host: '127.0.0.1',
            port,
            method,
            path,
            headers: { authorization: `Bearer ${TOKEN}`, cookie: `passage_refresh=${TOKEN}`, 'content-type': 'application/json' },
          },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
          },
        );
        outgoing.on('error', reject);
        outgoing.end(body);
      });
    try {
      expect(await send('GET', `/set-password?token=${TOKEN}`)).toBe(200);
      expect(await send('POST', '/api/auth/set-password', JSON.stringify({ token: TOKEN, password: PASSWORD }))).toBe(204);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    const logged = lines.map((line) => JSON.parse(line) as { req?: { path?: string }; res?: { statusCode?: number } });
    // The requests were logged (so the assertions below can fail), by path and status only.
    expect(logged.map((entry) => [entry.req?.path, entry.res?.statusCode])).toEqual([
      ['/set-password', 200],
      ['/api/auth/set-password', 204],
    ]);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.join('')).not.toContain(PASSWORD);
  });

  it('removes token and password fields from application log calls, at the top and one level down', () => {
    const { lines, stream } = captured();
    const pinoParams = params.pinoHttp as Options;
    // Nest's logger (nestjs-pino) spreads an object argument into the log line's top level.
    const logger = new Logger(new PinoLogger({ pinoHttp: [pinoParams, stream] }), {});
    logger.warn({ token: TOKEN, invitationId: 'inv-1' }, 'InvitationEmailHandler');
    logger.warn({ job: { token: TOKEN, password: PASSWORD, invitationId: 'inv-2' } }, 'InvitationEmailHandler');
    logger.error({ refreshToken: TOKEN, accessToken: TOKEN, password: PASSWORD }, 'AuthService');
    const logged = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(logged).toHaveLength(3);
    expect(logged[0]).toMatchObject({ invitationId: 'inv-1', context: 'InvitationEmailHandler' });
    expect(logged[0]).not.toHaveProperty('token');
    expect(logged[1]!.job).toEqual({ invitationId: 'inv-2' });
    expect(Object.keys(logged[2]!).filter((key) => /token|password/i.test(key))).toEqual([]);
    expect(lines.join('')).not.toContain(TOKEN);
    expect(lines.join('')).not.toContain(PASSWORD);
  });
});
