import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';

/** Whether a user may read a case right now, decided by the same rules as the API. */
export interface CaseVisibility {
  canSee(userId: string, caseId: string): Promise<boolean>;
}

export const CASE_VISIBILITY = Symbol('CASE_VISIBILITY');

/**
 * The worker's binding until the access module provides the real one: only the users of the
 * case's lead organisation, who can always read it. Narrower than the real rules (other
 * participants get no inbox row yet), never wider, so nothing is shown to someone who may not see it.
 */
@Injectable()
export class LeadOrganisationVisibility implements CaseVisibility {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async canSee(userId: string, caseId: string): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `SELECT 1 FROM "case" c JOIN "user" u ON u.organisation_id = c.lead_organisation_id WHERE c.id = $1 AND u.id = $2`,
      [caseId, userId],
    );
    return rows.length > 0;
  }
}
