import type { Principal } from './principal';
import { Role } from './role';

/**
 * Organisation-level administration (users, webhooks) is done by the org_admins of that very
 * organisation (the route's @Roles decides the role); this is the record half of that rule.
 */
export function administersOrganisation(principal: Principal, organisationId: string): boolean {
  return principal.organisationId === organisationId;
}

/** What an org_admin asks to change about an account of its organisation. */
export interface AccountChange {
  role?: Role;
  active?: boolean;
}

/**
 * Why an org_admin may not make this change to this account, or undefined when it may. No admin
 * changes its own role or deactivates itself: an admin who could give itself an operational role
 * would read case content minutes later, and one who demotes itself can lock the organisation out.
 * Platform admins are made by platform admins only.
 */
export function accountChangeRefusal(admin: Principal, targetUserId: string, change: AccountChange): string | undefined {
  if (change.role === Role.PlatformAdmin) return 'An organisation admin cannot grant the platform_admin role';
  const own = targetUserId.toLowerCase() === admin.userId.toLowerCase();
  if (own && ((change.role !== undefined && change.role !== admin.role) || change.active === false)) {
    return 'You cannot change your own role or deactivate yourself; ask another org admin';
  }
  return undefined;
}
