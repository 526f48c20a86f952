import type { MigrationInterface, QueryRunner } from 'typeorm';

export class OnePlacementPerVictim1764400005300 implements MigrationInterface {
  name = 'OnePlacementPerVictim1764400005300';

  async up(db: QueryRunner): Promise<void> {
    // A victim holds at most one bed: two shelters accepting at once cannot both commit. Fails on a
    // database that already holds a double placement; end one of them (placement/end) and migrate again.
    await db.query(`CREATE UNIQUE INDEX participation_one_placement_uq ON participation (case_id) WHERE holds_bed AND revoked_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP INDEX participation_one_placement_uq`);
  }
}
