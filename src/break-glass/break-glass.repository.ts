import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { SqlParams } from '../common/sql';
import { type AuditScope, auditScopePredicate } from '../access/supervisor-scope';
import type { BreakGlassVerdict } from './dto/break-glass.dto';

export interface GrantRow {
  id: string;
  case_id: string;
  reference: string;
  user_id: string;
  user_name: string;
  organisation_id: string;
  organisation_slug: string;
  organisation_name: string;
  organisation_type: string;
  organisation_country: string | null;
  lead_organisation_id: string;
  case_country: string;
  justification: string;
  created_at: Date;
  expires_at: Date;
  reviewed_at: Date | null;
  reviewed_by: string | null;
  reviewer_name: string | null;
  review_note: string | null;
  review_verdict: BreakGlassVerdict | null;
}

// The user and reviewer names travel with each grant (API.md, Readable context): staff names, never victim data.
const GRANT_FROM = `break_glass_grant g JOIN "case" c ON c.id = g.case_id JOIN organisation o ON o.id = g.organisation_id
  JOIN "user" u ON u.id = g.user_id LEFT JOIN "user" r ON r.id = g.reviewed_by`;
const GRANT_COLUMNS = `g.id, g.case_id, c.reference, g.user_id, u.name AS user_name, g.organisation_id, o.slug AS organisation_slug,
  o.name AS organisation_name, o.type AS organisation_type, o.country AS organisation_country, c.lead_organisation_id,
  c.country AS case_country, g.justification, g.created_at, g.expires_at, g.reviewed_at, g.reviewed_by, r.name AS reviewer_name,
  g.review_note, g.review_verdict`;
const GRANT_SCOPE_COLUMNS = {
  actorOrganisationId: 'g.organisation_id',
  actorCountry: 'o.country',
  caseLeadOrganisationId: 'c.lead_organisation_id',
  caseCountry: 'c.country',
};

/** The only writer of break_glass_grant: grants are inserted when used and marked once when reviewed. */
@Injectable()
export class BreakGlassRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(
    manager: EntityManager,
    grant: { caseId: string; userId: string; organisationId: string; justification: string; hours: number },
  ): Promise<{ id: string; expiresAt: Date }> {
    const rows: Array<{ id: string; expires_at: Date }> = await manager.query(
      `INSERT INTO break_glass_grant (case_id, user_id, organisation_id, justification, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(hours => $5)) RETURNING id, expires_at`,
      [grant.caseId, grant.userId, grant.organisationId, grant.justification, grant.hours],
    );
    return { id: rows[0]!.id, expiresAt: rows[0]!.expires_at };
  }

  async find(manager: EntityManager, grantId: string): Promise<GrantRow | undefined> {
    const rows: GrantRow[] = await manager.query(`SELECT ${GRANT_COLUMNS} FROM ${GRANT_FROM} WHERE g.id = $1`, [grantId]);
    return rows[0];
  }

  /** False when someone reviewed it first: a grant is reviewed once. */
  async markReviewed(manager: EntityManager, grantId: string, review: { reviewerId: string; note: string; verdict: BreakGlassVerdict }): Promise<boolean> {
    const updated: Array<{ id: string }> = await manager.query(
      `WITH reviewed AS (
         UPDATE break_glass_grant SET reviewed_at = now(), reviewed_by = $2, review_note = $3, review_verdict = $4
          WHERE id = $1 AND reviewed_at IS NULL RETURNING id
       ) SELECT id FROM reviewed`,
      [grantId, review.reviewerId, review.note, review.verdict],
    );
    return updated.length > 0;
  }

  async isUnreviewed(manager: EntityManager, grantId: string): Promise<boolean> {
    const rows: unknown[] = await manager.query(`SELECT 1 FROM break_glass_grant WHERE id = $1 AND reviewed_at IS NULL`, [grantId]);
    return rows.length > 0;
  }

  /** Newest first, in the supervisor's scope; `limit + 1` rows so the caller can tell whether another page exists. */
  page(scope: AuditScope | undefined, query: { reviewed?: boolean; after?: string; limit: number }): Promise<GrantRow[]> {
    const params = new SqlParams();
    const where = [auditScopePredicate(scope, GRANT_SCOPE_COLUMNS, params)];
    if (query.reviewed !== undefined) where.push(`g.reviewed_at IS ${query.reviewed ? 'NOT NULL' : 'NULL'}`);
    if (query.after) where.push(`(g.created_at, g.id) < (SELECT created_at, id FROM break_glass_grant WHERE id = ${params.add(query.after)})`);
    return this.dataSource.query(
      `SELECT ${GRANT_COLUMNS} FROM ${GRANT_FROM} WHERE ${where.join(' AND ')} ORDER BY g.created_at DESC, g.id DESC LIMIT ${params.add(query.limit + 1)}`,
      params.values,
    );
  }
}
