/** Each queue has its own workers, so a slow webhook receiver never delays inbox rows or deadlines. */
export enum QueueName {
  Notifications = 'notifications',
  /** E-mails apart from the fan-out, so a slow mail server never holds back inbox rows. */
  Email = 'email',
  Webhooks = 'webhooks',
  Deadlines = 'deadlines',
}

export enum JobName {
  /** One outbox event: resolve recipients, write inbox rows, queue e-mails and webhook deliveries. */
  FanOutEvent = 'event.fan_out',
  SendEmail = 'notification.email',
  /** The e-mail with a set-password link of a new invitation. */
  SendInvitation = 'invitation.email',
  DeliverWebhook = 'webhook.deliver',
  FireDeadline = 'deadline.fire',
}

/**
 * Each job's payload type. The queue layer knows no domain types: a job whose payload is a
 * domain type adds its entry from the feature that owns that type (`declare module`), as the
 * outbox does for FanOutEvent, so the queue never imports a feature.
 */
export interface JobPayloads {
  [JobName.SendEmail]: { notificationId: string };
  [JobName.SendInvitation]: { invitationId: string };
  /** `replay` counts manual replays of a dead-lettered delivery, so each replay is a new job. */
  [JobName.DeliverWebhook]: { deliveryId: string; replay?: number };
  [JobName.FireDeadline]: { deadlineId: string };
}

export const JOB_NAMES = Object.values(JobName);
export const QUEUE_NAMES = Object.values(QueueName);
