export enum DeadlineKind {
  /** Half-way to a pending referral's respondBy: remind the target. */
  ReferralReminder = 'referral.reminder',
  /** At respondBy: a still-pending referral expires and the referrer is told. */
  ReferralExpiry = 'referral.expiry',
  ReflectionReminder14Days = 'reflection_period.reminder_14d',
  ReflectionReminder3Days = 'reflection_period.reminder_3d',
  ReflectionEnd = 'reflection_period.end',
  /** 24 h after a break-glass, if still unreviewed: remind the supervisors. */
  BreakGlassReview = 'break_glass.review',
  /** At a task's due time, if still open: remind its assignee. */
  TaskDue = 'task.due',
  /** A closing still waits for the prosecution's approval: remind it. */
  ClosureApproval = 'case.closure_approval',
}

export const REFERRAL_DEADLINES: readonly DeadlineKind[] = [DeadlineKind.ReferralReminder, DeadlineKind.ReferralExpiry];
export const REFLECTION_DEADLINES: readonly DeadlineKind[] = [
  DeadlineKind.ReflectionReminder14Days,
  DeadlineKind.ReflectionReminder3Days,
  DeadlineKind.ReflectionEnd,
];

const DAY_MS = 24 * 3600_000;
export const REFLECTION_REMINDER_OFFSETS_MS: ReadonlyArray<[DeadlineKind, number]> = [
  [DeadlineKind.ReflectionReminder14Days, 14 * DAY_MS],
  [DeadlineKind.ReflectionReminder3Days, 3 * DAY_MS],
];
export const BREAK_GLASS_REVIEW_AFTER_MS = DAY_MS;

/** How long a closing may wait for the prosecution before it is reminded. */
export const CLOSURE_APPROVAL_REMINDER_MS = 14 * DAY_MS;
