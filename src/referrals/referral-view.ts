import type { Purpose } from '../access/policy';
import type { ReferralStatus, Urgency } from './referral-rules';
import type { ReferralRow } from './referral.repository';

export interface ReferralView {
  id: string;
  caseId: string;
  caseReference: string;
  fromOrganisationId: string;
  toOrganisationId: string;
  purpose: Purpose;
  urgency: Urgency;
  status: ReferralStatus;
  respondBy: string;
  createdAt: string;
  answeredAt: string | null;
  declineReason?: string;
  /** Incoming pending referrals only: what the target needs to decide, never identity. */
  brief?: { summary: Record<string, unknown>; message: string | null };
}

export function toReferralView(row: ReferralRow): ReferralView {
  return {
    id: row.id,
    caseId: row.case_id,
    caseReference: row.case_reference,
    fromOrganisationId: row.from_organisation_id,
    toOrganisationId: row.to_organisation_id,
    purpose: row.purpose,
    urgency: row.urgency,
    status: row.status,
    respondBy: row.respond_by.toISOString(),
    createdAt: row.created_at.toISOString(),
    answeredAt: row.answered_at?.toISOString() ?? null,
    ...(row.decline_reason ? { declineReason: row.decline_reason } : {}),
  };
}
