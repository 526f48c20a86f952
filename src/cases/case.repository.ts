import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { SqlParams } from '../common/sql';
import type { SectionData } from './sections/sections';

export interface CaseListRow {
  id: string;
  reference: string;
  country: string;
  status: 'open' | 'closed';
  lead_organisation_id: string;
  created_at: Date;
  created_key: string;
  updated_at: Date;
  data: SectionData;
  version: number;
  closing: boolean;
}

/**
 * The only writer of `case` and `case_reference_counter` (sections: CaseSectionsStore). The list
 * statement is the benchmarked one (bench/query-plans.ts finds it by its shape): keep it as it is.
 */
@Injectable()
export class CaseRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** A new case under the next gapless reference of its country and year. */
  async insert(
    manager: EntityManager,
    values: { country: string; leadOrganisationId: string; minor: boolean; exploitationTypes: readonly string[]; createdBy: string },
  ): Promise<{ id: string; reference: string }> {
    const year = new Date().getUTCFullYear();
    const counter: Array<{ last_value: number }> = await manager.query(
      `INSERT INTO case_reference_counter (country, year, last_value) VALUES ($1, $2, 1)
         ON CONFLICT (country, year) DO UPDATE SET last_value = case_reference_counter.last_value + 1 RETURNING last_value`,
      [values.country, year],
    );
    const reference = `${values.country}-${year}-${String(counter[0]!.last_value).padStart(6, '0')}`;
    const inserted: Array<{ id: string }> = await manager.query(
      `INSERT INTO "case" (reference, country, lead_organisation_id, minor, exploitation_types, created_by) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [reference, values.country, values.leadOrganisationId, values.minor, values.exploitationTypes, values.createdBy],
    );
    return { id: inserted[0]!.id, reference };
  }

  /**
   * The page of cases selected by `pageQuery` (a statement yielding `case_id`), with their
   * summaries, newest first, and whether each waits for the prosecution to approve its closing
   * (one probe of the pending-closing unique index per row of the page).
   */
  list(pageQuery: string, params: SqlParams): Promise<CaseListRow[]> {
    return this.dataSource.query(
      `SELECT c.id, c.reference, c.country, c.status, c.lead_organisation_id, c.created_at, c.created_at::text AS created_key, c.updated_at, s.data, s.version,
              EXISTS (SELECT 1 FROM case_closure cc WHERE cc.case_id = c.id AND cc.status = 'pending') AS closing
         FROM (${pageQuery}) page
         JOIN "case" c ON c.id = page.case_id
         JOIN case_section s ON s.case_id = c.id AND s.section = 'summary'
        ORDER BY c.created_at DESC, c.id DESC`,
      params.values,
    );
  }

  /** The summary's columns kept on the case row for lists and statistics. */
  async setSummaryColumns(manager: EntityManager, caseId: string, summary: SectionData): Promise<void> {
    await manager.query(`UPDATE "case" SET minor = $2, exploitation_types = $3, updated_at = now() WHERE id = $1`, [
      caseId,
      summary.minor,
      summary.exploitationTypes,
    ]);
  }

  async touch(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE "case" SET updated_at = now() WHERE id = $1`, [caseId]);
  }

  async close(manager: EntityManager, caseId: string, reason: string): Promise<Date> {
    // TypeORM answers an UPDATE with [rows, affected count].
    const [closed]: [Array<{ closed_at: Date }>, number] = await manager.query(
      `UPDATE "case" SET status = 'closed', close_reason = $2, closed_at = now(), updated_at = now() WHERE id = $1 RETURNING closed_at`,
      [caseId, reason],
    );
    return closed[0]!.closed_at;
  }

  /** Open again: the close columns are cleared (the statistics trigger takes the closing back out of its month). */
  async reopen(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE "case" SET status = 'open', close_reason = NULL, closed_at = NULL, updated_at = now() WHERE id = $1`, [caseId]);
  }

  /**
   * Closed cases past their country's retention period, not held and not yet anonymised, oldest
   * closing first, after the keyset position `after` (cases left for later are stepped over).
   */
  async pastRetention(
    years: Readonly<Record<string, number>>,
    now: Date,
    options: { after?: { closedAt: string; id: string }; limit: number },
  ): Promise<Array<{ id: string; closed_key: string }>> {
    const countries = Object.keys(years);
    const params: unknown[] = [countries, countries.map((country) => years[country]!), now, options.limit];
    let after = '';
    if (options.after) {
      params.push(options.after.closedAt, options.after.id);
      after = `AND (c.closed_at, c.id) > ($5::timestamptz, $6::uuid)`;
    }
    return this.dataSource.query(
      // closed_at as text keeps its microseconds (a Date would cut them, and the keyset would repeat a row forever).
      `SELECT c.id, c.closed_at::text AS closed_key FROM "case" c
         JOIN unnest($1::text[], $2::int[]) AS r(country, years) ON r.country = c.country
        WHERE c.status = 'closed' AND c.anonymised_at IS NULL AND c.legal_hold_at IS NULL
          AND c.closed_at < $3::timestamptz - make_interval(years => r.years) ${after}
        ORDER BY c.closed_at, c.id LIMIT $4`,
      params,
    );
  }

  async markAnonymised(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE "case" SET anonymised_at = now(), updated_at = now() WHERE id = $1`, [caseId]);
  }

  async setLegalHold(manager: EntityManager, caseId: string, hold: { reason: string; userId: string }): Promise<Date> {
    const [rows]: [Array<{ legal_hold_at: Date }>, number] = await manager.query(
      `UPDATE "case" SET legal_hold_at = now(), legal_hold_reason = $2, legal_hold_by = $3, updated_at = now() WHERE id = $1 RETURNING legal_hold_at`,
      [caseId, hold.reason, hold.userId],
    );
    return rows[0]!.legal_hold_at;
  }

  async releaseLegalHold(manager: EntityManager, caseId: string): Promise<void> {
    await manager.query(`UPDATE "case" SET legal_hold_at = NULL, legal_hold_reason = NULL, legal_hold_by = NULL, updated_at = now() WHERE id = $1`, [caseId]);
  }
}
