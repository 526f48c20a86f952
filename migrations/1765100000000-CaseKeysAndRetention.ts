import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Retention by crypto-shredding (ADR 0008).
 *
 * - case_key: one data key per case, wrapped by the master key (key_id names which). Sections,
 *   notes and documents' keys are sealed with it (their key_id is then '@case'); deleting the row
 *   shreds them everywhere, backups included. `keys:rotate` re-wraps these rows only.
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
    // The retention job's daily question: closed, not anonymised, not held, by country and closing time.
    await db.query(
      `CREATE INDEX case_retention_idx ON "case" (country, closed_at) WHERE status = 'closed' AND anonymised_at IS NULL AND legal_hold_at IS NULL`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX case_retention_idx`);
    await db.query(`ALTER TABLE "case" DROP CONSTRAINT case_legal_hold_consistent`);
    await db.query(`ALTER TABLE "case" DROP CONSTRAINT case_anonymised_closed`);
    await db.query(`ALTER TABLE "case" DROP COLUMN legal_hold_by, DROP COLUMN legal_hold_reason, DROP COLUMN legal_hold_at, DROP COLUMN anonymised_at`);
    await db.query(`DROP TABLE case_key`);
  }
}
