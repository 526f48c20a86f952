import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { api } from '../../api/client';
import { inboxKeys } from './hooks';

const FIRST_PAUSE_MS = 1_000;
const LONGEST_PAUSE_MS = 30_000;

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Reads Server-Sent Events from a fetch body, calling `onEvent` for each named event; returns when the stream ends. */
export async function readEvents(body: ReadableStream<Uint8Array>, onEvent: (event: string, data: string) => void): Promise<void> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffer += decoder.decode(value, { stream: true });
    let boundary: number;
    while ((boundary = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, boundary);
      buffer = buffer.slice(boundary + 2);
      let event = '';
      let data = '';
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data += line.slice(5).trim();
      }
      if (event) onEvent(event, data);
    }
  }
}

/**
 * The live badge: one connection per tab to `GET /api/notifications/stream`, read with fetch
 * because an EventSource cannot send the bearer header (and a token must never go into a URL).
 * Each `unread` event sets the count and refreshes the inbox list. When the stream ends (token
 * expired, network gone) it reconnects, the client's middleware renewing the token on a 401; the
 * pause grows from 1 s to 30 s while it keeps failing. Returns whether the stream is up, so the
 * badge can fall back to slow polling meanwhile.
 */
export function useUnreadStream(): boolean {
  const queryClient = useQueryClient();
  const [live, setLive] = useState(false);

  useEffect(() => {
    const controller = new AbortController();
    const { signal } = controller;
    void (async () => {
      let wait = FIRST_PAUSE_MS;
      while (!signal.aborted) {
        try {
          const { response } = await api.GET('/api/notifications/stream', { parseAs: 'stream', signal });
          if (response.status === 401) return; // the session is over; the session module signs the tab out
          if (response.ok && response.body) {
            setLive(true);
            wait = FIRST_PAUSE_MS;
            await readEvents(response.body, (event, data) => {
              if (event !== 'unread') return;
              const { unread } = JSON.parse(data) as { unread: number };
              queryClient.setQueryData(inboxKeys.unreadCount, unread);
              void queryClient.invalidateQueries({ queryKey: inboxKeys.list });
            });
          }
        } catch {
          // network error or aborted: handled below
        }
        setLive(false);
        if (signal.aborted) return;
        await pause(wait, signal);
        wait = Math.min(wait * 2, LONGEST_PAUSE_MS);
      }
    })();
    return () => controller.abort();
  }, [queryClient]);

  return live;
}
