import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Sealed } from '../common/crypto';
import { closureRejectionAssociatedData, reopeningAssociatedData } from './case-closure.views';
import type { CloseReason, ClosureStatus } from './dto/case.dto';

export interface ClosureRow {
  id: string;
  case_id: string;
  reason: CloseReason;
  requested_at: Date;
  requested_by_organisation_id: string;
  status: ClosureStatus;
  decided_at: Date | null;
  decided_by_organisation_id: string | null;
  rejection_key_id: string | null;
  rejection_ciphertext: Buffer | null;
}

export interface ReopeningRow {
  id: string;
  case_id: string;
  organisation_id: string;
  reopened_at: Date;
  key_id: string;
  ciphertext: Buffer;
}

const CLOSURE_COLUMNS = `id, case_id, reason, requested_at, requested_by_organisation_id, status, decided_at, decided_by_organisation_id, rejection_key_id, rejection_ciphertext`;

/** The only writer of case_closure and case_reopening: the closing a prosecution decides, and reopenings. */
@Injectable()
export class CaseClosureRepository {
  /**
   * Retention: rejection and reopening reasons are free text that may name the victim, sealed under
   * the master key, so destroying the case key does not cover them; each is replaced by an empty
   * text sealed anew (the rows, their dates and statuses stay, and so do their CHECK constraints).
   */
  async eraseReasons(manager: EntityManager, caseId: string, sealEmpty: (associatedData: string) => Sealed): Promise<void> {
    const closures: Array<{ id: string }> = await manager.query(`SELECT id FROM case_closure WHERE case_id = $1 AND rejection_ciphertext IS NOT NULL`, [
      caseId,
    ]);
    for (const closure of closures) {
      const sealed = sealEmpty(closureRejectionAssociatedData(closure.id));
      await manager.query(`UPDATE case_closure SET rejection_key_id = $2, rejection_ciphertext = $3 WHERE id = $1`, [
        closure.id,
        sealed.keyId,
        sealed.ciphertext,
      ]);
    }
    const reopenings: Array<{ id: string }> = await manager.query(`SELECT id FROM case_reopening WHERE case_id = $1`, [caseId]);
    for (const reopening of reopenings) {
      const sealed = sealEmpty(reopeningAssociatedData(reopening.id));
      await manager.query(`UPDATE case_reopening SET key_id = $2, ciphertext = $3 WHERE id = $1`, [reopening.id, sealed.keyId, sealed.ciphertext]);
    }
  }

  async request(manager: EntityManager, closure: { caseId: string; reason: CloseReason; userId: string; organisationId: string }): Promise<ClosureRow> {
    const rows: ClosureRow[] = await manager.query(
      `INSERT INTO case_closure (case_id, reason, requested_by, requested_by_organisation_id) VALUES ($1, $2, $3, $4) RETURNING ${CLOSURE_COLUMNS}`,
      [closure.caseId, closure.reason, closure.userId, closure.organisationId],
    );
    return rows[0]!;
  }

  /** The pending request of the case (the case row is locked by CaseCommand, so it cannot change under us). */
  async pending(manager: EntityManager, caseId: string): Promise<ClosureRow | undefined> {
    const rows: ClosureRow[] = await manager.query(`SELECT ${CLOSURE_COLUMNS} FROM case_closure WHERE case_id = $1 AND status = 'pending'`, [caseId]);
    return rows[0];
  }

  async decide(
    manager: EntityManager,
    closureId: string,
    decision: { status: 'approved' | 'rejected'; userId: string; organisationId: string; rejection?: Sealed },
  ): Promise<ClosureRow> {
    const [rows]: [ClosureRow[], number] = await manager.query(
      `UPDATE case_closure SET status = $2, decided_by = $3, decided_by_organisation_id = $4, decided_at = now(), rejection_key_id = $5, rejection_ciphertext = $6
        WHERE id = $1 AND status = 'pending' RETURNING ${CLOSURE_COLUMNS}`,
      [closureId, decision.status, decision.userId, decision.organisationId, decision.rejection?.keyId ?? null, decision.rejection?.ciphertext ?? null],
    );
    return rows[0]!;
  }

  /** A pending request no prosecution is left to decide: the lead closing directly withdraws it. */
  async withdrawPending(manager: EntityManager, caseId: string, userId: string, organisationId: string): Promise<void> {
    await manager.query(
      `UPDATE case_closure SET status = 'withdrawn', decided_by = $2, decided_by_organisation_id = $3, decided_at = now() WHERE case_id = $1 AND status = 'pending'`,
      [caseId, userId, organisationId],
    );
  }

  /** The newest closing request of the case, whatever its outcome. */
  async latest(manager: EntityManager, caseId: string): Promise<ClosureRow | undefined> {
    const rows: ClosureRow[] = await manager.query(
      `SELECT ${CLOSURE_COLUMNS} FROM case_closure WHERE case_id = $1 ORDER BY requested_at DESC, id DESC LIMIT 1`,
      [caseId],
    );
    return rows[0];
  }

  async recordReopening(
    manager: EntityManager,
    reopening: { id: string; caseId: string; userId: string; organisationId: string; reason: Sealed },
  ): Promise<ReopeningRow> {
    const rows: ReopeningRow[] = await manager.query(
      `INSERT INTO case_reopening (id, case_id, reopened_by, organisation_id, key_id, ciphertext) VALUES ($1, $2, $3, $4, $5, $6)
       RETURNING id, case_id, organisation_id, reopened_at, key_id, ciphertext`,
      [reopening.id, reopening.caseId, reopening.userId, reopening.organisationId, reopening.reason.keyId, reopening.reason.ciphertext],
    );
    return rows[0]!;
  }

  async latestReopening(manager: EntityManager, caseId: string): Promise<ReopeningRow | undefined> {
    const rows: ReopeningRow[] = await manager.query(
      `SELECT id, case_id, organisation_id, reopened_at, key_id, ciphertext FROM case_reopening WHERE case_id = $1 ORDER BY reopened_at DESC, id DESC LIMIT 1`,
      [caseId],
    );
    return rows[0];
  }
}
