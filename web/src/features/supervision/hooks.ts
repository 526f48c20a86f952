import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import type { AuditFilters, GroupBy, StatisticsQuery, Verdict } from './types';

export const supervisionKeys = {
  events: (filters: AuditFilters) => ['audit', 'events', filters] as const,
  accessLog: (caseId: string) => ['audit', 'access-log', caseId] as const,
  breakGlass: (reviewed: boolean) => ['audit', 'break-glass', reviewed] as const,
  log: ['audit', 'log'] as const,
  statistics: (query: StatisticsQuery) => ['statistics', query] as const,
};

const PAGE = 50;

/** Audit search, newest first, one keyset page at a time (the cursor comes from the previous page). */
export function useAuditEvents(filters: AuditFilters) {
  return useInfiniteQuery({
    queryKey: supervisionKeys.events(filters),
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/audit/events', { params: { query: { ...filters, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    // Every search is itself audited: asking again on focus would fill the trail with repeats.
    refetchOnWindowFocus: false,
    staleTime: 60_000,
  });
}

export function useAccessLog(caseId: string) {
  return useInfiniteQuery({
    queryKey: supervisionKeys.accessLog(caseId),
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/cases/{id}/access-log', { params: { path: { id: caseId }, query: { limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchOnWindowFocus: false,
    staleTime: 60_000,
  });
}

/** A case of the supervisor's scope by its reference; null when there is none (404). */
export async function findCaseByReference(reference: string): Promise<{ id: string; reference: string } | null> {
  try {
    return await unwrap(api.GET('/api/audit/cases', { params: { query: { reference } } }));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 404 || error.status === 400)) return null;
    throw error;
  }
}

export function useBreakGlassQueue(reviewed: boolean) {
  return useInfiniteQuery({
    queryKey: supervisionKeys.breakGlass(reviewed),
    queryFn: ({ pageParam }) =>
      unwrap(api.GET('/api/audit/break-glass', { params: { query: { reviewed, limit: PAGE, ...(pageParam ? { cursor: pageParam } : {}) } } })),
    initialPageParam: '',
    getNextPageParam: (page) => page.nextCursor ?? undefined,
    refetchOnWindowFocus: false,
  });
}

export function useReviewBreakGlass() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, verdict, note }: { id: string; verdict: Verdict; note: string }) =>
      unwrap(api.POST('/api/audit/break-glass/{id}/review', { params: { path: { id } }, body: { verdict, note } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['audit', 'break-glass'] }),
  });
}

export function useLogState() {
  return useQuery({ queryKey: supervisionKeys.log, queryFn: () => unwrap(api.GET('/api/audit/log')), refetchInterval: 30_000 });
}

export function useStatistics(query: StatisticsQuery & { groupBy: GroupBy }) {
  return useQuery({
    queryKey: supervisionKeys.statistics(query),
    queryFn: () => unwrap(api.GET('/api/statistics', { params: { query } })),
    refetchOnWindowFocus: false,
    staleTime: 5 * 60_000,
  });
}
