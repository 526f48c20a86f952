import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../api/client';
import { unwrap } from '../api/errors';
import type { Language } from '../i18n/i18n';
import type { Role } from '../api/types';

export const meKey = ['me'] as const;

export function useMe() {
  return useQuery({ queryKey: meKey, queryFn: () => unwrap(api.GET('/api/me')), staleTime: 60_000 });
}

/** Saves the user's language; the answer is the new `GET /api/me`. */
export function useSaveLanguage() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (language: Language) => unwrap(api.PATCH('/api/me', { body: { language } })),
    onSuccess: (me) => queryClient.setQueryData(meKey, me),
  });
}

/** The roles that work on case files (PRODUCT.md "operational roles"). */
const OPERATIONAL: readonly string[] = ['officer', 'inspector', 'prosecutor', 'caseworker', 'migration_officer'] satisfies Role[];

export function isOperational(role: string): boolean {
  return OPERATIONAL.includes(role);
}

export function canOpenCases(role: string): boolean {
  return role === 'officer' || role === 'inspector';
}
