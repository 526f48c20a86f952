import { OrganisationType } from './organisation-type';
import { OPERATIONAL_ROLE, Role } from './role';

/**
 * Who may be told of a case event, as data (PRODUCT.md, Notifications). Each event addresses one
 * audience (the event catalogue in notifications maps events to audiences); this file decides
 * who belongs to each. Notices hold the case reference and who did what, never content.
 */
export enum Audience {
  /** Operational users of the event's organisations who may read the case when the notice is sent. */
  CaseReaders = 'case_readers',
  /** Also the target of a referral still pending: it sees the brief, not the case. */
  PendingReferralTarget = 'pending_referral_target',
  /** Also the target of a withdrawn referral: it must learn that, and knew the reference already. */
  WithdrawnReferralTarget = 'withdrawn_referral_target',
  /** Also the organisations that lose their access by the event (consent withdrawn): they must stop working on the case. */
  LosingAccess = 'losing_access',
  /** Supervisors concerned, although they never read case content: emergency access is theirs to review. */
  Supervisors = 'supervisors',
}

/** The referral status whose target is told although it cannot read the case. */
export const REFERRAL_TARGET_STATUS: Partial<Record<Audience, 'pending' | 'withdrawn'>> = {
  [Audience.PendingReferralTarget]: 'pending',
  [Audience.WithdrawnReferralTarget]: 'withdrawn',
};

/** Only the operational role of an organisation works on cases, so only it receives case notices. */
export function receivesCaseNotices(user: { role: Role; organisationType: OrganisationType }): boolean {
  return OPERATIONAL_ROLE[user.organisationType] === user.role;
}

/**
 * The supervisors told of an emergency access: those of the case's lead organisation and of the
 * organisations the event names (the one that used it), and the oversight of the case's country,
 * the same sides that may review it (supervisor-scope.ts).
 */
export function supervisorAudience(kase: { leadOrganisationId: string; country: string }, organisationIds: readonly string[]) {
  return {
    role: Role.Supervisor,
    organisationIds: [kase.leadOrganisationId, ...organisationIds],
    oversight: { type: OrganisationType.Oversight, country: kase.country },
  };
}

/** The actor is never told of their own action; an event naming users tells only them. */
export function isToldOfEvent(userId: string, event: { actorUserId?: string | null; userIds?: readonly string[] }): boolean {
  return userId !== event.actorUserId && (!event.userIds || event.userIds.includes(userId));
}
