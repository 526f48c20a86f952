import type { LoadedCase } from './access.service';
import type { Principal } from './principal';

/**
 * Who may record that the victim withdrew consent for an organisation (API.md, Case work): the
 * lead organisation, or the organisation the consent was given to. Any other participant (a
 * prosecutor withdrawing the shelter's consent, say) is refused with 403; whether the case is
 * visible and open is decided by CaseAction.WithdrawConsent first.
 */
export function mayWithdrawConsent(principal: Principal, loaded: LoadedCase, organisationId: string): boolean {
  return principal.organisationId === loaded.leadOrganisationId || principal.organisationId === organisationId;
}
