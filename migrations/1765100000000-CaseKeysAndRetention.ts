import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention by crypto-shredding (ADR 0008).
 *
 * - case_key: one data key per case, wrapped by the master key (key_id names which). Sections,
 *   notes and documents' keys are sealed with it (their key_id is then '@case'); deleting the row
 *   shreds them everywhere, backups included. `keys:rotate` re-wraps these rows only.
 * - stats_case_record.citizenship (statistics): for the CTDC export.
 * - "case": anonymised_at (set once, by the retention job, on closed cases only) and the legal
 *   hold prosecution puts on a case so the job leaves it alone.
 *
 * Values sealed under the master key before this migration are re-sealed under their case's key by
 * `npm run db:migrate` right after it (it holds the keys; SQL cannot), and the retention job
 * refuses to anonymise a case while any of its values is still under a master key.
 */
export class CaseKeysAndRetention1765100000000 implements MigrationInterface {
  name = 'CaseKeysAndRetention1765100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE case_key (
        case_id uuid PRIMARY KEY REFERENCES "case"(id),
        key_id text NOT NULL,
        wrapped_key bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`CREATE INDEX case_key_key_idx ON case_key (key_id)`);

    await db.query(`ALTER TABLE "case" ADD COLUMN anonymised_at timestamptz`);
    await db.query(`ALTER TABLE "case" ADD COLUMN legal_hold_at timestamptz`);
    await db.query(`ALTER TABLE "case" ADD COLUMN legal_hold_reason text CHECK (length(legal_hold_reason) BETWEEN 1 AND 500)`);
    await db.query(`ALTER TABLE "case" ADD COLUMN legal_hold_by uuid REFERENCES "user"(id)`);
    await db.query(`ALTER TABLE "case" ADD CONSTRAINT case_anonymised_closed CHECK (anonymised_at IS NULL OR status = 'closed')`);
    await db.query(
      `ALTER TABLE "case" ADD CONSTRAINT case_legal_hold_consistent CHECK ((legal_hold_at IS NULL) = (legal_hold_reason IS NULL) AND (legal_hold_at IS NULL) = (legal_hold_by IS NULL))`,
    );
    // The CTDC export's citizenship: the nationality the cases module announces when the identity is
    // written (the identity itself is sealed). A statistical field like the others: it survives shredding.
    await db.query(`ALTER TABLE stats_case_record ADD COLUMN citizenship char(2) CHECK (citizenship ~ '^[A-Z]{2}$')`);
    await db.query(`
      CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
      BEGIN
        -- Writers wait until the rebuild commits, so no change is counted twice or lost.
        LOCK TABLE "case", referral, participation, case_section IN SHARE MODE;
        DELETE FROM stats_monthly;
        -- Citizenship cannot be recomputed in SQL (the identity is sealed): rows are updated, not replaced, so it stays.
        DELETE FROM stats_case_record r WHERE NOT EXISTS (SELECT 1 FROM "case" c WHERE c.id = r.case_id);
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
          FROM "case" c LEFT JOIN case_section s ON s.case_id = c.id AND s.section = 'summary'
        ON CONFLICT (case_id) DO UPDATE SET country = EXCLUDED.country, lead_organisation_id = EXCLUDED.lead_organisation_id,
          registered_on = EXCLUDED.registered_on, minor = EXCLUDED.minor, exploitation_types = EXCLUDED.exploitation_types,
          gender = EXCLUDED.gender, age_group = EXCLUDED.age_group, indicators = EXCLUDED.indicators;
      END $$`);
    // The retention job's daily question: closed, not anonymised, not held, by country and closing time.
    await db.query(
      `CREATE INDEX case_retention_idx ON "case" (country, closed_at) WHERE status = 'closed' AND anonymised_at IS NULL AND legal_hold_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX case_retention_idx`);
    await db.query(`
      CREATE OR REPLACE FUNCTION stats_rebuild() RETURNS void LANGUAGE plpgsql AS $$
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
    await db.query(`ALTER TABLE stats_case_record DROP COLUMN citizenship`);
    await db.query(`ALTER TABLE "case" DROP CONSTRAINT case_legal_hold_consistent`);
    await db.query(`ALTER TABLE "case" DROP CONSTRAINT case_anonymised_closed`);
    await db.query(`ALTER TABLE "case" DROP COLUMN legal_hold_by, DROP COLUMN legal_hold_reason, DROP COLUMN legal_hold_at, DROP COLUMN anonymised_at`);
    await db.query(`DROP TABLE case_key`);
  }
}
