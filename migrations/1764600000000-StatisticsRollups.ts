import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics from aggregates kept up to date by the database itself (src/statistics reads them).
 *
 * Why triggers: the figures must be right whoever writes a case, a referral or a placement,
 * and stay right while those modules are restructured. A trigger runs in the writer's own
 * transaction, so a rollup never disagrees with the rows it summarises and no feature can
 * forget to maintain it. The statistics module owns these tables and functions; it never
 * writes another module's table, and the triggers only read the row that changed (plus the
 * organisation's country).
 *
 * - stats_monthly: one counter per (metric, organisation, month, dimension). Months are UTC.
 *   Case counters belong to the lead organisation, referral counters to the target
 *   organisation, bed counters to the reception centre; `country` is that organisation's (for
 *   cases, the case's) country, so a supervisor's scope is an index range.
 *   metrics: case_opened, case_closed (dim ''), case_opened_type, case_closed_type (dim = the
 *   exploitation type; a case with two types counts once in each), referral (dim = status, by
 *   month of creation), response (dim = '<urgency>:<bucket>', a histogram of answer times of
 *   accepted/declined referrals, by month of creation; bucket edges in
 *   src/statistics/response-buckets.ts), beds (dim '', the change in occupied beds that month).
 * - stats_case_record: the statistical fields of each case (no identity), for the CTDC export.
 *   It outlives crypto-shredding, so anonymised cases still count.
 *
 * Each change is applied as net deltas sorted by key, so concurrent writers lock counter rows in
 * the same order and cannot deadlock on them.
 */
