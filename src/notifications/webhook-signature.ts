import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-passage-signature';
export const EVENT_ID_HEADER = 'x-passage-event-id';

/** What a receiver gets: ids and the case reference, never personal data. */
export interface WebhookBody {
  eventId: string;
  type: string;
  caseId: string;
  caseReference: string;
  referralId?: string;
  occurredAt: string;
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64url')}`;
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the secret as the receiver received it. */
export function signWebhookBody(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

/** For receivers (and our tests): constant-time comparison of a signature header. */
export function verifyWebhookSignature(secret: string, rawBody: string, header: string | undefined): boolean {
  if (!header) return false;
  const expected = Buffer.from(signWebhookBody(secret, rawBody));
  const given = Buffer.from(header);
  return expected.length === given.length && timingSafeEqual(expected, given);
}
