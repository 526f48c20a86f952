import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Purpose } from '../access/policy';
import type { Country } from '../access/organisation-type';
import { SqlParams } from '../common/sql';
import { assertTransition, ReferralStatus, statesLeadingTo, type Urgency } from './referral-rules';

export interface ReferralRow {
  id: string;
  case_id: string;
  case_reference: string;
  case_country: Country;
  case_minor: boolean;
  from_organisation_id: string;
  to_organisation_id: string;
  purpose: Purpose;
  urgency: Urgency;
  status: ReferralStatus;
  respond_by: Date;
  created_at: Date;
  created_key?: string;
  answered_at: Date | null;
  decline_reason: string | null;
  consent_id: string | null;
  message_key_id: string | null;
  message_ciphertext: Buffer | null;
}

/** A referral whose status just changed, with whom to tell. */
export interface TransitionedReferral {
  id: string;
  caseId: string;
  fromOrganisationId: string;
  toOrganisationId: string;
}

/** Which referrals a bulk transition moves: one, those of a case, or those resting on consents. */
export type ReferralSelector = { id: string; overdueOnly?: boolean } | { caseId: string } | { consentIds: readonly string[] };

const SELECT_REFERRAL = `
  SELECT r.id, r.case_id, c.reference AS case_reference, c.country AS case_country, c.minor AS case_minor, r.from_organisation_id, r.to_organisation_id,
         r.purpose, r.urgency, r.status, r.respond_by, r.created_at, r.created_at::text AS created_key, r.answered_at, r.decline_reason, r.consent_id,
         r.message_key_id, r.message_ciphertext
    FROM referral r JOIN "case" c ON c.id = r.case_id`;

/**
 * All SQL of the referral aggregate. `transition` and `transitionAll` are the only statements that
 * change a referral's status, and both follow the transition table in referral-rules.ts.
 */
@Injectable()
export class ReferralRepository {
  /** Retention: the referral messages of an anonymised case (free text about the victim, under the master key) are erased. */
  async eraseMessagesOfCase(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE referral SET message_key_id = NULL, message_ciphertext = NULL WHERE case_id = $1 AND message_key_id IS NOT NULL`, [caseId]);
  }

  async find(manager: EntityManager, id: string, options: { lock?: boolean } = {}): Promise<ReferralRow | undefined> {
    const rows: ReferralRow[] = await manager.query(`${SELECT_REFERRAL} WHERE r.id = $1 ${options.lock ? 'FOR UPDATE OF r' : ''}`, [id]);
    return rows[0];
  }

  /** The case a referral belongs to (a referral never moves), so its answer can lock the case first, like every case command. */
  async caseOf(manager: EntityManager, id: string): Promise<string | undefined> {
    const rows: Array<{ case_id: string }> = await manager.query(`SELECT case_id FROM referral WHERE id = $1`, [id]);
    return rows[0]?.case_id;
  }

  /** Newest first, `limit` rows (the caller asks one more than a page to know whether another follows). */
  async page(
    manager: EntityManager,
    query: { organisationId: string; direction: 'incoming' | 'outgoing'; status?: ReferralStatus; before?: { at: string; id: string }; limit: number },
  ): Promise<ReferralRow[]> {
    const params = new SqlParams();
    const organisation = params.add(query.organisationId);
    const where = [query.direction === 'incoming' ? `r.to_organisation_id = ${organisation}` : `r.from_organisation_id = ${organisation}`];
    if (query.status) where.push(`r.status = ${params.add(query.status)}`);
    if (query.before) where.push(`(r.created_at, r.id) < (${params.add(query.before.at)}::timestamptz, ${params.add(query.before.id)}::uuid)`);
    return manager.query(
      `${SELECT_REFERRAL} WHERE ${where.join(' AND ')} ORDER BY r.created_at DESC, r.id DESC LIMIT ${params.add(query.limit)}`,
      params.values,
    );
  }

  /** A new pending referral; `duplicate` when one of this case to this organisation is already pending (unique index). */
  async insert(
    manager: EntityManager,
    referral: {
      id: string;
      caseId: string;
      fromOrganisationId: string;
      toOrganisationId: string;
      purpose: Purpose;
      urgency: Urgency;
      message: { keyId: string; ciphertext: Buffer } | undefined;
      consentId: string | null;
      answerHours: number;
      createdBy: string;
    },
  ): Promise<'inserted' | 'duplicate'> {
    try {
      await manager.query(
        `INSERT INTO referral (id, case_id, from_organisation_id, to_organisation_id, purpose, urgency, message_key_id, message_ciphertext, consent_id, respond_by, created_by)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now() + make_interval(hours => $10), $11)`,
        [
          referral.id,
          referral.caseId,
          referral.fromOrganisationId,
          referral.toOrganisationId,
          referral.purpose,
          referral.urgency,
          referral.message?.keyId ?? null,
          referral.message?.ciphertext ?? null,
          referral.consentId,
          referral.answerHours,
          referral.createdBy,
        ],
      );
      return 'inserted';
    } catch (error) {
      if ((error as { code?: string }).code === '23505') return 'duplicate';
      throw error;
    }
  }

  /** A user answers one locked referral: refused (409) unless the table allows it from its current status. */
  async transition(
    manager: EntityManager,
    referral: Pick<ReferralRow, 'id' | 'status'>,
    to: ReferralStatus,
    change: { by: string; declineReason?: string },
  ): Promise<void> {
    assertTransition(referral.status, to);
    await manager.query(`UPDATE referral SET status = $2, answered_at = now(), answered_by = $3, decline_reason = $4 WHERE id = $1 AND status = ANY($5)`, [
      referral.id,
      to,
      change.by,
      change.declineReason ?? null,
      statesLeadingTo(to),
    ]);
  }

  /**
   * Every selected referral the table lets become `to` does so now (expiry, consent withdrawal,
   * case closing); the others are left alone, so running it twice changes nothing.
   */
  async transitionAll(manager: EntityManager, selector: ReferralSelector, to: ReferralStatus, change: { by: string | null }): Promise<TransitionedReferral[]> {
    const params: unknown[] = [to, statesLeadingTo(to), change.by];
    let where: string;
    if ('id' in selector) {
      params.push(selector.id);
      where = `id = $4${selector.overdueOnly ? ' AND respond_by <= now()' : ''}`;
    } else if ('caseId' in selector) {
      params.push(selector.caseId);
      where = 'case_id = $4';
    } else {
      params.push(selector.consentIds);
      where = 'consent_id = ANY($4)';
    }
    const [rows]: [Array<{ id: string; case_id: string; from_organisation_id: string; to_organisation_id: string }>, number] = await manager.query(
      `UPDATE referral SET status = $1, answered_at = now(), answered_by = $3 WHERE ${where} AND status = ANY($2)
       RETURNING id, case_id, from_organisation_id, to_organisation_id`,
      params,
    );
    return rows.map((row) => ({ id: row.id, caseId: row.case_id, fromOrganisationId: row.from_organisation_id, toOrganisationId: row.to_organisation_id }));
  }

  /** The target of a referral still waiting for its answer, for the reminder. */
  async pendingTarget(manager: EntityManager, id: string): Promise<string | undefined> {
    const rows: Array<{ to_organisation_id: string }> = await manager.query(`SELECT to_organisation_id FROM referral WHERE id = $1 AND status = $2`, [
      id,
      ReferralStatus.Pending,
    ]);
    return rows[0]?.to_organisation_id;
  }
}
