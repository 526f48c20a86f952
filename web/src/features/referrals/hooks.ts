import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { unwrap } from '../../api/errors';
import type { NewReferral, Referral } from '../../api/types';

type Direction = 'incoming' | 'outgoing';
type Country = 'BE' | 'NL' | 'LU';
type OrganisationType = 'police' | 'prosecution' | 'labour_inspection' | 'reception_centre' | 'migration';

export const referralKeys = {
  all: ['referrals'] as const,
  list: (direction: Direction) => ['referrals', direction] as const,
};

export function useReferrals(direction: Direction) {
  return useQuery({
    queryKey: referralKeys.list(direction),
    queryFn: () => unwrap(api.GET('/api/referrals', { params: { query: { direction, limit: 100 } } })),
  });
}

/** The API has no single-referral read; the page finds it in the caller's incoming and outgoing lists. */
export function useReferral(id: string): { referral?: Referral; direction?: Direction; isPending: boolean; isError: boolean } {
  const incoming = useReferrals('incoming');
  const outgoing = useReferrals('outgoing');
  const inbound = incoming.data?.items.find((item) => item.id === id);
  const outbound = outgoing.data?.items.find((item) => item.id === id);
  return {
    referral: inbound ?? outbound,
    direction: inbound ? 'incoming' : outbound ? 'outgoing' : undefined,
    isPending: incoming.isPending || outgoing.isPending,
    isError: incoming.isError || outgoing.isError,
  };
}

export function useOrganisations(type: OrganisationType | undefined, country: Country | undefined) {
  return useQuery({
    queryKey: ['organisations', type, country],
    enabled: type !== undefined,
    queryFn: () => unwrap(api.GET('/api/organisations', { params: { query: { type, country } } })),
  });
}

export function useCreateReferral(caseId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewReferral) => unwrap(api.POST('/api/cases/{id}/referrals', { params: { path: { id: caseId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: referralKeys.all }),
  });
}

export function useAnswerReferral(id: string) {
  const queryClient = useQueryClient();
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: referralKeys.all });
    void queryClient.invalidateQueries({ queryKey: ['organisations'] });
    void queryClient.invalidateQueries({ queryKey: ['cases'] });
  };
  return {
    accept: useMutation({ mutationFn: () => unwrap(api.POST('/api/referrals/{id}/accept', { params: { path: { id } } })), onSuccess: refresh }),
    decline: useMutation({
      mutationFn: (reason: string) => unwrap(api.POST('/api/referrals/{id}/decline', { params: { path: { id } }, body: { reason } })),
      onSuccess: refresh,
    }),
    withdraw: useMutation({ mutationFn: () => unwrap(api.POST('/api/referrals/{id}/withdraw', { params: { path: { id } } })), onSuccess: refresh }),
  };
}
