import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * stats_rebuild(): recomputes the statistics rollups (migration StatisticsRollups) from the rows
 * they summarise, set-based, for data loaded with triggers off (a restore, a bulk import, the
 * benchmark's seed). Beds given back before the rebuild left no time of return, so only the beds
 * held now are counted, from the start of their placement.
 */
export class StatisticsRebuild1764600000100 implements MigrationInterface {
  name = 'StatisticsRebuild1764600000100';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        -- Writers wait until the rebuild commits, so no change is counted twice or lost.
        LOCK TABLE "case", referral, participation, case_section IN SHARE MODE;
        DELETE FROM stats_monthly;
        DELETE FROM stats_case_record;
        INSERT INTO stats_monthly (metric, organisation_id, month, dim, country, value)
        SELECT d.metric, d.organisation_id, d.month, d.dim, d.country, sum(d.delta)
          FROM (SELECT (unnest(stats_case_deltas(c, 1))).* FROM "case" c
                UNION ALL
                SELECT (unnest(stats_referral_deltas(r, 1))).* FROM referral r
                UNION ALL
                SELECT 'beds', o.id, stats_month(p.created_at), '', o.country, 1
                  FROM participation p JOIN organisation o ON o.id = p.organisation_id
                 WHERE p.holds_bed AND o.country IS NOT NULL) d
         GROUP BY d.metric, d.organisation_id, d.month, d.dim, d.country
        HAVING sum(d.delta) <> 0;
        INSERT INTO stats_case_record (case_id, country, lead_organisation_id, registered_on, minor, exploitation_types, gender, age_group, indicators)
        SELECT c.id, c.country, c.lead_organisation_id, (c.created_at AT TIME ZONE 'UTC')::date, c.minor, c.exploitation_types,
               s.data->>'gender', s.data->>'ageGroup',
               CASE WHEN jsonb_typeof(s.data->'indicators') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(s.data->'indicators')) END
          FROM "case" c LEFT JOIN case_section s ON s.case_id = c.id AND s.section = 'summary';
      END $$`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION stats_rebuild()`);
  }
}
