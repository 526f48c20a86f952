import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { CaseView, CloseReason, NewCase, SectionName } from '../../api/types';

export const caseKeys = {
  all: ['cases'] as const,
  list: ['cases', 'list'] as const,
  search: (q: string) => ['cases', 'list', q] as const,
  detail: (id: string) => ['cases', 'detail', id] as const,
  access: (id: string) => ['cases', 'detail', id, 'access'] as const,
};

const PAGE = 100;

/** The user's cases, newest first; `q` narrows them to references starting with it (searched by the API). */
export function useCaseList(q: string) {
  return useInfiniteQuery({
    queryKey: caseKeys.search(q),
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/cases', { params: { query: { limit: PAGE, cursor: pageParam, q: q || undefined } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

export function useCase(id: string) {
  return useQuery({ queryKey: caseKeys.detail(id), queryFn: () => unwrap(api.GET('/api/cases/{id}', { params: { path: { id } } })) });
}

export function useCaseAccess(id: string, enabled: boolean) {
  return useQuery({ queryKey: caseKeys.access(id), enabled, queryFn: () => unwrap(api.GET('/api/cases/{id}/access', { params: { path: { id } } })) });
}

export function useCreateCase() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewCase) => unwrap(api.POST('/api/cases', { body })),
    onSuccess: (created) => {
      queryClient.setQueryData(caseKeys.detail(created.id), created);
      void queryClient.invalidateQueries({ queryKey: caseKeys.list });
    },
  });
}

/** A section edit carries the version it was based on; the API answers 409 when someone saved first. */
export function useUpdateSection(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ section, version, data }: { section: SectionName; version: number; data: Record<string, unknown> }) =>
      unwrap(api.PATCH('/api/cases/{id}/sections/{section}', { params: { path: { id, section } }, body: { version, data } })),
    onSuccess: (saved, { section }) => {
      queryClient.setQueryData<CaseView>(caseKeys.detail(id), (current) => (current ? { ...current, [section]: saved } : current));
      void queryClient.invalidateQueries({ queryKey: caseKeys.list });
    },
  });
}

function useCaseAction<T>(action: (variables: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: action,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: caseKeys.all }),
  });
}

export function useCloseCase(id: string) {
  return useCaseAction((reason: CloseReason) => unwrap(api.POST('/api/cases/{id}/close', { params: { path: { id } }, body: { reason } })));
}

export function useBreakGlass(id: string) {
  return useCaseAction((justification: string) => unwrap(api.POST('/api/cases/{id}/break-glass', { params: { path: { id } }, body: { justification } })));
}

export function useStartReflectionPeriod(id: string) {
  return useCaseAction((startDate: string) => unwrap(api.POST('/api/cases/{id}/reflection-period', { params: { path: { id } }, body: { startDate } })));
}

export function useEndPlacement(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.POST('/api/cases/{id}/placement/end', { params: { path: { id } } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: caseKeys.all });
      void queryClient.invalidateQueries({ queryKey: ['organisations'] });
    },
  });
}
