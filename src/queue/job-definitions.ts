import type { JobsOptions } from 'bullmq';
import { JobName, type JobPayloads, QueueName } from './job-name';

export enum BackoffKind {
  /** About 5 s, 30 s, 2 min, 10 min, 1 h, 6 h (API.md), with jitter. */
  Webhook = 'webhook',
  /** Doubling from 1 s up to 5 min, with jitter: rides out an outage of the database or the mail server. */
  CappedExponential = 'capped-exponential',
}

const DAY_SECONDS = 24 * 3600;

export interface JobDefinition<N extends JobName> {
  queue: QueueName;
  /**
   * The job id, derived from the row the job is about: BullMQ ignores an add whose id already
   * exists, so a relay or scheduler that runs twice cannot queue the work twice. (BullMQ refuses
   * ':' in custom ids, hence '-'.)
   */
  jobId(payload: JobPayloads[N]): string;
  options: Pick<JobsOptions, 'attempts' | 'backoff' | 'removeOnComplete' | 'removeOnFail'>;
}

/** Every job's queue, id scheme, retries and retention, in one place. */
export const JOB_DEFINITIONS: { [N in JobName]: JobDefinition<N> } = {
  [JobName.FanOutEvent]: {
    queue: QueueName.Notifications,
    jobId: (payload) => `outbox-${payload.outboxId}`,
    // About a day of retries; after that the relay's requeue sweep gives the event another round.
    options: {
      attempts: 300,
      backoff: { type: BackoffKind.CappedExponential },
      removeOnComplete: { age: 7 * DAY_SECONDS, count: 100_000 },
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
  },
  [JobName.SendEmail]: {
    queue: QueueName.Email,
    jobId: (payload) => `email-${payload.notificationId}`,
    options: {
      attempts: 50,
      backoff: { type: BackoffKind.CappedExponential },
      removeOnComplete: { age: DAY_SECONDS, count: 100_000 },
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
  },
  [JobName.SendInvitation]: {
    queue: QueueName.Email,
    jobId: (payload) => `invitation-${payload.invitationId}`,
    // About a day of retries; after that the invitation scheduler gives it another round while the link (72 h) is valid.
    options: {
      attempts: 300,
      backoff: { type: BackoffKind.CappedExponential },
      removeOnComplete: { age: DAY_SECONDS, count: 100_000 },
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
  },
  [JobName.DeliverWebhook]: {
    queue: QueueName.Webhooks,
    jobId: (payload) => (payload.replay ? `webhook-${payload.deliveryId}-replay-${payload.replay}` : `webhook-${payload.deliveryId}`),
    // The first try and six retries; after the last the delivery is dead-lettered (webhook_delivery.status).
    options: {
      attempts: 7,
      backoff: { type: BackoffKind.Webhook },
      removeOnComplete: { age: 7 * DAY_SECONDS, count: 100_000 },
      removeOnFail: { age: 30 * DAY_SECONDS },
    },
  },
  [JobName.FireDeadline]: {
    queue: QueueName.Deadlines,
    jobId: (payload) => `deadline-${payload.deadlineId}`,
    // A failed job is dropped, not kept: the scheduler's resync re-creates it from the deadline table.
    options: {
      attempts: 20,
      backoff: { type: BackoffKind.CappedExponential },
      removeOnComplete: { age: DAY_SECONDS, count: 100_000 },
      removeOnFail: true,
    },
  },
};

/** Jobs one worker process runs at once, per queue. */
export const QUEUE_CONCURRENCY: Record<QueueName, number> = {
  [QueueName.Notifications]: 30,
  [QueueName.Email]: 10,
  [QueueName.Webhooks]: 20,
  [QueueName.Deadlines]: 5,
};

export const WEBHOOK_RETRY_DELAYS_MS = [5_000, 30_000, 120_000, 600_000, 3_600_000, 21_600_000] as const;
const CAPPED_BASE_MS = 1_000;
const CAPPED_MAX_MS = 300_000;
const JITTER = 0.2;

function jittered(delayMs: number, random: () => number): number {
  return Math.round(delayMs * (1 - JITTER + 2 * JITTER * random()));
}

/**
 * BullMQ's custom backoff strategy for our kinds: the delay before retry number `attemptsMade`
 * (1 after the first failure).
 */
export function backoffDelay(kind: string | undefined, attemptsMade: number, webhookScale: number, random: () => number = Math.random): number {
  if (kind === BackoffKind.Webhook) {
    const base = WEBHOOK_RETRY_DELAYS_MS[Math.min(attemptsMade, WEBHOOK_RETRY_DELAYS_MS.length) - 1]!;
    return jittered(base * webhookScale, random);
  }
  if (kind === BackoffKind.CappedExponential) {
    return jittered(Math.min(CAPPED_BASE_MS * 2 ** Math.max(0, attemptsMade - 1), CAPPED_MAX_MS), random);
  }
  throw new Error(`unknown backoff kind "${kind}"`);
}
