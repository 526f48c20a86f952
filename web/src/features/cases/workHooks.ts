import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { ApiError, unwrap } from '../../api/errors';
import type { CaseDocument, DocumentSection, NewNote } from '../../api/types';
import { caseKeys } from './hooks';

/** Case work: notes and contacts, documents, tasks, and the closing the prosecution decides. */
export const workKeys = {
  notes: (id: string) => ['cases', 'detail', id, 'notes'] as const,
  documents: (id: string) => ['cases', 'detail', id, 'documents'] as const,
  tasks: (id: string) => ['cases', 'detail', id, 'tasks'] as const,
  assignees: (id: string) => ['cases', 'detail', id, 'assignees'] as const,
  myTasks: ['tasks', 'mine'] as const,
};

export function useNotes(caseId: string) {
  return useQuery({
    queryKey: workKeys.notes(caseId),
    queryFn: () => unwrap(api.GET('/api/cases/{id}/notes', { params: { path: { id: caseId }, query: { limit: 100 } } })),
  });
}

export function useAddNote(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (note: NewNote) => unwrap(api.POST('/api/cases/{id}/notes', { params: { path: { id: caseId } }, body: note })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: workKeys.notes(caseId) }),
  });
}

export function useDocuments(caseId: string) {
  return useQuery({
    queryKey: workKeys.documents(caseId),
    queryFn: () => unwrap(api.GET('/api/cases/{id}/documents', { params: { path: { id: caseId } } })),
  });
}

export function useUploadDocument(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ section, file }: { section: DocumentSection; file: File }) => {
      const form = new FormData();
      form.append('section', section);
      form.append('file', file);
      // The browser sets the multipart boundary itself, so the FormData goes through untouched;
      // openapi-typescript types a binary part as a string, hence the one cast.
      return unwrap(api.POST('/api/cases/{id}/documents', { params: { path: { id: caseId } }, body: form as never, bodySerializer: () => form }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: workKeys.documents(caseId) }),
  });
}

/**
 * Fetched with the bearer token (kept in memory), then handed to the browser as a download; the
 * object URL lives only for the click. The file is saved under the name the API gives it (the
 * document's id), never the uploaded name, which may name the victim and would stay in the
 * browser's download history.
 */
export async function downloadDocument(document: CaseDocument): Promise<void> {
  const { data, response } = await api.GET('/api/documents/{id}/content', { params: { path: { id: document.id } }, parseAs: 'blob' });
  if (!response.ok || !(data instanceof Blob)) throw new ApiError(response.status, undefined);
  const url = URL.createObjectURL(data);
  try {
    const link = window.document.createElement('a');
    link.href = url;
    link.download = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? `passage-document-${document.id.slice(0, 8)}`;
    link.click();
  } finally {
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }
}

export function useCaseTasks(caseId: string) {
  return useQuery({
    queryKey: workKeys.tasks(caseId),
    queryFn: () => unwrap(api.GET('/api/cases/{id}/tasks', { params: { path: { id: caseId }, query: { limit: 100 } } })),
  });
}

export function useAssignees(caseId: string, enabled: boolean) {
  return useQuery({
    queryKey: workKeys.assignees(caseId),
    enabled,
    queryFn: () => unwrap(api.GET('/api/cases/{id}/assignees', { params: { path: { id: caseId } } })),
  });
}

export function useAddTask(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (task: { title: string; assigneeId: string; dueAt: string }) =>
      unwrap(api.POST('/api/cases/{id}/tasks', { params: { path: { id: caseId } }, body: task })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: workKeys.tasks(caseId) });
      void queryClient.invalidateQueries({ queryKey: workKeys.myTasks });
    },
  });
}

export function useMyTasks() {
  return useQuery({
    queryKey: workKeys.myTasks,
    queryFn: () => unwrap(api.GET('/api/tasks', { params: { query: { assignee: 'me', status: 'open', limit: 100 } } })),
  });
}

export function useSetTaskStatus() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, status }: { id: string; status: 'open' | 'done' }) =>
      unwrap(api.PATCH('/api/tasks/{id}', { params: { path: { id } }, body: { status } })),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: workKeys.myTasks });
      void queryClient.invalidateQueries({ queryKey: caseKeys.all });
    },
  });
}

function useClosureAction<T>(action: (variables: T) => Promise<unknown>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: action, onSuccess: () => queryClient.invalidateQueries({ queryKey: caseKeys.all }) });
}

export function useApproveClosing(caseId: string) {
  return useClosureAction(() => unwrap(api.POST('/api/cases/{id}/close/approve', { params: { path: { id: caseId } } })));
}

export function useRejectClosing(caseId: string) {
  return useClosureAction((reason: string) => unwrap(api.POST('/api/cases/{id}/close/reject', { params: { path: { id: caseId } }, body: { reason } })));
}

export function useReopenCase(caseId: string) {
  return useClosureAction((reason: string) => unwrap(api.POST('/api/cases/{id}/reopen', { params: { path: { id: caseId } }, body: { reason } })));
}
