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

/** The badge, refreshed every 30 s until the API's live stream (GET /api/notifications/stream) is in the contract. */
export function useUnreadCount() {
  return useQuery({
    queryKey: inboxKeys.unreadCount,
    queryFn: async () => (await unwrap(api.GET('/api/notifications', { params: { query: { unread: 'true', limit: 100 } } }))).items.length,
    refetchInterval: 30_000,
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
