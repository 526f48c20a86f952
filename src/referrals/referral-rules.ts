import { LegalBasis } from '../access/policy';
import { Problem } from '../common/problem';
import { OrganisationType } from '../access/organisation-type';

export enum ReferralStatus {
  Pending = 'pending',
  Accepted = 'accepted',
  Declined = 'declined',
  Withdrawn = 'withdrawn',
  Expired = 'expired',
}

export enum Urgency {
  Urgent = 'urgent',
  Routine = 'routine',
}

/** Hours the target has to answer. */
export const ANSWER_HOURS: Record<Urgency, number> = { [Urgency.Urgent]: 4, [Urgency.Routine]: 72 };

/** The one state machine: a referral is answered once, from pending. ReferralRepository.transition is its only writer. */
const TRANSITIONS: Record<ReferralStatus, readonly ReferralStatus[]> = {
  [ReferralStatus.Pending]: [ReferralStatus.Accepted, ReferralStatus.Declined, ReferralStatus.Withdrawn, ReferralStatus.Expired],
  [ReferralStatus.Accepted]: [],
  [ReferralStatus.Declined]: [],
  [ReferralStatus.Withdrawn]: [],
  [ReferralStatus.Expired]: [],
};

export function assertTransition(from: ReferralStatus, to: ReferralStatus): void {
  if (!TRANSITIONS[from].includes(to)) {
    throw Problem.conflict('referral-state', `The referral is ${from}; it cannot become ${to}`);
  }
}

/** The states from which a referral may become `to`. */
export function statesLeadingTo(to: ReferralStatus): ReferralStatus[] {
  return (Object.keys(TRANSITIONS) as ReferralStatus[]).filter((from) => TRANSITIONS[from].includes(to));
}

/** Which kind of organisation each referral purpose goes to: derived from the policy table in src/access. */
export { REFERRAL_TARGET_TYPE as TARGET_TYPE } from '../access/policy';

const LAW_ENFORCEMENT: readonly OrganisationType[] = [OrganisationType.Police, OrganisationType.Prosecution];
const CONSENT_ALWAYS: readonly OrganisationType[] = [OrganisationType.ReceptionCentre, OrganisationType.Migration, OrganisationType.LabourInspection];

/**
 * The legal basis a participation created by accepting this referral will rest on: police and
 * prosecution work on law enforcement at home and on the Benelux police treaty across a border;
 * everything else rests on the victim's consent (PRODUCT.md, Consent and Cross-border).
 */
export function legalBasisFor(targetType: OrganisationType, caseCountry: string, targetCountry: string | null): LegalBasis {
  if (LAW_ENFORCEMENT.includes(targetType)) return targetCountry === caseCountry ? LegalBasis.LawEnforcement : LegalBasis.Treaty;
  return LegalBasis.Consent;
}

export function consentRequired(targetType: OrganisationType, caseCountry: string, targetCountry: string | null): boolean {
  return CONSENT_ALWAYS.includes(targetType) || legalBasisFor(targetType, caseCountry, targetCountry) === LegalBasis.Consent;
}
