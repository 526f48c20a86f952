/** Everything that becomes a notification (API.md, Notifications). */
export enum DomainEventType {
  ReferralReceived = 'referral.received',
  ReferralAccepted = 'referral.accepted',
  ReferralDeclined = 'referral.declined',
  ReferralWithdrawn = 'referral.withdrawn',
  ReferralExpired = 'referral.expired',
  ReferralReminder = 'referral.reminder',
  ConsentWithdrawn = 'consent.withdrawn',
  CaseClosed = 'case.closed',
  /** The lead asks the prosecution to approve closing the case. */
  CaseClosureRequested = 'case.closure_requested',
  /** A closing still waits for the prosecution's approval (the closure-approval deadline). */
  CaseClosureReminder = 'case.closure_reminder',
  CaseClosureApproved = 'case.closure_approved',
  CaseClosureRejected = 'case.closure_rejected',
  CaseReopened = 'case.reopened',
  BreakGlassUsed = 'break_glass.used',
  BreakGlassReviewDue = 'break_glass.review_due',
  /** A supervisor judged an emergency access unjustified: the case's lead organisation follows it up. */
  BreakGlassNotJustified = 'break_glass.not_justified',
  ReflectionPeriodEnding = 'reflection_period.ending',
  ReflectionPeriodEnded = 'reflection_period.ended',
  TaskDue = 'task.due',
  /** A placed victim turned out to be a minor at a centre that takes no minors: the centre and the lead must relocate. */
  MinorAtAdultCentre = 'case.minor_at_adult_centre',
}

/**
 * A domain event as written to the outbox: ids only, never personal data. `organisationIds`
 * names the organisations whose users should act (the recipients are then narrowed to those
 * who may see the case at delivery time).
 */
export interface DomainEvent {
  type: DomainEventType;
  caseId: string;
  referralId?: string;
  breakGlassId?: string;
  organisationIds: string[];
  /** When set, only these users of `organisationIds` are told (e.g. a task's assignee). */
  userIds?: string[];
  actorUserId?: string;
}

/** An outbox event as it travels through Redis: the domain event (ids only, never personal data) and where it came from. */
export interface EventJobPayload extends DomainEvent {
  outboxId: string;
  eventId: string;
  occurredAt: string;
}

declare module '../queue/job-name' {
  interface JobPayloads {
    [JobName.FanOutEvent]: EventJobPayload;
  }
}
