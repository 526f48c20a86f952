import type { MigrationInterface, QueryRunner } from 'typeorm';

export class BreakGlassVerdict1765200000000 implements MigrationInterface {
  name = 'BreakGlassVerdict1765200000000';

  async up(db: QueryRunner): Promise<void> {
    // A review now concludes with a verdict; uses reviewed before it have none (null), every new review one.
    await db.query(`ALTER TABLE break_glass_grant ADD COLUMN review_verdict text`);
    await db.query(
      `ALTER TABLE break_glass_grant ADD CONSTRAINT break_glass_grant_review_verdict_check CHECK (review_verdict IN ('justified','not_justified'))`,
    );
    await db.query(`ALTER TABLE break_glass_grant ADD CONSTRAINT break_glass_grant_verdict_reviewed CHECK (review_verdict IS NULL OR reviewed_at IS NOT NULL)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE break_glass_grant DROP COLUMN review_verdict`);
  }
}
