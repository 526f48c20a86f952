import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../api/client';
import { expectOk, unwrap } from '../../api/errors';
import type { components } from '../../api/schema';

export type AdminUser = components['schemas']['UserDto'];
export type Role = components['schemas']['Role'];
export type OrganisationType = components['schemas']['OrganisationType'];
export type EventType = components['schemas']['DomainEventType'];
export type Webhook = components['schemas']['WebhookDto'];
export type Delivery = components['schemas']['DeliveryDto'];
export type AdminOrganisation = components['schemas']['OrganisationDto'];
export type NewOrganisation = components['schemas']['CreateOrganisationDto'];
export type OrganisationChange = components['schemas']['UpdateOrganisationDto'];

/** The roles an org admin may give in each kind of organisation (the API's ROLE_ORGANISATION_TYPES, read the other way). */
export function rolesFor(type: OrganisationType): Role[] {
  const operational: Partial<Record<OrganisationType, Role>> = {
    police: 'officer',
    labour_inspection: 'inspector',
    prosecution: 'prosecutor',
    reception_centre: 'caseworker',
    migration: 'migration_officer',
  };
  const own = operational[type];
  return [...(own ? [own] : []), ...(type === 'platform' ? [] : (['supervisor'] as Role[])), 'org_admin'];
}

const adminKeys = {
  users: ['admin', 'users'] as const,
  webhooks: (organisationId: string) => ['admin', 'webhooks', organisationId] as const,
  deliveries: (organisationId: string, webhookId: string) => ['admin', 'webhooks', organisationId, webhookId, 'deliveries'] as const,
  organisations: ['admin', 'organisations'] as const,
};

const PAGE = 50;

/** The organisation's users by e-mail, a page at a time (keyset cursor). */
export function useUsers() {
  return useInfiniteQuery({
    queryKey: adminKeys.users,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/users', { params: { query: { limit: PAGE, cursor: pageParam } } })),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
}

function useUsersMutation<T>(action: (variables: T) => Promise<AdminUser>) {
  const queryClient = useQueryClient();
  return useMutation({ mutationFn: action, onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.users }) });
}

export function useInviteUser() {
  return useUsersMutation((body: { email: string; name: string; role: Role }) => unwrap(api.POST('/api/users/invitations', { body })));
}

export function useReinviteUser() {
  return useUsersMutation((id: string) => unwrap(api.POST('/api/users/{id}/invitation', { params: { path: { id } } })));
}

export function useChangeUser() {
  return useUsersMutation(({ id, change }: { id: string; change: { role?: Role; active?: boolean } }) =>
    unwrap(api.PATCH('/api/users/{id}', { params: { path: { id } }, body: change })),
  );
}

export function useWebhooks(organisationId: string) {
  return useQuery({
    queryKey: adminKeys.webhooks(organisationId),
    queryFn: () => unwrap(api.GET('/api/organisations/{organisationId}/webhooks', { params: { path: { organisationId } } })),
  });
}

export function useCreateWebhook(organisationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { url: string; events: EventType[] }) =>
      unwrap(api.POST('/api/organisations/{organisationId}/webhooks', { params: { path: { organisationId } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.webhooks(organisationId) }),
  });
}

export function useRotateSecret(organisationId: string) {
  return useMutation({
    mutationFn: (webhookId: string) =>
      unwrap(api.POST('/api/organisations/{organisationId}/webhooks/{webhookId}/secret', { params: { path: { organisationId, webhookId } } })),
  });
}

export function useDeactivateWebhook(organisationId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (webhookId: string) =>
      expectOk(api.DELETE('/api/organisations/{organisationId}/webhooks/{webhookId}', { params: { path: { organisationId, webhookId } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.webhooks(organisationId) }),
  });
}

/** A webhook's delivery log, newest first; refreshed every few seconds while retries run. */
export function useDeliveries(organisationId: string, webhookId: string | null) {
  return useInfiniteQuery({
    queryKey: adminKeys.deliveries(organisationId, webhookId ?? ''),
    enabled: webhookId !== null,
    queryFn: ({ pageParam }) =>
      unwrap(
        api.GET('/api/organisations/{organisationId}/webhooks/{webhookId}/deliveries', {
          params: { path: { organisationId, webhookId: webhookId! }, query: { limit: PAGE, cursor: pageParam } },
        }),
      ),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
    refetchInterval: 5_000,
  });
}

export function useReplayDelivery(organisationId: string, webhookId: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (deliveryId: string) =>
      unwrap(
        api.POST('/api/organisations/{organisationId}/webhooks/{webhookId}/deliveries/{deliveryId}/replay', {
          params: { path: { organisationId, webhookId, deliveryId } },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.deliveries(organisationId, webhookId) }),
  });
}

export function useAllOrganisations() {
  return useQuery({ queryKey: adminKeys.organisations, queryFn: () => unwrap(api.GET('/api/organisations')) });
}

export function useCreateOrganisation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: NewOrganisation) => unwrap(api.POST('/api/organisations', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.organisations }),
  });
}

export function useChangeOrganisation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, change }: { id: string; change: OrganisationChange }) =>
      unwrap(api.PATCH('/api/organisations/{id}', { params: { path: { id } }, body: change })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminKeys.organisations }),
  });
}

/** Public: the token from the e-mailed link and the chosen password. ApiError on 400 (policy or unknown link), 410 (used or expired), 429. */
export function setPassword(token: string, password: string): Promise<void> {
  return expectOk(api.POST('/api/auth/set-password', { body: { token, password } }));
}
