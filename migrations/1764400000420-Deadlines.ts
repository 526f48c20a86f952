import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Deadlines1764400000420 implements MigrationInterface {
  name = 'Deadlines1764400000420';

  async up(db: QueryRunner): Promise<void> {
    // The source of truth for every timed follow-up; BullMQ only holds a delayed job per pending row.
    await db.query(`
      CREATE TABLE deadline (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind text NOT NULL CHECK (kind IN ('referral.reminder','referral.expiry','reflection_period.reminder_14d',
                                           'reflection_period.reminder_3d','reflection_period.end','break_glass.review')),
        case_id uuid NOT NULL REFERENCES "case"(id),
        referral_id uuid REFERENCES referral(id),
        break_glass_id uuid REFERENCES break_glass_grant(id),
        -- Who is told when it fires, where the kind does not say (reflection period, break-glass).
        organisation_ids uuid[] NOT NULL DEFAULT '{}',
        due_at timestamptz NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        enqueued_at timestamptz,
        fired_at timestamptz,
        cancelled_at timestamptz,
        subject uuid GENERATED ALWAYS AS (COALESCE(break_glass_id, referral_id, case_id)) STORED,
        CONSTRAINT deadline_kind_subject_uq UNIQUE (kind, subject),
        CONSTRAINT deadline_subject_for_kind CHECK (
          (kind LIKE 'referral.%' AND referral_id IS NOT NULL AND break_glass_id IS NULL)
          OR (kind LIKE 'reflection_period.%' AND referral_id IS NULL AND break_glass_id IS NULL)
          OR (kind LIKE 'break_glass.%' AND break_glass_id IS NOT NULL AND referral_id IS NULL))
      )`);
    await db.query(`CREATE INDEX deadline_pending_idx ON deadline (due_at) WHERE fired_at IS NULL AND cancelled_at IS NULL`);
    await db.query(`CREATE INDEX deadline_unenqueued_idx ON deadline (due_at) WHERE enqueued_at IS NULL AND fired_at IS NULL AND cancelled_at IS NULL`);
    // Wakes the scheduler at commit time so a new deadline gets its delayed job at once.
    await db.query(`
      CREATE FUNCTION deadline_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('passage_deadline', '');
        RETURN NULL;
      END $$`);
    await db.query(`CREATE TRIGGER deadline_notify AFTER INSERT OR UPDATE OF due_at ON deadline FOR EACH STATEMENT EXECUTE FUNCTION deadline_notify()`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE deadline`);
    await db.query(`DROP FUNCTION deadline_notify()`);
  }
}
