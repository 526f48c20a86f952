import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieSerializeOptions } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Problem } from '../common/problem';
import type { AppConfig } from '../config/config';

export const REFRESH_COOKIE = 'passage_refresh';
export const CSRF_COOKIE = 'passage_csrf';
export const CSRF_HEADER = 'x-csrf-token';
/** The refresh cookie travels only to the endpoints that consume it, never with ordinary API calls. */
export const REFRESH_COOKIE_PATH = '/api/auth/session';

function refusal(detail: string): Problem {
  return new Problem(403, 'csrf', detail);
}

/**
 * The cookies of a browser session. The refresh token is httpOnly, so script (and an XSS) cannot
 * read it; the CSRF token is readable on purpose: the app echoes it in a header, which a
 * cross-site page cannot do (double submit). SameSite=Strict keeps both off cross-site requests.
 */
export class BrowserSessionCookies {
  constructor(private readonly config: AppConfig) {}

  private options(path: string, httpOnly: boolean): CookieSerializeOptions {
    // Browsers refuse Secure cookies over plain http, which is how development runs.
    return { path, httpOnly, sameSite: 'strict', secure: this.config.nodeEnv !== 'development' };
  }

  set(reply: FastifyReply, refreshToken: string): void {
    const maxAge = this.config.refreshTokenTtlSeconds;
    reply.setCookie(REFRESH_COOKIE, refreshToken, { ...this.options(REFRESH_COOKIE_PATH, true), maxAge });
    reply.setCookie(CSRF_COOKIE, randomBytes(32).toString('base64url'), { ...this.options('/', false), maxAge });
  }

  clear(reply: FastifyReply): void {
    reply.clearCookie(REFRESH_COOKIE, this.options(REFRESH_COOKIE_PATH, true));
    reply.clearCookie(CSRF_COOKIE, this.options('/', false));
  }

  refreshToken(request: FastifyRequest): string | undefined {
    const token = request.cookies[REFRESH_COOKIE];
    return token && token.length >= 20 && token.length <= 200 ? token : undefined;
  }

  /**
   * A request that uses the cookies must come from our own pages: a browser marks a cross-site
   * request (Sec-Fetch-Site, Origin), and only our pages can read the CSRF cookie to echo it.
   * Clients without those headers (not browsers) cannot be tricked into sending our cookies.
   */
  refuseCrossSite(request: FastifyRequest): void {
    const site = request.headers['sec-fetch-site'];
    if (site !== undefined && site !== 'same-origin') throw refusal('Cross-site requests may not use the browser session');
    const origin = request.headers.origin;
    if (origin === undefined) return;
    if (origin !== new URL(this.config.publicUrl).origin && origin !== this.ownOrigin(request)) {
      throw refusal('Cross-site requests may not use the browser session');
    }
  }

  /** The origin the request was addressed to (as a browser writes it: no default port), e.g. behind a dev proxy. */
  private ownOrigin(request: FastifyRequest): string | undefined {
    try {
      return request.headers.host ? new URL(`${request.protocol}://${request.headers.host}`).origin : undefined;
    } catch {
      return undefined;
    }
  }

  requireCsrfToken(request: FastifyRequest): void {
    this.refuseCrossSite(request);
    const cookie = request.cookies[CSRF_COOKIE];
    const header = request.headers[CSRF_HEADER];
    if (!cookie || typeof header !== 'string' || !header) throw refusal(`The ${CSRF_HEADER} header must repeat the ${CSRF_COOKIE} cookie`);
    const expected = Buffer.from(cookie);
    const given = Buffer.from(header);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      throw refusal(`The ${CSRF_HEADER} header must repeat the ${CSRF_COOKIE} cookie`);
    }
  }
}
