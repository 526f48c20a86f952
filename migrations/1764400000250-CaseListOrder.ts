import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The case list is newest first. Each participation and break-glass grant carries its case's
 * creation time, so "the newest cases this organisation (or user) may see" is an ordered index
 * range instead of a scan of every case or every participation of a large organisation.
 */
export class CaseListOrder1764400000250 implements MigrationInterface {
  name = 'CaseListOrder1764400000250';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE FUNCTION copy_case_created_at() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        SELECT created_at INTO NEW.case_created_at FROM "case" WHERE id = NEW.case_id;
        RETURN NEW;
      END $$`);
    for (const table of ['participation', 'break_glass_grant']) {
      await db.query(`ALTER TABLE ${table} ADD COLUMN case_created_at timestamptz`);
      await db.query(`UPDATE ${table} t SET case_created_at = c.created_at FROM "case" c WHERE c.id = t.case_id`);
      await db.query(`ALTER TABLE ${table} ALTER COLUMN case_created_at SET NOT NULL`);
      await db.query(
        `CREATE TRIGGER ${table}_case_created_at BEFORE INSERT OR UPDATE OF case_id ON ${table} FOR EACH ROW EXECUTE FUNCTION copy_case_created_at()`,
      );
    }
    await db.query(
      `CREATE INDEX participation_org_newest_idx ON participation (organisation_id, purpose, case_created_at DESC, case_id DESC) WHERE revoked_at IS NULL`,
    );
    await db.query(`CREATE INDEX break_glass_user_newest_idx ON break_glass_grant (user_id, case_created_at DESC, case_id DESC)`);
  }

  async down(db: QueryRunner): Promise<void> {
    for (const table of ['participation', 'break_glass_grant']) {
      await db.query(`DROP TRIGGER ${table}_case_created_at ON ${table}`);
      await db.query(`ALTER TABLE ${table} DROP COLUMN case_created_at`);
    }
    await db.query(`DROP FUNCTION copy_case_created_at()`);
  }
}
