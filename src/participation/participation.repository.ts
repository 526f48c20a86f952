import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { LegalBasis, Purpose } from '../access/policy';

export interface NewParticipation {
  caseId: string;
  organisationId: string;
  purpose: Purpose;
  legalBasis: LegalBasis;
  consentId: string | null;
  referralId: string;
  holdsBed: boolean;
}

/**
 * The only writer of `participation` and of the free beds of reception centres. A placement holds
 * one bed of its centre: the bed is taken before the placement is written and given back whenever
 * a placement stops holding it (ended, revoked, case closed).
 */
@Injectable()
export class ParticipationRepository {
  /** The opening organisation leads the case. */
  async addLead(manager: EntityManager, caseId: string, organisationId: string): Promise<void> {
    await manager.query(`INSERT INTO participation (case_id, organisation_id, purpose, legal_basis) VALUES ($1, $2, $3, $4)`, [
      caseId,
      organisationId,
      Purpose.Lead,
      LegalBasis.Lead,
    ]);
  }

  /** An accepted referral's participation; `placement-active` when the victim already sleeps elsewhere (unique index). */
  async addFromReferral(manager: EntityManager, participation: NewParticipation): Promise<'added' | 'placement-active'> {
    try {
      await manager.query(
        `INSERT INTO participation (case_id, organisation_id, purpose, legal_basis, consent_id, referral_id, holds_bed) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [
          participation.caseId,
          participation.organisationId,
          participation.purpose,
          participation.legalBasis,
          participation.consentId,
          participation.referralId,
          participation.holdsBed,
        ],
      );
      return 'added';
    } catch (error) {
      if ((error as { driverError?: { constraint?: string } }).driverError?.constraint === 'participation_one_placement_uq') return 'placement-active';
      throw error;
    }
  }

  async hasActivePlacement(manager: EntityManager, caseId: string): Promise<boolean> {
    const placed: unknown[] = await manager.query(`SELECT 1 FROM participation WHERE case_id = $1 AND holds_bed AND revoked_at IS NULL`, [caseId]);
    return placed.length > 0;
  }

  /** The centres that hold a bed for the victim of this case and take no minors. */
  async adultOnlyPlacements(manager: EntityManager, caseId: string): Promise<string[]> {
    const rows: Array<{ organisation_id: string }> = await manager.query(
      `SELECT p.organisation_id FROM participation p JOIN organisation o ON o.id = p.organisation_id
        WHERE p.case_id = $1 AND p.holds_bed AND p.revoked_at IS NULL AND NOT COALESCE(o.accepts_minors, false)`,
      [caseId],
    );
    return rows.map((row) => row.organisation_id);
  }

  /** The decrement is the capacity check: with one bed left, exactly one concurrent caller gets true. */
  async takeBed(manager: EntityManager, organisationId: string): Promise<boolean> {
    const [taken]: [unknown[], number] = await manager.query(
      `UPDATE organisation SET beds_available = beds_available - 1, updated_at = now() WHERE id = $1 AND beds_available > 0 RETURNING id`,
      [organisationId],
    );
    return taken.length > 0;
  }

  /** One bed back to each listed centre (a centre listed twice gets two). */
  async releaseBeds(manager: EntityManager, organisationIds: readonly string[]): Promise<void> {
    if (organisationIds.length === 0) return;
    await manager.query(
      `UPDATE organisation o SET beds_available = o.beds_available + r.beds, updated_at = now()
         FROM (SELECT id, count(*)::int AS beds FROM unnest($1::uuid[]) AS id GROUP BY id) r
        WHERE o.id = r.id`,
      [organisationIds],
    );
  }

  /** Ends every bed-holding placement of the case: the centres get their beds back. */
  async releaseBedsOfCase(manager: EntityManager, caseId: string): Promise<void> {
    const [released]: [Array<{ organisation_id: string }>, number] = await manager.query(
      `UPDATE participation SET holds_bed = false WHERE case_id = $1 AND holds_bed RETURNING organisation_id`,
      [caseId],
    );
    await this.releaseBeds(
      manager,
      released.map((row) => row.organisation_id),
    );
  }

  /** The centre's placement in this case ends and its bed is freed; the centre's free beds after, or undefined without a placement. */
  async endPlacement(manager: EntityManager, caseId: string, organisationId: string): Promise<number | undefined> {
    const [ended]: [unknown[], number] = await manager.query(
      `UPDATE participation SET holds_bed = false WHERE case_id = $1 AND organisation_id = $2 AND purpose = $3 AND revoked_at IS NULL AND holds_bed RETURNING id`,
      [caseId, organisationId, Purpose.Shelter],
    );
    if (ended.length === 0) return undefined;
    await this.releaseBeds(manager, [organisationId]);
    const beds: Array<{ beds_available: number }> = await manager.query(`SELECT beds_available FROM organisation WHERE id = $1`, [organisationId]);
    return beds[0]!.beds_available;
  }

  /** A centre's capacity changes: free beds move by the same amount as the total, so the occupied count stays what it is. */
  async resize(manager: EntityManager, organisationId: string, bedsTotal: number): Promise<void> {
    await manager.query(
      `UPDATE organisation SET beds_available = beds_available + ($2::int - beds_total), beds_total = $2::int, updated_at = now() WHERE id = $1`,
      [organisationId, bedsTotal],
    );
  }

  /** Revokes the participations resting on these consents; the centres among them held a bed the caller gives back. */
  async revokeByConsent(manager: EntityManager, consentIds: readonly string[]): Promise<{ count: number; bedHolders: string[] }> {
    const [rows]: [Array<{ organisation_id: string; held_bed: boolean }>, number] = await manager.query(
      `UPDATE participation p SET revoked_at = now(), revoked_reason = 'consent_withdrawn', holds_bed = false
         FROM (SELECT id, holds_bed FROM participation WHERE consent_id = ANY($1) AND revoked_at IS NULL FOR UPDATE) old
        WHERE p.id = old.id
        RETURNING p.organisation_id, old.holds_bed AS held_bed`,
      [consentIds],
    );
    return { count: rows.length, bedHolders: rows.filter((r) => r.held_bed).map((r) => r.organisation_id) };
  }
}
