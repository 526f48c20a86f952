import type { MigrationInterface, QueryRunner } from 'typeorm';

export class Outbox1764400000400 implements MigrationInterface {
  name = 'Outbox1764400000400';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE outbox_event (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        type text NOT NULL,
        case_id uuid NOT NULL,
        referral_id uuid,
        break_glass_id uuid,
        organisation_ids uuid[] NOT NULL DEFAULT '{}',
        actor_user_id uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        relayed_at timestamptz
      )`);
    await db.query(`CREATE INDEX outbox_event_pending_idx ON outbox_event (id) WHERE relayed_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP TABLE outbox_event`);
  }
}
