import type { Principal } from './principal';
import { OPERATIONAL_ROLE } from './role';

/** The side of a referral that gives each answer: the target accepts or declines, the referrer withdraws. */
export const ANSWERING_SIDE = { accept: 'to', decline: 'to', withdraw: 'from' } as const;

export interface ReferralParties {
  fromOrganisationId: string;
  toOrganisationId: string;
}

/**
 * Who may answer a referral: an operational user of the answering side. Someone of the other side
 * may see the referral, so is refused (403); anyone else does not learn it exists (404).
 */
export function referralAnswerRefusal(principal: Principal, referral: ReferralParties, side: 'to' | 'from'): 404 | 403 | undefined {
  if (referral.toOrganisationId !== principal.organisationId && referral.fromOrganisationId !== principal.organisationId) return 404;
  const answering = side === 'to' ? referral.toOrganisationId : referral.fromOrganisationId;
  if (answering !== principal.organisationId || OPERATIONAL_ROLE[principal.organisationType] !== principal.role) return 403;
  return undefined;
}