export class StatisticsRollups1764600000000 implements MigrationInterface {
  name = 'StatisticsRollups1764600000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE stats_monthly (
        metric text NOT NULL,
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        month date NOT NULL CHECK (extract(day FROM month) = 1),
        dim text NOT NULL DEFAULT '',
        country char(2) NOT NULL,
        value bigint NOT NULL,
        PRIMARY KEY (metric, organisation_id, month, dim)
      )`);
    // An oversight supervisor's scope is a country: one range of this index per metric.
    await db.query(`CREATE INDEX stats_monthly_country_idx ON stats_monthly (country, metric, month) INCLUDE (organisation_id, dim, value)`);

    await db.query(`
      CREATE TABLE stats_case_record (
        -- Cascades: a case row is never deleted by the application, and the projection must not stand in the way if one is.
        case_id uuid PRIMARY KEY REFERENCES "case"(id) ON DELETE CASCADE,
        country char(2) NOT NULL,
        lead_organisation_id uuid NOT NULL,
        registered_on date NOT NULL,
        minor boolean NOT NULL,
        exploitation_types text[] NOT NULL,
        gender text,
        age_group text,
        indicators text[]
      )`);
    await db.query(`CREATE INDEX stats_case_record_country_idx ON stats_case_record (country, registered_on)`);

    await db.query(`CREATE TYPE stats_delta AS (metric text, organisation_id uuid, month date, dim text, country char(2), delta bigint)`);
    await db.query(`
      CREATE FUNCTION stats_month(at timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
        SELECT date_trunc('month', at AT TIME ZONE 'UTC')::date
      $$`);
    await db.query(`
      CREATE FUNCTION stats_apply(deltas stats_delta[]) RETURNS void LANGUAGE sql AS $$
        INSERT INTO stats_monthly AS s (metric, organisation_id, month, dim, country, value)
        SELECT metric, organisation_id, month, dim, country, sum(delta)
          FROM unnest(deltas)
         GROUP BY metric, organisation_id, month, dim, country
        HAVING sum(delta) <> 0
         ORDER BY metric, organisation_id, month, dim
        ON CONFLICT (metric, organisation_id, month, dim) DO UPDATE SET value = s.value + EXCLUDED.value
      $$`);

    await db.query(`
      CREATE FUNCTION stats_case_deltas(c "case", sign bigint) RETURNS stats_delta[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(ROW(d.metric, c.lead_organisation_id, d.month, d.dim, c.country, sign)::stats_delta), '{}')
          FROM (
            SELECT 'case_opened' AS metric, stats_month(c.created_at) AS month, '' AS dim
            UNION ALL SELECT 'case_opened_type', stats_month(c.created_at), t FROM (SELECT DISTINCT unnest(c.exploitation_types) AS t) types
            UNION ALL SELECT 'case_closed', stats_month(c.closed_at), '' WHERE c.closed_at IS NOT NULL
            UNION ALL SELECT 'case_closed_type', stats_month(c.closed_at), t FROM (SELECT DISTINCT unnest(c.exploitation_types) AS t) types
             WHERE c.closed_at IS NOT NULL
          ) d
      $$`);
    await db.query(`
      CREATE FUNCTION stats_case_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM stats_apply(stats_case_deltas(NEW, 1));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM stats_apply(stats_case_deltas(OLD, -1));
          RETURN NULL;
        ELSE
          PERFORM stats_apply(stats_case_deltas(OLD, -1) || stats_case_deltas(NEW, 1));
        END IF;
        INSERT INTO stats_case_record (case_id, country, lead_organisation_id, registered_on, minor, exploitation_types)
        VALUES (NEW.id, NEW.country, NEW.lead_organisation_id, (NEW.created_at AT TIME ZONE 'UTC')::date, NEW.minor, NEW.exploitation_types)
        ON CONFLICT (case_id) DO UPDATE SET country = EXCLUDED.country, lead_organisation_id = EXCLUDED.lead_organisation_id,
          registered_on = EXCLUDED.registered_on, minor = EXCLUDED.minor, exploitation_types = EXCLUDED.exploitation_types;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER stats_case_insert AFTER INSERT OR DELETE ON "case" FOR EACH ROW EXECUTE FUNCTION stats_case_changed()`);
    await db.query(`
      CREATE TRIGGER stats_case_update AFTER UPDATE ON "case" FOR EACH ROW
      WHEN (OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.closed_at IS DISTINCT FROM NEW.closed_at
         OR OLD.exploitation_types IS DISTINCT FROM NEW.exploitation_types OR OLD.lead_organisation_id IS DISTINCT FROM NEW.lead_organisation_id
         OR OLD.country IS DISTINCT FROM NEW.country OR OLD.minor IS DISTINCT FROM NEW.minor)
      EXECUTE FUNCTION stats_case_changed()`);

    // The summary's statistical fields (gender, age group, ILO indicators) for the CTDC export.
    await db.query(`
      CREATE FUNCTION stats_summary_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        UPDATE stats_case_record SET
          gender = NEW.data->>'gender',
          age_group = NEW.data->>'ageGroup',
          indicators = CASE WHEN jsonb_typeof(NEW.data->'indicators') = 'array'
                            THEN ARRAY(SELECT jsonb_array_elements_text(NEW.data->'indicators')) END
        WHERE case_id = NEW.case_id;
        RETURN NULL;
      END $$`);
    await db.query(`
      CREATE TRIGGER stats_summary_changed AFTER INSERT OR UPDATE OF data ON case_section FOR EACH ROW
      WHEN (NEW.section = 'summary') EXECUTE FUNCTION stats_summary_changed()`);

    await db.query(`
      CREATE FUNCTION stats_referral_deltas(r referral, sign bigint) RETURNS stats_delta[] LANGUAGE sql STABLE AS $$
        SELECT coalesce(array_agg(ROW(d.metric, r.to_organisation_id, stats_month(r.created_at), d.dim, o.country, sign)::stats_delta), '{}')
          FROM organisation o,
               LATERAL (
                 SELECT 'referral' AS metric, r.status AS dim
                 UNION ALL
                 SELECT 'response', r.urgency || ':' || width_bucket(extract(epoch FROM r.answered_at - r.created_at) / 60,
                          '{15,30,60,120,180,240,360,480,720,1080,1440,2160,2880,4320,5760,10080}'::numeric[])
                  WHERE r.status IN ('accepted', 'declined') AND r.answered_at IS NOT NULL
               ) d
         WHERE o.id = r.to_organisation_id AND o.country IS NOT NULL
      $$`);
    await db.query(`
      CREATE FUNCTION stats_referral_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          PERFORM stats_apply(stats_referral_deltas(NEW, 1));
        ELSIF TG_OP = 'DELETE' THEN
          PERFORM stats_apply(stats_referral_deltas(OLD, -1));
        ELSE
          PERFORM stats_apply(stats_referral_deltas(OLD, -1) || stats_referral_deltas(NEW, 1));
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER stats_referral_insert AFTER INSERT OR DELETE ON referral FOR EACH ROW EXECUTE FUNCTION stats_referral_changed()`);
    await db.query(`
      CREATE TRIGGER stats_referral_update AFTER UPDATE ON referral FOR EACH ROW
      WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.answered_at IS DISTINCT FROM NEW.answered_at
         OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.to_organisation_id IS DISTINCT FROM NEW.to_organisation_id
         OR OLD.urgency IS DISTINCT FROM NEW.urgency)
      EXECUTE FUNCTION stats_referral_changed()`);

    // Occupancy is a stock: a bed taken adds one in the month it is taken, a bed given back
    // removes one in the month it is given back; occupancy at a month's end is the running sum.
    await db.query(`
      CREATE FUNCTION stats_bed_changed() RETURNS trigger LANGUAGE plpgsql AS $$
      DECLARE
        change bigint := (CASE WHEN TG_OP <> 'DELETE' AND NEW.holds_bed THEN 1 ELSE 0 END)
                       - (CASE WHEN TG_OP <> 'INSERT' AND OLD.holds_bed THEN 1 ELSE 0 END);
        centre uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.organisation_id ELSE NEW.organisation_id END;
      BEGIN
        IF change <> 0 THEN
          PERFORM stats_apply(ARRAY(
            SELECT ROW('beds', o.id, stats_month(now()), '', o.country, change)::stats_delta
              FROM organisation o WHERE o.id = centre AND o.country IS NOT NULL));
        END IF;
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER stats_bed_insert AFTER INSERT OR DELETE ON participation FOR EACH ROW EXECUTE FUNCTION stats_bed_changed()`);
    await db.query(`
      CREATE TRIGGER stats_bed_update AFTER UPDATE OF holds_bed ON participation FOR EACH ROW
      WHEN (OLD.holds_bed IS DISTINCT FROM NEW.holds_bed) EXECUTE FUNCTION stats_bed_changed()`);

    // Existing data. Beds already given back left no time of return, so only beds held now are counted (from their start).
    await db.query(`SELECT stats_apply(stats_case_deltas(c, 1)) FROM "case" c`);
    await db.query(`SELECT stats_apply(stats_referral_deltas(r, 1)) FROM referral r`);
    await db.query(`
      SELECT stats_apply(ARRAY(SELECT ROW('beds', o.id, stats_month(p.created_at), '', o.country, 1)::stats_delta))
        FROM participation p JOIN organisation o ON o.id = p.organisation_id
       WHERE p.holds_bed AND o.country IS NOT NULL`);
    await db.query(`
      INSERT INTO stats_case_record (case_id, country, lead_organisation_id, registered_on, minor, exploitation_types, gender, age_group, indicators)
      SELECT c.id, c.country, c.lead_organisation_id, (c.created_at AT TIME ZONE 'UTC')::date, c.minor, c.exploitation_types,
             s.data->>'gender', s.data->>'ageGroup',
             CASE WHEN jsonb_typeof(s.data->'indicators') = 'array' THEN ARRAY(SELECT jsonb_array_elements_text(s.data->'indicators')) END
        FROM "case" c LEFT JOIN case_section s ON s.case_id = c.id AND s.section = 'summary'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TRIGGER stats_bed_update ON participation`);
    await db.query(`DROP TRIGGER stats_bed_insert ON participation`);
    await db.query(`DROP TRIGGER stats_referral_update ON referral`);
    await db.query(`DROP TRIGGER stats_referral_insert ON referral`);
    await db.query(`DROP TRIGGER stats_summary_changed ON case_section`);
    await db.query(`DROP TRIGGER stats_case_update ON "case"`);
    await db.query(`DROP TRIGGER stats_case_insert ON "case"`);
    await db.query(`DROP FUNCTION stats_bed_changed(), stats_referral_changed(), stats_referral_deltas(referral, bigint), stats_summary_changed(),
                    stats_case_changed(), stats_case_deltas("case", bigint), stats_apply(stats_delta[]), stats_month(timestamptz)`);
    await db.query(`DROP TYPE stats_delta`);
    await db.query(`DROP TABLE stats_case_record, stats_monthly`);
  }
}
