import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** One event on a case's audit trail, with the readable names of who acted (staff names are not victim data). */
export interface CaseAccess {
  at: Date;
  action: string;
  outcome: 'allowed' | 'denied';
  actorName: string | null;
  actorRole: string | null;
  organisationName: string | null;
  sections: string[] | null;
  legalBasis: string | null;
}

/** A case file's history is bounded; past this the report says it is cut. */
export const CASE_ACCESS_LIMIT = 10_000;

/**
 * Every event recorded about one case, oldest first, for the victim's subject report
 * (GDPR art. 15: who saw the file, when, on what basis). The caller decides who may ask.
 */
@Injectable()
export class CaseAccessHistory {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async forCase(caseId: string): Promise<{ accesses: CaseAccess[]; truncated: boolean }> {
    const rows: Array<{
      at: Date;
      action: string;
      outcome: 'allowed' | 'denied';
      actor_name: string | null;
      actor_role: string | null;
      organisation_name: string | null;
      sections: string[] | null;
      legal_basis: string | null;
    }> = await this.dataSource.query(
      `SELECT e.at, e.action, e.outcome, u.name AS actor_name, e.actor_role, o.name AS organisation_name, e.sections, e.legal_basis
         FROM audit_event e
         LEFT JOIN "user" u ON u.id = e.actor_user_id
         LEFT JOIN organisation o ON o.id = e.actor_organisation_id
        WHERE e.case_id = $1
        ORDER BY e.seq
        LIMIT $2`,
      [caseId, CASE_ACCESS_LIMIT + 1],
    );
    return {
      accesses: rows.slice(0, CASE_ACCESS_LIMIT).map((row) => ({
        at: row.at,
        action: row.action,
        outcome: row.outcome,
        actorName: row.actor_name,
        actorRole: row.actor_role,
        organisationName: row.organisation_name,
        sections: row.sections,
        legalBasis: row.legal_basis,
      })),
      truncated: rows.length > CASE_ACCESS_LIMIT,
    };
  }
}
