import { useSyncExternalStore } from 'react';
import { api, setTokenSource } from '../api/client';
import { ApiError, expectOk, unwrap } from '../api/errors';

export type SignOutReason = 'user' | 'idle' | 'expired';

export type SessionState = { status: 'restoring' } | { status: 'signedOut'; reason?: SignOutReason } | { status: 'signedIn' };

/**
 * The browser session. The access token lives in this module's memory only: never in
 * localStorage, sessionStorage or a readable cookie, so an injected script finds nothing to take
 * home; a reload starts again from the refresh cookie (httpOnly, SameSite=Strict, set by the API).
 */
let accessToken: string | null = null;
let renewTimer: ReturnType<typeof setTimeout> | undefined;
let renewing: Promise<string | null> | null = null;
let state: SessionState = { status: 'restoring' };
const listeners = new Set<() => void>();

function setState(next: SessionState): void {
  state = next;
  for (const listener of listeners) listener();
}

/** The CSRF token the API set as a readable cookie; sent back as a header to prove same-site JavaScript. */
function csrfToken(): string {
  const match = /(?:^|;\s*)passage_csrf=([^;]+)/.exec(document.cookie);
  return match ? decodeURIComponent(match[1]) : '';
}

function adopt(token: { accessToken: string; expiresIn: number }): string {
  accessToken = token.accessToken;
  clearTimeout(renewTimer);
  // Renew a minute before expiry so requests rarely meet a 401.
  renewTimer = setTimeout(() => void renew(), Math.max(5, token.expiresIn - 60) * 1000);
  if (state.status !== 'signedIn') setState({ status: 'signedIn' });
  return token.accessToken;
}

function forget(reason?: SignOutReason): void {
  accessToken = null;
  clearTimeout(renewTimer);
  setState({ status: 'signedOut', reason });
}

/** Single flight: concurrent 401s share one renewal, because the API rotates the refresh cookie. */
function renew(): Promise<string | null> {
  // No body and no JSON content type: the API refuses an empty JSON body.
  renewing ??= api
    .POST('/api/auth/session/refresh', { params: { header: { 'x-csrf-token': csrfToken() } } })
    .then(({ data, response }) => {
      if (response.ok && data) return adopt(data);
      forget(state.status === 'signedIn' ? 'expired' : undefined);
      return null;
    })
    .catch(() => {
      forget(state.status === 'signedIn' ? 'expired' : undefined);
      return null;
    })
    .finally(() => {
      renewing = null;
    });
  return renewing;
}

setTokenSource({ current: () => accessToken, renew });

export const session = {
  /** At start-up: resume from the refresh cookie if the browser still has one. */
  async restore(): Promise<void> {
    await renew();
  },

  async signIn(email: string, password: string): Promise<void> {
    adopt(await unwrap(api.POST('/api/auth/session', { body: { email, password } })));
  },

  async signOut(reason: SignOutReason = 'user'): Promise<void> {
    try {
      await expectOk(api.DELETE('/api/auth/session', { params: { header: { 'x-csrf-token': csrfToken() } } }));
    } catch (error) {
      // The session is over for this tab either way; a 401 only means the server had already ended it.
      if (!(error instanceof ApiError)) throw error;
    } finally {
      forget(reason);
    }
  },

  accessToken(): string | null {
    return accessToken;
  },
};

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribe, () => state);
}
