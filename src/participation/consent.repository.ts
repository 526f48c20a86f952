import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Sealed } from '../common/crypto';
import type { ConsentReporter } from './dto/participation.dto';

/** Binds a withdrawal note's ciphertext to its consent. */
export function consentWithdrawalAssociatedData(consentId: string): string {
  return `consent:${consentId}:withdrawal_note`;
}

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

  /**
   * Every live consent of the victim for this organisation, withdrawn now, with who reported it and
   * the note sealed for each row (`seal` binds it to the consent's id); empty when there was none.
   */
  async withdraw(
    manager: EntityManager,
    withdrawal: { caseId: string; organisationId: string; userId: string; reportedBy: ConsentReporter; seal: (consentId: string) => Sealed },
  ): Promise<Array<{ id: string; withdrawnAt: Date }>> {
    const live: Array<{ id: string }> = await manager.query(
      `SELECT id FROM consent WHERE case_id = $1 AND organisation_id = $2 AND withdrawn_at IS NULL ORDER BY id FOR UPDATE`,
      [withdrawal.caseId, withdrawal.organisationId],
    );
    const withdrawn: Array<{ id: string; withdrawnAt: Date }> = [];
    for (const { id } of live) {
      const note = withdrawal.seal(id);
      const [rows]: [Array<{ withdrawn_at: Date }>, number] = await manager.query(
        `UPDATE consent SET withdrawn_at = now(), withdrawn_by = $2, withdrawal_reported_by = $3, withdrawal_note_key_id = $4, withdrawal_note_ciphertext = $5
          WHERE id = $1 RETURNING withdrawn_at`,
        [id, withdrawal.userId, withdrawal.reportedBy, note.keyId, note.ciphertext],
      );
      withdrawn.push({ id, withdrawnAt: rows[0]!.withdrawn_at });
    }
    return withdrawn;
  }

  /** Retention: a withdrawal note is free text sealed under the master key, which the case key's destruction does not cover; it goes. */
  async eraseWithdrawalNotes(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(
      `UPDATE consent SET withdrawal_note_key_id = NULL, withdrawal_note_ciphertext = NULL WHERE case_id = $1 AND withdrawal_note_ciphertext IS NOT NULL`,
      [caseId],
    );
  }
}
