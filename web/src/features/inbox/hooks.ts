import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { expectOk, unwrap } from '../../api/errors';

export const inboxKeys = {
  list: ['inbox', 'list'] as const,
  unreadCount: ['inbox', 'unread-count'] as const,
};

export function useInbox() {
  return useQuery({ queryKey: inboxKeys.list, queryFn: () => unwrap(api.GET('/api/notifications', { params: { query: { limit: 50 } } })) });
}

/** While the live stream is down the badge asks this often, so it is never stale for long. */
const FALLBACK_POLL_MS = 120_000;

/**
 * The badge's number. The live stream (useUnreadStream) writes it into this query as events
 * arrive; the query itself only loads it first and polls slowly while the stream is down.
 */
export function useUnreadCount(streamLive: boolean) {
  return useQuery({
    queryKey: inboxKeys.unreadCount,
    queryFn: async () => (await unwrap(api.GET('/api/notifications', { params: { query: { unread: 'true', limit: 100 } } }))).items.length,
    refetchInterval: streamLive ? false : FALLBACK_POLL_MS,
  });
}

export function useMarkRead() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => expectOk(api.POST('/api/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: ['inbox'] });
    },
  });
}
