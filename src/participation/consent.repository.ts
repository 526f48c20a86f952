import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';

/** The only writer of `consent`: recorded with the referral that needs it, withdrawn by the victim. */
@Injectable()
export class ConsentRepository {
  async record(
    manager: EntityManager,
    consent: { caseId: string; organisationId: string; givenBy: string; recordedAt: string; recordedBy: string },
  ): Promise<string> {
    const rows: Array<{ id: string }> = await manager.query(
      `INSERT INTO consent (case_id, organisation_id, given_by, recorded_at, recorded_by) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [consent.caseId, consent.organisationId, consent.givenBy, consent.recordedAt, consent.recordedBy],
    );
    return rows[0]!.id;
  }

  /** Every live consent of the victim for this organisation, withdrawn now; empty when there was none. */
  async withdraw(manager: EntityManager, caseId: string, organisationId: string, userId: string): Promise<Array<{ id: string; withdrawnAt: Date }>> {
    const [rows]: [Array<{ id: string; withdrawn_at: Date }>, number] = await manager.query(
      `UPDATE consent SET withdrawn_at = now(), withdrawn_by = $3 WHERE case_id = $1 AND organisation_id = $2 AND withdrawn_at IS NULL RETURNING id, withdrawn_at`,
      [caseId, organisationId, userId],
    );
    return rows.map((row) => ({ id: row.id, withdrawnAt: row.withdrawn_at }));
  }
}
