import type { Principal } from './principal';

/**
 * Organisation-level administration (users, webhooks) is done by the org_admins of that very
 * organisation (the route's @Roles decides the role); this is the record half of that rule.
 */
export function administersOrganisation(principal: Principal, organisationId: string): boolean {
  return principal.organisationId === organisationId;
}
