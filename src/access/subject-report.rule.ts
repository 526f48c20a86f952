import type { AccessService, LoadedCase } from './access.service';
import type { CaseAbility } from './case-ability.factory';
import type { Principal } from './principal';

/**
 * Who may produce a victim's subject report (GDPR art. 15): a user of the case's lead
 * organisation who may read the case. Not visible is not found (404); a participant of another
 * organisation sees the case but may not hand its whole history over (403). Supervisors never
 * read case content, so the case is never visible to them.
 */
export function subjectReportRefusal(access: AccessService, ability: CaseAbility, principal: Principal, loaded: LoadedCase | undefined): 404 | 403 | undefined {
  if (!loaded || !access.isVisible(ability, loaded)) return 404;
  if (loaded.leadOrganisationId !== principal.organisationId) return 403;
  return undefined;
}
