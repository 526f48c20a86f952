import type { Sealer } from '../common/crypto';
import type { ClosureRow, ReopeningRow } from './case-closure.repository';
import type { CaseClosureDto, CaseReopeningDto } from './dto/case-response.dto';

/** Binds a rejection reason's ciphertext to its closing request. */
export function closureRejectionAssociatedData(closureId: string): string {
  return `case_closure:${closureId}:rejection`;
}

/** Binds a reopening reason's ciphertext to its reopening. */
export function reopeningAssociatedData(reopeningId: string): string {
  return `case_reopening:${reopeningId}:reason`;
}

export function closureView(sealer: Sealer, row: ClosureRow): CaseClosureDto {
  return {
    status: row.status,
    reason: row.reason,
    requestedAt: row.requested_at.toISOString(),
    decidedAt: row.decided_at?.toISOString() ?? null,
    decidedByOrganisationId: row.decided_by_organisation_id,
    rejectionReason:
      row.rejection_key_id && row.rejection_ciphertext
        ? sealer.open({ keyId: row.rejection_key_id, ciphertext: row.rejection_ciphertext }, closureRejectionAssociatedData(row.id)).toString('utf8')
        : null,
  };
}

export function reopeningView(sealer: Sealer, row: ReopeningRow): CaseReopeningDto {
  return {
    reopenedAt: row.reopened_at.toISOString(),
    organisationId: row.organisation_id,
    reason: sealer.open({ keyId: row.key_id, ciphertext: row.ciphertext }, reopeningAssociatedData(row.id)).toString('utf8'),
  };
}
