import createClient, { type Middleware } from 'openapi-fetch';
import type { paths } from './schema';

/**
 * Where the client gets its bearer token and how it renews it: provided by the session module,
 * which owns the token (kept in memory only). Set once at start-up; kept apart so the session can
 * use this client for its own calls without an import cycle.
 */
export interface TokenSource {
  current(): string | null;
  /** Renews the access token after a 401; null when the session is gone. */
  renew(): Promise<string | null>;
}

let tokens: TokenSource = { current: () => null, renew: async () => null };

export function setTokenSource(source: TokenSource): void {
  tokens = source;
}

/** Calls that must not carry a bearer token or trigger a renewal (they create or renew the session). */
const SESSION_PATHS = /^\/api\/auth\/session/;

const originals = new WeakMap<Request, Request>();

const bearer: Middleware = {
  onRequest({ request }) {
    const url = new URL(request.url);
    if (SESSION_PATHS.test(url.pathname)) return request;
    const token = tokens.current();
    if (token) request.headers.set('authorization', `Bearer ${token}`);
    // Kept unread so the request can be sent again with a renewed token.
    originals.set(request, request.clone());
    return request;
  },
  async onResponse({ request, response }) {
    const original = originals.get(request);
    if (response.status !== 401 || !original) return response;
    const token = await tokens.renew();
    if (!token) return response;
    const retry = new Request(original, { headers: new Headers(original.headers) });
    retry.headers.set('authorization', `Bearer ${token}`);
    return fetch(retry);
  },
};

/** The typed client: paths, parameters and bodies come from the API's OpenAPI document. */
export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(bearer);
