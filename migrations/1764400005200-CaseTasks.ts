import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CaseTasks1764400005200 implements MigrationInterface {
  name = 'CaseTasks1764400005200';

  async up(db: QueryRunner): Promise<void> {
    // A task of one organisation on a case, for one of its caseworkers. The title may name the
    // victim ("call M. about the passport"), so it is sealed like notes.
    await db.query(`
      CREATE TABLE case_task (
        id uuid PRIMARY KEY,
        case_id uuid NOT NULL REFERENCES "case"(id),
        organisation_id uuid NOT NULL REFERENCES organisation(id),
        assignee_id uuid NOT NULL REFERENCES "user"(id),
        created_by uuid NOT NULL REFERENCES "user"(id),
        key_id text NOT NULL,
        title_ciphertext bytea NOT NULL,
        due_at timestamptz NOT NULL,
        status text NOT NULL DEFAULT 'open' CHECK (status IN ('open','done')),
        done_at timestamptz,
        done_by uuid REFERENCES "user"(id),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT case_task_done_consistent CHECK ((status = 'done') = (done_at IS NOT NULL AND done_by IS NOT NULL))
      )`);
    await db.query(`CREATE INDEX case_task_assignee_idx ON case_task (assignee_id, status, due_at, id)`);
    await db.query(`CREATE INDEX case_task_case_idx ON case_task (case_id, organisation_id, due_at, id)`);
    await db.query(`CREATE INDEX case_task_key_idx ON case_task (key_id)`);

    // A task's due reminder is a durable deadline whose subject is the task.
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_kind_subject_uq`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_subject_for_kind`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_kind_check`);
    await db.query(`ALTER TABLE deadline DROP COLUMN subject`);
    await db.query(`ALTER TABLE deadline ADD COLUMN task_id uuid REFERENCES case_task(id)`);
    await db.query(`ALTER TABLE deadline ADD COLUMN subject uuid GENERATED ALWAYS AS (COALESCE(task_id, break_glass_id, referral_id, case_id)) STORED`);
    await db.query(`ALTER TABLE deadline ADD CONSTRAINT deadline_kind_subject_uq UNIQUE (kind, subject)`);
    await db.query(`
      ALTER TABLE deadline ADD CONSTRAINT deadline_kind_check CHECK (kind IN ('referral.reminder','referral.expiry','reflection_period.reminder_14d',
        'reflection_period.reminder_3d','reflection_period.end','break_glass.review','task.due'))`);
    await db.query(`
      ALTER TABLE deadline ADD CONSTRAINT deadline_subject_for_kind CHECK (
        (kind LIKE 'referral.%' AND referral_id IS NOT NULL AND break_glass_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'reflection_period.%' AND referral_id IS NULL AND break_glass_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'break_glass.%' AND break_glass_id IS NOT NULL AND referral_id IS NULL AND task_id IS NULL)
        OR (kind LIKE 'task.%' AND task_id IS NOT NULL AND referral_id IS NULL AND break_glass_id IS NULL))`);

    // Events meant for named users (a task's assignee), not every operational user of an organisation.
    await db.query(`ALTER TABLE outbox_event ADD COLUMN user_ids uuid[] NOT NULL DEFAULT '{}'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE outbox_event DROP COLUMN user_ids`);
    await db.query(`DELETE FROM deadline WHERE kind LIKE 'task.%'`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_kind_subject_uq`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_subject_for_kind`);
    await db.query(`ALTER TABLE deadline DROP CONSTRAINT deadline_kind_check`);
    await db.query(`ALTER TABLE deadline DROP COLUMN subject`);
    await db.query(`ALTER TABLE deadline DROP COLUMN task_id`);
    await db.query(`ALTER TABLE deadline ADD COLUMN subject uuid GENERATED ALWAYS AS (COALESCE(break_glass_id, referral_id, case_id)) STORED`);
    await db.query(`ALTER TABLE deadline ADD CONSTRAINT deadline_kind_subject_uq UNIQUE (kind, subject)`);
    await db.query(`
      ALTER TABLE deadline ADD CONSTRAINT deadline_kind_check CHECK (kind IN ('referral.reminder','referral.expiry','reflection_period.reminder_14d',
        'reflection_period.reminder_3d','reflection_period.end','break_glass.review'))`);
    await db.query(`
      ALTER TABLE deadline ADD CONSTRAINT deadline_subject_for_kind CHECK (
        (kind LIKE 'referral.%' AND referral_id IS NOT NULL AND break_glass_id IS NULL)
        OR (kind LIKE 'reflection_period.%' AND referral_id IS NULL AND break_glass_id IS NULL)
        OR (kind LIKE 'break_glass.%' AND break_glass_id IS NOT NULL AND referral_id IS NULL))`);
    await db.query(`DROP TABLE case_task`);
  }
}
